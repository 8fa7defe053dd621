// Testbench of rtl/entropy: every decoder against the C++ decoder, bit for bit,
// on seeded synthetic distributions and real weight slices, at three
// backpressure levels; malformed tables and streams raise the error output
// within a bounded number of cycles and the decoder works again afterwards;
// shared parameters agree with the C++ constants; unobstructed throughput.
#include <gtest/gtest.h>

#include "entropy_data.hpp"
#include "squish/entropy/codec.hpp"
#include "squish/entropy/huffman.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/entropy/tunstall.hpp"
#include "squish/rtl/entropy.hpp"
#include "squish/sim/gtest.hpp"

using namespace squish;
using namespace squish::sim;
using namespace squish::sim::entropy_data;
using entropy::CoderId;
using entropy::CoderParams;
using rtl::EntropyRtlOptions;
using rtl::EntropyRun;

namespace {

EntropyRtlOptions opts(Backpressure bp) {
  EntropyRtlOptions o;
  o.dut = test_options();
  o.in_bp = bp;
  o.out_bp = bp;
  return o;
}

CoderParams params_for(CoderId id, unsigned bits) {
  CoderParams p;
  p.alphabet_bits = bits;
  (void)id;
  p.rans_lanes = rtl::entropy_rtl_params().rans_lanes ? rtl::entropy_rtl_params().rans_lanes : 8;
  return p;
}

// Encodes with the golden coder, decodes with the C++ decoder and with the RTL;
// all three must agree, with clean AXI behaviour and `last` on the final beat.
void check_one(CoderId id, const std::vector<uint16_t>& sym, const CoderParams& p, Backpressure bp,
               const std::string& what) {
  const auto payload = entropy::encode_symbols(id, sym, p);
  const auto golden = entropy::decode_symbols(id, payload, sym.size(), p);
  ASSERT_EQ(golden, sym) << what;
  const EntropyRun r = rtl::decode_rtl(id, payload, sym.size(), p, opts(bp));
  EXPECT_FALSE(r.error) << what << " error code " << r.error_code;
  EXPECT_FALSE(r.protocol_error.has_value()) << what << ": " << *r.protocol_error;
  EXPECT_TRUE(r.last_ok) << what;
  ASSERT_EQ(r.symbols.size(), sym.size()) << what;
  size_t first_bad = sym.size();
  for (size_t i = 0; i < sym.size(); ++i)
    if (r.symbols[i] != golden[i]) {
      first_bad = i;
      break;
    }
  EXPECT_EQ(first_bad, sym.size()) << what << ": first mismatch at symbol " << first_bad;
}

void synthetic_suite(CoderId id, Backpressure bp) {
  for (unsigned bits : {8u, 4u})
    for (Dist d : kAllDists) {
      const size_t n = bp == Backpressure::None ? 6000 : 2500;
      const auto sym = make(d, n, bits, test_seed() + bits * 17 + static_cast<unsigned>(d));
      check_one(id, sym, params_for(id, bits), bp,
                std::string(entropy::to_string(id)) + " " + name(d) + " " + std::to_string(bits) + "-bit");
    }
  // Odd lengths (partial final beats / steps) and the empty tensor.
  for (size_t n : {size_t{0}, size_t{1}, size_t{13}, size_t{101}})
    check_one(id, make(Dist::Dense, n, 8, n), params_for(id, 8), bp, "length " + std::to_string(n));
}

void real_suite(CoderId id, Backpressure bp) {
  for (const auto& s : real_slices()) {
    ASSERT_GT(s.codes.size(), 1000u) << s.name << " missing (golden/entropy)";
    check_one(id, s.codes, params_for(id, 8), bp, s.name + " uint8");
    check_one(id, prune80_int4(s.codes, s.scale, s.min), params_for(id, 4), bp, s.name + " pruned int4");
  }
}

class Huffman : public BackpressureTest {};
TEST_P(Huffman, MatchesGoldenOnSyntheticDistributions) { synthetic_suite(CoderId::Huffman, GetParam()); }
TEST_P(Huffman, MatchesGoldenOnRealWeights) { real_suite(CoderId::Huffman, GetParam()); }
SQUISH_BACKPRESSURE_SUITE(Huffman);

TEST(HuffmanParams, MatchCppConstants) {
  const auto q = rtl::entropy_rtl_params();
  EXPECT_EQ(q.huffman_max_len, entropy::kHuffmanMaxLen);
  EXPECT_EQ(q.huffman_in_width, 32u);
}

TEST(HuffmanThroughput, AtLeastOneSymbolPerCycleUnobstructed) {
  const auto sym = make(Dist::Dense, 20000, 8, 5);
  CoderParams p;
  const auto payload = entropy::encode_symbols(CoderId::Huffman, sym, p);
  EntropyRtlOptions o = opts(Backpressure::None);
  const auto r = rtl::decode_rtl(CoderId::Huffman, payload, sym.size(), p, o);
  ASSERT_EQ(r.symbols, sym);
  // 16-cycle setup + a few cycles of latency on top of one symbol per cycle.
  EXPECT_GE(r.hw_cycles, sym.size());
  EXPECT_LE(r.hw_cycles, sym.size() + 32) << "stall_in " << r.hw_stall_in << " stall_out " << r.hw_stall_out;
}

// ---- malformed input ----------------------------------------------------------

constexpr unsigned kErrBadTable = 1, kErrTruncated = 2, kErrOverrun = 3;

rtl::HuffmanJob good_huffman_job() {
  const auto sym = make(Dist::Dense, 3000, 8, 77);
  CoderParams p;
  return rtl::make_huffman_job(entropy::encode_symbols(CoderId::Huffman, sym, p), sym.size(), p);
}

TEST(HuffmanErrors, OversubscribedTableIsRejected) {
  auto j = good_huffman_job();
  j.len_count[1] += 1;  // Kraft sum > 1
  const auto r = rtl::run_huffman_rtl(j, opts(Backpressure::Light));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrBadTable);
  EXPECT_TRUE(r.symbols.empty()) << "nothing may be emitted from a bad table";
}

