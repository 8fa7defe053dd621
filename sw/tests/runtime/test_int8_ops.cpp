// The int8 engine's host kernels against TFLite reference-kernel arithmetic
// written out independently here (QuantizeMultiplier with frexp, the gemmlowp
// fixed-point primitives from Debian's gemmlowp headers), and the activation
// quantization (ChooseQuantizationParams) on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "squish/error.hpp"
#include "squish/runtime/int8_engine.hpp"
#include "squish/runtime/int8_ops.hpp"

#include <gemmlowp/fixedpoint/fixedpoint.h>

using namespace squish::runtime;

namespace {

// ---- TFLite reference arithmetic, independent of squish::requant ----------
void tfl_quantize_multiplier(double m, int32_t* q, int* shift) {
  if (m == 0) {
    *q = 0, *shift = 0;
    return;
  }
  const double f = std::frexp(m, shift);
  auto qf = static_cast<int64_t>(std::round(f * (1LL << 31)));
  if (qf == (1LL << 31)) {
    qf /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    qf = 0;
  }
  *q = static_cast<int32_t>(qf);
}
int32_t tfl_mbqm(int32_t x, int32_t q, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return gemmlowp::RoundingDivideByPOT(gemmlowp::SaturatingRoundingDoublingHighMul(x * (1 << left), q), right);
}
int32_t tfl_mbqm_real(int32_t x, double real) {
  int32_t q;
  int s;
  tfl_quantize_multiplier(real, &q, &s);
  return tfl_mbqm(x, q, s);
}

QTensor random_tensor(std::mt19937_64& g, std::vector<size_t> shape, QParams q) {
  QTensor t;
  t.shape = shape;
  t.q = q;
  size_t n = 1;
  for (auto d : shape) n *= d;
  std::uniform_int_distribution<int> d(-128, 127);
  t.v.resize(n);
  for (auto& v : t.v) v = static_cast<int8_t>(d(g));
  return t;
}

int8_t clamp8(int64_t v, int lo = -128, int hi = 127) { return static_cast<int8_t>(std::min<int64_t>(hi, std::max<int64_t>(lo, v))); }

}  // namespace

TEST(Int8Quant, ChooseParamsHandComputed) {
  // [-1, 3]: scale 4/255; zero point from min: -128 + 63.75 = -64.25 (error 191.75 < 318.25) -> -64.
  auto q = choose_qparams(-1, 3);
  EXPECT_EQ(q.scale, static_cast<double>(static_cast<float>(4.0 / 255)));
  EXPECT_EQ(q.zero_point, -64);
  // [0.5, 2] widens to [0, 2]: zero point -128.
  q = choose_qparams(0.5, 2);
  EXPECT_EQ(q.scale, static_cast<double>(static_cast<float>(2.0 / 255)));
  EXPECT_EQ(q.zero_point, -128);
  // [-2, -1] widens to [-2, 0]: from max 127 has the smaller error (127 < 255.5).
  q = choose_qparams(-2, -1);
  EXPECT_EQ(q.zero_point, 127);
  // [-1, 1]: -128 + 127.5 = -0.5 from min (error 255.5) vs 127 - 127.5 = -0.5 from max
  // (error 254.5): from max, round(-0.5) = -1 (half away from zero).
  q = choose_qparams(-1, 1);
  EXPECT_EQ(q.zero_point, -1);
  // Degenerate range.
  q = choose_qparams(0, 0);
  EXPECT_EQ(q.scale, 1.0);
  EXPECT_EQ(q.zero_point, 0);
}

TEST(Int8Quant, QuantizeValueRoundsHalfAwayAndClamps) {
  const QParams q{0.5, 3};
  EXPECT_EQ(quantize_value(0.25f, q), 4);    // 0.5 -> 1
  EXPECT_EQ(quantize_value(-0.25f, q), 2);   // -0.5 -> -1
  EXPECT_EQ(quantize_value(1000.f, q), 127);
  EXPECT_EQ(quantize_value(-1000.f, q), -128);
  EXPECT_FLOAT_EQ(dequantize_value(7, q), 2.0f);
}

TEST(Int8Quant, CalibrationRangesContainZero) {
  Calibration c;
  const float a[] = {0.5f, 2.0f};
  const float b[] = {1.0f, 3.0f};
  c.observe("x", a);
  c.observe("x", b);
  EXPECT_EQ(c.ranges["x"].min, 0.0);
  EXPECT_EQ(c.ranges["x"].max, 3.0);
  EXPECT_EQ(c.ranges["x"].count, 2u);
  const float bad[] = {NAN};
  EXPECT_THROW(c.observe("y", bad), squish::UsageError);
}

