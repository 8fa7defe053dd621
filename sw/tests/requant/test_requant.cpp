// squish::requant against Debian's gemmlowp headers (fixedpoint.h) on random
// and edge inputs, and quantize_multiplier against the real-valued multiplier.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>

#include "squish/error.hpp"
#include "squish/requant/requant.hpp"

#include <gemmlowp/fixedpoint/fixedpoint.h>

using namespace squish::requant;

namespace {
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

std::vector<int32_t> edge_values() {
  std::vector<int32_t> v = {kMin, kMin + 1, kMin / 2, -65536, -32769, -256, -129, -128, -3, -2, -1, 0, 1, 2, 3,
                            127, 128, 255, 32767, 65536, kMax / 2, kMax - 1, kMax, 1 << 30, -(1 << 30)};
  for (int e = 0; e < 31; ++e) {  // powers of two and exact halves (ties) around them
    v.push_back(1 << e);
    v.push_back(-(1 << e));
    v.push_back((1 << e) + (e > 0 ? (1 << (e - 1)) : 0));
    v.push_back(-((1 << e) + (e > 0 ? (1 << (e - 1)) : 0)));
  }
  return v;
}

// Exact rational reference for rounding_divide_by_pot: nearest, ties away from 0.
int64_t ref_div_pot(int64_t x, int e) {
  const int64_t d = int64_t{1} << e;
  const int64_t a = x < 0 ? -x : x;
  const int64_t q = (2 * a + d) / (2 * d);  // floor(a/d + 1/2)
  return x < 0 ? -q : q;
}

template <int E>
int32_t gemmlowp_mul_pot(int32_t x) {
  return gemmlowp::SaturatingRoundingMultiplyByPOT<E>(x);
}
template <int... Es>
int32_t gemmlowp_mul_pot_rt(int32_t x, int e, std::integer_sequence<int, Es...>) {
  int32_t r = 0;
  ((e == Es ? (r = gemmlowp_mul_pot<Es>(x), true) : false) || ...);
  return r;
}

}  // namespace

TEST(RequantGemmlowp, DoublingHighMulEdgesAndRandom) {
  const auto edges = edge_values();
  for (int32_t a : edges)
    for (int32_t b : edges)
      ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
          << a << " * " << b;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 1'000'000; ++i) {
    const auto a = static_cast<int32_t>(rng()), b = static_cast<int32_t>(rng());
    ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), gemmlowp::SaturatingRoundingDoublingHighMul(a, b));
  }
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), kMax);  // the one overflow
}

TEST(RequantGemmlowp, RoundingDivideByPotEdgesAndRandom) {
  const auto edges = edge_values();
  for (int e = 0; e <= 31; ++e)
    for (int32_t x : edges) {
      ASSERT_EQ(rounding_divide_by_pot(x, e), gemmlowp::RoundingDivideByPOT(x, e)) << x << " >> " << e;
      ASSERT_EQ(rounding_divide_by_pot(x, e), ref_div_pot(x, e)) << x << " >> " << e;
    }
  std::mt19937_64 rng(2);
  for (int i = 0; i < 1'000'000; ++i) {
    const auto x = static_cast<int32_t>(rng());
    const int e = static_cast<int>(rng() % 32);
    ASSERT_EQ(rounding_divide_by_pot(x, e), gemmlowp::RoundingDivideByPOT(x, e));
  }
}

TEST(RequantGemmlowp, SaturatingLeftShiftMatchesMultiplyByPot) {
  const auto edges = edge_values();
  for (int e = 0; e <= 31; ++e)
    for (int32_t x : edges)
      ASSERT_EQ(saturating_left_shift(x, e), gemmlowp_mul_pot_rt(x, e, std::make_integer_sequence<int, 32>{}))
          << x << " << " << e;
}

