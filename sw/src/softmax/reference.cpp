#include "squish/softmax/reference.hpp"

#include <algorithm>
#include <cmath>

namespace squish::softmax {

std::vector<double> reference(std::span<const double> z) {
  std::vector<double> p(z.size());
  if (z.empty()) return p;
  const double m = *std::max_element(z.begin(), z.end());
  // Kahan-free is fine: every term is in (0, 1] and n <= 2^17, so the relative
  // rounding error of the sum stays below 2^17 * 2^-53.
  double s = 0;
  for (size_t i = 0; i < z.size(); ++i) s += (p[i] = std::exp(z[i] - m));
  for (auto& v : p) v /= s;
  return p;
}

std::vector<double> reference_fixed(std::span<const int16_t> x, unsigned frac_bits) {
  std::vector<double> z(x.size());
  for (size_t i = 0; i < x.size(); ++i) z[i] = std::ldexp(static_cast<double>(x[i]), -static_cast<int>(frac_bits));
  return reference(z);
}

RowError row_error(std::span<const double> p, std::span<const double> ref) {
  RowError e;
  double sum = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double d = p[i] - ref[i];
    e.sq_sum += d * d;
    e.max_abs = std::max(e.max_abs, std::abs(d));
    sum += p[i];
  }
  e.sum_err = std::abs(sum - 1.0);
  e.n = p.size();
  return e;
}

unsigned frac_bits_for(std::span<const double> v) {
  double a = 0;
  for (double x : v) a = std::max(a, std::abs(x));
  for (int f = 15; f > 0; --f)
    if (std::nearbyint(a * std::ldexp(1.0, f)) <= 32767.0) return static_cast<unsigned>(f);
  return 0;
}

std::vector<int16_t> quantize_logits(std::span<const double> v, unsigned frac_bits) {
  std::vector<int16_t> q(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const double r = std::nearbyint(std::ldexp(v[i], static_cast<int>(frac_bits)));
    q[i] = static_cast<int16_t>(std::clamp(r, -32768.0, 32767.0));
  }
  return q;
}

}  // namespace squish::softmax