TEST(HuffmanErrors, IncompleteTableIsRejected) {
  auto j = good_huffman_job();
  for (int l = 15; l >= 1; --l)
    if (j.len_count[l]) {
      j.len_count[l] -= 1;
      break;
    }
  const auto r = rtl::run_huffman_rtl(j, opts(Backpressure::None));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrBadTable);
}

TEST(HuffmanErrors, TruncatedStreamRaisesErrorAndStops) {
  auto j = good_huffman_job();
  j.words.resize(j.words.size() / 2);
  const auto r = rtl::run_huffman_rtl(j, opts(Backpressure::Heavy));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrTruncated);
  EXPECT_LT(r.symbols.size(), j.count);
}

TEST(HuffmanErrors, TrailingWordsAreAnOverrun) {
  auto j = good_huffman_job();
  j.words.push_back(0x12345678);
  j.words.push_back(0);
  const auto r = rtl::run_huffman_rtl(j, opts(Backpressure::Light));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrOverrun);
}

TEST(HuffmanErrors, RandomGarbageNeverHangs) {
  Rng rng(test_seed());
  for (int t = 0; t < 20; ++t) {
    auto j = good_huffman_job();
    for (auto& w : j.words) w = static_cast<uint32_t>(rng.next());
    if (t % 2) j.words.resize(static_cast<size_t>(rng.uniform<int>(1, static_cast<int>(j.words.size()))));
    const auto r = rtl::run_huffman_rtl(j, opts(Backpressure::Light));  // watchdog throws on a hang
    if (!r.error) EXPECT_EQ(r.symbols.size(), j.count);
  }
}

// One decoder instance: a truncated stream (error), then a good one, with and
// without a reset in between; the good one must decode exactly.
TEST(HuffmanErrors, RecoversAfterAnError) {
  auto bad = good_huffman_job();
  bad.words.resize(3);
  const auto good = good_huffman_job();
  const std::vector<rtl::HuffmanJob> jobs = {bad, good, bad, good};
  for (bool reset : {true, false}) {
    const auto runs = rtl::run_huffman_rtl(jobs, opts(Backpressure::Light), reset);
    EXPECT_TRUE(runs[0].error && runs[2].error);
    EXPECT_FALSE(runs[1].error || runs[3].error) << "reset " << reset;
    const auto want = make(Dist::Dense, 3000, 8, 77);
    EXPECT_EQ(runs[1].symbols, want);
    EXPECT_EQ(runs[3].symbols, want);
    // The error is raised promptly: within ~the words sent plus a fixed latency.
    EXPECT_LE(runs[0].cycles, 3 * 3 + 16 + 300 + 64) << "error not raised in bounded time";
  }
}

}  // namespace

