// Each op of the float engine against a naive computation written here (double
// accumulation, explicit zero-padded copies, no shared code with the engine),
// on seeded random data, batch 2. Agreement: max |a - b| / max(max |b|, 1e-3)
// <= 2e-6 per tensor (float32 rounding of sums of up to a few hundred terms).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "model_builder.hpp"
#include "squish/error.hpp"
#include "squish/runtime/float_engine.hpp"

using namespace squish;
using namespace test_graph;

namespace {

unsigned seed() {
  const char* s = std::getenv("SQUISH_SEED");
  return s ? unsigned(std::strtoul(s, nullptr, 10)) : 12345u;
}

std::vector<float> rnd(size_t n, std::mt19937& g, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

double err(const std::vector<float>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double md = 0, mb = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    md = std::max(md, std::fabs(double(a[i]) - b[i]));
    mb = std::max(mb, std::fabs(b[i]));
  }
  return md / std::max(mb, 1e-3);
}

// Runs the model's single output on x (shape with batch first).
Tensor run(const ModelBuilder& m, std::vector<size_t> shape, const std::vector<float>& x, const std::string& out = "") {
  const auto g = m.build();
  const auto r = runtime::run_float(g, Tensor::from_float("x", shape, x), !out.empty());
  if (out.empty()) return r.outputs.at(0);
  auto it = r.values.find(out);
  if (it == r.values.end()) {
    ADD_FAILURE() << "no value " << out;
    return Tensor::from_float("none", {}, std::vector<float>{0.0f});
  }
  return it->second;
}

// naive NHWC conv / depthwise conv of one image, zero padding materialized.
std::vector<double> naive_conv(const float* x, int H, int W, int C, const std::vector<float>& f, int KH, int KW, int M,
                               int sh, int sw, int dh, int dw, int pt, int pb, int pl, int pr, bool depthwise,
                               const std::vector<float>* bias, int act) {
  const int HP = H + pt + pb, WP = W + pl + pr;
  std::vector<double> xp(size_t(HP * WP * C), 0.0);
  for (int y = 0; y < H; ++y)
    for (int xx = 0; xx < W; ++xx)
      for (int c = 0; c < C; ++c) xp[size_t(((y + pt) * WP + xx + pl) * C + c)] = x[(y * W + xx) * C + c];
  const int OH = (HP - (KH - 1) * dh - 1) / sh + 1, OW = (WP - (KW - 1) * dw - 1) / sw + 1;
  const int O = depthwise ? C * M : M;
  std::vector<double> out;
  for (int oy = 0; oy < OH; ++oy)
    for (int ox = 0; ox < OW; ++ox)
      for (int o = 0; o < O; ++o) {
        double s = 0;
        for (int ky = 0; ky < KH; ++ky)
          for (int kx = 0; kx < KW; ++kx) {
            const double* px = &xp[size_t(((oy * sh + ky * dh) * WP + ox * sw + kx * dw) * C)];
            if (depthwise) s += px[o / M] * f[size_t(((ky * KW + kx) * C + o / M) * M + o % M)];
            else
              for (int c = 0; c < C; ++c) s += px[c] * f[size_t(((ky * KW + kx) * C + c) * M + o)];
          }
        if (bias) s += (*bias)[size_t(o)];
        if (act >= 1) s = std::max(0.0, s);
        if (act == 2) s = std::min(6.0, s);
        out.push_back(s);
      }
  return out;
}

struct ConvCase {
  int H, W, C, M, K, stride, dil;
  std::string pad;
  bool depthwise;
  std::vector<std::string> fused;
  std::vector<long> explicit_pads;
};

void conv_case(const ConvCase& cc) {
  std::mt19937 g(seed());
  const int N = 2;
  const auto x = rnd(size_t(N * cc.H * cc.W * cc.C), g);
  const auto f = rnd(size_t(cc.K * cc.K * cc.C * cc.M), g);
  const int O = cc.depthwise ? cc.C * cc.M : cc.M;
  const auto b = rnd(size_t(O), g);
  ModelBuilder m;
  m.placeholder("x", {-1, cc.H, cc.W, cc.C});
  m.f32("f", {size_t(cc.K), size_t(cc.K), size_t(cc.C), size_t(cc.M)}, f);
  const bool bias = !cc.fused.empty() && cc.fused[0] == "BiasAdd";
  if (bias) m.f32("b", {size_t(O)}, b);  // an unused constant would be a graph output, as in tfjs
  ojson a = {{"strides", ints({1, cc.stride, cc.stride, 1})}, {"padding", str(cc.pad)},
             {"dilations", ints({1, cc.dil, cc.dil, 1})}, {"fused_ops", strs(cc.fused)}};
  if (!cc.explicit_pads.empty()) a["explicit_paddings"] = ints(cc.explicit_pads);
  const std::string op = cc.depthwise ? (cc.fused.empty() ? "DepthwiseConv2dNative" : "FusedDepthwiseConv2dNative")
                                      : (cc.fused.empty() ? "Conv2D" : "_FusedConv2D");
  std::vector<std::string> in{"x", "f"};
  if (bias) in.push_back("b");
  m.node("conv", op, in, a);
  int act = 0;
  for (const auto& s : cc.fused) act = s == "Relu" ? 1 : s == "Relu6" ? 2 : act;
  // padding by hand: TF's SAME rule
  int pt = 0, pb = 0, pl = 0, pr = 0;
  if (cc.pad == "SAME") {
    const int eff = (cc.K - 1) * cc.dil + 1;
    const int oh = (cc.H + cc.stride - 1) / cc.stride, ow = (cc.W + cc.stride - 1) / cc.stride;
    const int th = std::max(0, (oh - 1) * cc.stride + eff - cc.H), tw = std::max(0, (ow - 1) * cc.stride + eff - cc.W);
    pt = th / 2; pb = th - pt; pl = tw / 2; pr = tw - pl;
  } else if (cc.pad == "EXPLICIT") {
    pt = int(cc.explicit_pads[2]); pb = int(cc.explicit_pads[3]); pl = int(cc.explicit_pads[4]); pr = int(cc.explicit_pads[5]);
  }
  const Tensor y = run(m, {size_t(N), size_t(cc.H), size_t(cc.W), size_t(cc.C)}, x);
  std::vector<double> ref;
  for (int i = 0; i < N; ++i) {
    auto r = naive_conv(&x[size_t(i * cc.H * cc.W * cc.C)], cc.H, cc.W, cc.C, f, cc.K, cc.K, cc.M, cc.stride, cc.stride,
                        cc.dil, cc.dil, pt, pb, pl, pr, cc.depthwise, bias ? &b : nullptr, act);
    ref.insert(ref.end(), r.begin(), r.end());
  }
  ASSERT_EQ(y.shape[0], size_t(N));
  EXPECT_LE(err(y.to_float(), ref), 2e-6) << op << " " << cc.pad << " k" << cc.K << " s" << cc.stride << " d" << cc.dil;
}

}  // namespace

