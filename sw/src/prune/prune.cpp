#include "squish/prune/prune.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "squish/error.hpp"

namespace squish::prune {

std::string_view to_string(Method m) {
  switch (m) {
    case Method::None: return "none";
    case Method::Unstructured: return "unstructured";
    case Method::Global: return "global";
    case Method::Nm: return "nm";
    case Method::Channels: return "channels";
    case Method::Blocks: return "blocks";
  }
  return "unknown";
}

void check(const PruneSpec& s) {
  if (!(s.sparsity >= 0 && s.sparsity <= 1)) throw UsageError("pruning sparsity " + std::to_string(s.sparsity) + " outside [0, 1]");
  if (s.method == Method::Nm && !(s.n >= 1 && s.n <= s.m && s.m <= 16))
    throw UsageError("N:M pruning needs 1 <= N <= M <= 16, got " + std::to_string(s.n) + ":" + std::to_string(s.m));
  if (s.method == Method::Blocks && (s.block_rows < 1 || s.block_cols < 1 || s.block_rows > 4096 || s.block_cols > 4096))
    throw UsageError("block pruning needs block sizes 1..4096");
}

namespace {
float mag(float x) { return std::isnan(x) ? INFINITY : std::fabs(x); }
}  // namespace

size_t count_nonzero(std::span<const float> w) {
  return static_cast<size_t>(std::count_if(w.begin(), w.end(), [](float x) { return x != 0.0f; }));
}

size_t prune(std::span<float> w, std::span<const size_t> shape, const PruneSpec& s) {
  check(s);
  const size_t n = w.size();
  if (n == 0 || s.method == Method::None) return count_nonzero(w);
  const size_t cols = shape.empty() ? 1 : std::max<size_t>(shape.back(), 1);
  const size_t rows = n / cols;
  switch (s.method) {
    case Method::Unstructured:
    case Method::Global: {
      const size_t k = static_cast<size_t>(std::floor(s.sparsity * static_cast<double>(n)));
      if (k == 0) break;
      std::vector<uint32_t> idx(n);
      std::iota(idx.begin(), idx.end(), 0u);
      auto less = [&](uint32_t a, uint32_t b) {
        const float ma = mag(w[a]), mb = mag(w[b]);
        return ma < mb || (ma == mb && a < b);
      };
      if (k < n) std::nth_element(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(), less);
      for (size_t j = 0; j < k; ++j) w[idx[j]] = 0.0f;
      break;
    }
    case Method::Nm: {
      std::vector<uint32_t> g;
      for (size_t r = 0; r < rows; ++r)
        for (size_t c0 = 0; c0 < cols; c0 += s.m) {
          const size_t c1 = std::min<size_t>(c0 + s.m, cols);
          g.clear();
          for (size_t c = c0; c < c1; ++c) g.push_back(static_cast<uint32_t>(r * cols + c));
          if (g.size() <= s.n) continue;
          std::sort(g.begin(), g.end(), [&](uint32_t a, uint32_t b) {
            const float ma = mag(w[a]), mb = mag(w[b]);
            return ma > mb || (ma == mb && a > b);  // keep larger; on ties keep the higher index
          });
          for (size_t j = s.n; j < g.size(); ++j) w[g[j]] = 0.0f;
        }
      break;
    }
    case Method::Channels: {
      if (s.channel_axis < 0 || static_cast<size_t>(s.channel_axis) >= shape.size())
        throw UsageError("channel pruning: channel axis " + std::to_string(s.channel_axis) + " out of range for rank " + std::to_string(shape.size()));
      const size_t ax = static_cast<size_t>(s.channel_axis);
      size_t inner = 1;
      for (size_t k = ax + 1; k < shape.size(); ++k) inner *= shape[k];
      const size_t nc = shape[ax];
      std::vector<double> norm(nc, 0.0);
      for (size_t i = 0; i < n; ++i) {
        const double a = mag(w[i]);
        norm[(i / inner) % nc] += s.norm == Norm::L1 ? a : a * a;
      }
      const size_t k = static_cast<size_t>(std::floor(s.sparsity * static_cast<double>(nc)));
      std::vector<uint32_t> idx(nc);
      std::iota(idx.begin(), idx.end(), 0u);
      std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return norm[a] < norm[b]; });
      std::vector<uint8_t> drop(nc, 0);
      for (size_t j = 0; j < k; ++j) drop[idx[j]] = 1;
      for (size_t i = 0; i < n; ++i)
        if (drop[(i / inner) % nc]) w[i] = 0.0f;
      break;
    }
    case Method::Blocks: {
      const size_t br = s.block_rows, bc = s.block_cols;
      const size_t nbr = (rows + br - 1) / br, nbc = (cols + bc - 1) / bc, nb = nbr * nbc;
      std::vector<double> score(nb, 0.0);
      for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < cols; ++c) {
          const double a = mag(w[r * cols + c]);
          score[(r / br) * nbc + c / bc] += a * a;
        }
      for (size_t b = 0; b < nb; ++b) {
        const size_t h = std::min(br, rows - (b / nbc) * br), wd = std::min(bc, cols - (b % nbc) * bc);
        score[b] /= static_cast<double>(h * wd);
      }
      const size_t k = static_cast<size_t>(std::floor(s.sparsity * static_cast<double>(nb)));
      std::vector<uint32_t> idx(nb);
      std::iota(idx.begin(), idx.end(), 0u);
      std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return score[a] < score[b]; });
      std::vector<uint8_t> drop(nb, 0);
      for (size_t j = 0; j < k; ++j) drop[idx[j]] = 1;
      for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < cols; ++c)
          if (drop[(r / br) * nbc + c / bc]) w[r * cols + c] = 0.0f;
      break;
    }
    case Method::None: break;
  }
  return count_nonzero(w);
}

void prune_global(std::span<const std::span<float>> tensors, double sparsity) {
  PruneSpec s;
  s.sparsity = sparsity;
  check(s);
  struct Ref {
    float m;
    uint32_t t;
    uint32_t i;
  };
  std::vector<Ref> all;
  for (size_t t = 0; t < tensors.size(); ++t)
    for (size_t i = 0; i < tensors[t].size(); ++i) all.push_back({mag(tensors[t][i]), static_cast<uint32_t>(t), static_cast<uint32_t>(i)});
  const size_t k = static_cast<size_t>(std::floor(sparsity * static_cast<double>(all.size())));
  if (k == 0) return;
  auto less = [](const Ref& a, const Ref& b) {
    return a.m < b.m || (a.m == b.m && (a.t < b.t || (a.t == b.t && a.i < b.i)));
  };
  if (k < all.size()) std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(), less);
  for (size_t j = 0; j < k; ++j) tensors[all[j].t][all[j].i] = 0.0f;
}

}  // namespace squish::prune
