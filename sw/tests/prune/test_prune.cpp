// Pruning: exact counts, the magnitude property (nothing kept is smaller than
// anything pruned), N:M groups checked with the sparse library's fits_nm, whole
// channels and blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "squish/error.hpp"
#include "squish/prune/prune.hpp"
#include "squish/sparse/sparse.hpp"

using namespace squish;

namespace {
std::vector<float> randn(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}
}  // namespace

TEST(Prune, UnstructuredCountAndMagnitude) {
  for (double s : {0.0, 0.3, 0.5, 0.8, 0.95, 1.0}) {
    auto w = randn(1000, 1);
    const auto orig = w;
    prune::PruneSpec ps;
    ps.method = prune::Method::Unstructured;
    ps.sparsity = s;
    const std::vector<size_t> shape = {10, 100};
    const size_t kept = prune::prune(w, shape, ps);
    EXPECT_EQ(kept, 1000 - static_cast<size_t>(std::floor(s * 1000))) << s;
    float max_pruned = 0, min_kept = INFINITY;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0) max_pruned = std::max(max_pruned, std::fabs(orig[i]));
      else {
        EXPECT_EQ(w[i], orig[i]);
        min_kept = std::min(min_kept, std::fabs(orig[i]));
      }
    }
    if (kept && kept < 1000) EXPECT_LE(max_pruned, min_kept);
  }
}

TEST(Prune, TiesAreDeterministic) {
  std::vector<float> w(8, 1.0f);
  prune::PruneSpec ps;
  ps.method = prune::Method::Unstructured;
  ps.sparsity = 0.5;
  const std::vector<size_t> shape = {8};
  prune::prune(w, shape, ps);
  EXPECT_EQ(w, (std::vector<float>{0, 0, 0, 0, 1, 1, 1, 1}));  // lower index pruned first
}

TEST(Prune, NmGroupsAlongLastAxis) {
  for (auto [n, m] : {std::pair{2u, 4u}, {1u, 4u}, {3u, 8u}, {5u, 16u}, {4u, 4u}}) {
    auto w = randn(6 * 37, n * 10 + m);  // 37 columns: a short last group
    const auto orig = w;
    prune::PruneSpec ps;
    ps.method = prune::Method::Nm;
    ps.n = n;
    ps.m = m;
    const std::vector<size_t> shape = {6, 37};
    prune::prune(w, shape, ps);
    std::vector<int32_t> codes(w.size());
    for (size_t i = 0; i < w.size(); ++i) codes[i] = w[i] != 0;
    const std::vector<uint32_t> sh = {6, 37};
    EXPECT_TRUE(sparse::fits_nm(codes, sh, n, m)) << n << ":" << m;
    // Within each group, every kept weight is at least as large as every pruned one,
    // and a full group keeps exactly N.
    for (size_t r = 0; r < 6; ++r)
      for (size_t c0 = 0; c0 < 37; c0 += m) {
        float minkept = INFINITY, maxpruned = 0;
        size_t kept = 0, len = std::min<size_t>(m, 37 - c0);
        for (size_t c = c0; c < c0 + len; ++c) {
          const size_t i = r * 37 + c;
          if (w[i] != 0) {
            ++kept;
            minkept = std::min(minkept, std::fabs(orig[i]));
          } else {
            maxpruned = std::max(maxpruned, std::fabs(orig[i]));
          }
        }
        EXPECT_EQ(kept, std::min<size_t>(n, len));
        if (kept < len) EXPECT_LE(maxpruned, minkept);
      }
  }
}

TEST(Prune, ChannelsByNorm) {
  // [3, 3, 4, 8] HWIO, channels on the last axis; channel c scaled by (c + 1).
  std::vector<size_t> shape = {3, 3, 4, 8};
  auto w = randn(3 * 3 * 4 * 8, 9);
  for (size_t i = 0; i < w.size(); ++i) w[i] = (std::fabs(w[i]) + 0.1f) * static_cast<float>(i % 8 + 1);
  prune::PruneSpec ps;
  ps.method = prune::Method::Channels;
  ps.sparsity = 0.3;  // floor(2.4) = 2 channels
  ps.channel_axis = 3;
  for (auto norm : {prune::Norm::L1, prune::Norm::L2}) {
    auto v = w;
    ps.norm = norm;
    prune::prune(v, shape, ps);
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i] == 0, i % 8 < 2) << i;
  }
}

TEST(Prune, BlocksAndGlobal) {
  std::vector<size_t> shape = {8, 8};
  std::vector<float> w(64);
  for (size_t i = 0; i < 64; ++i) w[i] = static_cast<float>((i / 8) / 4 * 2 + (i % 8) / 4 + 1);  // 4 blocks valued 1..4
  prune::PruneSpec ps;
  ps.method = prune::Method::Blocks;
  ps.sparsity = 0.5;
  EXPECT_EQ(prune::prune(w, shape, ps), 32u);
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(w[i] == 0, (i / 8) < 4) << i;  // blocks valued 1, 2 gone

  std::vector<float> a = {1, 5, 3}, b = {2, 4, 6, 0.5f};
  std::vector<std::span<float>> spans = {a, b};
  prune::prune_global(spans, 3.0 / 7);
  EXPECT_EQ(a, (std::vector<float>{0, 5, 3}));
  EXPECT_EQ(b, (std::vector<float>{0, 4, 6, 0}));
}

TEST(Prune, RejectsBadSpecs) {
  prune::PruneSpec ps;
  ps.method = prune::Method::Nm;
  ps.n = 5;
  ps.m = 4;
  EXPECT_THROW(prune::check(ps), UsageError);
  ps.n = 2;
  ps.m = 17;
  EXPECT_THROW(prune::check(ps), UsageError);
  ps.method = prune::Method::Unstructured;
  ps.sparsity = 1.5;
  EXPECT_THROW(prune::check(ps), UsageError);
}