TEST(FloatOps, Conv2D) {
  conv_case({9, 7, 3, 5, 3, 1, 1, "SAME", false, {}, {}});
  conv_case({9, 8, 3, 4, 5, 2, 1, "SAME", false, {"BiasAdd", "Relu"}, {}});
  conv_case({10, 10, 4, 6, 3, 1, 2, "VALID", false, {"BiasAdd"}, {}});
  conv_case({6, 7, 2, 3, 3, 2, 1, "EXPLICIT", false, {"BiasAdd", "Relu6"}, {0, 0, 2, 1, 0, 3, 0, 0}});
  conv_case({5, 5, 16, 8, 1, 1, 1, "VALID", false, {"BiasAdd", "Relu6"}, {}});
}

TEST(FloatOps, DepthwiseConv2D) {
  conv_case({9, 9, 4, 1, 3, 1, 1, "SAME", true, {}, {}});
  conv_case({8, 9, 3, 2, 3, 2, 1, "SAME", true, {"BiasAdd", "Relu6"}, {}});
  conv_case({11, 11, 2, 1, 3, 1, 3, "VALID", true, {"BiasAdd", "Relu"}, {}});
}

TEST(FloatOps, MatMulBiasAct) {
  std::mt19937 g(seed());
  const int N = 2, K = 130, M = 5;  // K spans three of tfjs's 48-blocks
  const auto x = rnd(size_t(N * K), g), w = rnd(size_t(K * M), g), b = rnd(size_t(M), g);
  for (const std::string act : {"", "Relu"}) {
    ModelBuilder m;
    m.placeholder("x", {-1, K});
    m.f32("w", {size_t(K), size_t(M)}, w);
    m.f32("b", {size_t(M)}, b);
    std::vector<std::string> fo{"BiasAdd"};
    if (!act.empty()) fo.push_back(act);
    m.node("fc", "_FusedMatMul", {"x", "w", "b"}, {{"fused_ops", strs(fo)}, {"transpose_b", boolean(false)}});
    const Tensor y = run(m, {size_t(N), size_t(K)}, x);
    std::vector<double> ref;
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < M; ++j) {
        double s = b[size_t(j)];
        for (int k = 0; k < K; ++k) s += double(x[size_t(i * K + k)]) * w[size_t(k * M + j)];
        ref.push_back(act.empty() ? s : std::max(0.0, s));
      }
    EXPECT_LE(err(y.to_float(), ref), 2e-6) << act;
  }
}

