// Tests of the softmax models: squish's unit model against float64 (the
// accuracy targets as asserted bounds), its building blocks, the RTL ROM file,
// and the TFLite int8 model against Debian's gemmlowp fixed-point primitives.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "squish/error.hpp"
#include "squish/softmax/eval.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/unit.hpp"
#include "squish/softmax/variants.hpp"

#include <gemmlowp/fixedpoint/fixedpoint.h>

namespace sm = squish::softmax;

namespace {

TEST(SoftmaxModel, RomFileMatchesModel) {
  for (const auto& [name, text] : {std::pair{"exp2", sm::exp2_rom_sv()}, std::pair{"log2", sm::log2_rom_sv()}}) {
    const std::string path = std::string(SQUISH_ROOT) + "/rtl/softmax/softmax_" + name + "_rom.sv";
    std::ifstream f(path);
    ASSERT_TRUE(f) << "cannot open " << path;
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str(), text) << path << " is stale: regenerate it from squish::softmax::" << name << "_rom_sv()";
  }
}

TEST(SoftmaxModel, Exp2MantissaRelativeErrorBelow2pow24) {
  double worst = 0;
  for (uint32_t r = 0; r < (1u << 24); r += 3) {
    const uint32_t m = sm::exp2_mantissa(r);
    ASSERT_GE(m, (1u << 30) - 1) << r;
    ASSERT_LT(m, 1u << 31) << r;
    worst = std::max(worst, std::abs(m / 0x1p30 / std::exp2(r / 0x1p24) - 1));
  }
  EXPECT_LT(worst, 0x1p-24);
}

TEST(SoftmaxModel, Log2ErrorBelow2pow23) {
  std::mt19937_64 g(7);
  double worst = 0;
  for (int i = 0; i < 400000; ++i) {
    const int top = 39 + static_cast<int>(g() % 19);  // S in [2^39, 2^58)
    const uint64_t s = (uint64_t{1} << top) | (g() & ((uint64_t{1} << top) - 1));
    const double exact = std::log2(static_cast<double>(s)) - 40;
    worst = std::max(worst, std::abs(static_cast<double>(sm::log2_q24(s)) / 0x1p24 - exact));
  }
  for (uint64_t f = 0; f < (uint64_t{1} << 32); f += 4099) {  // dense sweep of one octave
    const uint64_t s = (uint64_t{1} << 50) | (f << 18);
    const double exact = std::log2(static_cast<double>(s)) - 40;
    worst = std::max(worst, std::abs(static_cast<double>(sm::log2_q24(s)) / 0x1p24 - exact));
  }
  EXPECT_LT(worst, 0x1p-23);
}

TEST(SoftmaxModel, OutputExp2RoundsToNearest) {
  std::mt19937_64 g(3);
  for (int i = 0; i < 200000; ++i) {
    const int64_t arg = -static_cast<int64_t>(g() % (int64_t{20} << 24));
    const double exact = std::exp2(static_cast<double>(arg) / 0x1p24) * 65536.0;
    const double got = sm::exp2_q16(arg);
    if (exact >= 65535.5) {
      EXPECT_EQ(got, 65535.0);
    } else {
      ASSERT_LE(std::abs(got - exact), 0.5 + 1e-3) << arg;
    }
  }
}

// The targets: MSE <= 1e-10 against float64 and |error| <= 1 LSB of Q0.16, on
// every suite and length of the Table XIV reproduction, including 131 072.
TEST(SoftmaxModel, AccuracyTargetsOnEverySuiteAndLength) {
  sm::EvalOptions o;
  o.variants = {"squish"};
  o.elements_per_cell = 8192;
  const auto cells = sm::evaluate(o);
  ASSERT_EQ(cells.size(), sm::standard_suites().size() * sm::standard_lengths().size());
  for (const auto& c : cells) {
    EXPECT_LE(c.mse, 1e-10) << c.suite << " n=" << c.length;
    EXPECT_LE(c.max_abs, 1.0 / 65536) << c.suite << " n=" << c.length;
  }
}

TEST(SoftmaxModel, RandomScalesAndFracBitsStayWithinOneLsb) {
  std::mt19937_64 g(11);
  for (int k = 0; k < 300; ++k) {
    const size_t n = 2 + g() % 3000;
    const unsigned f = static_cast<unsigned>(g() % 16);
    std::uniform_int_distribution<int> d(-32768, 32767);
    std::vector<int16_t> x(n);
    const int span = 1 + static_cast<int>(g() % 65535);
    for (auto& v : x) v = static_cast<int16_t>(std::clamp(d(g) % span, -32768, 32767));
    const auto q = sm::softmax_q16(x, f);
    const auto ref = sm::reference_fixed(x, f);
    std::vector<double> p(q.begin(), q.end());
    for (auto& v : p) v /= 65536.0;
    const auto e = sm::row_error(p, ref);
    ASSERT_LE(e.max_abs, 1.0 / 65536) << "n=" << n << " F=" << f;
    ASSERT_LE(e.sq_sum / static_cast<double>(n), 1e-10) << "n=" << n << " F=" << f;
  }
}

