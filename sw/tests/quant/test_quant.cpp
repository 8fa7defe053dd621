// Quantization against numpy golden vectors (ONNX/TFLite semantics), rounding
// ties, saturation ranges, k-means, PoT/APoT, and the bit allocator.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "squish/error.hpp"
#include "squish/io/npy.hpp"
#include "squish/quant/mixed.hpp"
#include "squish/quant/quant.hpp"

using namespace squish;
using quant::Rounding;

namespace {
std::vector<float> randn(size_t n, uint32_t seed, float sd = 1) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}
double sse(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
  return s;
}
}  // namespace

TEST(Quant, RoundingModes) {
  EXPECT_EQ(quant::round_float(2.5f, Rounding::HalfEven), 2.0f);
  EXPECT_EQ(quant::round_float(3.5f, Rounding::HalfEven), 4.0f);
  EXPECT_EQ(quant::round_float(-2.5f, Rounding::HalfEven), -2.0f);
  EXPECT_EQ(quant::round_float(2.5f, Rounding::HalfAway), 3.0f);
  EXPECT_EQ(quant::round_float(-2.5f, Rounding::HalfAway), -3.0f);
  EXPECT_EQ(quant::round_float(0.49999997f, Rounding::HalfAway), 0.0f);
  EXPECT_EQ(quant::round_float(0.49999997f, Rounding::HalfEven), 0.0f);
}

TEST(Quant, MatchesNumpyGolden) {
  const auto z = io::read_npz(io::read_file(std::string(SQUISH_ROOT) + "/golden/quant/affine.npz"));
  auto get = [&](const std::string& n) -> const Tensor& {
    for (const auto& t : z)
      if (t.name == n) return t;
    throw std::runtime_error("missing " + n);
  };
  const auto x = get("x").to_float();
  const std::vector<size_t> shape = {16, 6};
  struct Cfg {
    const char* name;
    unsigned bits;
    bool is_signed, narrow, sym;
    Rounding r;
    int axis;
  };
  const Cfg cfgs[] = {
      {"int8_sym_even", 8, true, false, true, Rounding::HalfEven, -1},
      {"int8_narrow_away", 8, true, true, true, Rounding::HalfAway, -1},
      {"int4_sym_even", 4, true, false, true, Rounding::HalfEven, -1},
      {"int4_sym_away_pc", 4, true, false, true, Rounding::HalfAway, 1},
      {"int2_sym_even", 2, true, false, true, Rounding::HalfEven, -1},
      {"uint8_asym_even", 8, false, false, false, Rounding::HalfEven, -1},
      {"uint4_asym_away_pc", 4, false, false, false, Rounding::HalfAway, 1},
      {"int3_asym_even_pc", 3, true, false, false, Rounding::HalfEven, 1},
  };
  for (const auto& c : cfgs) {
    quant::QuantSpec s;
    s.bits = c.bits;
    s.is_signed = c.is_signed;
    s.narrow = c.narrow;
    s.symmetric = c.sym;
    s.rounding = c.r;
    s.channel_axis = c.axis;
    const auto q = quant::quantize(x, shape, s);
    const auto want_q = get(std::string(c.name) + "_q").to_float();
    const auto want_s = get(std::string(c.name) + "_scale").to_float();
    const auto want_z = get(std::string(c.name) + "_zp").to_float();
    const auto want_d = get(std::string(c.name) + "_deq");
    ASSERT_EQ(q.params.channels.size(), want_s.size()) << c.name;
    for (size_t k = 0; k < want_s.size(); ++k) {
      EXPECT_EQ(static_cast<float>(q.params.channels[k].scale), want_s[k]) << c.name << " ch " << k;
      EXPECT_EQ(q.params.channels[k].zero_point, static_cast<int32_t>(want_z[k])) << c.name << " ch " << k;
    }
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(q.codes[i], static_cast<int32_t>(want_q[i])) << c.name << " @" << i;
    const auto d = quant::dequantize(q.params, q.codes, shape);
    const Tensor dt = Tensor::from_float("d", shape, d);
    EXPECT_EQ(dt.data, want_d.data) << c.name;  // bit for bit
  }
}

TEST(Quant, SaturationRanges) {
  const std::vector<float> x = {-100, -1, 0, 1, 100};
  const std::vector<size_t> shape = {5};
  auto range = [&](unsigned bits, bool is_signed, bool narrow) {
    quant::QuantSpec s;
    s.bits = bits;
    s.is_signed = is_signed;
    s.narrow = narrow;
    auto q = quant::quantize(x, shape, s);
    return std::pair{q.params.qmin(), q.params.qmax()};
  };
  EXPECT_EQ(range(4, true, false), (std::pair{-8, 7}));
  EXPECT_EQ(range(2, true, false), (std::pair{-2, 1}));
  EXPECT_EQ(range(8, true, true), (std::pair{-127, 127}));
  EXPECT_EQ(range(8, false, false), (std::pair{0, 255}));
  // Symmetric int4: max|x| = 100 -> scale 100/7, -100 saturates at -7 (not -8).
  quant::QuantSpec s;
  s.bits = 4;
  const auto q = quant::quantize(x, shape, s);
  EXPECT_EQ(q.codes.front(), -7);
  EXPECT_EQ(q.codes.back(), 7);
  EXPECT_THROW(quant::quantize(x, shape, quant::QuantSpec{quant::Scheme::Affine, 9}), UsageError);
}