// TFLite's MultiplyByQuantizedMultiplier written with gemmlowp's primitives.
TEST(RequantGemmlowp, MultiplyByQuantizedMultiplier) {
  std::mt19937_64 rng(3);
  const auto edges = edge_values();
  auto ref = [](int32_t x, int32_t m, int shift) {
    const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    const int32_t xs = gemmlowp_mul_pot_rt(x, left, std::make_integer_sequence<int, 32>{});
    return gemmlowp::RoundingDivideByPOT(gemmlowp::SaturatingRoundingDoublingHighMul(xs, m), right);
  };
  for (int shift = kMinShift; shift <= kMaxShift; ++shift) {
    for (int32_t x : edges)
      for (int32_t m : {0, 1 << 30, kMax, (1 << 30) + 1, 1518500250})
        ASSERT_EQ(multiply_by_quantized_multiplier(x, m, shift), ref(x, m, shift)) << x << " " << m << " " << shift;
    for (int i = 0; i < 20000; ++i) {
      const auto x = static_cast<int32_t>(rng());
      const auto m = static_cast<int32_t>((1u << 30) + (rng() % (1u << 30)));
      ASSERT_EQ(multiply_by_quantized_multiplier(x, m, shift), ref(x, m, shift));
    }
  }
}

TEST(Requant, RoundingDivideByPotIsRoundHalfAwayFromZero) {
  std::mt19937_64 rng(4);
  for (int i = 0; i < 200000; ++i) {
    const auto x = static_cast<int32_t>(rng());
    const int e = static_cast<int>(rng() % 32);
    ASSERT_EQ(rounding_divide_by_pot(x, e), ref_div_pot(x, e));
  }
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);   // 2.5 -> 3
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(rounding_divide_by_pot(kMin, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(kMax, 31), 1);
  EXPECT_THROW(rounding_divide_by_pot(1, 32), squish::UsageError);
  EXPECT_THROW(rounding_divide_by_pot(1, -1), squish::UsageError);
}

TEST(Requant, QuantizeMultiplierReconstructsReal) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) {
    const double real = std::ldexp(std::uniform_real_distribution<double>(0.5, 1.0)(rng),
                                   static_cast<int>(rng() % 60) - 31);
    const auto q = quantize_multiplier(real);
    ASSERT_GE(q.shift, kMinShift);
    ASSERT_LE(q.shift, kMaxShift);
    ASSERT_GE(q.multiplier, 1 << 30);
    const double back = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
    // 31-bit mantissa rounded to nearest: relative error <= 2^-31.
    ASSERT_LE(std::abs(back - real) / real, std::ldexp(1.0, -31)) << real;
  }
  EXPECT_EQ(quantize_multiplier(0.0), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(quantize_multiplier(0.5), (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(quantize_multiplier(1.0), (QuantizedMultiplier{1 << 30, 1}));
  EXPECT_EQ(quantize_multiplier(0.25), (QuantizedMultiplier{1 << 30, -1}));
  // Just below 1: the mantissa rounds up to 2^31 and renormalizes.
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -40)), (QuantizedMultiplier{1 << 30, 1}));
  // Below 2^-32 the multiplier flushes to zero (TFLite).
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -32)), (QuantizedMultiplier{1 << 30, -31}));
  EXPECT_THROW(quantize_multiplier(-0.5), squish::UsageError);
  EXPECT_THROW(quantize_multiplier(std::nan("")), squish::UsageError);
}