TEST(FloatOps, ElementwiseAndBroadcast) {
  std::mt19937 g(seed());
  const int N = 2, H = 3, W = 4, C = 5;
  const size_t n = size_t(N * H * W * C);
  const auto x = rnd(n, g, -8, 8), c = rnd(size_t(C), g), bias = rnd(size_t(C), g);
  ModelBuilder m;
  m.placeholder("x", {-1, H, W, C});
  m.f32("c", {size_t(C)}, c);
  m.f32("bias", {size_t(C)}, bias);
  m.node("relu", "Relu", {"x"});
  m.node("relu6", "Relu6", {"x"});
  m.node("sig", "Sigmoid", {"x"});
  m.node("mul", "Mul", {"c", "x"});
  m.node("addc", "AddV2", {"x", "c"});
  m.node("add", "Add", {"relu", "relu6"});
  m.node("ba", "BiasAdd", {"x", "bias"});
  const std::vector<size_t> sh{size_t(N), size_t(H), size_t(W), size_t(C)};
  auto check = [&](const std::string& out, auto f) {
    std::vector<double> ref;
    for (size_t i = 0; i < n; ++i) ref.push_back(f(double(x[i]), i % size_t(C)));
    EXPECT_LE(err(run(m, sh, x, out).to_float(), ref), 2e-7) << out;
  };
  check("relu", [](double v, size_t) { return v > 0 ? v : 0; });
  check("relu6", [](double v, size_t) { return v < 0 ? 0 : v > 6 ? 6 : v; });
  check("sig", [](double v, size_t) { return 1 / (1 + std::exp(-v)); });
  check("mul", [&](double v, size_t k) { return v * c[k]; });
  check("addc", [&](double v, size_t k) { return v + c[k]; });
  check("add", [](double v, size_t) { return (v > 0 ? v : 0) + (v < 0 ? 0 : v > 6 ? 6 : v); });
  check("ba", [&](double v, size_t k) { return v + bias[k]; });
}