namespace {

class Rans : public BackpressureTest {};
TEST_P(Rans, MatchesGoldenOnSyntheticDistributions) { synthetic_suite(CoderId::Rans, GetParam()); }
TEST_P(Rans, MatchesGoldenOnRealWeights) { real_suite(CoderId::Rans, GetParam()); }
SQUISH_BACKPRESSURE_SUITE(Rans);

TEST(RansParams, MatchCppConstants) {
  const auto q = rtl::entropy_rtl_params();
  EXPECT_EQ(q.rans_prob_bits, entropy::kMaxProbBits);
  EXPECT_TRUE(q.rans_lanes == 4 || q.rans_lanes == 8 || q.rans_lanes == 16);
}

// Unobstructed, the decoder takes one step (Lanes symbols) per cycle whenever
// the input keeps up: on 4-bit sparse weights (few words) the step rate is ~1.
TEST(RansThroughput, LanesSymbolsPerCycleUnobstructed) {
  const auto lanes = rtl::entropy_rtl_params().rans_lanes;
  const auto sym = make(Dist::Sparse90, 40000, 4, 5);
  CoderParams p;
  p.alphabet_bits = 4;
  p.rans_lanes = lanes;
  const auto payload = entropy::encode_symbols(CoderId::Rans, sym, p);
  const auto r = rtl::decode_rtl(CoderId::Rans, payload, sym.size(), p, opts(Backpressure::None));
  ASSERT_EQ(r.symbols, sym);
  const uint64_t decode_cycles = r.hw_cycles - (r.table_cycles > 0 ? r.table_cycles - 1 : 0);
  EXPECT_GE(r.hw_cycles, sym.size() / lanes);
  EXPECT_LE(decode_cycles, sym.size() / lanes + 64) << "hw " << r.hw_cycles << " table " << r.table_cycles
                                                   << " stall_in " << r.hw_stall_in;
}

rtl::RansJob good_rans_job(std::vector<uint16_t>* sym_out = nullptr) {
  const auto sym = make(Dist::Dense, 3000, 8, 78);
  if (sym_out) *sym_out = sym;
  CoderParams p;
  p.rans_lanes = rtl::entropy_rtl_params().rans_lanes;
  return rtl::make_rans_job(entropy::encode_symbols(CoderId::Rans, sym, p), sym.size(), p);
}
constexpr unsigned kErrBadState = 5;

TEST(RansErrors, FrequenciesNotSummingToTwoToThePAreRejected) {
  for (int delta : {+1, -1}) {
    auto j = good_rans_job();
    for (auto& f : j.freq)
      if (f > 1) {
        f = static_cast<uint32_t>(static_cast<int>(f) + delta);
        break;
      }
    const auto r = rtl::run_rans_rtl(j, opts(Backpressure::Light));
    EXPECT_TRUE(r.error) << delta;
    EXPECT_EQ(r.error_code, kErrBadTable) << delta;
    EXPECT_TRUE(r.symbols.empty());
  }
}

TEST(RansErrors, TruncatedStreamRaisesError) {
  auto j = good_rans_job();
  j.words.resize(j.words.size() / 2);
  const auto r = rtl::run_rans_rtl(j, opts(Backpressure::Heavy));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrTruncated);
}

TEST(RansErrors, ExtraWordsAreAnOverrun) {
  auto j = good_rans_job();
  j.words.push_back(0x1234);
  const auto r = rtl::run_rans_rtl(j, opts(Backpressure::Light));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrOverrun);
}

TEST(RansErrors, CorruptWordBreaksTheFinalState) {
  auto j = good_rans_job();
  j.words[j.words.size() / 3] ^= 0x0100;
  const auto r = rtl::run_rans_rtl(j, opts(Backpressure::None));
  EXPECT_TRUE(r.error);
  EXPECT_TRUE(r.error_code == kErrBadState || r.error_code == kErrTruncated || r.error_code == kErrOverrun)
      << r.error_code;
}

TEST(RansErrors, RandomGarbageNeverHangsAndRecovers) {
  Rng rng(test_seed());
  std::vector<uint16_t> want;
  const auto good = good_rans_job(&want);
  std::vector<rtl::RansJob> jobs;
  for (int t = 0; t < 6; ++t) {
    auto j = good;
    for (auto& w : j.words) w = static_cast<uint16_t>(rng.next());
    for (auto& s : j.states) s = static_cast<uint32_t>(rng.next());
    if (t % 2) j.words.resize(static_cast<size_t>(rng.uniform<int>(0, static_cast<int>(j.words.size()))));
    jobs.push_back(j);
    jobs.push_back(good);
  }
  for (bool reset : {false, true}) {
    const auto runs = rtl::run_rans_rtl(jobs, opts(Backpressure::Light), reset);
    for (size_t i = 0; i < runs.size(); ++i) {
      if (i % 2 == 0) {
        if (!runs[i].error) EXPECT_EQ(runs[i].symbols.size(), good.count);
      } else {
        EXPECT_FALSE(runs[i].error) << "job " << i << " reset " << reset;
        EXPECT_EQ(runs[i].symbols, want) << "job " << i << " reset " << reset;
      }
    }
  }
}

}  // namespace

