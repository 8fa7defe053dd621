// Directed tests of the entropy decoders' end-of-stream handling: the input
// beat carrying `last` is taken in exactly the cycle in which the decoder
// decides between finishing (StDone) and draining its input (StDrain) after an
// error. Before the fix, that choice read only the registered last-seen flag,
// so such a beat was swallowed and the decoder drained forever waiting for a
// `last` that had already come (found with SQUISH_SEED=17 on
// RansErrors.RandomGarbageNeverHangsAndRecovers).
//
// Two kinds of timing are driven, cycle by cycle on the Verilated models:
//  - "on error": every other beat goes in back to back, the last beat is held
//    until error_o reads high and is taken in the first cycle in which the
//    decoder is ready with the error set (the decision cycle of an error
//    raised in a previous cycle; the test checks that it was);
//  - "delay d": the last beat comes d cycles after the previous one, for every
//    d in a window that spans the decoder's whole finish sequence, which covers
//    the errors decided combinationally in StFinish.
// In every case done_o must rise within a small bound, with error_o set.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "Vhuffman_decoder.h"
#include "Vhuffman_decoder_huffman_decoder.h"
#include "Vrans_decoder.h"
#include "Vrans_decoder_rans_decoder.h"
#include "Vtunstall_decoder.h"
#include "Vtunstall_decoder_tunstall_decoder.h"
#include "entropy_data.hpp"
#include "squish/entropy/codec.hpp"
#include "squish/rtl/entropy.hpp"
#include "squish/sim/gtest.hpp"

using namespace squish;
using namespace squish::sim;
using entropy::CoderId;
using entropy::CoderParams;

namespace {

constexpr int kOnError = -1;             // present `last` in the first cycle error_o is high
constexpr uint64_t kDoneBound = 400;     // cycles from the last beat to done_o
constexpr int kMaxDelay = 24;            // delays swept: 0..kMaxDelay cycles

struct Beat {
  uint64_t data = 0;
  unsigned count = 0;  // rANS only: valid 16-bit words
  bool last = false;
};

/// Drives the input stream as described above and records the handshakes.
template <class Model>
class LastDriver : public Component {
 public:
  LastDriver(Dut<Model>& dut, std::vector<Beat> beats, int delay)
      : dut_(dut), m_(dut.model()), beats_(std::move(beats)), delay_(delay) {
    dut_.add(this);
    m_.in_valid_i = 0;
  }
  ~LastDriver() override { dut_.remove(this); }

  void drive() override {
    // in_ready_o depends on registers only: its value here is this cycle's.
    if (m_.error_o && m_.in_ready_o && first_error_cycle_ == UINT64_MAX) first_error_cycle_ = dut_.cycle();
    bool present = false;
    if (next_ + 1 < beats_.size()) {
      present = true;
    } else if (next_ + 1 == beats_.size()) {
      present = delay_ == kOnError ? m_.error_o != 0 : dut_.cycle() >= prev_taken_ + static_cast<uint64_t>(delay_);
    }
    m_.in_valid_i = present;
    if (present) {
      const Beat& b = beats_[next_];
      m_.in_data_i = static_cast<std::remove_reference_t<decltype(m_.in_data_i)>>(b.data);
      m_.in_last_i = b.last;
      if constexpr (requires { m_.in_count_i; }) m_.in_count_i = static_cast<uint8_t>(b.count);
    }
  }
  void sample() override {
    if (m_.in_valid_i && m_.in_ready_o) {
      prev_taken_ = dut_.cycle() + 1;
      if (next_ + 1 == beats_.size()) last_taken_ = dut_.cycle();
      ++next_;
    }
  }
  bool all_taken() const { return next_ == beats_.size(); }
  uint64_t last_taken() const { return last_taken_; }
  uint64_t first_error_cycle() const { return first_error_cycle_; }

