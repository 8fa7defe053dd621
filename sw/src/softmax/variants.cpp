// Bit-accurate models of published softmax hardware (see variants.hpp and
// docs/softmax.md). Written from the papers' descriptions, in our own words;
// where a paper leaves a width or table size open, the choice is stated here.
#include "squish/softmax/variants.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "squish/softmax/unit.hpp"

namespace squish::softmax {

namespace {

int32_t max_of(std::span<const int16_t> x) { return *std::max_element(x.begin(), x.end()); }

uint16_t sat16(int64_t v) { return static_cast<uint16_t>(std::clamp<int64_t>(v, 0, 0xFFFF)); }

// Natural-unit difference (x - max) * 2^-F on a grid of 2^-g, rounded half away.
int64_t diff_on_grid(int32_t d, unsigned frac_bits, unsigned g) {
  if (g >= frac_bits) return static_cast<int64_t>(d) << (g - frac_bits);
  const unsigned sh = frac_bits - g;
  const int64_t a = -static_cast<int64_t>(d);  // d <= 0
  return -((a + (int64_t{1} << (sh - 1))) >> sh);
}

// Base-2 exponent y = (x - max) * log2(e) * 2^-F in Q.q (floor).
int64_t base2_diff(int32_t d, unsigned frac_bits, unsigned q) {
  constexpr int64_t kLog2eQ16 = 94548;  // round(log2(e) * 2^16)
  return (static_cast<int64_t>(d) * kLog2eQ16) >> (16 + frac_bits - q);
}

int msb64(uint64_t v) { return 63 - std::countl_zero(v); }

}  // namespace

// ---- Yuan (SOCC 2016): LUT exp, log-domain division ----------------------------
// ln p_i = (z_i - max) - ln(sum e^(z_j - max)); then p_i = exp(ln p_i) by the same
// LUT (Du et al.'s correction of Yuan's log-domain output). Choices: exp LUT over
// [-16, 0] at a 1/16 step (257 x Q0.16), ln LUT of 1 + f on a 1/256 step (Q.12),
// sum in Q.16.
std::vector<uint16_t> yuan_lut_log(std::span<const int16_t> x, unsigned frac_bits) {
  static const auto exp_lut = [] {
    std::vector<uint32_t> t(257);
    for (int k = 0; k <= 256; ++k) t[k] = static_cast<uint32_t>(std::llround(std::exp(-k / 16.0) * 65536.0));
    return t;
  }();
  static const auto ln_lut = [] {
    std::vector<int32_t> t(256);
    for (int k = 0; k < 256; ++k) t[k] = static_cast<int32_t>(std::llround(std::log1p(k / 256.0) * 4096.0));
    return t;
  }();
  const int32_t m = max_of(x);
  auto lut_exp = [&](int64_t neg_q4) {  // e^(-neg_q4 / 16)
    return neg_q4 > 256 ? 0u : exp_lut[static_cast<size_t>(neg_q4)];
  };
  uint64_t sum = 0;  // Q.16
  for (int16_t v : x) sum += lut_exp(-diff_on_grid(v - m, frac_bits, 4));
  const int e = msb64(sum);
  const unsigned f8 = static_cast<unsigned>(e >= 8 ? (sum >> (e - 8)) & 255 : (sum << (8 - e)) & 255);
  constexpr int32_t kLn2Q12 = 2839;  // round(ln 2 * 2^12)
  const int32_t ln_sum_q12 = (e - 16) * kLn2Q12 + ln_lut[f8];
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t d_q12 = diff_on_grid(x[i] - m, frac_bits, 12);
    const int64_t lp_q12 = d_q12 - ln_sum_q12;                 // ln p, Q.12
    const int64_t neg_q4 = lp_q12 >= 0 ? 0 : (-lp_q12 + 128) >> 8;  // to the LUT's 1/16 grid
    out[i] = sat16(lut_exp(neg_q4));
  }
  return out;
}

