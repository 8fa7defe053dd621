#include "squish/quant/mixed.hpp"

#include <cmath>

#include "squish/error.hpp"

namespace squish::quant {

Allocation allocate_bits(const std::vector<RdTensor>& t, unsigned min_bits, double budget) {
  Allocation a;
  a.bits.assign(t.size(), min_bits);
  double total_w = 0;
  for (const auto& x : t) {
    if (x.error.empty()) throw UsageError("allocate_bits: a tensor with no candidate widths");
    total_w += static_cast<double>(x.weights);
  }
  const double cap = budget * total_w;
  auto used = [&](const std::vector<unsigned>& b) {
    double s = 0;
    for (size_t i = 0; i < t.size(); ++i) s += static_cast<double>(t[i].weights) * b[i];
    return s;
  };
  auto pick = [&](double lambda) {
    std::vector<unsigned> b(t.size());
    for (size_t i = 0; i < t.size(); ++i) {
      size_t best = 0;
      double bestv = INFINITY;
      for (size_t k = 0; k < t[i].error.size(); ++k) {
        const double v = t[i].error[k] + lambda * static_cast<double>(t[i].weights) * static_cast<double>(min_bits + k);
        if (v < bestv) {  // strict: ties keep fewer bits
          bestv = v;
          best = k;
        }
      }
      b[i] = min_bits + static_cast<unsigned>(best);
    }
    return b;
  };
  if (total_w > 0 && used(a.bits) <= cap) {
    // Bisect lambda on a log scale: larger lambda -> fewer bits.
    double lo = 0, hi = 1;
    while (used(pick(hi)) > cap && hi < 1e300) hi *= 16;
    if (used(pick(0)) <= cap) {
      a.bits = pick(0);
    } else {
      for (int it = 0; it < 200; ++it) {
        const double mid = lo == 0 ? hi / 1e12 : std::sqrt(lo * hi);
        if (used(pick(mid)) <= cap) hi = mid; else lo = mid;
        if (lo > 0 && hi / lo < 1 + 1e-12) break;
      }
      a.bits = pick(hi);
    }
    // Greedy fill of what is left: best error drop per bit among upgrades that fit.
    for (;;) {
      const double left = cap - used(a.bits);
      size_t best = t.size();
      double best_gain = 0;
      for (size_t i = 0; i < t.size(); ++i) {
        const size_t k = a.bits[i] - min_bits;
        if (k + 1 >= t[i].error.size() || static_cast<double>(t[i].weights) > left) continue;
        const double gain = (t[i].error[k] - t[i].error[k + 1]) / static_cast<double>(t[i].weights ? t[i].weights : 1);
        if (gain > best_gain) {
          best_gain = gain;
          best = i;
        }
      }
      if (best == t.size()) break;
      ++a.bits[best];
    }
  }
  // Local search: move one tensor, or two at once, to any widths that fit and
  // lower the total error (fixes the knapsack cases the relaxation misses).
  if (total_w > 0 && used(a.bits) <= cap) {
    const size_t nb = t.empty() ? 0 : t[0].error.size();
    for (int pass = 0; pass < 100; ++pass) {
      double base_used = used(a.bits), best_gain = 0;
      size_t bi = t.size(), bj = t.size();
      unsigned bbi = 0, bbj = 0;
      for (size_t i = 0; i < t.size(); ++i) {
        const size_t ki = a.bits[i] - min_bits;
        const double wi = static_cast<double>(t[i].weights);
        for (size_t ni = 0; ni < t[i].error.size(); ++ni) {
          if (ni == ki) continue;
          const double ui = base_used + wi * (static_cast<double>(ni) - static_cast<double>(ki));
          const double gi = t[i].error[ki] - t[i].error[ni];
          if (ui <= cap && gi > best_gain) {
            best_gain = gi;
            bi = i;
            bbi = static_cast<unsigned>(ni);
            bj = t.size();
          }
          for (size_t j = i + 1; j < t.size(); ++j) {
            const size_t kj = a.bits[j] - min_bits;
            const double wj = static_cast<double>(t[j].weights);
            for (size_t nj = 0; nj < t[j].error.size(); ++nj) {
              if (nj == kj) continue;
              const double u = ui + wj * (static_cast<double>(nj) - static_cast<double>(kj));
              const double g = gi + t[j].error[kj] - t[j].error[nj];
              if (u <= cap && g > best_gain * (1 + 1e-12) + 1e-300) {
                best_gain = g;
                bi = i;
                bbi = static_cast<unsigned>(ni);
                bj = j;
                bbj = static_cast<unsigned>(nj);
              }
            }
          }
        }
      }
      (void)nb;
      if (bi == t.size()) break;
      a.bits[bi] = min_bits + bbi;
      if (bj != t.size()) a.bits[bj] = min_bits + bbj;
    }
  }
  a.avg_bits = total_w > 0 ? used(a.bits) / total_w : 0;
  a.budget_met = total_w == 0 || used(a.bits) <= cap;
  for (size_t i = 0; i < t.size(); ++i) a.total_error += t[i].error[a.bits[i] - min_bits];
  return a;
}

}  // namespace squish::quant