namespace {

class Tunstall : public BackpressureTest {};
TEST_P(Tunstall, MatchesGoldenOnSyntheticDistributions) { synthetic_suite(CoderId::Tunstall, GetParam()); }
TEST_P(Tunstall, MatchesGoldenOnRealWeights) { real_suite(CoderId::Tunstall, GetParam()); }
SQUISH_BACKPRESSURE_SUITE(Tunstall);

TEST(TunstallParams, MatchCppDefaults) {
  const auto q = rtl::entropy_rtl_params();
  const CoderParams p;
  EXPECT_EQ(q.tunstall_max_k, 12u);  // the format's k range is 8..12
  EXPECT_GE(q.tunstall_max_len, p.tunstall_max_len) << "default streams must be RTL-decodable";
  EXPECT_EQ(q.tunstall_out_width, 8u);
}

// Every k from 8 to 12 and short strings decode on the RTL too.
TEST(TunstallParams, EveryKAndStringLimit) {
  for (unsigned k = 8; k <= 12; ++k)
    for (unsigned ml : {1u, 5u, 16u}) {
      CoderParams p;
      p.alphabet_bits = 4;
      p.tunstall_k = k;
      p.tunstall_max_len = ml;
      check_one(CoderId::Tunstall, make(Dist::Sparse90, 3000, 4, k * 100 + ml), p, Backpressure::Light,
                "k " + std::to_string(k) + " max_len " + std::to_string(ml));
    }
}

// Unobstructed: one codeword per cycle and W symbols per beat at most, so the
// time is close to the larger of the two.
TEST(TunstallThroughput, CodewordPerCycleUnobstructed) {
  const auto sym = make(Dist::Sparse90, 40000, 4, 6);
  CoderParams p;
  p.alphabet_bits = 4;
  const auto payload = entropy::encode_symbols(CoderId::Tunstall, sym, p);
  const auto job = rtl::make_tunstall_job(payload, sym.size(), p);
  const size_t codewords = (payload.size() - entropy::tunstall_read_header(payload, p).body_offset) * 8 / p.tunstall_k;
  const auto r = rtl::run_tunstall_rtl(job, opts(Backpressure::None));
  ASSERT_EQ(r.symbols, sym);
  const uint64_t w = rtl::entropy_rtl_params().tunstall_out_width;
  // Lower bound max(codewords, n / W); string-length variance costs a few percent.
  EXPECT_LE(r.hw_cycles, std::max<uint64_t>(codewords, sym.size() / w) * 11 / 10 + 16)
      << "codewords " << codewords << " stall_in " << r.hw_stall_in << " stall_out " << r.hw_stall_out;
}

rtl::TunstallJob good_tunstall_job(std::vector<uint16_t>* sym_out = nullptr) {
  const auto sym = make(Dist::Sparse90, 3000, 4, 79);
  if (sym_out) *sym_out = sym;
  CoderParams p;
  p.alphabet_bits = 4;
  return rtl::make_tunstall_job(entropy::encode_symbols(CoderId::Tunstall, sym, p), sym.size(), p);
}
constexpr unsigned kErrBadCode = 4;

TEST(TunstallErrors, CodewordOutsideTheDictionary) {
  auto j = good_tunstall_job();
  j.strings.resize(j.strings.size() / 2);  // dict_size halves; upper codewords become invalid
  const auto r = rtl::run_tunstall_rtl(j, opts(Backpressure::Light));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrBadCode);
}

TEST(TunstallErrors, ZeroLengthEntryIsABadTable) {
  auto j = good_tunstall_job();
  for (auto& s : j.strings) s.clear();
  const auto r = rtl::run_tunstall_rtl(j, opts(Backpressure::None));
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.error_code, kErrBadTable);
  EXPECT_TRUE(r.symbols.empty());
}

