// Integer requantization exactly as integer inference engines do it
// (gemmlowp fixed-point primitives, TFLite multiplier convention):
//
//   y = clamp(RoundingDivideByPOT(SRDHM(sat(acc + bias) << L, M), R) + zero_point,
//             lo, qmax)
//
// with the real multiplier m = M * 2^(shift - 31), M in [2^30, 2^31) (or 0),
// L = max(shift, 0) (a saturating left shift), R = max(-shift, 0), and
// lo = max(qmin, zero_point) when relu is set, else qmin. The RTL requantizer
// (rtl/mac/) must match this bit for bit; tests check it against gemmlowp.
#pragma once

#include <cstdint>

namespace squish::requant {

/// Range of the TFLite shift exponent accepted here.
inline constexpr int kMinShift = -31;
inline constexpr int kMaxShift = 30;

/// gemmlowp SaturatingRoundingDoublingHighMul: floor(a*b / 2^31 + 1/2), i.e.
/// round to nearest with ties toward +infinity (gemmlowp's nudge of 2^30 for
/// positive and 1 - 2^30 for negative products), saturating the single
/// overflow case INT32_MIN * INT32_MIN to INT32_MAX.
int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b);

/// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away
/// from zero; exponent 0..31 (UsageError otherwise).
int32_t rounding_divide_by_pot(int32_t x, int exponent);

/// x * 2^exponent saturated to int32 (gemmlowp SaturatingRoundingMultiplyByPOT
/// for exponent >= 0); exponent 0..31.
int32_t saturating_left_shift(int32_t x, int exponent);

/// Fixed-point multiplier and TFLite-style shift: real = multiplier * 2^(shift-31).
struct QuantizedMultiplier {
  int32_t multiplier = 0;  ///< 0 or in [2^30, 2^31)
  int shift = 0;           ///< kMinShift..kMaxShift; > 0 shifts left
  bool operator==(const QuantizedMultiplier&) const = default;
};

/// TFLite QuantizeMultiplier: frexp, round half away from zero to 31 bits,
/// renormalize 2^31, flush multipliers below 2^-32 to 0. `real` must be finite,
/// >= 0 and < 2^30 (UsageError otherwise).
QuantizedMultiplier quantize_multiplier(double real);

/// MultiplyByQuantizedMultiplier: RoundingDivideByPOT(SRDHM(x << L, M), R).
int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);

/// Full requantization of one accumulator (see the file comment).
/// acc + bias saturates to int32; qmin <= qmax required (UsageError).
int32_t requantize(int32_t acc, int32_t bias, int32_t multiplier, int shift, int32_t zero_point, int32_t qmin,
                   int32_t qmax, bool relu);

}  // namespace squish::requant
