// Mixed precision: choose a bit width per tensor (layer) so that the total
// squared quantization error is minimal under an average bit budget
// (rate-distortion allocation, a multiple-choice knapsack).
//
// Method: the Lagrangian relaxation min sum_i D_i(b_i) + lambda * n_i * b_i is
// solved per tensor for a bisected lambda (the convex-hull points of each
// tensor's D(b) curve); the remaining budget is then spent greedily on the
// upgrade with the largest error reduction per added bit that still fits.
// Deterministic; the budget is never exceeded (unless even min_bits everywhere
// exceeds it, which is reported).
#pragma once

#include <cstddef>
#include <vector>

namespace squish::quant {

struct RdTensor {
  size_t weights = 0;              ///< n_i, the weights coded at b_i bits
  std::vector<double> error;       ///< D_i(b) for b = min_bits + k (sum of squared errors)
};

struct Allocation {
  std::vector<unsigned> bits;      ///< chosen bits per tensor
  double avg_bits = 0;             ///< sum n_i b_i / sum n_i
  double total_error = 0;          ///< sum D_i(b_i)
  bool budget_met = false;
};

/// Allocates bits in [min_bits, min_bits + error.size() - 1] per tensor with
/// sum n_i b_i <= budget * sum n_i.
Allocation allocate_bits(const std::vector<RdTensor>& t, unsigned min_bits, double budget);

}  // namespace squish::quant
