// Directed tests of rans_decoder's table loading (several slots per cycle in
// banks interleaved by slot index, the next beat taken in the cycle that
// writes the current symbol's last slots):
//  - back-to-back tensors with different P and tables on one instance (no
//    reset between them), at three backpressure levels, on the 8- and the
//    16-lane decoder: tables that use every symbol (f = 1 each at P = 8;
//    uneven at P = 12, with frequencies around multiples of the bank count),
//    P at its minimum (1) and maximum (12, including the one-symbol table
//    f = 4096), sparse 4-bit tables;
//  - the load time: sum over beats of max(1, ceil(f / Banks)) plus a small
//    constant, computed here from the frequencies;
//  - loads interrupted by an error (a beat overflowing 2^P in the middle of
//    the table, in the overlap cycle, a 257th beat, P out of range) and by a
//    new start_i in the middle of an expansion; the next tensor decodes.
// Expected symbols are the test's own inputs; every payload is also checked
// against the C++ decoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "Vrans_decoder.h"
#include "Vrans_decoder_rans_decoder.h"
#include "squish/entropy/codec.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/rtl/entropy.hpp"
#include "squish/sim/gtest.hpp"

using namespace squish;
using namespace squish::sim;
using entropy::CoderId;
using entropy::CoderParams;
using entropy::FreqTable;

