#include "squish/softmax/eval.hpp"

#include <algorithm>
#include <map>

#include "squish/error.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/variants.hpp"

namespace squish::softmax {

const std::vector<Suite>& standard_suites() {
  static const std::vector<Suite> s = [] {
    std::vector<Suite> v;
    for (double a : {1.0, 4.0, 16.0})
      v.push_back({"uniform+-" + std::to_string(static_cast<int>(a)), [a](std::mt19937_64& g, size_t n) {
                     std::uniform_real_distribution<double> d(-a, a);
                     std::vector<double> z(n);
                     for (auto& x : z) x = d(g);
                     return z;
                   }});
    for (double sd : {1.0, 4.0, 16.0})
      v.push_back({"gauss-s" + std::to_string(static_cast<int>(sd)), [sd](std::mt19937_64& g, size_t n) {
                     std::normal_distribution<double> d(0, sd);
                     std::vector<double> z(n);
                     for (auto& x : z) x = d(g);
                     return z;
                   }});
    v.push_back({"one-hot-like", [](std::mt19937_64& g, size_t n) {
                   std::normal_distribution<double> d(0, 0.5);
                   std::vector<double> z(n);
                   for (auto& x : z) x = d(g);
                   z[g() % n] = 12.0;
                   return z;
                 }});
    v.push_back({"all-equal", [](std::mt19937_64& g, size_t n) {
                   return std::vector<double>(n, std::uniform_real_distribution<double>(-3, 3)(g));
                 }});
    return v;
  }();
  return s;
}

std::vector<size_t> standard_lengths() { return {10, 1000, 32768, 131072}; }

std::vector<EvalCell> evaluate(const EvalOptions& opt) {
  std::vector<const Variant*> vs;
  for (const auto& v : variants())
    if (opt.variants.empty() || std::find(opt.variants.begin(), opt.variants.end(), v.id) != opt.variants.end())
      vs.push_back(&v);
  if (vs.empty()) throw UsageError("softmax-eval: no variant matches the --variants list");
  std::vector<const Suite*> ss;
  for (const auto& s : standard_suites())
    if (opt.suites.empty() || std::find(opt.suites.begin(), opt.suites.end(), s.name) != opt.suites.end())
      ss.push_back(&s);
  if (ss.empty()) throw UsageError("softmax-eval: no suite matches the --suites list");
  std::vector<EvalCell> cells;
  for (const Suite* s : ss) {
    for (size_t n : opt.lengths) {
      if (n == 0 || n > 131072) throw UsageError("softmax-eval: length " + std::to_string(n) + " not in 1..131072");
      const size_t rows = std::clamp<size_t>(opt.elements_per_cell / n, 1, 64);
      std::vector<EvalCell> row_cells(vs.size());
      std::mt19937_64 g(opt.seed ^ (std::hash<std::string>{}(s->name) + n * 0x9E3779B97F4A7C15ull));
      for (size_t r = 0; r < rows; ++r) {
        const auto z = s->gen(g, n);
        const unsigned f = frac_bits_for(z);
        const auto x = quantize_logits(z, f);
        const auto ref = reference_fixed(x, f);
        for (size_t k = 0; k < vs.size(); ++k) {
          const auto p = vs[k]->run(x, f);
          const auto e = row_error(p, ref);
          auto& c = row_cells[k];
          c.mse += e.sq_sum;
          c.max_abs = std::max(c.max_abs, e.max_abs);
          c.max_sum_err = std::max(c.max_sum_err, e.sum_err);
        }
      }
      for (size_t k = 0; k < vs.size(); ++k) {
        auto& c = row_cells[k];
        c.variant = vs[k]->id;
        c.suite = s->name;
        c.length = n;
        c.rows = rows;
        c.mse /= static_cast<double>(rows * n);
        cells.push_back(c);
      }
    }
  }
  return cells;
}

std::vector<EvalSummary> summarize(std::span<const EvalCell> cells) {
  std::vector<EvalSummary> out;
  std::map<std::string, size_t> idx, count;
  for (const auto& c : cells) {
    if (!idx.count(c.variant)) {
      idx[c.variant] = out.size();
      out.push_back({c.variant});
    }
    auto& s = out[idx[c.variant]];
    s.worst_mse = std::max(s.worst_mse, c.mse);
    s.mean_mse += c.mse;
    ++count[c.variant];
    s.worst_max_abs = std::max(s.worst_max_abs, c.max_abs);
    s.worst_sum_err = std::max(s.worst_sum_err, c.max_sum_err);
  }
  for (auto& s : out) s.mean_mse /= static_cast<double>(count[s.variant]);
  return out;
}

}  // namespace squish::softmax