TEST(FloatOps, PadAndPooling) {
  std::mt19937 g(seed());
  const int N = 2, H = 7, W = 6, C = 3;
  const auto x = rnd(size_t(N * H * W * C), g);
  ModelBuilder m;
  m.placeholder("x", {-1, H, W, C});
  m.i32("pads", {4, 2}, {0, 0, 1, 2, 2, 0, 0, 1});
  m.node("pad", "Pad", {"x", "pads"});
  m.node("mp", "MaxPool", {"x"}, {{"ksize", ints({1, 3, 3, 1})}, {"strides", ints({1, 2, 2, 1})}, {"padding", str("SAME")}});
  m.node("ap", "AvgPool", {"x"}, {{"ksize", ints({1, 3, 2, 1})}, {"strides", ints({1, 2, 1, 1})}, {"padding", str("SAME")}});
  m.node("mpv", "MaxPool", {"x"}, {{"ksize", ints({1, 2, 2, 1})}, {"strides", ints({1, 2, 2, 1})}, {"padding", str("VALID")}});
  const std::vector<size_t> sh{size_t(N), size_t(H), size_t(W), size_t(C)};
  auto at = [&](int i, int y, int xx, int c) { return double(x[size_t(((i * H + y) * W + xx) * C + c)]); };
  {  // Pad: [1,2] rows, [2,0] cols, [0,1] channels, zeros
    std::vector<double> ref;
    for (int i = 0; i < N; ++i)
      for (int y = -1; y < H + 2; ++y)
        for (int xx = -2; xx < W; ++xx)
          for (int c = 0; c < C + 1; ++c)
            ref.push_back(y >= 0 && y < H && xx >= 0 && c < C ? at(i, y, xx, c) : 0.0);
    const Tensor t = run(m, sh, x, "pad");
    EXPECT_EQ(t.shape, (std::vector<size_t>{2, 10, 8, 4}));
    EXPECT_LE(err(t.to_float(), ref), 0.0);
  }
  // pooling over windows clipped to the image (SAME padding never enters a max or an average)
  auto pool = [&](int kh, int kw, int sh_, int sw, int pt, int pl, int OH, int OW, bool mx) {
    std::vector<double> ref;
    for (int i = 0; i < N; ++i)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox)
          for (int c = 0; c < C; ++c) {
            double best = -1e30, sum = 0;
            int cnt = 0;
            for (int ky = 0; ky < kh; ++ky)
              for (int kx = 0; kx < kw; ++kx) {
                const int y = oy * sh_ - pt + ky, xx = ox * sw - pl + kx;
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                best = std::max(best, at(i, y, xx, c));
                sum += at(i, y, xx, c);
                ++cnt;
              }
            ref.push_back(mx ? best : sum / cnt);
          }
    return ref;
  };
  // mp: SAME 3x3/2 on 7x6 -> 4x3; pads rows (3*2+3-7)=2 -> 1,1; cols (2*2+3-6)=1 -> 0,1
  EXPECT_LE(err(run(m, sh, x, "mp").to_float(), pool(3, 3, 2, 2, 1, 0, 4, 3, true)), 0.0);
  // ap: SAME 3x2 stride (2,1) -> 4x6; rows pad 2 -> 1,1; cols pad 1 -> 0,1
  EXPECT_LE(err(run(m, sh, x, "ap").to_float(), pool(3, 2, 2, 1, 1, 0, 4, 6, false)), 2e-7);
  EXPECT_LE(err(run(m, sh, x, "mpv").to_float(), pool(2, 2, 2, 2, 0, 0, 3, 3, true)), 0.0);
}