TEST(Quant, ZeroIsExactAfterAsymmetric) {
  auto x = randn(500, 3);
  for (size_t i = 0; i < x.size(); i += 3) x[i] = 0;
  for (auto r : {Rounding::HalfEven, Rounding::HalfAway}) {
    quant::QuantSpec s;
    s.bits = 3;
    s.symmetric = false;
    s.is_signed = false;
    s.rounding = r;
    const std::vector<size_t> shape = {500};
    const auto q = quant::quantize(x, shape, s);
    const auto d = quant::dequantize(q.params, q.codes, shape);
    for (size_t i = 0; i < x.size(); i += 3) EXPECT_EQ(d[i], 0.0f);
  }
}

TEST(Quant, KmeansDeterministicAndLloydFixedPoint) {
  auto x = randn(4000, 5, 0.05f);
  const std::vector<size_t> shape = {40, 100};
  quant::QuantSpec s;
  s.scheme = quant::Scheme::Codebook;
  double prev = INFINITY;
  for (unsigned k : {2u, 4u, 16u, 64u, 256u}) {
    s.kmeans_k = k;
    const auto a = quant::quantize(x, shape, s);
    const auto b = quant::quantize(x, shape, s);
    EXPECT_EQ(a.codes, b.codes);
    EXPECT_EQ(a.params.codebook, b.params.codebook);
    EXPECT_EQ(a.params.codebook.size(), k);
    EXPECT_TRUE(std::is_sorted(a.params.codebook.begin(), a.params.codebook.end()));
    // Every value goes to its nearest centroid.
    const auto d = quant::dequantize(a.params, a.codes, shape);
    for (size_t i = 0; i < x.size(); ++i)
      for (float c : a.params.codebook) EXPECT_LE(std::fabs(x[i] - d[i]), std::fabs(x[i] - c) * (1 + 1e-6)) << k;
    const double e = sse(x, d);
    EXPECT_LT(e, prev);
    prev = e;
    if (k == 16) {  // Lloyd fixed point: each centroid is the mean of its members.
      for (size_t j = 0; j < k; ++j) {
        double sum = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < x.size(); ++i)
          if (a.codes[i] == static_cast<int32_t>(j)) sum += x[i], ++cnt;
        if (cnt) EXPECT_NEAR(a.params.codebook[j], sum / cnt, 1e-6);
      }
    }
  }
  // Reserved zero keeps pruned weights exactly zero.
  for (size_t i = 0; i < x.size(); i += 2) x[i] = 0;
  s.kmeans_k = 8;
  s.kmeans_keep_zero = true;
  const auto q = quant::quantize(x, shape, s);
  EXPECT_EQ(q.params.codebook[0], 0.0f);
  for (size_t i = 0; i < x.size(); i += 2) EXPECT_EQ(q.codes[i], 0);
}

TEST(Quant, PowerOfTwoLevels) {
  const auto lv = quant::pot_levels(4);
  ASSERT_EQ(lv.size(), 8u);
  EXPECT_EQ(lv[0], 0.0f);
  EXPECT_EQ(lv[7], 1.0f);
  EXPECT_EQ(lv[1], 1.0f / 64);
  auto x = randn(1000, 11, 0.3f);
  const std::vector<size_t> shape = {10, 100};
  quant::QuantSpec s;
  s.scheme = quant::Scheme::Pot;
  s.bits = 4;
  s.channel_axis = 0;
  const auto q = quant::quantize(x, shape, s);
  const auto d = quant::dequantize(q.params, q.codes, shape);
  for (const auto& c : q.params.channels) {
    int e;
    EXPECT_EQ(std::frexp(c.scale, &e), 0.5) << "scale must be a power of two";
  }
  const auto ch = quant::channel_of(shape, 0);
  for (size_t i = 0; i < x.size(); ++i) {
    // Every value is a signed power of two (or zero), and the nearest one available.
    if (d[i] != 0) {
      int e;
      EXPECT_EQ(std::fabs(std::frexp(d[i], &e)), 0.5f);
    }
    const double sc = q.params.channels[ch[i]].scale;
    for (float l : lv) EXPECT_LE(std::fabs(std::fabs(x[i]) - std::fabs(d[i])), std::fabs(std::fabs(x[i]) - l * sc) + 1e-12);
    EXPECT_EQ(std::signbit(d[i]) && d[i] != 0, std::signbit(x[i]) && d[i] != 0);
  }
}