// ---- Base 2 with shift division (Cardarilli 2021 / Spagnolo 2021 style) --------
// 2^y by the linear (Mitchell) approximation 2^(k+f) ~ 2^k (1 + f); the division
// becomes a subtraction in the Mitchell log domain: log2 S ~ e + (S/2^e - 1).
// Choices: y in Q.8, terms and sum in Q.16, output Q0.16.
std::vector<uint16_t> base2_shift(std::span<const int16_t> x, unsigned frac_bits) {
  const int32_t m = max_of(x);
  auto mitchell_exp2 = [](int64_t y_q8, unsigned out_frac) -> uint64_t {  // 2^(y/256), y <= 0
    const int64_t k = y_q8 >> 8;  // floor
    const uint64_t f = static_cast<uint64_t>(y_q8 & 255);
    const uint64_t mant = (uint64_t{256} + f) << (out_frac - 8);  // (1 + f) in Q.out_frac
    return -k >= 63 ? 0 : mant >> (-k);
  };
  std::vector<int64_t> y(x.size());
  uint64_t sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    y[i] = base2_diff(x[i] - m, frac_bits, 8);
    sum += mitchell_exp2(y[i], 16);
  }
  const int e = msb64(sum);
  const uint64_t frac8 = e >= 8 ? (sum >> (e - 8)) & 255 : (sum << (8 - e)) & 255;
  const int64_t log2_sum_q8 = static_cast<int64_t>(e - 16) * 256 + static_cast<int64_t>(frac8);
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t g = std::min<int64_t>(y[i] - log2_sum_q8, 0);
    out[i] = sat16(static_cast<int64_t>(mitchell_exp2(g, 16)));
  }
  return out;
}

// ---- GLUT split-LUT exp (Sun 2018, Du 2019) -----------------------------------
// e^-a with a in Q4.8 split into three 4-bit fields, e^-a = L1[a_hi] L2[a_mid]
// L3[a_lo], each a 16-entry Q0.16 table, products rounded to Q0.16. Division by
// normalising the sum with a shift and a 256-entry reciprocal LUT (Q1.16).
std::vector<uint16_t> glut_split(std::span<const int16_t> x, unsigned frac_bits) {
  static const auto luts = [] {
    std::array<std::array<uint32_t, 16>, 3> t{};
    for (int k = 0; k < 16; ++k) {
      t[0][k] = static_cast<uint32_t>(std::llround(std::exp(-k) * 65536.0));
      t[1][k] = static_cast<uint32_t>(std::llround(std::exp(-k / 16.0) * 65536.0));
      t[2][k] = static_cast<uint32_t>(std::llround(std::exp(-k / 256.0) * 65536.0));
    }
    return t;
  }();
  static const auto recip = [] {
    std::array<uint32_t, 256> t{};
    for (int k = 0; k < 256; ++k) t[k] = static_cast<uint32_t>(std::llround(65536.0 / (1.0 + (k + 0.5) / 256.0)));
    return t;
  }();
  const int32_t m = max_of(x);
  std::vector<uint32_t> e(x.size());
  uint64_t sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t a = -diff_on_grid(x[i] - m, frac_bits, 8);  // Q4.8, >= 0
    if (a >= 4096) {
      e[i] = 0;
    } else {
      uint64_t v = luts[0][a >> 8];
      v = (v * luts[1][(a >> 4) & 15] + 32768) >> 16;
      v = (v * luts[2][a & 15] + 32768) >> 16;
      e[i] = static_cast<uint32_t>(v);
    }
    sum += e[i];
  }
  const int s = msb64(sum);
  const unsigned f8 = static_cast<unsigned>(s >= 8 ? (sum >> (s - 8)) & 255 : (sum << (8 - s)) & 255);
  const uint64_t r = recip[f8];  // 2^16 / (sum / 2^s)
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    // p = e * 2^16 / sum = e * r * 2^16 / 2^(s+16)
    const int sh = s;
    const uint64_t num = static_cast<uint64_t>(e[i]) * r << 16;
    out[i] = sat16(static_cast<int64_t>(sh >= 64 ? 0 : (num + (uint64_t{1} << (sh + 15))) >> (sh + 16)));
  }
  return out;
}

