#include "squish/requant/requant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "squish/error.hpp"

namespace squish::requant {

namespace {
constexpr int64_t kI32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kI32Max = std::numeric_limits<int32_t>::max();
int32_t sat32(int64_t v) { return static_cast<int32_t>(std::clamp(v, kI32Min, kI32Max)); }
}  // namespace

int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = int64_t{a} * int64_t{b};
  // Nudge by 2^30 (positive) or 1 - 2^30 (negative), then truncate toward zero:
  // floor(ab / 2^31 + 1/2), ties toward +infinity.
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent < 0 || exponent > 31) throw UsageError("rounding_divide_by_pot: exponent " + std::to_string(exponent) + " out of 0..31");
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t saturating_left_shift(int32_t x, int exponent) {
  if (exponent < 0 || exponent > 31) throw UsageError("saturating_left_shift: exponent " + std::to_string(exponent) + " out of 0..31");
  return sat32(int64_t{x} * (int64_t{1} << exponent));
}

QuantizedMultiplier quantize_multiplier(double real) {
  if (!std::isfinite(real) || real < 0.0 || real >= 1073741824.0)
    throw UsageError("quantize_multiplier: real multiplier " + std::to_string(real) + " must be finite and in [0, 2^30)");
  if (real == 0.0) return {0, 0};
  int shift = 0;
  const double q = std::frexp(real, &shift);  // real = q * 2^shift, q in [0.5, 1)
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < kMinShift) {  // below 2^-32: TFLite flushes to zero
    shift = 0;
    q_fixed = 0;
  }
  return {static_cast<int32_t>(q_fixed), shift};
}

int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  if (shift < kMinShift || shift > kMaxShift)
    throw UsageError("multiply_by_quantized_multiplier: shift " + std::to_string(shift) + " out of -31..30");
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(saturating_left_shift(x, left), multiplier), right);
}

int32_t requantize(int32_t acc, int32_t bias, int32_t multiplier, int shift, int32_t zero_point, int32_t qmin,
                   int32_t qmax, bool relu) {
  if (qmin > qmax) throw UsageError("requantize: qmin " + std::to_string(qmin) + " > qmax " + std::to_string(qmax));
  const int32_t sum = sat32(int64_t{acc} + bias);
  const int64_t y = int64_t{multiply_by_quantized_multiplier(sum, multiplier, shift)} + zero_point;
  const int64_t lo = relu ? std::max<int64_t>(qmin, zero_point) : qmin;
  return static_cast<int32_t>(std::clamp<int64_t>(y, std::min<int64_t>(lo, qmax), qmax));
}

}  // namespace squish::requant