TEST(Int8Quant, ActBounds) {
  const QParams q{6.0 / 255, -128};
  EXPECT_EQ(act_bounds(0, q), (std::array<int32_t, 2>{-128, 127}));
  EXPECT_EQ(act_bounds(1, q), (std::array<int32_t, 2>{-128, 127}));
  EXPECT_EQ(act_bounds(2, q), (std::array<int32_t, 2>{-128, 127}));
  const QParams r{0.1, 10};
  EXPECT_EQ(act_bounds(1, r), (std::array<int32_t, 2>{10, 127}));
  EXPECT_EQ(act_bounds(2, r), (std::array<int32_t, 2>{10, 70}));
}

TEST(Int8Ops, AddMatchesTfliteReference) {
  std::mt19937_64 g(7);
  std::uniform_real_distribution<double> sd(0.005, 0.2);
  std::uniform_int_distribution<int> zd(-128, 127);
  for (int trial = 0; trial < 200; ++trial) {
    const QParams qa{sd(g), zd(g)}, qb{sd(g), zd(g)}, qo{sd(g), zd(g)};
    const auto a = random_tensor(g, {1, 3, 4, 5}, qa);
    const auto b = trial % 3 == 0 ? random_tensor(g, {5}, qb) : random_tensor(g, {1, 3, 4, 5}, qb);
    const int lo = trial % 2 ? qo.zero_point : -128;
    const auto y = add(a, b, qo, lo, 127);
    // reference_integer_ops::Add with left_shift 20.
    const double twice = 2 * std::max(qa.scale, qb.scale);
    for (size_t i = 0; i < a.v.size(); ++i) {
      const int32_t s1 = tfl_mbqm_real((a.v[i] - qa.zero_point) * (1 << 20), qa.scale / twice);
      const int32_t s2 = tfl_mbqm_real((b.v[i % b.v.size()] - qb.zero_point) * (1 << 20), qb.scale / twice);
      const int32_t o = tfl_mbqm_real(s1 + s2, twice / ((1 << 20) * qo.scale)) + qo.zero_point;
      ASSERT_EQ(y.v[i], clamp8(o, lo, 127)) << "trial " << trial << " element " << i;
      // And close to the real sum (within rounding and clamping).
      const double real = qa.scale * (a.v[i] - qa.zero_point) + qb.scale * (b.v[i % b.v.size()] - qb.zero_point);
      const double want = std::clamp(std::round(real / qo.scale) + qo.zero_point, double(lo), 127.0);
      ASSERT_LE(std::abs(y.v[i] - want), 1.0);
    }
  }
}

TEST(Int8Ops, MulAndRequantizeMatchTfliteReference) {
  std::mt19937_64 g(8);
  std::uniform_real_distribution<double> sd(0.005, 0.2);
  std::uniform_int_distribution<int> zd(-128, 127);
  for (int trial = 0; trial < 100; ++trial) {
    const QParams qa{sd(g), zd(g)}, qb{sd(g), zd(g)}, qo{sd(g), zd(g)};
    const auto a = random_tensor(g, {2, 6}, qa);
    const auto b = random_tensor(g, {6}, qb);
    const auto y = mul(a, b, qo);
    const auto r = requantize_tensor(a, qo, qo.zero_point, 127);
    for (size_t i = 0; i < a.v.size(); ++i) {
      const int32_t p = (a.v[i] - qa.zero_point) * (b.v[i % 6] - qb.zero_point);
      ASSERT_EQ(y.v[i], clamp8(tfl_mbqm_real(p, qa.scale * qb.scale / qo.scale) + qo.zero_point));
      ASSERT_EQ(r.v[i], clamp8(tfl_mbqm_real(a.v[i] - qa.zero_point, qa.scale / qo.scale) + qo.zero_point, qo.zero_point, 127));
    }
  }
}

TEST(Int8Ops, PoolsMatchReference) {
  std::mt19937_64 g(9);
  const QParams q{0.05, -3};
  const auto x = random_tensor(g, {2, 7, 6, 3}, q);
  const std::array<int, 2> k{3, 2}, s{2, 2};
  const std::array<int, 4> pads{1, 1, 0, 1};
  const auto mx = max_pool(x, k, s, pads);
  const auto av = avg_pool(x, k, s, pads, -100, 100);
  // Output size: (7 + 2 - 3) / 2 + 1 = 4, (6 + 1 - 2) / 2 + 1 = 3.
  ASSERT_EQ(mx.shape, (std::vector<size_t>{2, 4, 3, 3}));
  ASSERT_EQ(av.shape, mx.shape);
  for (size_t n = 0; n < 2; ++n)
    for (int oh = 0; oh < 4; ++oh)
      for (int ow = 0; ow < 3; ++ow)
        for (size_t c = 0; c < 3; ++c) {
          int m = -1000, sum = 0, cnt = 0;
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 2; ++kw) {
              const int ih = oh * 2 - 1 + kh, iw = ow * 2 + kw;
              if (ih < 0 || ih >= 7 || iw >= 6) continue;
              const int v = x.v[((n * 7 + ih) * 6 + iw) * 3 + c];
              m = std::max(m, v);
              sum += v;
              ++cnt;
            }
          const size_t o = ((n * 4 + oh) * 3 + ow) * 3 + c;
          ASSERT_EQ(mx.v[o], m);
          // Rounded to nearest, halves away from zero.
          const int avg = static_cast<int>(std::lround(static_cast<double>(sum) / cnt));
          ASSERT_EQ(av.v[o], std::clamp(avg, -100, 100)) << sum << "/" << cnt;
        }
}