// ---- Geng et al. (ACCV 2018): piecewise-linear exp, division by shift ------------
// e^d on [-8, 0] as 16 chords of width 1/2 (slope and intercept in Q0.16), d on
// a 1/256 grid, 0 below -8; 1/sum replaced by 2^-round(log2 sum) (a shift).
std::vector<uint16_t> geng_plf(std::span<const int16_t> x, unsigned frac_bits) {
  static const auto seg = [] {
    std::array<std::pair<int64_t, int64_t>, 16> t{};  // (value at the segment's right end, drop over it)
    for (int k = 0; k < 16; ++k) {
      const double hi = std::exp(-k / 2.0), lo = std::exp(-(k + 1) / 2.0);
      t[k] = {std::llround(hi * 65536.0), std::llround((hi - lo) * 65536.0)};
    }
    return t;
  }();
  const int32_t m = max_of(x);
  std::vector<uint32_t> e(x.size());
  uint64_t sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t a = -diff_on_grid(x[i] - m, frac_bits, 8);  // Q.8, >= 0
    if (a >= 8 * 256) {
      e[i] = 0;
    } else {
      const auto [hi, drop] = seg[a >> 7];
      e[i] = static_cast<uint32_t>(hi - ((drop * (a & 127) + 64) >> 7));
    }
    sum += e[i];
  }
  // round(log2 sum) - 16: compare the mantissa with sqrt(2).
  const int s = msb64(sum);
  const bool up = static_cast<double>(sum) >= std::ldexp(std::sqrt(2.0), s);
  const int sh = s + (up ? 1 : 0) - 16;  // p = e * 2^-sh / 2^16 ... in Q0.16: e >> sh
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = sat16(sh >= 0 ? static_cast<int64_t>(e[i] >> sh) : static_cast<int64_t>(e[i]) << -sh);
  return out;
}

// ---- I-BERT (Kim et al., ICML 2021): integer-only polynomial exp ----------------
// Follows I-BERT's IntSoftmax: x' = x - max clamped at -30 ln2; q = floor(x'/-ln2);
// r = x' + q ln2; exp(r) ~ a (r + b)^2 + c with (a, b, c) = (0.3585, 1.353, 0.344)
// in integers at the input scale; shift right by q; requantise the exp to 16 bits
// (I-BERT's QuantAct) by the largest possible term; factor = floor(2^32 / sum);
// p = floor(exp * factor / 2^(32 - 16)). Exact integer arithmetic (the reference
// implementation runs these integers in floating point); output bits 16.
std::vector<uint16_t> ibert_softmax(std::span<const int16_t> x, unsigned frac_bits) {
  const double s = std::ldexp(1.0, -static_cast<int>(frac_bits));
  constexpr double kA = 0.35815147, kB = 0.96963238 / 0.35815147, kC = 1.0 / 0.35815147;
  constexpr int kN = 30;
  const int64_t x0 = static_cast<int64_t>(std::floor(-0.6931 / s));  // < 0
  const int64_t b_int = static_cast<int64_t>(std::floor(kB / s));
  const int64_t c_int = static_cast<int64_t>(std::floor(kC / (s * s)));
  (void)kA;
  const int32_t m = max_of(x);
  auto int_exp = [&](int64_t xi) -> __int128 {
    xi = std::max<int64_t>(xi, kN * x0);
    const int64_t q = xi / x0;  // both <= 0: floor == trunc for xi <= 0, x0 < 0
    const int64_t r = xi - x0 * q;
    const __int128 z = static_cast<__int128>(r) * (r + b_int) + c_int;
    const __int128 v = (z << kN) >> q;  // floor(z * 2^(n - q))
    return v < 0 ? 0 : v;
  };
  const __int128 top = int_exp(0);  // the largest exp term (x' = 0)
  std::vector<int64_t> e16(x.size());
  int64_t sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const __int128 v = int_exp(static_cast<int64_t>(x[i]) - m);
    e16[i] = static_cast<int64_t>((v * 32767 + top / 2) / top);  // QuantAct to 16 bits
    sum += e16[i];
  }
  const int64_t factor = static_cast<int64_t>((uint64_t{1} << 32) / static_cast<uint64_t>(sum));
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = sat16((e16[i] * factor) >> (32 - 16));
  return out;
}

