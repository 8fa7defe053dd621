// Tests of the golden-stack layer preparation (squish/datapath/layer.hpp):
// every sparse format's nonzero stream gives the same results as the dense
// codes; the stream carries exactly the format's stored entries; a prepared
// real-valued layer's requantized outputs track the float product.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "squish/datapath/layer.hpp"

using namespace squish;
using namespace squish::datapath;

namespace {
std::vector<float> randn(std::mt19937_64& g, size_t n, double sd = 1.0) {
  std::normal_distribution<double> d(0, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(d(g));
  return v;
}
}  // namespace

TEST(Layer, EveryFormatStreamMatchesDenseCodes) {
  std::mt19937_64 g(1);
  const size_t rows = 23, cols = 150;
  const auto w = randn(g, rows * cols), x = randn(g, 2 * cols);
  for (int bits : {8, 4, 2})
    for (auto f : sparse::all_formats()) {
      LayerSpec spec;
      spec.bits = bits;
      spec.format = f;
      spec.prune.method = f == sparse::Format::Nm ? prune::Method::Nm : prune::Method::Unstructured;
      spec.prune.sparsity = 0.9;
      spec.rlc_run_bits = 3;  // short runs: padding zeros appear
      const auto L = prepare_layer(w, rows, cols, x, 2, spec);
      SCOPED_TRACE(std::string(sparse::to_string(f)) + " " + std::to_string(bits) + " bits");
      uint64_t entries = 0;
      for (const auto& b : L.beats) entries += b.entries();
      if (f == sparse::Format::Dense) {
        EXPECT_EQ(entries, rows * cols) << "dense mode streams every weight";
        EXPECT_TRUE(L.beats == pack_every_weight(L.w_codes, rows, cols, L.wprec));
      } else {
        EXPECT_EQ(entries, L.encoding.nnz()) << "zeros are dropped";
        EXPECT_TRUE(L.beats == pack_dense(L.w_codes, rows, cols, L.wprec)) << "the decoder's canonical packing";
      }
      const auto cfg = L.config(2);
      const auto got = run(L.beats, cfg, L.x_codes, L.channels);
      const auto want = run(pack_dense(L.w_codes, rows, cols, L.wprec), cfg, L.x_codes, L.channels);
      ASSERT_FALSE(got.error) << got.error_what;
      EXPECT_EQ(got.outputs, want.outputs);
      const auto ref = dense_reference(L.w_codes, rows, cols, L.x_codes, 2, L.x_zp);
      for (const auto& o : got.outputs) ASSERT_EQ(int64_t{o.acc}, ref[o.batch * rows + o.row]);
    }
}

TEST(Layer, RequantizedOutputTracksFloatProduct) {
  std::mt19937_64 g(2);
  const size_t rows = 40, cols = 300;
  const auto w = randn(g, rows * cols, 0.05), x = randn(g, cols);
  LayerSpec spec;
  const auto L = prepare_layer(w, rows, cols, x, 1, spec);
  const auto res = run(L.beats, L.config(1), L.x_codes, L.channels);
  for (const auto& o : res.outputs) {
    // Float product of the dequantized operands, quantized to the output grid.
    double y = 0;
    for (size_t c = 0; c < cols; ++c)
      y += L.w_codes[o.row * cols + c] * L.w_scales[o.row] * (L.x_codes[c] - L.x_zp) * L.x_scale;
    const double want = std::clamp(std::round(y / L.y_scale) + L.y_zp, -128.0, 127.0);
    EXPECT_LE(std::abs(o.q - want), 1.0) << "row " << o.row;
  }
}

TEST(Layer, NmPruningHalvesTheBeats) {
  std::mt19937_64 g(3);
  const size_t rows = 16, cols = 1024;
  const auto w = randn(g, rows * cols), x = randn(g, cols);
  LayerSpec dense;
  dense.format = sparse::Format::Dense;
  LayerSpec nm;
  nm.format = sparse::Format::Nm;
  nm.prune.method = prune::Method::Nm;
  const auto D = prepare_layer(w, rows, cols, x, 1, dense);
  const auto N = prepare_layer(w, rows, cols, x, 1, nm);
  // 2:4 keeps at most half (less where weights quantize to 0).
  EXPECT_EQ(D.beats.size(), rows * cols / kLanes) << "dense mode streams every weight";
  EXPECT_LE(N.beats.size(), rows * cols / 2 / kLanes);
  EXPECT_GE(N.beats.size(), rows * cols / 2 / kLanes * 95 / 100);
  EXPECT_LE(N.nonzeros * 2, rows * cols);
}