TEST(SoftmaxModel, Pass1SumMatchesFloat) {
  std::mt19937_64 g(5);
  std::normal_distribution<double> d(0, 3000);
  for (int k = 0; k < 50; ++k) {
    std::vector<int16_t> x(1 + g() % 5000);
    for (auto& v : x) v = static_cast<int16_t>(std::clamp(std::nearbyint(d(g)), -32768.0, 32767.0));
    const unsigned f = static_cast<unsigned>(g() % 16);
    const auto st = sm::pass1(x, f);
    double s = 0;  // sum of 2^(t - M), t with the model's own log2(e) rounding
    for (int16_t v : x) s += std::exp2(static_cast<double>(sm::to_base2(v, f)) / 0x1p24 - st.max_int);
    EXPECT_NEAR(static_cast<double>(st.sum) / 0x1p40 / s, 1.0, 0x1p-22);
    EXPECT_GE(st.sum, uint64_t{1} << 39);
  }
}

TEST(SoftmaxModel, MaximumLengthSumIsExact) {
  // 131 072 equal logits: every term is the same, so S must be exactly n terms.
  const std::vector<int16_t> x(sm::kMaxLength, 32767);
  const auto st = sm::pass1(x, 0);
  const uint64_t term = sm::exp2_q40(sm::to_base2(32767, 0) - (int64_t{st.max_int} << 24));
  EXPECT_EQ(st.sum, term * sm::kMaxLength);
  EXPECT_LT(st.sum, uint64_t{1} << sm::kSumWidth);
}

TEST(SoftmaxModel, EdgeCases) {
  EXPECT_EQ(sm::softmax_q16(std::vector<int16_t>{-32768}, 0), std::vector<uint16_t>{0xFFFF});
  EXPECT_EQ(sm::softmax_q16(std::vector<int16_t>{0, 0}, 5), (std::vector<uint16_t>{32768, 32768}));
  std::vector<int16_t> hot(100, -32768);
  hot[3] = 32767;
  const auto p = sm::softmax_q16(hot, 0);
  EXPECT_EQ(p[3], 0xFFFF);
  EXPECT_EQ(p[0], 0);
}

TEST(SoftmaxModel, BadInputIsAUsageError) {
  EXPECT_THROW(sm::softmax_q16(std::vector<int16_t>{}, 0), squish::UsageError);
  EXPECT_THROW(sm::softmax_q16(std::vector<int16_t>(sm::kMaxLength + 1), 0), squish::UsageError);
  EXPECT_THROW(sm::softmax_q16(std::vector<int16_t>{1}, 16), squish::UsageError);
  EXPECT_THROW(sm::softmax_q16(std::vector<int16_t>{1}, 0, 0), squish::UsageError);
}

TEST(SoftmaxReference, FracBitsAndQuantisation) {
  EXPECT_EQ(sm::frac_bits_for(std::vector<double>{0.5, -0.9}), 15u);
  EXPECT_EQ(sm::frac_bits_for(std::vector<double>{100.0}), 8u);
  EXPECT_EQ(sm::frac_bits_for(std::vector<double>{40000.0}), 0u);
  const auto q = sm::quantize_logits(std::vector<double>{1.25, -3.5}, 2);
  EXPECT_EQ(q, (std::vector<int16_t>{5, -14}));
}

// Every published variant keeps the argmax and lands near float64 on a plain
// Gaussian case (a sanity bound; the table quantifies them). The loosest is
// Geng's division by a power of two, off by up to a factor sqrt(2), so the
// largest probability may be off by ~0.29.
TEST(SoftmaxVariants, ArgmaxKeptAndErrorsBounded) {
  std::mt19937_64 g(9);
  std::normal_distribution<double> d(0, 3);
  std::vector<double> z(100);
  for (auto& v : z) v = d(g);
  z[42] = 12;
  const unsigned f = sm::frac_bits_for(z);
  const auto x = sm::quantize_logits(z, f);
  const auto ref = sm::reference_fixed(x, f);
  for (const auto& v : sm::variants()) {
    const auto p = v.run(x, f);
    ASSERT_EQ(p.size(), x.size()) << v.id;
    EXPECT_EQ(std::max_element(p.begin(), p.end()) - p.begin(), 42) << v.id;
    const double bound = v.id == "geng" ? 0.3 : v.id == "base2" ? 0.12 : 0.05;  // Mitchell: ~6% per stage
    EXPECT_LT(sm::row_error(p, ref).max_abs, bound) << v.id;
  }
}

using F0 = gemmlowp::FixedPoint<int32_t, 0>;
using F5 = gemmlowp::FixedPoint<int32_t, 5>;