TEST(Quant, ApotLevelsAreDistinctSumsOfTwoPowers) {
  for (unsigned b = 2; b <= 8; ++b) {
    const auto lv = quant::apot_levels(b);
    EXPECT_EQ(lv.size(), b < 8 ? 1u << (b - 1) : 125u);  // float32 merges three 8-bit sums
    EXPECT_EQ(std::set<float>(lv.begin(), lv.end()).size(), lv.size());
    for (float l : lv) {  // at most two bits set in the binary expansion
      double m = l;
      int bitsset = 0;
      for (int e = 0; e > -40 && m > 0; --e)
        if (m >= std::ldexp(1.0, e)) m -= std::ldexp(1.0, e), ++bitsset;
      EXPECT_EQ(m, 0.0);
      EXPECT_LE(bitsset, 2);
    }
  }
  auto x = randn(2000, 13, 0.1f);
  const std::vector<size_t> shape = {2000};
  quant::QuantSpec s;
  s.scheme = quant::Scheme::Apot;
  s.bits = 5;
  const auto q = quant::quantize(x, shape, s);
  quant::QuantSpec p = s;
  p.scheme = quant::Scheme::Pot;
  const auto qp = quant::quantize(x, shape, p);
  // APoT spends levels where Gaussian weights are: lower error than PoT at 5 bits.
  EXPECT_LT(sse(x, quant::dequantize(q.params, q.codes, shape)), sse(x, quant::dequantize(qp.params, qp.codes, shape)));
}

TEST(Quant, ClipSearchNeverWorse) {
  auto x = randn(3000, 17, 0.05f);
  x[5] = 1.0f;  // an outlier that stretches the range
  const std::vector<size_t> shape = {30, 100};
  for (bool sym : {true, false})
    for (int axis : {-1, 0})
      for (unsigned b : {2u, 3u, 4u, 8u}) {
        quant::QuantSpec s;
        s.bits = b;
        s.symmetric = sym;
        s.is_signed = sym;
        s.channel_axis = axis;
        const auto full = quant::quantize(x, shape, s);
        s.clip_search = true;
        const auto clip = quant::quantize(x, shape, s);
        const double ef = sse(x, quant::dequantize(full.params, full.codes, shape));
        const double ec = sse(x, quant::dequantize(clip.params, clip.codes, shape));
        EXPECT_LE(ec, ef) << sym << axis << b;
        if (b == 3 && axis < 0) EXPECT_LT(ec, 0.5 * ef);  // the outlier no longer sets the grid
      }
}

TEST(Quant, FixedPointMultiplierOfEveryScale) {
  auto x = randn(4096, 23, 0.2f);
  const std::vector<size_t> shape = {64, 64};
  quant::QuantSpec s;
  s.bits = 4;
  s.channel_axis = 1;
  const auto q = quant::quantize(x, shape, s);
  for (const auto& c : q.params.channels) {
    ASSERT_GE(c.multiplier, 1 << 30);
    const double m = static_cast<double>(c.multiplier) * std::ldexp(1.0, c.shift - 31);
    EXPECT_NEAR(m / c.scale, 1.0, std::ldexp(1.0, -30));  // 31-bit mantissa, rounded
  }
}

TEST(Quant, DequantizeRejectsOutOfRangeCodes) {
  quant::QuantSpec s;
  s.bits = 4;
  const std::vector<size_t> shape = {2};
  const auto q = quant::quantize(std::vector<float>{1, -1}, shape, s);
  EXPECT_THROW(quant::dequantize(q.params, std::vector<int32_t>{8, 0}, shape), FormatError);
}

TEST(Mixed, MeetsBudgetAndBeatsUniform) {
  // Three tensors with different sensitivities; D(b) ~ c * n * 4^-b.
  std::vector<quant::RdTensor> t(3);
  const double c[] = {1.0, 30.0, 0.01};
  const size_t n[] = {1000, 200, 5000};
  for (size_t i = 0; i < 3; ++i) {
    t[i].weights = n[i];
    for (unsigned b = 2; b <= 8; ++b) t[i].error.push_back(c[i] * n[i] * std::pow(4.0, -static_cast<double>(b)));
  }
  for (double budget : {2.0, 3.0, 3.5, 5.0, 8.0}) {
    const auto a = quant::allocate_bits(t, 2, budget);
    EXPECT_TRUE(a.budget_met);
    EXPECT_LE(a.avg_bits, budget + 1e-12);
    // Exhaustive optimum over 7^3 choices.
    double best = INFINITY;
    for (unsigned x = 0; x < 7; ++x)
      for (unsigned y = 0; y < 7; ++y)
        for (unsigned z = 0; z < 7; ++z) {
          const double used = n[0] * (2.0 + x) + n[1] * (2.0 + y) + n[2] * (2.0 + z);
          if (used > budget * 6200) continue;
          best = std::min(best, t[0].error[x] + t[1].error[y] + t[2].error[z]);
        }
    EXPECT_LE(a.total_error, best * 1.0000001) << budget;
  }
}