// ---- TFLite int8 reference softmax (gemmlowp fixed point) ------------------------
namespace fxp {

int32_t srdhm(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// Rounding (half away from zero) division by 2^exponent. Evaluated in 64 bits
// so that exponents of 32 and more (which the TFLite kernel reaches for sums
// above 2^8 when writing 8-bit outputs, and where the 32-bit C++ shift is
// undefined) give the mathematically intended 0 instead of garbage.
int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((static_cast<int64_t>(x) >> exponent) + (remainder > threshold ? 1 : 0));
}

int32_t saturating_shift_left(int32_t x, int exponent) {
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

namespace {
// exp(x) for x in [-1/4, 0), Q0.31: Taylor around -1/8 to 4th order.
int32_t exp_quarter_interval(int32_t a) {
  constexpr int32_t kExpMinusEighth = 1895147668;
  constexpr int32_t kOneThird = 715827883;
  const int32_t x = a + (1 << 28);  // + 1/8
  const int32_t x2 = srdhm(x, x);
  const int32_t x3 = srdhm(x2, x);
  const int32_t x4 = srdhm(x2, x2);
  const int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  const int32_t poly = rounding_divide_by_pot(srdhm(x4_over_4 + x3, kOneThird) + x2, 1);
  return kExpMinusEighth + srdhm(kExpMinusEighth, x + poly);
}
}  // namespace

int32_t exp_on_negative_values_q5_26(int32_t a) {
  constexpr int kFrac = 26;
  constexpr int32_t kQuarter = 1 << (kFrac - 2);
  const int32_t a_mod_quarter_minus_quarter = (a & (kQuarter - 1)) - kQuarter;
  int32_t result = exp_quarter_interval(saturating_shift_left(a_mod_quarter_minus_quarter, 5));
  const int32_t remainder = a_mod_quarter_minus_quarter - a;
  // exp(-2^k) in Q0.31 for k = -2 .. 4
  constexpr int32_t kMul[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = -2; k <= 4; ++k)
    if (remainder & (1 << (kFrac + k))) result = srdhm(result, kMul[k + 2]);
  return a == 0 ? std::numeric_limits<int32_t>::max() : result;
}

int32_t one_over_one_plus_x_q0_31(int32_t a) {
  const int64_t sum = static_cast<int64_t>(a) + std::numeric_limits<int32_t>::max();
  const int32_t half_den = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  constexpr int32_t k48over17 = 1515870810, kNeg32over17 = -1010580540;  // Q2.29
  int32_t x = k48over17 + srdhm(half_den, kNeg32over17);
  for (int i = 0; i < 3; ++i) {
    const int32_t hdx = srdhm(half_den, x);
    const int32_t one_minus = (1 << 29) - hdx;
    x = x + saturating_shift_left(srdhm(x, one_minus), 2);
  }
  return saturating_shift_left(x, 1);
}

}  // namespace fxp

std::vector<int8_t> tflite_int8_softmax(std::span<const int16_t> x, unsigned frac_bits) {
  using namespace fxp;
  // PreprocessSoftmaxScaling(beta = 1, input_scale = 2^-F, 5 integer bits).
  const double real = std::min(std::ldexp(1.0, 26 - static_cast<int>(frac_bits)), 2147483647.0);
  int shift = 0;
  const double q = std::frexp(real, &shift);
  int64_t mult = std::llround(q * 2147483648.0);
  if (mult == (int64_t{1} << 31)) {
    mult /= 2;
    ++shift;
  }
  const int32_t multiplier = static_cast<int32_t>(mult);
  const int left_shift = shift;
  const int32_t diff_min = -static_cast<int32_t>(std::floor(31.0 * std::ldexp(1.0, 26) / std::ldexp(1.0, left_shift)));
  const int32_t m = max_of(x);
  auto rescaled = [&](int32_t d) { return srdhm(static_cast<int32_t>(static_cast<uint32_t>(d) << left_shift), multiplier); };
  uint32_t sum = 0;  // Q12.19; int32 arithmetic that wraps past 4096 (as the kernel's does)
  for (int16_t v : x) {
    const int32_t d = v - m;
    if (d >= diff_min) sum += static_cast<uint32_t>(rounding_divide_by_pot(exp_on_negative_values_q5_26(rescaled(d)), 12));
  }
  const int32_t sum_raw = static_cast<int32_t>(sum);
  const int headroom_plus_one = std::countl_zero(static_cast<uint32_t>(sum_raw));
  const int num_bits_over_unit = 12 - headroom_plus_one;
  const int32_t shifted_sum_minus_one =
      static_cast<int32_t>((static_cast<uint32_t>(sum_raw) << headroom_plus_one) - (uint32_t{1} << 31));
  const int32_t shifted_scale = one_over_one_plus_x_q0_31(shifted_sum_minus_one);
  std::vector<int8_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int32_t d = x[i] - m;
    if (d >= diff_min) {
      const int32_t e = exp_on_negative_values_q5_26(rescaled(d));
      const int32_t u = rounding_divide_by_pot(srdhm(shifted_scale, e), num_bits_over_unit + 31 - 8) - 128;
      out[i] = static_cast<int8_t>(std::clamp(u, -128, 127));
    } else {
      out[i] = -128;
    }
  }
  return out;
}

