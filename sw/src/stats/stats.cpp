#include "squish/stats/stats.hpp"

#include <cmath>
#include <vector>

#include "squish/error.hpp"

namespace squish::stats {

double entropy0(std::span<const uint16_t> symbols) {
  if (symbols.empty()) return 0;
  std::vector<uint64_t> h(65536, 0);
  for (uint16_t s : symbols) h[s]++;
  const double n = static_cast<double>(symbols.size());
  double e = 0;
  for (uint64_t c : h)
    if (c) {
      const double p = static_cast<double>(c) / n;
      e -= p * std::log2(p);
    }
  return e;
}

double energy(std::span<const float> x) {
  double s = 0;
  for (float v : x)
    if (std::isfinite(v)) s += static_cast<double>(v) * v;
  return s;
}

double error_energy(std::span<const float> x, std::span<const float> y) {
  if (x.size() != y.size()) throw UsageError("error_energy: sizes differ");
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double d = static_cast<double>(x[i]) - y[i];
    if (std::isfinite(d)) s += d * d;
  }
  return s;
}

double sqnr_db(double signal, double error) {
  if (error == 0) return INFINITY;  // exact (also for an all-zero tensor)
  return 10.0 * std::log10(signal / error);
}

}  // namespace squish::stats