TEST(FloatOps, MeanReshapeSqueezeConcatSoftmax) {
  std::mt19937 g(seed());
  const int N = 2, H = 4, W = 5, C = 6;
  const auto x = rnd(size_t(N * H * W * C), g, -3, 3);
  ModelBuilder m;
  m.placeholder("x", {-1, H, W, C});
  m.i32("axes", {2}, {1, 2});
  m.i32("shape", {3}, {-1, 10, 12});
  m.i32("axis", {}, {1});
  m.node("mean", "Mean", {"x", "axes"}, {{"keep_dims", boolean(true)}});
  m.node("sq", "Squeeze", {"mean"}, {{"squeeze_dims", ints({1, 2})}});
  m.node("sm", "Softmax", {"sq"});
  m.node("rs", "Reshape", {"x", "shape"});
  m.node("cat", "ConcatV2", {"rs", "rs", "axis"});
  const std::vector<size_t> sh{size_t(N), size_t(H), size_t(W), size_t(C)};
  std::vector<double> mean, soft;
  for (int i = 0; i < N; ++i) {
    std::vector<double> mv(size_t(C), 0.0);
    for (int p = 0; p < H * W; ++p)
      for (int c = 0; c < C; ++c) mv[size_t(c)] += x[size_t((i * H * W + p) * C + c)] / double(H * W);
    double z = 0;
    for (double v : mv) z += std::exp(v);
    for (double v : mv) {
      mean.push_back(v);
      soft.push_back(std::exp(v) / z);
    }
  }
  const Tensor tm = run(m, sh, x, "sm");
  EXPECT_EQ(tm.shape, (std::vector<size_t>{2, 6}));
  EXPECT_LE(err(tm.to_float(), soft), 2e-6);
  const auto g2 = m.build();
  const auto all = runtime::run_float(g2, Tensor::from_float("x", sh, x), true);
  EXPECT_EQ(all.values.at("mean").shape, (std::vector<size_t>{2, 1, 1, 6}));
  EXPECT_LE(err(all.values.at("mean").to_float(), mean), 2e-6);
  EXPECT_LE(err(all.values.at("sq").to_float(), mean), 2e-6);
  // Reshape keeps the bytes; Concat along axis 1 of [N,10,12] repeats each image's rows
  std::vector<double> cat;
  for (int i = 0; i < N; ++i)
    for (int r = 0; r < 2; ++r)
      for (int k = 0; k < H * W * C; ++k) cat.push_back(x[size_t(i * H * W * C + k)]);
  const Tensor tc = all.values.at("cat");
  EXPECT_EQ(tc.shape, (std::vector<size_t>{2, 20, 12}));
  EXPECT_LE(err(tc.to_float(), cat), 0.0);
  EXPECT_EQ(all.values.at("rs").shape, (std::vector<size_t>{2, 10, 12}));
}

TEST(FloatOps, InputShapeMismatchIsAnError) {
  ModelBuilder m;
  m.placeholder("x", {-1, 4, 4, 1});
  m.node("r", "Relu", {"x"});
  const auto g = m.build();
  EXPECT_THROW(runtime::run_float(g, Tensor::from_float("in", {1, 4, 5, 1}, std::vector<float>(20))), FormatError);
  EXPECT_THROW(runtime::run_float(g, Tensor::from_float("in", {4, 4, 1}, std::vector<float>(16))), FormatError);
  const auto r = runtime::run_float(g, Tensor::from_float("in", {3, 4, 4, 1}, std::vector<float>(48, -1.0f)));
  EXPECT_EQ(r.outputs.at(0).shape, (std::vector<size_t>{3, 4, 4, 1}));
  EXPECT_EQ(r.outputs.at(0).to_float(), std::vector<float>(48, 0.0f));
}

TEST(FloatOps, VisitorSeesWhatKeepAllKeeps) {
  std::mt19937 g(seed());
  ModelBuilder m;
  m.placeholder("x", {-1, 3, 3, 2});
  m.f32("f", {3, 3, 2, 1}, rnd(18, g));
  m.node("dw", "DepthwiseConv2dNative", {"x", "f"}, {{"strides", ints({1, 1, 1, 1})}, {"padding", str("SAME")}});
  m.node("r", "Relu", {"dw"});
  const auto gr = m.build();
  const Tensor x = Tensor::from_float("x", {3, 3, 3, 2}, rnd(54, g));
  const auto all = runtime::run_float(gr, x, true);
  size_t calls = 0;
  runtime::run_float_visit(gr, x, [&](size_t img, const graph::Node& n, std::span<const float> v, const std::vector<int64_t>& shape) {
    ++calls;
    EXPECT_EQ(shape[0], 1);
    const auto ref = all.values.at(n.name).to_float();
    ASSERT_EQ(ref.size(), 3 * v.size()) << n.name;
    for (size_t k = 0; k < v.size(); ++k) EXPECT_EQ(v[k], ref[img * v.size() + k]) << n.name;
  });
  EXPECT_EQ(calls, 3u * gr.nodes.size());
}
