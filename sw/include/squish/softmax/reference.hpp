// squish::softmax — float64 reference softmax and the error metrics every
// variant is scored with.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace squish::softmax {

/// softmax(z) in float64 with the usual max subtraction (z = logits).
std::vector<double> reference(std::span<const double> z);
/// softmax of fixed-point logits x * 2^-F.
std::vector<double> reference_fixed(std::span<const int16_t> x, unsigned frac_bits);

/// Errors of one output row against the reference.
struct RowError {
  double sq_sum = 0;   ///< sum of squared errors (for MSE)
  double max_abs = 0;  ///< largest |p - ref|
  double sum_err = 0;  ///< |sum p - 1|
  size_t n = 0;
};
RowError row_error(std::span<const double> p, std::span<const double> ref);

/// Largest F in 0..15 for which every |v| * 2^F rounds into int16 (0 if none).
unsigned frac_bits_for(std::span<const double> v);
/// round(v * 2^F) saturated to int16.
std::vector<int16_t> quantize_logits(std::span<const double> v, unsigned frac_bits);

}  // namespace squish::softmax