 private:
  Dut<Model>& dut_;
  Model& m_;
  std::vector<Beat> beats_;
  int delay_;
  size_t next_ = 0;
  uint64_t prev_taken_ = 0, last_taken_ = UINT64_MAX, first_error_cycle_ = UINT64_MAX;
};

std::string what(int delay) { return delay == kOnError ? "last on the error cycle" : "delay " + std::to_string(delay); }

/// Runs the stream to done_o (after the table load/start done by `setup`),
/// checks the bound and the error, and returns whether the last beat went in
/// on the first error cycle.
template <class Model>
bool run_case(Dut<Model>& dut, const std::vector<Beat>& beats, int delay, const std::string& name) {
  auto& m = dut.model();
  m.out_ready_i = 1;
  LastDriver<Model> drv(dut, beats, delay);
  const uint64_t limit = 4 * beats.size() + kMaxDelay + 20000;
  dut.run_until([&] { return drv.all_taken(); }, limit, name + ": all beats taken");
  const uint64_t after = dut.run_until([&] { return m.done_o != 0; }, kDoneBound, name + ": done_o after last");
  EXPECT_TRUE(m.error_o) << name;
  EXPECT_LE(after, kDoneBound) << name;
  m.in_valid_i = 0;
  return drv.last_taken() == drv.first_error_cycle();
}

// ---- rANS ------------------------------------------------------------------

using RansTop = Vrans_decoder_rans_decoder;

rtl::RansJob rans_job() {
  const auto sym = entropy_data::make(entropy_data::Dist::Dense, 2000, 8, 91);
  CoderParams p;
  p.rans_lanes = RansTop::PubLanes;
  return rtl::make_rans_job(entropy::encode_symbols(CoderId::Rans, sym, p), sym.size(), p);
}

/// start_i, the frequency table, then wait for the decoder to want its states.
void rans_setup(Dut<Vrans_decoder>& dut, const rtl::RansJob& j) {
  auto& m = dut.model();
  m.in_valid_i = 0;
  m.tbl_valid_i = 0;
  m.out_ready_i = 1;
  m.count_i = static_cast<uint32_t>(j.count);
  m.prob_bits_i = static_cast<uint8_t>(j.prob_bits);
  m.lanes_i = static_cast<uint8_t>(j.states.size());
  m.start_i = 1;
  dut.tick();
  m.start_i = 0;
  for (size_t s = 0; s < j.freq.size();) {
    m.tbl_valid_i = 1;
    m.tbl_data_i = static_cast<uint16_t>(j.freq[s]);
    m.tbl_last_i = s + 1 == j.freq.size();
    m.clk_i = 0;
    m.eval();
    const bool taken = m.tbl_ready_o;
    dut.tick();
    if (taken) ++s;
    if (dut.cycle() > 100000) FAIL() << "table not taken";
  }
  m.tbl_valid_i = 0;
  dut.run_until([&] { return m.in_ready_o || m.done_o; }, 20000, "rANS table expansion");
}

std::vector<Beat> rans_beats(const std::vector<uint32_t>& states, const std::vector<uint16_t>& words) {
  std::vector<uint16_t> w;
  for (uint32_t s : states) {
    w.push_back(static_cast<uint16_t>(s & 0xffff));
    w.push_back(static_cast<uint16_t>(s >> 16));
  }
  w.insert(w.end(), words.begin(), words.end());
  std::vector<Beat> beats;
  const unsigned per = RansTop::PubInWords;
  for (size_t i = 0; i < w.size(); i += per) {
    Beat b;
    for (unsigned k = 0; k < per && i + k < w.size(); ++k, ++b.count) b.data |= uint64_t{w[i + k]} << (16 * k);
    beats.push_back(b);
  }
  beats.push_back({});  // an empty beat carrying `last`
  beats.back().last = true;
  return beats;
}

// A lane state below 2^16 (error raised leaving StInit): `last` in StDecode's
// first cycle with the error.
TEST(RansLast, BadStateErrorDecidedWithLastInTheSameCycle) {
  for (int delay = kOnError; delay <= kMaxDelay; ++delay) {
    TestDut<Vrans_decoder> dut;
    dut.reset();
    auto j = rans_job();
    j.states[0] = 0x00001234;
    rans_setup(dut, j);
    const bool hit = run_case(dut, rans_beats(j.states, {}), delay, "rANS bad state, " + what(delay));
    if (delay == kOnError) EXPECT_TRUE(hit) << "the last beat must go in on the error's decision cycle";
  }
}

// A table whose frequencies sum to less than 2^P (error raised leaving StLoad):
// `last` on StInit's first cycle with the error; the stream is that one beat.
TEST(RansLast, TableErrorDecidedWithLastInTheSameCycle) {
  for (int delay = kOnError; delay <= kMaxDelay; ++delay) {
    TestDut<Vrans_decoder> dut;
    dut.reset();
    auto j = rans_job();
    for (auto& f : j.freq)  // sum 2^P - 1: found after the last table beat
      if (f > 1) {
        --f;
        break;
      }
    rans_setup(dut, j);
    std::vector<Beat> beats{{0x0001000100010001ull, RansTop::PubInWords, true}};
    const bool hit = run_case(dut, beats, delay, "rANS bad table, " + what(delay));
    if (delay == kOnError) EXPECT_TRUE(hit) << "the last beat must go in on the error's decision cycle";
  }
}

// No symbols, a lane that does not end in 2^16: the error is found in StFinish
// and decided in the same cycle; the sweep of delays puts `last` on it.
TEST(RansLast, FinishErrorDecidedWithLastInTheSameCycle) {
  for (int delay = 0; delay <= kMaxDelay; ++delay) {
    TestDut<Vrans_decoder> dut;
    dut.reset();
    auto j = rans_job();
    j.count = 0;
    for (auto& s : j.states) s = 0x10000;
    j.states[0] = 0x10001;
    rans_setup(dut, j);
    run_case(dut, rans_beats(j.states, {}), delay, "rANS finish error, " + what(delay));
  }
}

// ---- Huffman ---------------------------------------------------------------

rtl::HuffmanJob huffman_job(size_t n = 2000) {
  const auto sym = entropy_data::make(entropy_data::Dist::Dense, n, 8, 92);
  CoderParams p;
  return rtl::make_huffman_job(entropy::encode_symbols(CoderId::Huffman, sym, p), sym.size(), p);
}

void huffman_setup(Dut<Vhuffman_decoder>& dut, const rtl::HuffmanJob& j, uint64_t count) {
  auto& m = dut.model();
  m.in_valid_i = 0;
  m.out_ready_i = 1;
  auto write = [&](unsigned addr, unsigned data) {
    m.tbl_we_i = 1;
    m.tbl_addr_i = static_cast<uint16_t>(addr);
    m.tbl_data_i = static_cast<uint16_t>(data);
    dut.tick();
  };
  for (unsigned l = 0; l < 16; ++l) write(256 + l, j.len_count[l]);
  for (size_t i = 0; i < j.symbols.size() && i < 256; ++i) write(static_cast<unsigned>(i), j.symbols[i]);
  m.tbl_we_i = 0;
  m.count_i = static_cast<uint32_t>(count);
  m.start_i = 1;
  dut.tick();
  m.start_i = 0;
}

std::vector<Beat> word_beats(const std::vector<uint32_t>& words) {
  std::vector<Beat> beats;
  for (uint32_t w : words) beats.push_back({w, 0, false});
  beats.back().last = true;
  return beats;
}

// An over-subscribed code (error raised in setup): `last` on StDecode's first
// cycle with the error, as the stream's only beat.
TEST(HuffmanLast, TableErrorDecidedWithLastInTheSameCycle) {
  for (int delay = kOnError; delay <= kMaxDelay; ++delay) {
    TestDut<Vhuffman_decoder> dut;
    dut.reset();
    auto j = huffman_job();
    for (unsigned l = 1; l < 16; ++l)
      if (j.len_count[l]) {
        ++j.len_count[l];
        break;
      }
    huffman_setup(dut, j, j.count);
    const bool hit = run_case(dut, word_beats({0xffffffffu}), delay, "Huffman bad table, " + what(delay));
    if (delay == kOnError) EXPECT_TRUE(hit) << "the last beat must go in on the error's decision cycle";
  }
}

// One symbol asked for, several words sent: an overrun found in StFinish and
// decided in the same cycle; the sweep of delays puts `last` on it.
TEST(HuffmanLast, OverrunDecidedWithLastInTheSameCycle) {
  for (int delay = 0; delay <= kMaxDelay; ++delay) {
    TestDut<Vhuffman_decoder> dut;
    dut.reset();
    auto j = huffman_job();
    huffman_setup(dut, j, 1);
    const std::vector<uint32_t> w(j.words.begin(), j.words.begin() + 4);
    run_case(dut, word_beats(w), delay, "Huffman overrun, " + what(delay));
  }
}

// ---- Tunstall --------------------------------------------------------------

using TunTop = Vtunstall_decoder_tunstall_decoder;

rtl::TunstallJob tunstall_job() {
  const auto sym = entropy_data::make(entropy_data::Dist::Dense, 2000, 8, 93);
  CoderParams p;
  return rtl::make_tunstall_job(entropy::encode_symbols(CoderId::Tunstall, sym, p), sym.size(), p);
}

void tunstall_setup(Dut<Vtunstall_decoder>& dut, const rtl::TunstallJob& j, uint64_t count, unsigned dict_size) {
  auto& m = dut.model();
  m.in_valid_i = 0;
  m.out_ready_i = 1;
  constexpr unsigned kWords = sizeof(m.tbl_data_i) / sizeof(m.tbl_data_i[0]);
  for (size_t c = 0; c < j.strings.size() && c < (size_t{1} << TunTop::PubMaxK); ++c) {
    std::array<uint32_t, kWords> w{};
    const auto& str = j.strings[c];
    for (size_t i = 0; i < str.size() && i < TunTop::PubMaxLen; ++i) w[i / 4] |= uint32_t{str[i]} << (8 * (i % 4));
    const unsigned len_bit = 8 * TunTop::PubMaxLen;
    const uint64_t len = str.size();
    w[len_bit / 32] |= static_cast<uint32_t>(len << (len_bit % 32));
    if (len_bit % 32 + 6 > 32 && len_bit / 32 + 1 < kWords)
      w[len_bit / 32 + 1] |= static_cast<uint32_t>(len >> (32 - len_bit % 32));
    for (unsigned i = 0; i < kWords; ++i) m.tbl_data_i[i] = w[i];
    m.tbl_addr_i = static_cast<uint16_t>(c);
    m.tbl_we_i = 1;
    dut.tick();
  }
  m.tbl_we_i = 0;
  m.k_i = static_cast<uint8_t>(j.k);
  m.dict_size_i = static_cast<uint16_t>(dict_size);
  m.count_i = static_cast<uint32_t>(count);
  m.start_i = 1;
  dut.tick();
  m.start_i = 0;
}

// A codeword outside a one-entry dictionary (error raised at the fetch):
// `last` on the first cycle with the error.
TEST(TunstallLast, BadCodeDecidedWithLastInTheSameCycle) {
  for (int delay = kOnError; delay <= kMaxDelay; ++delay) {
    TestDut<Vtunstall_decoder> dut;
    dut.reset();
    const auto j = tunstall_job();
    tunstall_setup(dut, j, j.count, 1);
    const bool hit = run_case(dut, word_beats({0xffffffffu, 0xffffffffu}), delay, "Tunstall bad code, " + what(delay));
    if (delay == kOnError) EXPECT_TRUE(hit) << "the last beat must go in on the error's decision cycle";
  }
}

// The first codeword outside the dictionary is the one equal to its size: a
// dictionary of 2^k - 1 strings and all-ones codewords (= 2^k - 1).
TEST(TunstallLast, CodewordEqualToTheDictionarySizeIsABadCode) {
  TestDut<Vtunstall_decoder> dut;
  dut.reset();
  const auto j = tunstall_job();
  tunstall_setup(dut, j, j.count, (1u << j.k) - 1);
  run_case(dut, word_beats({0xffffffffu, 0xffffffffu}), kOnError, "Tunstall codeword == dictionary size");
  EXPECT_EQ(dut.model().error_code_o, 4u);  // entropy_pkg::ErrBadCode
}

// One symbol asked for, several words sent: an overrun found in StFinish.
TEST(TunstallLast, OverrunDecidedWithLastInTheSameCycle) {
  for (int delay = 0; delay <= kMaxDelay; ++delay) {
    TestDut<Vtunstall_decoder> dut;
    dut.reset();
    const auto j = tunstall_job();
    tunstall_setup(dut, j, 1, static_cast<unsigned>(j.strings.size()));
    const std::vector<uint32_t> w(j.words.begin(), j.words.begin() + 4);
    run_case(dut, word_beats(w), delay, "Tunstall overrun, " + what(delay));
  }
}

}  // namespace

