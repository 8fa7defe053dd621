// The int8 engine on the real models (BlazeFace-front, emotion), calibrated on
// the committed golden inputs: int8 on the golden device agrees with the float
// engine (classifier top-1 and probabilities; detector score and box), and the
// .sqz network file round trip is bit-identical. Seconds, not minutes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "squish/graph/graph.hpp"
#include "squish/io/npy.hpp"
#include "squish/runtime/blazeface.hpp"
#include "squish/runtime/float_engine.hpp"
#include "squish/runtime/int8_engine.hpp"

using namespace squish;
using namespace squish::runtime;
namespace fs = std::filesystem;

namespace {

std::string model_path(const std::string& name) {
  const char* env = std::getenv("SQUISH_MODELS");
  const std::string base = env && *env ? env : std::string(SQUISH_ROOT) + "/build/models";
  const std::string p = base + "/human-models/models/" + name + ".json";
  if (!fs::exists(p)) ADD_FAILURE() << "model " << p << " is missing: run scripts/fetch-models.sh";
  return p;
}

Tensor golden_input(const std::string& name) {
  const std::string p = std::string(SQUISH_ROOT) + "/golden/net/" + name + "/input.npy";
  return io::read_npy(io::read_file(p), "input");
}

QuantNet quantize(const graph::Graph& g, const Tensor& calib) {
  Calibration cal;
  cal.observe_all(run_float(g, calib, true).values);
  return quantize_network(g, cal, {});
}

size_t argmax(const std::vector<float>& v, size_t off, size_t n) {
  return static_cast<size_t>(std::max_element(v.begin() + off, v.begin() + off + n) - v.begin()) - off;
}

}  // namespace

TEST(Int8Models, EmotionAgreesWithFloat) {
  const auto mp = model_path("emotion");
  if (!fs::exists(mp)) return;
  const auto g = graph::load_tfjs_graph(mp);
  const Tensor in = golden_input("emotion");
  const auto net = quantize(g, in);
  auto dev = make_device("golden");
  const auto q = run_int8(net, in, *dev, true);
  const auto f = run_float(g, in);
  ASSERT_EQ(q.outputs.size(), 1u);
  ASSERT_EQ(q.outputs[0].shape, f.outputs[0].shape);
  const auto qv = q.outputs[0].to_float(), fv = f.outputs[0].to_float();
  const size_t N = in.shape[0], C = q.outputs[0].shape[1];
  for (size_t i = 0; i < N; ++i) {
    EXPECT_EQ(argmax(qv, i * C, C), argmax(fv, i * C, C)) << "image " << i;
    for (size_t c = 0; c < C; ++c) EXPECT_NEAR(qv[i * C + c], fv[i * C + c], 0.1) << "image " << i << " class " << c;
  }
  // Round trip through the network file.
  const auto back = load_network(save_network(net), "emotion.sqz");
  const auto q2 = run_int8(back, in, *dev, true);
  ASSERT_EQ(q2.layers.size(), q.layers.size());
  for (size_t k = 0; k < q.layers.size(); ++k) EXPECT_EQ(q2.layers[k].out, q.layers[k].out) << q.layers[k].name;
  EXPECT_EQ(q2.outputs[0].data, q.outputs[0].data);
}

TEST(Int8Models, BlazeFaceFindsTheFace) {
  const auto mp = model_path("blazeface-front");
  if (!fs::exists(mp)) return;
  const auto g = graph::load_tfjs_graph(mp);
  const Tensor in = golden_input("blazeface-front");  // LFW face 0 and the astronaut
  const auto net = quantize(g, in);
  auto dev = make_device("golden");
  Tensor face = in;
  face.shape[0] = 1;
  face.data.resize(face.data.size() / in.shape[0]);
  const auto q = run_int8(net, face, *dev);
  const auto f = run_float(g, face);
  ASSERT_EQ(q.outputs.size(), f.outputs.size());
  // Best-scoring anchor: same region, score above 0.75 in both.
  auto best = [](const std::vector<Tensor>& outs) {
    std::vector<Detection> all;
    const auto anchors = blazeface_anchors(128);
    std::vector<const Tensor*> regs, scores;
    for (const auto& t : outs) (t.shape.back() == 16 ? regs : scores).push_back(&t);
    auto by = [](const Tensor* a, const Tensor* b) { return a->shape[1] > b->shape[1]; };
    std::sort(regs.begin(), regs.end(), by);
    std::sort(scores.begin(), scores.end(), by);
    std::vector<float> r, s;
    for (auto* t : regs) { auto v = t->to_float(); r.insert(r.end(), v.begin(), v.end()); }
    for (auto* t : scores) { auto v = t->to_float(); s.insert(s.end(), v.begin(), v.end()); }
    const auto d = decode_blazeface(r, 16, s, anchors, 128);
    return *std::max_element(d.begin(), d.end(), [](const Detection& a, const Detection& b) { return a.score < b.score; });
  };
  const Detection dq = best(q.outputs), df = best(f.outputs);
  EXPECT_GE(df.score, 0.75f);
  EXPECT_GE(dq.score, 0.75f);
  const double ix = std::max(0.0f, std::min(dq.x2, df.x2) - std::max(dq.x1, df.x1));
  const double iy = std::max(0.0f, std::min(dq.y2, df.y2) - std::max(dq.y1, df.y1));
  const double u = (dq.x2 - dq.x1) * (dq.y2 - dq.y1) + (df.x2 - df.x1) * (df.y2 - df.y1) - ix * iy;
  EXPECT_GT(ix * iy / u, 0.8);
  // Every Conv2D / depthwise layer ran on the device.
  size_t dev_layers = 0;
  for (const auto& L : q.layers) dev_layers += L.on_device;
  EXPECT_GT(dev_layers, 30u);
}