TEST(Int8Ops, MeanMatchesReference) {
  std::mt19937_64 g(10);
  const QParams qi{0.07, 5}, qo{0.02, -10};
  const auto x = random_tensor(g, {2, 5, 4, 3}, qi);
  const auto y = mean_hw(x, qo, true);
  ASSERT_EQ(y.shape, (std::vector<size_t>{2, 1, 1, 3}));
  for (size_t n = 0; n < 2; ++n)
    for (size_t c = 0; c < 3; ++c) {
      int32_t acc = 0;
      for (size_t i = 0; i < 20; ++i) acc += x.v[(n * 20 + i) * 3 + c] - qi.zero_point;
      acc = tfl_mbqm_real(acc, qi.scale / qo.scale);
      acc = acc > 0 ? (acc + 10) / 20 : (acc - 10) / 20;
      ASSERT_EQ(y.v[n * 3 + c], clamp8(acc + qo.zero_point));
      // And the real mean within one output step.
      double real = 0;
      for (size_t i = 0; i < 20; ++i) real += qi.scale * (x.v[(n * 20 + i) * 3 + c] - qi.zero_point);
      real /= 20;
      EXPECT_LE(std::abs(qo.scale * (y.v[n * 3 + c] - qo.zero_point) - real), qo.scale * 1.01);
    }
}

TEST(Int8Ops, PadUsesZeroPoint) {
  QTensor x;
  x.shape = {1, 2, 2, 1};
  x.q = {0.1, 17};
  x.v = {1, 2, 3, 4};
  const std::vector<int64_t> p{0, 0, 1, 0, 0, 2, 0, 0};
  const auto y = pad(x, p);
  ASSERT_EQ(y.shape, (std::vector<size_t>{1, 3, 4, 1}));
  const std::vector<int8_t> want{17, 17, 17, 17, 1, 2, 17, 17, 3, 4, 17, 17};
  EXPECT_EQ(y.v, want);
}

TEST(Int8Ops, ConcatRescales) {
  QTensor a, b;
  a.shape = {1, 2};
  a.q = {0.1, 0};
  a.v = {10, -20};
  b.shape = {1, 1};
  b.q = {0.2, 5};
  b.v = {15};
  const QParams out{0.1, 0};
  const QTensor* xs[] = {&a, &b};
  const auto y = concat(xs, 1, out);
  ASSERT_EQ(y.shape, (std::vector<size_t>{1, 3}));
  // a copied; b: 0.2 * (15 - 5) = 2.0 -> 20.
  EXPECT_EQ(y.v, (std::vector<int8_t>{10, -20, 20}));
}

TEST(Int8Ops, Im2colOrderAndPadding) {
  QTensor x;
  x.shape = {1, 2, 2, 2};
  x.q = {1, -5};
  x.v = {1, 2, 3, 4, 5, 6, 7, 8};  // (h, w, c)
  size_t oh, ow;
  const auto cols = im2col(x, {2, 2}, {1, 1}, {1, 1}, {0, 1, 0, 1}, &oh, &ow);
  ASSERT_EQ(oh, 2u);
  ASSERT_EQ(ow, 2u);
  // Pixel (0,0): taps (0,0),(0,1),(1,0),(1,1), each 2 channels.
  EXPECT_EQ(std::vector<int8_t>(cols.begin(), cols.begin() + 8), (std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  // Pixel (1,1): only tap (0,0) = (1,1) in bounds.
  EXPECT_EQ(std::vector<int8_t>(cols.begin() + 24, cols.end()), (std::vector<int8_t>{7, 8, -5, -5, -5, -5, -5, -5}));
  const auto dw = depthwise_patches(x, {2, 2}, {1, 1}, {1, 1}, {0, 1, 0, 1}, 1, &oh, &ow);
  // Pixel (0,0): channel 0 taps then channel 1 taps.
  EXPECT_EQ(std::vector<int8_t>(dw.begin(), dw.begin() + 8), (std::vector<int8_t>{1, 3, 5, 7, 2, 4, 6, 8}));
}