TEST(TunstallErrors, TruncatedAndOverlongStreams) {
  auto t = good_tunstall_job();
  t.words.resize(t.words.size() / 2);
  const auto r1 = rtl::run_tunstall_rtl(t, opts(Backpressure::Heavy));
  EXPECT_TRUE(r1.error);
  EXPECT_EQ(r1.error_code, kErrTruncated);
  auto o = good_tunstall_job();
  o.words.push_back(0);
  o.words.push_back(0);
  const auto r2 = rtl::run_tunstall_rtl(o, opts(Backpressure::Light));
  EXPECT_TRUE(r2.error);
  EXPECT_EQ(r2.error_code, kErrOverrun);
}

TEST(TunstallErrors, RandomGarbageNeverHangsAndRecovers) {
  Rng rng(test_seed());
  std::vector<uint16_t> want;
  const auto good = good_tunstall_job(&want);
  std::vector<rtl::TunstallJob> jobs;
  for (int t = 0; t < 6; ++t) {
    auto j = good;
    for (auto& w : j.words) w = static_cast<uint32_t>(rng.next());
    if (t % 2) j.words.resize(static_cast<size_t>(rng.uniform<int>(1, static_cast<int>(j.words.size()))));
    jobs.push_back(j);
    jobs.push_back(good);
  }
  for (bool reset : {false, true}) {
    const auto runs = rtl::run_tunstall_rtl(jobs, opts(Backpressure::Light), reset);
    for (size_t i = 1; i < runs.size(); i += 2) {
      EXPECT_FALSE(runs[i].error) << "job " << i << " reset " << reset;
      EXPECT_EQ(runs[i].symbols, want) << "job " << i << " reset " << reset;
    }
  }
}

}  // namespace

namespace {

// The 16-lane decoder on 16-lane streams (real slices, synthetic), and the
// 8-lane decoder on a 4-lane stream (lanes above the stream's idle).
class Rans16 : public BackpressureTest {};
TEST_P(Rans16, SixteenLaneDecoderMatchesGolden) {
  for (const auto& s : real_slices()) {
    for (unsigned bits : {8u, 4u}) {
      const auto sym = bits == 8 ? s.codes : prune80_int4(s.codes, s.scale, s.min);
      CoderParams p;
      p.alphabet_bits = bits;
      p.rans_lanes = 16;
      const auto payload = entropy::encode_symbols(CoderId::Rans, sym, p);
      ASSERT_EQ(payload[0], 16) << "slices are large enough for 16 lanes";
      auto o = opts(GetParam());
      o.rans_hw_lanes = 16;
      const auto r = rtl::decode_rtl(CoderId::Rans, payload, sym.size(), p, o);
      EXPECT_FALSE(r.protocol_error.has_value());
      EXPECT_TRUE(r.last_ok);
      EXPECT_EQ(r.symbols, sym) << s.name << " " << bits;
    }
  }
  for (Dist d : kAllDists) {
    const auto sym = make(d, 5000, 8, test_seed() + static_cast<unsigned>(d));
    CoderParams p;
    p.rans_lanes = 16;
    auto o = opts(GetParam());
    o.rans_hw_lanes = 16;
    const auto payload = entropy::encode_symbols(CoderId::Rans, sym, p);
    EXPECT_EQ(rtl::decode_rtl(CoderId::Rans, payload, sym.size(), p, o).symbols, sym) << name(d);
    // The same decoder also takes narrower streams.
    p.rans_lanes = 4;
    const auto narrow = entropy::encode_symbols(CoderId::Rans, sym, p);
    EXPECT_EQ(rtl::decode_rtl(CoderId::Rans, narrow, sym.size(), p, o).symbols, sym) << name(d) << " 4 lanes";
  }
}
SQUISH_BACKPRESSURE_SUITE(Rans16);

TEST(Rans16Throughput, SixteenSymbolsPerCycleUnobstructed) {
  const auto sym = make(Dist::Sparse90, 64000, 4, 8);
  CoderParams p;
  p.alphabet_bits = 4;
  p.rans_lanes = 16;
  auto o = opts(Backpressure::None);
  o.rans_hw_lanes = 16;
  const auto r = rtl::decode_rtl(CoderId::Rans, entropy::encode_symbols(CoderId::Rans, sym, p), sym.size(), p, o);
  ASSERT_EQ(r.symbols, sym);
  const uint64_t decode_cycles = r.hw_cycles - (r.table_cycles > 0 ? r.table_cycles - 1 : 0);
  EXPECT_LE(decode_cycles, sym.size() / 16 + 64) << "stall_in " << r.hw_stall_in;
}

}  // namespace
