// A small network built in code (Conv2D+ReLU, depthwise+ReLU6, 1x1 conv, a
// residual Add, ReLU, MaxPool, Pad, AvgPool, Mean, MatMul, Reshape, Softmax)
// through the int8 engine on the golden device: calibrated with a float
// evaluator written here, its int8 outputs stay close to float, and the .sqz
// network file round trip gives bit-identical results at every layer, for the
// four compression settings of the measurements.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "squish/error.hpp"
#include "squish/runtime/int8_engine.hpp"

using namespace squish;
using namespace squish::runtime;
using graph::Act;
using graph::Node;
using graph::Op;

namespace {

Tensor rand_tensor(std::mt19937_64& g, const std::string& name, std::vector<size_t> shape, float sd) {
  std::normal_distribution<float> d(0, sd);
  std::vector<float> v(shape_numel(shape));
  for (auto& x : v) x = d(g);
  return Tensor::from_float(name, shape, v);
}

graph::Graph small_net() {
  std::mt19937_64 g(42);
  graph::Graph G;
  G.source = "test";
  auto add_node = [&](Node n) { G.nodes.push_back(std::move(n)); };
  Node in;
  in.name = "input";
  in.op = Op::Input;
  in.shape = {-1, 8, 8, 3};
  add_node(in);
  G.inputs = {"input"};
  auto conv = [&](std::string name, std::string x, Op op, std::vector<size_t> fs, int pad, Act act) {
    Node n;
    n.name = name;
    n.op = op;
    n.tf_op = op == Op::Conv2D ? "_FusedConv2D" : "FusedDepthwiseConv2dNative";
    n.inputs = {x, name + "/w", name + "/b"};
    n.pads = {pad, pad, pad, pad};
    n.act = act;
    n.has_bias = true;
    const size_t fan = fs[0] * fs[1] * fs[2];
    G.consts[name + "/w"] = rand_tensor(g, name + "/w", fs, 1.5f / std::sqrt(float(fan)));
    const size_t out = op == Op::Conv2D ? fs[3] : fs[2] * fs[3];
    G.consts[name + "/b"] = rand_tensor(g, name + "/b", {out}, 0.1f);
    add_node(n);
  };
  conv("conv1", "input", Op::Conv2D, {3, 3, 3, 8}, 1, Act::Relu);
  conv("dw", "conv1", Op::DepthwiseConv2D, {3, 3, 8, 1}, 1, Act::Relu6);
  conv("pw", "dw", Op::Conv2D, {1, 1, 8, 8}, 0, Act::None);
  Node a;
  a.name = "add";
  a.op = Op::Add;
  a.inputs = {"pw", "conv1"};
  add_node(a);
  Node r;
  r.name = "relu";
  r.op = Op::Relu;
  r.inputs = {"add"};
  add_node(r);
  Node mp;
  mp.name = "pool";
  mp.op = Op::MaxPool;
  mp.inputs = {"relu"};
  mp.ksize = {2, 2};
  mp.strides = {2, 2};
  add_node(mp);
  Node pd;
  pd.name = "pad";
  pd.op = Op::Pad;
  pd.inputs = {"pool"};
  pd.pad_list = {0, 0, 1, 1, 1, 1, 0, 0};
  add_node(pd);
  Node ap;
  ap.name = "avg";
  ap.op = Op::AvgPool;
  ap.inputs = {"pad"};
  ap.ksize = {3, 3};
  add_node(ap);
  Node mn;
  mn.name = "mean";
  mn.op = Op::Mean;
  mn.inputs = {"avg"};
  mn.axes = {1, 2};
  add_node(mn);
  Node fc;
  fc.name = "fc";
  fc.op = Op::MatMul;
  fc.inputs = {"mean", "fc/w", "fc/b"};
  fc.has_bias = true;
  G.consts["fc/w"] = rand_tensor(g, "fc/w", {8, 5}, 1.0f);
  G.consts["fc/b"] = rand_tensor(g, "fc/b", {5}, 0.1f);
  add_node(fc);
  Node rs;
  rs.name = "logits";
  rs.op = Op::Reshape;
  rs.inputs = {"fc"};
  rs.shape = {-1, 5};
  add_node(rs);
  Node sm;
  sm.name = "probs";
  sm.op = Op::Softmax;
  sm.inputs = {"logits"};
  add_node(sm);
  G.outputs = {"probs", "logits"};
  return G;
}

// ---- A float evaluator of the ops above (NHWC, batch 1) --------------------
struct F {
  std::vector<size_t> s;
  std::vector<float> v;
};

F fconv(const F& x, const Tensor& wt, const Tensor& bt, const Node& n, bool dw) {
  const auto w = wt.to_float(), b = bt.to_float();
  const size_t H = x.s[1], W = x.s[2], C = x.s[3], KH = wt.shape[0], KW = wt.shape[1];
  const size_t O = dw ? C : wt.shape[3];
  const size_t OH = H + n.pads[0] + n.pads[1] - KH + 1, OW = W + n.pads[2] + n.pads[3] - KW + 1;
  F y{{1, OH, OW, O}, std::vector<float>(OH * OW * O)};
  for (size_t oh = 0; oh < OH; ++oh)
    for (size_t ow = 0; ow < OW; ++ow)
      for (size_t o = 0; o < O; ++o) {
        double acc = b[o];
        for (size_t kh = 0; kh < KH; ++kh)
          for (size_t kw = 0; kw < KW; ++kw) {
            const long ih = long(oh + kh) - n.pads[0], iw = long(ow + kw) - n.pads[2];
            if (ih < 0 || iw < 0 || ih >= long(H) || iw >= long(W)) continue;
            if (dw) {
              acc += double(x.v[(ih * W + iw) * C + o]) * w[(kh * KW + kw) * C + o];
            } else {
              for (size_t c = 0; c < C; ++c) acc += double(x.v[(ih * W + iw) * C + c]) * w[((kh * KW + kw) * C + c) * O + o];
            }
          }
        float v = float(acc);
        if (n.act != Act::None) v = std::max(v, 0.0f);
        if (n.act == Act::Relu6) v = std::min(v, 6.0f);
        y.v[(oh * OW + ow) * O + o] = v;
      }
  return y;
}

std::map<std::string, Tensor> run_float(const graph::Graph& G, const std::vector<float>& img) {
  std::map<std::string, F> v;
  v["input"] = {{1, 8, 8, 3}, img};
  for (const auto& n : G.nodes) {
    F y;
    switch (n.op) {
      case Op::Input: continue;
      case Op::Conv2D:
      case Op::DepthwiseConv2D:
        y = fconv(v[n.inputs[0]], G.consts.at(n.inputs[1]), G.consts.at(n.inputs[2]), n, n.op == Op::DepthwiseConv2D);
        break;
      case Op::Add:
        y = v[n.inputs[0]];
        for (size_t i = 0; i < y.v.size(); ++i) y.v[i] += v[n.inputs[1]].v[i];
        break;
      case Op::Relu:
        y = v[n.inputs[0]];
        for (auto& t : y.v) t = std::max(t, 0.0f);
        break;
      case Op::MaxPool:
      case Op::AvgPool: {
        const F& x = v[n.inputs[0]];
        const size_t H = x.s[1], W = x.s[2], C = x.s[3];
        const size_t KH = n.ksize[0], KW = n.ksize[1], S = n.strides[0];
        const size_t OH = (H - KH) / S + 1, OW = (W - KW) / S + 1;
        y = {{1, OH, OW, C}, std::vector<float>(OH * OW * C)};
        for (size_t oh = 0; oh < OH; ++oh)
          for (size_t ow = 0; ow < OW; ++ow)
            for (size_t c = 0; c < C; ++c) {
              float m = -1e30f;
              double s = 0;
              for (size_t kh = 0; kh < KH; ++kh)
                for (size_t kw = 0; kw < KW; ++kw) {
                  const float t = x.v[((oh * S + kh) * W + ow * S + kw) * C + c];
                  m = std::max(m, t);
                  s += t;
                }
              y.v[(oh * OW + ow) * C + c] = n.op == Op::MaxPool ? m : float(s / (KH * KW));
            }
        break;
      }
      case Op::Pad: {
        const F& x = v[n.inputs[0]];
        const size_t H = x.s[1], W = x.s[2], C = x.s[3];
        y = {{1, H + 2, W + 2, C}, std::vector<float>((H + 2) * (W + 2) * C, 0.0f)};
        for (size_t h = 0; h < H; ++h)
          for (size_t w = 0; w < W; ++w)
            for (size_t c = 0; c < C; ++c) y.v[((h + 1) * (W + 2) + w + 1) * C + c] = x.v[(h * W + w) * C + c];
        break;
      }
      case Op::Mean: {
        const F& x = v[n.inputs[0]];
        const size_t HW = x.s[1] * x.s[2], C = x.s[3];
        y = {{1, C}, std::vector<float>(C)};
        for (size_t c = 0; c < C; ++c) {
          double s = 0;
          for (size_t i = 0; i < HW; ++i) s += x.v[i * C + c];
          y.v[c] = float(s / HW);
        }
        break;
      }
      case Op::MatMul: {
        const F& x = v[n.inputs[0]];
        const auto w = G.consts.at(n.inputs[1]).to_float(), b = G.consts.at(n.inputs[2]).to_float();
        const size_t K = x.s[1], N = b.size();
        y = {{1, N}, std::vector<float>(N)};
        for (size_t o = 0; o < N; ++o) {
          double s = b[o];
          for (size_t k = 0; k < K; ++k) s += double(x.v[k]) * w[k * N + o];
          y.v[o] = float(s);
        }
        break;
      }
      case Op::Reshape:
        y = v[n.inputs[0]];
        break;
      case Op::Softmax: {
        y = v[n.inputs[0]];
        double m = -1e30, s = 0;
        for (auto t : y.v) m = std::max<double>(m, t);
        for (auto t : y.v) s += std::exp(t - m);
        for (auto& t : y.v) t = float(std::exp(t - m) / s);
        break;
      }
      default:
        throw std::runtime_error("test evaluator: op not handled");
    }
    v[n.name] = y;
  }
  std::map<std::string, Tensor> out;
  for (auto& [k, f] : v) out[k] = Tensor::from_float(k, f.s, f.v);
  return out;
}

std::vector<float> rand_image(std::mt19937_64& g) {
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(8 * 8 * 3);
  for (auto& x : v) x = d(g);
  return v;
}

struct Setting {
  const char* name;
  container::CompressOptions o;
};

std::vector<Setting> settings() {
  std::vector<Setting> s(4);
  s[0].name = "a: 8-bit dense";
  s[1].name = "b: 50% unstructured, 4-bit, bitmap + rANS";
  s[1].o.sparse_format = sparse::Format::Bitmap;
  s[1].o.prune.method = prune::Method::Unstructured;
  s[1].o.prune.sparsity = 0.5;
  s[1].o.quant.bits = 4;
  s[1].o.coder = entropy::CoderId::Rans;
  s[2].name = "c: 2:4, 4-bit, N:M format";
  s[2].o.prune.method = prune::Method::Nm;
  s[2].o.prune.n = 2;
  s[2].o.prune.m = 4;
  s[2].o.quant.bits = 4;
  s[2].o.sparse_format = sparse::Format::Nm;
  s[3].name = "d: mixed precision, 4-bit budget, bitmap";
  s[3].o.bit_budget = 4;
  s[3].o.sparse_format = sparse::Format::Bitmap;
  return s;
}

}  // namespace

