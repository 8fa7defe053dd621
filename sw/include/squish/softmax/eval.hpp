// squish::softmax — the evaluation behind `squish softmax-eval` and the bench:
// every variant on standard logit suites, scored against float64.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace squish::softmax {

struct Suite {
  std::string name;
  /// n float logits (natural units) from the generator.
  std::function<std::vector<double>(std::mt19937_64&, size_t n)> gen;
};
/// uniform +-1/4/16, Gaussian sigma 1/4/16, one-hot-like, all-equal.
const std::vector<Suite>& standard_suites();
/// The lengths of the full table: 10, 1 000, 32 768, 131 072.
std::vector<size_t> standard_lengths();

struct EvalCell {
  std::string variant, suite;
  size_t length = 0, rows = 0;
  double mse = 0;          ///< mean over all elements of all rows
  double max_abs = 0;      ///< largest |p - ref|
  double max_sum_err = 0;  ///< largest |sum p - 1| over rows
};

struct EvalOptions {
  std::vector<size_t> lengths = standard_lengths();
  std::vector<std::string> variants;  ///< ids; empty = all
  std::vector<std::string> suites;    ///< names; empty = all
  uint64_t seed = 1;
  size_t elements_per_cell = 16384;   ///< rows = max(1, this / length), at most 64
};

/// Runs the grid; each row is quantised to int16 with the largest F that fits
/// (frac_bits_for), and the reference is softmax of the quantised logits, so
/// the figures measure each design's arithmetic, not input rounding.
std::vector<EvalCell> evaluate(const EvalOptions& opt);

/// Per variant over all cells: worst MSE, worst max error, worst sum error.
struct EvalSummary {
  std::string variant;
  double worst_mse = 0, mean_mse = 0, worst_max_abs = 0, worst_sum_err = 0;
};
std::vector<EvalSummary> summarize(std::span<const EvalCell> cells);

}  // namespace squish::softmax
