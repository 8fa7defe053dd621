// Testbench for rtl/softmax/softmax_unit.sv: every probability bit-exact with
// squish::softmax::softmax_q16 on random and edge vectors, back to back, at
// three backpressure levels on all three streams; the error flags; the
// performance counters; the parameters shared with the C++ model.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "squish/rtl/softmax.hpp"
#include "squish/sim/gtest.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/unit.hpp"

using namespace squish::sim;
using squish::rtl::SoftmaxBeat;
using squish::rtl::SoftmaxJob;
using squish::rtl::SoftmaxRtlOptions;
using squish::rtl::SoftmaxRun;
namespace sm = squish::softmax;

namespace {

SoftmaxRtlOptions options(Backpressure bp) {
  SoftmaxRtlOptions o;
  o.dut = test_options();
  o.logit_bp = o.resend_bp = o.prob_bp = bp;
  return o;
}

// Runs the jobs and checks every output beat against the model, in order.
SoftmaxRun run_and_check(const std::vector<SoftmaxJob>& jobs, const SoftmaxRtlOptions& o) {
  ::testing::ScopedTrace seed(__FILE__, __LINE__, "seed " + std::to_string(o.dut.seed));
  SoftmaxRun run = squish::rtl::run_softmax_rtl(jobs, o);
  Scoreboard<SoftmaxBeat> sb;
  for (const auto& j : jobs) sb.expect_all(squish::rtl::to_beats(sm::softmax_q16(j.logits, j.frac_bits)));
  for (size_t i = 0; i < run.beats.size(); ++i) sb.check(run.beats[i], run.beat_cycles[i]);
  EXPECT_TRUE(sb.ok()) << sb.report();
  EXPECT_FALSE(run.protocol_error.has_value()) << *run.protocol_error;
  EXPECT_FALSE(run.err_overlong);
  EXPECT_FALSE(run.err_length);
  EXPECT_EQ(run.perf_vectors, jobs.size());
  return run;
}

std::vector<int16_t> random_logits(std::mt19937_64& g, size_t n) {
  std::vector<int16_t> x(n);
  switch (g() % 5) {
    case 0: {  // full int16 range
      std::uniform_int_distribution<int> d(-32768, 32767);
      for (auto& v : x) v = static_cast<int16_t>(d(g));
      break;
    }
    case 1: {  // narrow range around a random offset
      const int c = static_cast<int>(g() % 60000) - 30000, w = 1 + static_cast<int>(g() % 2000);
      std::uniform_int_distribution<int> d(std::max(-32768, c - w), std::min(32767, c + w));
      for (auto& v : x) v = static_cast<int16_t>(d(g));
      break;
    }
    case 2: {  // Gaussian
      std::normal_distribution<double> d(0, 50.0 + static_cast<double>(g() % 5000));
      for (auto& v : x) v = static_cast<int16_t>(std::clamp(std::nearbyint(d(g)), -32768.0, 32767.0));
      break;
    }
    case 3: {  // int8 logits, sign-extended
      std::uniform_int_distribution<int> d(-128, 127);
      for (auto& v : x) v = static_cast<int16_t>(d(g));
      break;
    }
    default: {  // a few distinct values (ties)
      const int a = static_cast<int>(g() % 65536) - 32768, b = static_cast<int>(g() % 65536) - 32768;
      for (auto& v : x) v = static_cast<int16_t>(g() % 3 == 0 ? a : b);
    }
  }
  return x;
}

TEST(SoftmaxParams, RtlMatchesModel) {
  const auto p = squish::rtl::softmax_rtl_params();
  EXPECT_EQ(p.lanes, sm::kDefaultLanes);
  EXPECT_EQ(p.lanes, squish::rtl::kSoftmaxLanes);
  EXPECT_EQ(p.max_len, sm::kMaxLength);
  EXPECT_EQ(p.log2e_q24, static_cast<uint32_t>(sm::kLog2eQ24));
  EXPECT_EQ(p.t_frac, sm::kTFrac);
  EXPECT_EQ(p.sum_frac, sm::kSumFrac);
  EXPECT_EQ(p.out_frac, sm::kOutFrac);
  EXPECT_EQ(p.clamp_int, static_cast<uint32_t>(sm::kClampInt));
  EXPECT_EQ(p.sum_int, sm::kSumIntBits);
  EXPECT_EQ(p.sum_width, sm::kSumWidth);
}

class SoftmaxRandom : public BackpressureTest {};
class SoftmaxEdge : public BackpressureTest {};

TEST_P(SoftmaxRandom, BitExactBackToBack) {
  const auto o = options(GetParam());
  std::mt19937_64 g(o.dut.seed);
  std::vector<SoftmaxJob> jobs;
  for (int k = 0; k < 80; ++k) {
    const size_t n = g() % 4 == 0 ? 1 + g() % 16 : 1 + g() % 300;
    jobs.push_back({random_logits(g, n), static_cast<unsigned>(g() % 16), std::nullopt});
  }
  run_and_check(jobs, o);
}

TEST_P(SoftmaxEdge, CornerVectors) {
  const auto o = options(GetParam());
  std::vector<SoftmaxJob> jobs;
  auto add = [&jobs](std::vector<int16_t> x, unsigned f) { jobs.push_back({std::move(x), f, std::nullopt}); };
  add({0}, 0);                                          // length 1
  add({32767}, 15);                                     // length 1, largest logit
  add({-32768}, 0);                                     // length 1, smallest logit
  for (size_t n : {7u, 8u, 9u, 16u, 1000u}) add(std::vector<int16_t>(n, 1234), 8);  // all equal
  add(std::vector<int16_t>(64, -32768), 0);             // all saturated low
  add(std::vector<int16_t>(64, 32767), 0);              // all saturated high
  {
    std::vector<int16_t> x(100, -32768);                 // one huge logit, rest at the floor
    x[37] = 32767;
    add(x, 0);
    add(x, 15);
  }
  {
    std::vector<int16_t> x(33);                          // alternating extremes
    for (size_t i = 0; i < x.size(); ++i) x[i] = i % 2 ? 32767 : -32768;
    add(x, 4);
  }
  {
    std::vector<int16_t> x(200);                         // rising ramp: the max grows every beat
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int16_t>(-20000 + 200 * static_cast<int>(i));
    add(x, 0);
    add(x, 9);
  }
  {
    std::vector<int16_t> x(200);                         // falling ramp: the max is in the first beat
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int16_t>(20000 - 200 * static_cast<int>(i));
    add(x, 0);
  }
  {
    std::vector<int16_t> x(9, 0);                        // max alone in the partial last beat
    x[8] = 30000;
    add(x, 10);
  }
  // The running maximum stepping by every amount around the rescale clamp
  // (delta > 63 saturates at 63): two beats, the second beat's logits d above
  // the first's. At F = 4 one unit of d moves the base-2 maximum by
  // log2(e)/16 = 0.09, so d = 680..740 steps it by 61.3..66.7 -- every
  // integer step from 62 to 66, exactly 64 among them.
  for (int d = 680; d <= 740; ++d) {
    std::vector<int16_t> x(16, -3000);
    for (size_t i = 8; i < 16; ++i) x[i] = static_cast<int16_t>(-3000 + d);
    add(x, 4);
  }
  run_and_check(jobs, o);
}

// Every entry of the log2 unit's 128-entry table: n equal logits make the
// running sum exactly n (each exp2 term is 1), so n = 128 .. 255 puts every
// 7-bit mantissa prefix of the sum through log2 (random testing missed some of
// them: make coverage showed 5 table rows never read). A second pass at n =
// 256 .. 383 in steps of 2 repeats it one octave up.
TEST(SoftmaxLog2Table, EveryEntryThroughAllEqualVectors) {
  const auto o = options(Backpressure::Light);
  std::mt19937_64 g(o.dut.seed);
  std::vector<SoftmaxJob> jobs;
  for (size_t n = 128; n < 256; ++n)
    jobs.push_back({std::vector<int16_t>(n, static_cast<int16_t>(static_cast<int>(g() % 65536) - 32768)),
                    static_cast<unsigned>(g() % 16), std::nullopt});
  for (size_t n = 256; n < 384; n += 2) jobs.push_back({std::vector<int16_t>(n, 77), 3, std::nullopt});
  run_and_check(jobs, o);
}

SQUISH_BACKPRESSURE_SUITE(SoftmaxRandom);
SQUISH_BACKPRESSURE_SUITE(SoftmaxEdge);

// The longest vector the unit takes, under light backpressure, bit-exact; and
// the model's result within the accuracy targets against float64.
TEST(SoftmaxMaxLength, Exact131072) {
  auto o = options(Backpressure::Light);
  std::mt19937_64 g(o.dut.seed);
  std::normal_distribution<double> d(0, 4.0);
  std::vector<double> z(sm::kMaxLength);
  for (auto& v : z) v = d(g);
  const unsigned f = sm::frac_bits_for(z);
  std::vector<SoftmaxJob> jobs{{sm::quantize_logits(z, f), f, std::nullopt}};
  const SoftmaxRun run = run_and_check(jobs, o);
  ASSERT_EQ(run.probs.size(), 1u);
  ASSERT_EQ(run.probs[0].size(), sm::kMaxLength);
  const auto ref = sm::reference_fixed(jobs[0].logits, f);
  std::vector<double> p(run.probs[0].begin(), run.probs[0].end());
  for (auto& v : p) v /= 65536.0;
  const auto e = sm::row_error(p, ref);
  EXPECT_LE(e.sq_sum / static_cast<double>(e.n), 1e-10);
  EXPECT_LE(e.max_abs, 1.0 / 65536);
}

TEST(SoftmaxErrors, LengthMismatchIsFlaggedAndDrains) {
  auto o = options(Backpressure::Light);
  std::vector<SoftmaxJob> jobs;
  jobs.push_back({std::vector<int16_t>(40, 5), 3, std::vector<int16_t>(33, 5)});  // resend shorter
  jobs.push_back({std::vector<int16_t>(20, -7), 3, std::nullopt});                // then a good one
  const SoftmaxRun run = squish::rtl::run_softmax_rtl(jobs, o);
  EXPECT_TRUE(run.err_length);
  EXPECT_FALSE(run.err_overlong);
  ASSERT_EQ(run.probs.size(), 2u);
  EXPECT_EQ(run.probs[0].size(), 33u);
  // The stream recovers: the next vector is exact.
  EXPECT_EQ(run.probs[1], sm::softmax_q16(jobs[1].logits, 3));
}

TEST(SoftmaxErrors, OverlongVectorIsFlagged) {
  auto o = options(Backpressure::None);
  o.config = squish::rtl::SoftmaxConfig::SmallMaxLen;  // MaxLen = 64
  {
    std::vector<SoftmaxJob> ok{{std::vector<int16_t>(64, 100), 2, std::nullopt}};
    const SoftmaxRun run = squish::rtl::run_softmax_rtl(ok, o);
    EXPECT_FALSE(run.err_overlong);
    ASSERT_EQ(run.probs.size(), 1u);
    EXPECT_EQ(run.probs[0], sm::softmax_q16(ok[0].logits, 2));
  }
  std::vector<SoftmaxJob> bad{{std::vector<int16_t>(65, 100), 2, std::nullopt}};
  const SoftmaxRun run = squish::rtl::run_softmax_rtl(bad, o);
  EXPECT_TRUE(run.err_overlong);
  EXPECT_FALSE(run.err_length);
  EXPECT_EQ(run.probs.size(), 1u);  // still completes, no hang
}

// Pass 2 much slower than pass 1: the statistics queue fills, pass 1 must stall
// (not drop or overwrite a vector's statistics), and everything stays exact.
TEST(SoftmaxPerf, SlowResendStallsPassOneWithoutLoss) {
  auto o = options(Backpressure::None);
  o.resend_bp = Backpressure::Heavy;
  o.prob_bp = Backpressure::Heavy;
  std::mt19937_64 g(o.dut.seed);
  std::vector<SoftmaxJob> jobs;
  for (int k = 0; k < 40; ++k) jobs.push_back({random_logits(g, 1 + g() % 40), static_cast<unsigned>(g() % 16), std::nullopt});
  const SoftmaxRun run = run_and_check(jobs, o);
  EXPECT_GT(run.perf_logit_stall, 0u);
}

TEST(SoftmaxPerf, CountersCountWhatHappened) {
  auto o = options(Backpressure::None);
  std::vector<SoftmaxJob> jobs;
  for (int k = 0; k < 5; ++k) jobs.push_back({std::vector<int16_t>(800, static_cast<int16_t>(k)), 0, std::nullopt});
  const SoftmaxRun run = run_and_check(jobs, o);
  EXPECT_EQ(run.perf_vectors, 5u);
  EXPECT_GE(run.perf_busy_cycles, 5u * 100);
  EXPECT_LE(run.perf_busy_cycles, run.cycles);
  // Pass 2 of the first vector has to wait for its statistics.
  EXPECT_GT(run.perf_resend_wait, 0u);
}

}  // namespace