TEST(Int8Engine, SmallNetworkCloseToFloatAndSqzRoundTrip) {
  const auto G = small_net();
  std::mt19937_64 g(5);
  Calibration cal;
  for (int i = 0; i < 16; ++i) cal.observe_all(run_float(G, rand_image(g)));
  // A batch of 4 test images (not in the calibration set).
  std::vector<float> batch;
  std::vector<std::map<std::string, Tensor>> ref;
  for (int i = 0; i < 4; ++i) {
    const auto img = rand_image(g);
    batch.insert(batch.end(), img.begin(), img.end());
    ref.push_back(run_float(G, img));
  }
  const Tensor input = Tensor::from_float("input", {4, 8, 8, 3}, batch);
  auto dev = make_device("golden");
  for (const auto& st : settings()) {
    SCOPED_TRACE(st.name);
    const QuantNet net = quantize_network(G, cal, st.o);
    const auto res = run_int8(net, input, *dev, true);
    ASSERT_EQ(res.outputs.size(), 2u);
    EXPECT_EQ(res.outputs[0].name, "probs");
    EXPECT_EQ(res.outputs[0].shape, (std::vector<size_t>{4, 5}));
    EXPECT_EQ(res.outputs[1].shape, (std::vector<size_t>{4, 5}));
    const auto p = res.outputs[0].to_float();
    const auto l = res.outputs[1].to_float();
    double psum = 0;
    for (int k = 0; k < 5; ++k) psum += p[k];
    EXPECT_NEAR(psum, 1.0, 0.01);
    if (std::string(st.name).rfind("a:", 0) == 0) {
      // 8-bit: close to float.
      for (int i = 0; i < 4; ++i) {
        const auto fp = ref[i].at("probs").to_float();
        const auto fl = ref[i].at("logits").to_float();
        double lrange = 0;
        for (auto t : fl) lrange = std::max(lrange, std::abs(double(t)));
        for (int k = 0; k < 5; ++k) {
          EXPECT_NEAR(p[i * 5 + k], fp[k], 0.03) << "image " << i << " class " << k;
          EXPECT_NEAR(l[i * 5 + k], fl[k], 0.05 * lrange + 0.02) << "image " << i << " class " << k;
        }
      }
    }
    // Device layers: conv1, dw, pw, fc (+ softmax); everything else on the host.
    uint64_t dev_macs = 0, performed = 0;
    for (const auto& r : res.layers)
      if (r.on_device && r.op != "Softmax") {
        dev_macs += r.macs;
        performed += r.stats.macs_performed;
        EXPECT_GT(r.stats.cycles, 0u) << r.name;
      }
    const uint64_t want = 4 * (64 * 27 * 8 + 64 * 8 * 9 + 64 * 8 * 8 + 8 * 5);
    EXPECT_EQ(dev_macs, want);
    // Zero-skipping formats (N:M at 2:4, bitmap under rANS at 50 %) skip the pruned products.
    if (st.o.sparse_format == sparse::Format::Nm || st.o.coder == entropy::CoderId::Rans)
      EXPECT_LT(performed, dev_macs * 6 / 10);
    // Round trip through the .sqz network file: identical at every layer.
    const auto bytes = save_network(net);
    const auto back = load_network(bytes, "mem.sqz");
    const auto res2 = run_int8(back, input, *dev, true);
    ASSERT_EQ(res2.layers.size(), res.layers.size());
    for (size_t i = 0; i < res.layers.size(); ++i) {
      EXPECT_EQ(res2.layers[i].name, res.layers[i].name);
      EXPECT_EQ(res2.layers[i].out, res.layers[i].out) << res.layers[i].name;
      EXPECT_EQ(res2.layers[i].stats.cycles, res.layers[i].stats.cycles) << res.layers[i].name;
    }
    for (size_t k = 0; k < 2; ++k) EXPECT_EQ(res2.outputs[k].data, res.outputs[k].data);
    EXPECT_EQ(back.act, net.act);
  }
}

TEST(Int8Engine, RejectsBadNetworkFiles) {
  const auto G = small_net();
  std::mt19937_64 g(6);
  Calibration cal;
  for (int i = 0; i < 2; ++i) cal.observe_all(run_float(G, rand_image(g)));
  const QuantNet net = quantize_network(G, cal, {});
  auto bytes = save_network(net);
  // A plain container without the graph section.
  container::Container c;
  EXPECT_THROW(load_network(container::serialize(c), "plain.sqz"), FormatError);
  // Truncation is caught by the container's CRC/length checks.
  bytes.resize(bytes.size() - 10);
  EXPECT_THROW(load_network(bytes, "cut.sqz"), FormatError);
  // Missing calibration data for a node.
  Calibration partial;
  EXPECT_THROW(quantize_network(G, partial, {}), UsageError);
  // Weight options the datapath cannot take.
  container::CompressOptions k;
  k.quant.scheme = quant::Scheme::Codebook;
  EXPECT_THROW(quantize_network(G, cal, k), UsageError);
  container::CompressOptions b3;
  b3.quant.bits = 3;
  EXPECT_THROW(quantize_network(G, cal, b3), UsageError);
}