namespace {

constexpr unsigned kErrBadTable = 1;

struct Case {
  std::string name;
  std::vector<uint16_t> sym;
  rtl::RansJob job;
};

/// n symbols drawn from the table's distribution (slot uniform in [0, 2^P)),
/// every symbol with f > 0 appearing at least once (first, in order).
std::vector<uint16_t> draw(const FreqTable& t, size_t n, Rng& rng) {
  std::vector<uint16_t> sym;
  for (size_t s = 0; s < t.freq.size(); ++s)
    if (t.freq[s] > 0) sym.push_back(static_cast<uint16_t>(s));
  std::vector<uint16_t> by_slot;
  for (size_t s = 0; s < t.freq.size(); ++s) by_slot.insert(by_slot.end(), t.freq[s], static_cast<uint16_t>(s));
  while (sym.size() < n) sym.push_back(by_slot[rng.uniform<size_t>(0, by_slot.size() - 1)]);
  sym.resize(n);
  // Shuffle so that the forced first occurrences land anywhere.
  for (size_t i = sym.size(); i > 1; --i) std::swap(sym[i - 1], sym[rng.uniform<size_t>(0, i - 1)]);
  return sym;
}

/// Encodes sym with exactly table t (the shared-table encoder, then the table
/// inserted: the self-contained payload) and parses it into an RTL job.
Case make_case(const std::string& name, const FreqTable& t, unsigned bits, std::vector<uint16_t> sym,
               unsigned lanes = 8) {
  CoderParams p;
  p.alphabet_bits = bits;
  p.rans_lanes = lanes;
  const auto shared = entropy::rans_encode_shared(sym, p, t);
  EXPECT_FALSE(shared.empty()) << name;
  const auto payload = entropy::rans_with_table(shared, t);
  EXPECT_EQ(entropy::decode_symbols(CoderId::Rans, payload, sym.size(), p), sym) << name << ": C++ decoder";
  Case c{name, std::move(sym), rtl::make_rans_job(payload, 0, p)};
  c.job.count = c.sym.size();
  EXPECT_EQ(c.job.prob_bits, t.prob_bits) << name;
  EXPECT_EQ(c.job.freq, t.freq) << name;
  return c;
}

FreqTable table(unsigned bits, unsigned prob_bits) {
  FreqTable t;
  t.prob_bits = prob_bits;
  t.freq.assign(size_t{1} << bits, 0);
  return t;
}

/// Every 8-bit symbol used, P = 12, uneven: frequencies around multiples of
/// 4, 8 and 16 (1 ... 9, 15, 16, 17, 24, 33) and one large symbol taking the rest.
FreqTable every_symbol_uneven() {
  FreqTable t = table(8, 12);
  const uint32_t pattern[] = {1, 7, 8, 9, 15, 16, 17, 1, 2, 3, 33, 4, 1, 5, 6, 24};
  uint32_t sum = 0;
  for (size_t s = 0; s < 256; ++s) {
    t.freq[s] = pattern[s % 16];
    sum += t.freq[s];
  }
  t.freq[131] += 4096 - sum;  // the rest on one symbol in the middle
  return t;
}

std::vector<Case> cases() {
  Rng rng(test_seed());
  std::vector<Case> cs;
  {  // every symbol once in 2^8 slots: one slot per beat, every beat overlapped
    FreqTable t = table(8, 8);
    std::fill(t.freq.begin(), t.freq.end(), 1u);
    cs.push_back(make_case("every symbol f=1 P=8", t, 8, draw(t, 3001, rng)));
  }
  {
    const FreqTable t = every_symbol_uneven();
    cs.push_back(make_case("every symbol uneven P=12", t, 8, draw(t, 4099, rng)));
  }
  {  // P = 1: two symbols at the ends of the 8-bit alphabet
    FreqTable t = table(8, 1);
    t.freq[0] = t.freq[255] = 1;
    cs.push_back(make_case("P=1 symbols 0 and 255", t, 8, draw(t, 777, rng)));
  }
  {  // P = 1 on a 1-bit alphabet: a two-beat table
    FreqTable t = table(1, 1);
    t.freq[0] = t.freq[1] = 1;
    cs.push_back(make_case("P=1 1-bit alphabet", t, 1, draw(t, 50, rng), 4));
  }
  {  // P = 12, one symbol: f' = 4096, biases up to 4095
    FreqTable t = table(8, 12);
    t.freq[37] = 4096;
    cs.push_back(make_case("P=12 one symbol", t, 8, draw(t, 2000, rng)));
  }
  {  // P = 12, a large symbol not a multiple of the banks, then f = 1
    FreqTable t = table(8, 12);
    t.freq[3] = 4095;
    t.freq[200] = 1;
    cs.push_back(make_case("P=12 4095+1", t, 8, draw(t, 2500, rng)));
  }
  {  // 4-bit sparse table at P = 5, last symbol unused (trailing zero beats)
    FreqTable t = table(4, 5);
    t.freq[0] = 25;
    t.freq[1] = 3;
    t.freq[7] = 2;
    t.freq[9] = 1;
    t.freq[10] = 1;
    cs.push_back(make_case("4-bit P=5", t, 4, draw(t, 999, rng)));
  }
  {  // the encoder's own tables at several sizes (P follows n)
    for (size_t n : {size_t{3}, size_t{40}, size_t{300}, size_t{5000}}) {
      CoderParams p;
      p.alphabet_bits = 8;
      std::vector<uint16_t> sym(n);
      for (auto& s : sym) s = static_cast<uint16_t>(std::min<int64_t>(255, std::abs(rng.uniform<int64_t>(-60, 60)) + 100));
      const auto payload = entropy::encode_symbols(CoderId::Rans, sym, p);
      Case c{"encoder table n=" + std::to_string(n), sym, rtl::make_rans_job(payload, sym.size(), p)};
      cs.push_back(std::move(c));
    }
  }
  return cs;
}

rtl::EntropyRtlOptions opts(Backpressure bp) {
  rtl::EntropyRtlOptions o;
  o.dut = test_options();
  o.in_bp = bp;
  o.out_bp = bp;
  return o;
}

void expect_decoded(const rtl::EntropyRun& r, const Case& c, const std::string& what) {
  EXPECT_FALSE(r.error) << what << ": error code " << r.error_code;
  EXPECT_FALSE(r.protocol_error.has_value()) << what << ": " << r.protocol_error.value_or("");
  EXPECT_TRUE(r.last_ok) << what;
  EXPECT_EQ(r.symbols, c.sym) << what;
}

class RansTables : public BackpressureTest {};

// Every case, then every case again in reverse order, on one instance without
// a reset: each table is loaded over the previous one (different P).
TEST_P(RansTables, BackToBackTensorsWithDifferentTables) {
  const auto cs = cases();
  std::vector<rtl::RansJob> jobs;
  std::vector<size_t> which;
  for (size_t i = 0; i < cs.size(); ++i) which.push_back(i);
  for (size_t i = cs.size(); i-- > 0;) which.push_back(i);
  for (size_t i : which) jobs.push_back(cs[i].job);
  for (unsigned hw : {8u, 16u}) {
    auto o = opts(GetParam());
    o.rans_hw_lanes = hw;
    const auto runs = rtl::run_rans_rtl(jobs, o, false);
    ASSERT_EQ(runs.size(), jobs.size());
    for (size_t k = 0; k < runs.size(); ++k)
      expect_decoded(runs[k], cs[which[k]], cs[which[k]].name + " (job " + std::to_string(k) + ", " +
                                                std::to_string(hw) + "-lane decoder)");
  }
}
SQUISH_BACKPRESSURE_SUITE(RansTables);

// Unobstructed, a table of beats f_0 ... f_m loads in sum max(1, ceil(f / B))
// cycles (B = slots per cycle) plus 2 (the start_i cycle and the cycle in
// which the decoder, in StInit, first asks for its states), far below the
// 2^P + m + 1 of one slot per cycle.
TEST(RansTablesLoad, CyclesFollowTheBankedExpansion) {
  const unsigned banks = rtl::entropy_rtl_params().rans_table_banks;
  ASSERT_GE(banks, 1u);
  for (const auto& c : cases()) {
    uint64_t want = 0;
    for (uint32_t f : c.job.freq) want += std::max<uint64_t>(1, (f + banks - 1) / banks);
    const auto r = rtl::run_rans_rtl(c.job, opts(Backpressure::None));
    expect_decoded(r, c, c.name);
    EXPECT_EQ(r.table_cycles, want + 2) << c.name;
    if (c.job.prob_bits == 12 && banks > 1) EXPECT_LT(r.table_cycles, 4096u / banks + c.job.freq.size() + 3) << c.name;
  }
}

// ---- loads interrupted -----------------------------------------------------------

/// Runs `bad` then `good` on one instance without reset: bad must end in
/// BadTable with no symbols, good must decode.
void bad_then_good(const rtl::RansJob& bad, const Case& good, const std::string& what) {
  for (Backpressure bp : {Backpressure::None, Backpressure::Heavy}) {
    const auto runs = rtl::run_rans_rtl(std::vector<rtl::RansJob>{bad, good.job, bad, good.job}, opts(bp), false);
    for (size_t k : {size_t{0}, size_t{2}}) {
      EXPECT_TRUE(runs[k].error) << what;
      EXPECT_EQ(runs[k].error_code, kErrBadTable) << what;
      EXPECT_TRUE(runs[k].symbols.empty()) << what;
    }
    expect_decoded(runs[1], good, what + ": the tensor after it");
    expect_decoded(runs[3], good, what + ": the tensor after it (again)");
  }
}

// A beat that takes the sum past 2^P at symbol 100 of 256: the rest of the
// table is never taken, the words are drained.
TEST(RansTablesErrors, OverflowInTheMiddleOfTheTable) {
  const auto cs = cases();
  auto bad = cs[1].job;  // every symbol uneven, P = 12
  bad.freq[100] = 4096;
  bad_then_good(bad, cs[0], "overflow at symbol 100");
}

// The overflowing beat arrives in the cycle that writes the previous symbol's
// last slots (f_0 = 4093 > B): the check must count those slots.
TEST(RansTablesErrors, OverflowInTheOverlapCycle) {
  const auto cs = cases();
  auto bad = cs[5].job;  // P = 12: f_3 = 4095, f_200 = 1
  std::fill(bad.freq.begin(), bad.freq.end(), 0u);
  bad.freq[0] = 4093;
  bad.freq[1] = 4;  // sum 4097
  bad_then_good(bad, cs[1], "overflow in the overlap cycle");
  // Exactly 2^P with the same shape is fine (the check is not off by one).
  FreqTable t = table(8, 12);
  t.freq[0] = 4093;
  t.freq[1] = 3;
  Rng rng(test_seed());
  const auto ok = make_case("4093+3", t, 8, draw(t, 2100, rng));
  const auto r = rtl::run_rans_rtl(ok.job, opts(Backpressure::Light));
  expect_decoded(r, ok, ok.name);
}

// 257 beats whose sum is right: one beat more than symbols exist.
TEST(RansTablesErrors, MoreThan256BeatsIsABadTable) {
  const auto cs = cases();
  auto bad = cs[0].job;  // 256 x f=1 at P = 8
  bad.freq[255] = 0;
  bad.freq.push_back(1);
  bad_then_good(bad, cs[1], "257 beats");
}

TEST(RansTablesErrors, PrecisionOutOfRange) {
  const auto cs = cases();
  for (unsigned pb : {0u, 13u, 15u}) {
    auto bad = cs[1].job;
    bad.prob_bits = pb;
    bad_then_good(bad, cs[2], "P = " + std::to_string(pb));
  }
}

// start_i in the middle of an expansion (P = 12, after 40 beats) opens a new
// tensor with another table: the first load is abandoned, the new one decodes.
TEST(RansTablesErrors, StartDuringTableLoadRestartsIt) {
  const auto cs = cases();
  for (size_t beats_before : {size_t{1}, size_t{40}, size_t{131}, size_t{132}}) {
    TestDut<Vrans_decoder> dut;
    dut.reset();
    auto& m = dut.model();
    m.in_valid_i = 0;
    m.tbl_valid_i = 0;
    m.out_ready_i = 1;
    auto start = [&](const rtl::RansJob& j) {
      m.count_i = static_cast<uint32_t>(j.count);
      m.prob_bits_i = static_cast<uint8_t>(j.prob_bits);
      m.lanes_i = static_cast<uint8_t>(j.states.size());
      m.start_i = 1;
      m.tbl_valid_i = 0;
      dut.tick();
      m.start_i = 0;
    };
    auto push_table = [&](const rtl::RansJob& j, size_t n) {
      for (size_t s = 0; s < n;) {
        m.tbl_valid_i = 1;
        m.tbl_data_i = static_cast<uint16_t>(j.freq[s]);
        m.tbl_last_i = s + 1 == j.freq.size();
        m.clk_i = 0;
        m.eval();
        const bool taken = m.tbl_ready_o;
        dut.tick();
        if (taken) ++s;
        ASSERT_LT(dut.cycle(), 200000u) << "table not taken";
      }
      m.tbl_valid_i = 0;
    };
    const auto& first = cs[1].job;  // P = 12 uneven (symbol 131 is the large one)
    const Case& second = cs[4];     // P = 12, one symbol: every slot rewritten
    start(first);
    push_table(first, beats_before);
    for (int k = 0; k < 3; ++k) dut.tick();  // mid-expansion of the large symbol for 132
    start(second.job);
    push_table(second.job, second.job.freq.size());
    // States and words, unobstructed; collect the output.
    std::vector<uint16_t> w;
    for (uint32_t s : second.job.states) {
      w.push_back(static_cast<uint16_t>(s & 0xffff));
      w.push_back(static_cast<uint16_t>(s >> 16));
    }
    w.insert(w.end(), second.job.words.begin(), second.job.words.end());
    const unsigned per = Vrans_decoder_rans_decoder::PubInWords;
    size_t next = 0;
    std::vector<uint16_t> got;
    while (!m.done_o) {
      const bool have = next < w.size();
      m.in_valid_i = have;
      uint64_t data = 0;
      unsigned cnt = 0;
      for (; cnt < per && next + cnt < w.size(); ++cnt) data |= uint64_t{w[next + cnt]} << (16 * cnt);
      m.in_data_i = data;
      m.in_count_i = static_cast<uint8_t>(cnt);
      m.in_last_i = next + cnt >= w.size();
      m.clk_i = 0;
      m.eval();
      const bool taken = have && m.in_ready_o;
      if (m.out_valid_o)
        for (unsigned i = 0; i < m.out_count_o; ++i) got.push_back(static_cast<uint16_t>((m.out_data_o >> (8 * i)) & 0xff));
      dut.tick();
      if (taken) next += cnt;
      ASSERT_LT(dut.cycle(), 200000u) << "no done_o";
    }
    m.in_valid_i = 0;
    EXPECT_FALSE(m.error_o) << beats_before << " beats: error " << int{m.error_code_o};
    EXPECT_EQ(got, second.sym) << beats_before << " beats before the restart";
  }
}

}  // namespace
