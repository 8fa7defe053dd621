// Figures reported by `squish info` and the benchmarks.
#pragma once

#include <cstdint>
#include <span>

namespace squish::stats {

/// Order-0 (memoryless) entropy of a symbol stream in bits per symbol.
double entropy0(std::span<const uint16_t> symbols);
/// Sum of squares, and of squared differences, in double.
double energy(std::span<const float> x);
double error_energy(std::span<const float> x, std::span<const float> y);
/// 10*log10(signal / error); +inf when error is 0 (exact reconstruction).
double sqnr_db(double signal_energy, double error_energy);

}  // namespace squish::stats