// ---- the table -----------------------------------------------------------------
namespace {
std::vector<double> from_q16(std::vector<uint16_t> v) {
  std::vector<double> p(v.size());
  for (size_t i = 0; i < v.size(); ++i) p[i] = v[i] / 65536.0;
  return p;
}
}  // namespace

const std::vector<Variant>& variants() {
  static const std::vector<Variant> v = {
      {"yuan", "Yuan (SOCC 2016) / Du (GLSVLSI 2019)", "LUT, 1/16 step", "log domain (LUT ln)", "Q0.16",
       [](std::span<const int16_t> x, unsigned f) { return from_q16(yuan_lut_log(x, f)); }},
      {"base2", "Cardarilli (Sci. Rep. 2021) / Spagnolo (TCAS-II 2021)", "base 2, linear 2^f", "Mitchell log, shift",
       "Q0.16", [](std::span<const int16_t> x, unsigned f) { return from_q16(base2_shift(x, f)); }},
      {"glut", "Sun (ICSICT 2018) / Du (GLSVLSI 2019)", "split LUT 3 x 16", "shift + reciprocal LUT", "Q0.16",
       [](std::span<const int16_t> x, unsigned f) { return from_q16(glut_split(x, f)); }},
      {"geng", "Geng (ACCV 2018) LUT-PLF", "16 linear pieces", "shift by round(log2 sum)", "Q0.16",
       [](std::span<const int16_t> x, unsigned f) { return from_q16(geng_plf(x, f)); }},
      {"ibert", "I-BERT (ICML 2021)", "integer 2nd-order poly", "integer divide 2^32/sum", "Q0.16",
       [](std::span<const int16_t> x, unsigned f) { return from_q16(ibert_softmax(x, f)); }},
      {"tflite", "TFLite int8 reference (gemmlowp)", "fixed point Q5.26 -> Q0.31", "Newton reciprocal, Q12.19 sum",
       "int8 (1/256)",
       [](std::span<const int16_t> x, unsigned f) {
         const auto q = tflite_int8_softmax(x, f);
         std::vector<double> p(q.size());
         for (size_t i = 0; i < q.size(); ++i) p[i] = (q[i] + 128) / 256.0;
         return p;
       }},
      {"squish", "squish (this unit)", "base 2, 64-seg quadratic", "log2 (128-seg quadratic), exp2 again", "Q0.16",
       [](std::span<const int16_t> x, unsigned f) { return from_q16(softmax_q16(x, f)); }},
  };
  return v;
}

}  // namespace squish::softmax