// End to end against an exact rational reference written independently of the
// nudge/mask tricks: stage 1 = floor(x*M / 2^31 + 1/2), stage 2 = x / 2^R rounded
// half away from zero; plus: the result is within 1 LSB of the real product
// rounded once.
TEST(Requant, RequantizeMatchesRationalReference) {
  std::mt19937_64 rng(6);
  int64_t off_by_one = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const auto acc = static_cast<int32_t>(static_cast<int64_t>(rng() % (1u << 24)) - (1 << 23));
    const auto bias = static_cast<int32_t>(static_cast<int64_t>(rng() % (1u << 16)) - (1 << 15));
    const int shift = -static_cast<int>(rng() % 20);
    const auto m = static_cast<int32_t>((1u << 30) + (rng() % (1u << 30)));
    const int32_t zp = static_cast<int32_t>(rng() % 256) - 128;
    const bool relu = rng() & 1;
    const int64_t x = int64_t{acc} + bias;
    const __int128 num = static_cast<__int128>(x) * m * 2 + (static_cast<__int128>(1) << 31);
    const __int128 den = static_cast<__int128>(1) << 32;
    __int128 s1 = num / den;
    if (num % den != 0 && num < 0) --s1;  // floor
    const int64_t s2 = ref_div_pot(static_cast<int64_t>(s1), -shift);
    const int64_t lo = relu ? std::max<int64_t>(-128, zp) : -128;
    const int64_t want = std::clamp<int64_t>(s2 + zp, lo, 127);
    ASSERT_EQ(requantize(acc, bias, m, shift, zp, -128, 127, relu), want) << acc << " " << bias << " " << m << " " << shift;
    const long double real = std::ldexp(static_cast<long double>(m), shift - 31) * static_cast<long double>(x);
    const long double once = real < 0 ? -std::floor(-real + 0.5L) : std::floor(real + 0.5L);
    const int64_t once_c = std::clamp<int64_t>(static_cast<int64_t>(once) + zp, lo, 127);
    ASSERT_LE(std::abs(once_c - want), 1);
    off_by_one += once_c != want;
  }
  EXPECT_LT(off_by_one, n / 100);  // double rounding differs from single rounding only near ties
}

TEST(Requant, RequantizeEdges) {
  // acc + bias saturates instead of wrapping (times 0.5: wrapping would flip the sign).
  EXPECT_EQ(requantize(kMax, 1, 1 << 30, 0, 0, kMin, kMax, false), 1 << 30);
  EXPECT_EQ(requantize(kMin, -1, 1 << 30, 0, 0, kMin, kMax, false), -(1 << 30));
  // A left shift saturates before the multiply (multiplier 1.0 = 2^30 with shift 1).
  EXPECT_EQ(requantize(kMax, 0, 1 << 30, 1, 0, kMin, kMax, false), 1 << 30);
  // Zero point added after scaling, then clamped.
  EXPECT_EQ(requantize(100, 0, 1 << 30, 0, 10, -128, 127, false), 60);
  EXPECT_EQ(requantize(-1000, 0, 1 << 30, 0, 10, -128, 127, false), -128);
  EXPECT_EQ(requantize(-1000, 0, 1 << 30, 0, 10, -128, 127, true), 10);  // ReLU clamps at the zero point
  EXPECT_EQ(requantize(3, 0, 1 << 30, 0, 0, -128, 127, false), 2);          // 1.5 -> 2
  EXPECT_EQ(requantize(-3, 0, 1 << 30, 0, 0, -128, 127, false), -1);        // -1.5 -> -1 (SRDHM ties up)
  EXPECT_EQ(requantize(-3, 0, 1 << 30, -1, 0, -128, 127, false), -1);       // -0.75 -> -1
  EXPECT_EQ(requantize(-6, 0, 1 << 30, -1, 0, -128, 127, false), -2);       // -1.5 in RDBPOT -> -2 (away)
  EXPECT_EQ(requantize(255, 0, 1 << 30, 1, 0, 0, 255, false), 255);         // unsigned output range
  EXPECT_THROW(requantize(0, 0, 1 << 30, 0, 0, 5, 4, false), squish::UsageError);
  EXPECT_THROW(requantize(0, 0, 1 << 30, 31, 0, 0, 4, false), squish::UsageError);
  EXPECT_THROW(requantize(0, 0, 1 << 30, -32, 0, 0, 4, false), squish::UsageError);
}