TEST(SoftmaxTflite, PrimitivesMatchGemmlowp) {
  std::mt19937_64 g(13);
  for (int i = 0; i < 200000; ++i) {
    const auto a = static_cast<int32_t>(g()), b = static_cast<int32_t>(g());
    ASSERT_EQ(sm::fxp::srdhm(a, b), gemmlowp::SaturatingRoundingDoublingHighMul(a, b)) << a << " " << b;
    const int e = static_cast<int>(g() % 31);
    ASSERT_EQ(sm::fxp::rounding_divide_by_pot(a, e), gemmlowp::RoundingDivideByPOT(a, e)) << a << " " << e;
  }
  EXPECT_EQ(sm::fxp::srdhm(INT32_MIN, INT32_MIN), gemmlowp::SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN));
}

TEST(SoftmaxTflite, ExpAndReciprocalMatchGemmlowp) {
  std::mt19937_64 g(17);
  for (int i = 0; i < 200000; ++i) {
    const int32_t a = -static_cast<int32_t>(g() % (uint64_t{1} << 31));  // Q5.26, <= 0
    ASSERT_EQ(sm::fxp::exp_on_negative_values_q5_26(a), gemmlowp::exp_on_negative_values(F5::FromRaw(a)).raw()) << a;
    const int32_t x = static_cast<int32_t>(g() % (uint64_t{1} << 31));  // Q0.31 in [0, 1)
    ASSERT_EQ(sm::fxp::one_over_one_plus_x_q0_31(x), gemmlowp::one_over_one_plus_x_for_x_in_0_1(F0::FromRaw(x)).raw()) << x;
  }
  EXPECT_EQ(sm::fxp::exp_on_negative_values_q5_26(0), gemmlowp::exp_on_negative_values(F5::FromRaw(0)).raw());
}

// The whole int8 kernel, written here a second time directly on gemmlowp's
// types (following TFLite's reference_integer_ops::Softmax), on vectors whose
// final shift stays below 32 bits.
TEST(SoftmaxTflite, KernelMatchesGemmlowpImplementation) {
  std::mt19937_64 g(19);
  int compared = 0;
  for (int k = 0; k < 500; ++k) {
    const unsigned f = static_cast<unsigned>(g() % 12);
    std::vector<int16_t> x(1 + g() % 100);
    std::uniform_int_distribution<int> d(-(20 << f), 20 << f);
    for (auto& v : x) v = static_cast<int16_t>(std::clamp(d(g), -32768, 32767));
    // beta * scale * 2^(31-5) = 2^(26-F) -> multiplier 2^30, left shift 27 - F
    const int32_t multiplier = 1 << 30;
    const int left_shift = 27 - static_cast<int>(f);
    const int32_t diff_min = -static_cast<int32_t>(std::floor(31.0 * std::ldexp(1.0, 26 - left_shift)));
    const int32_t mx = *std::max_element(x.begin(), x.end());
    using Acc = gemmlowp::FixedPoint<int32_t, 12>;
    Acc sum = Acc::Zero();
    for (int16_t v : x) {
      const int32_t dd = v - mx;
      if (dd >= diff_min) {
        const int32_t r = gemmlowp::SaturatingRoundingDoublingHighMul(dd * (1 << left_shift), multiplier);
        sum = sum + gemmlowp::Rescale<12>(gemmlowp::exp_on_negative_values(F5::FromRaw(r)));
      }
    }
    const int headroom_plus_one = __builtin_clz(static_cast<uint32_t>(sum.raw()));
    const int bits_over_unit = 12 - headroom_plus_one;
    const int32_t shifted = static_cast<int32_t>((static_cast<uint32_t>(sum.raw()) << headroom_plus_one) - (1u << 31));
    const F0 scale = gemmlowp::one_over_one_plus_x_for_x_in_0_1(F0::FromRaw(shifted));
    if (bits_over_unit + 31 - 8 >= 31) continue;  // gemmlowp's shift would be undefined
    const auto mine = sm::tflite_int8_softmax(x, f);
    for (size_t i = 0; i < x.size(); ++i) {
      const int32_t dd = x[i] - mx;
      int32_t want = -128;
      if (dd >= diff_min) {
        const int32_t r = gemmlowp::SaturatingRoundingDoublingHighMul(dd * (1 << left_shift), multiplier);
        const F0 e = gemmlowp::exp_on_negative_values(F5::FromRaw(r));
        want = std::clamp(gemmlowp::RoundingDivideByPOT((scale * e).raw(), bits_over_unit + 31 - 8) - 128, -128, 127);
      }
      ASSERT_EQ(mine[i], want) << "vector " << k << " element " << i;
    }
    ++compared;
  }
  EXPECT_GE(compared, 250) << "too few vectors had a defined gemmlowp shift";
}

}  // namespace