namespace {

// make regress (label "regress", kept out of make test): random garbage
// streams into all three decoders over 100 seeds derived from the test seed,
// each followed by a good stream on the same instance. No hang (the engine's
// watchdog throws), and the good stream always decodes exactly.
TEST(EntropyRegress, GarbageNeverHangsOverManySeeds) {
  const uint64_t base = test_seed();
  rtl::EntropyRtlOptions o;
  o.dut = test_options();
  o.in_bp = o.out_bp = Backpressure::Light;
  const auto sym = entropy_data::make(entropy_data::Dist::Dense, 1500, 8, 94);
  CoderParams p;
  p.rans_lanes = RansTop::PubLanes;
  const auto good_r = rtl::make_rans_job(entropy::encode_symbols(CoderId::Rans, sym, p), sym.size(), p);
  const auto good_h = rtl::make_huffman_job(entropy::encode_symbols(CoderId::Huffman, sym, p), sym.size(), p);
  const auto good_t = rtl::make_tunstall_job(entropy::encode_symbols(CoderId::Tunstall, sym, p), sym.size(), p);
  for (uint64_t s = 0; s < 100; ++s) {
    Rng rng(base + 0x9e3779b97f4a7c15ull * (s + 1));
    o.dut.seed = rng.next();
    SCOPED_TRACE("sub-seed " + std::to_string(s));
    auto r = good_r;
    for (auto& w : r.words) w = static_cast<uint16_t>(rng.next());
    for (auto& st : r.states) st = static_cast<uint32_t>(rng.next());
    r.words.resize(static_cast<size_t>(rng.uniform<int>(0, static_cast<int>(r.words.size()))));
    const std::vector<rtl::RansJob> rj = {r, good_r};
    const auto rr = rtl::run_rans_rtl(rj, o, false);
    EXPECT_FALSE(rr[1].error);
    EXPECT_EQ(rr[1].symbols, sym);
    auto h = good_h;
    for (auto& w : h.words) w = static_cast<uint32_t>(rng.next());
    h.words.resize(static_cast<size_t>(rng.uniform<int>(1, static_cast<int>(h.words.size()))));
    const std::vector<rtl::HuffmanJob> hj = {h, good_h};
    const auto hr = rtl::run_huffman_rtl(hj, o, false);
    EXPECT_FALSE(hr[1].error);
    EXPECT_EQ(hr[1].symbols, sym);
    auto t = good_t;
    for (auto& w : t.words) w = static_cast<uint32_t>(rng.next());
    t.words.resize(static_cast<size_t>(rng.uniform<int>(1, static_cast<int>(t.words.size()))));
    const std::vector<rtl::TunstallJob> tj = {t, good_t};
    const auto tr = rtl::run_tunstall_rtl(tj, o, false);
    EXPECT_FALSE(tr[1].error);
    EXPECT_EQ(tr[1].symbols, sym);
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
