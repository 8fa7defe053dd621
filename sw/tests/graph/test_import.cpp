// The tfjs graph importer: op normalization, padding resolution, output naming,
// weight encodings, and errors that name the node and the op. Expected values
// are worked out by hand here (TF's SAME rule, IEEE half bit patterns, the tfjs
// affine dequantization), not by the importer.
#include <gtest/gtest.h>

#include <random>

#include "model_builder.hpp"
#include "squish/error.hpp"
#include "squish/runtime/float_engine.hpp"

using namespace squish;
using namespace test_graph;
using graph::Act;
using graph::Op;

namespace {

std::vector<float> ramp(size_t n, float s = 0.01f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = s * float(i % 17) - 0.05f;
  return v;
}

// x[1,H,W,C] -> _FusedConv2D(k x k, C->O) with the given attributes.
ModelBuilder conv_model(long H, long W, long C, long O, long k, long stride, const std::string& pad,
                        std::vector<std::string> fused = {"BiasAdd", "Relu6"}, std::vector<long> explicit_pads = {}) {
  ModelBuilder m;
  m.placeholder("x", {-1, H, W, C});
  m.f32("w", {size_t(k), size_t(k), size_t(C), size_t(O)}, ramp(size_t(k * k * C * O)));
  m.f32("b", {size_t(O)}, ramp(size_t(O)));
  ojson a = {{"strides", ints({1, stride, stride, 1})}, {"padding", str(pad)}, {"data_format", str("NHWC")},
             {"dilations", ints({1, 1, 1, 1})}, {"fused_ops", strs(fused)}, {"num_args", {{"i", "1"}}},
             {"epsilon", {{"f", 0}}}};
  a["explicit_paddings"] = explicit_pads.empty() ? ojson{{"list", ojson::object()}} : ints(explicit_pads);
  std::vector<std::string> in = {"x", "w"};
  if (!fused.empty() && fused[0] == "BiasAdd") in.push_back("b");
  m.node("conv", "_FusedConv2D", in, a);
  m.node("Identity", "Identity", {"conv"});
  return m;
}

void expect_error(const ModelBuilder& m, std::vector<std::string> parts) {
  try {
    m.build();
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "'" << p << "' not in: " << e.what();
  }
}

}  // namespace

TEST(GraphImport, FusedConvBecomesOneConvWithBiasAndAct) {
  const auto g = conv_model(7, 7, 3, 4, 3, 2, "SAME").build();
  const auto* c = g.find("conv");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->op, Op::Conv2D);
  EXPECT_EQ(c->tf_op, "_FusedConv2D");
  EXPECT_TRUE(c->has_bias);
  EXPECT_EQ(c->act, Act::Relu6);
  EXPECT_EQ(c->inputs, (std::vector<std::string>{"x", "w", "b"}));
  EXPECT_EQ(c->strides, (std::array<int, 2>{2, 2}));
  // SAME, 7 -> ceil(7/2) = 4 outputs, total pad (4-1)*2 + 3 - 7 = 2 -> 1 before, 1 after
  EXPECT_TRUE(c->pad_same);
  EXPECT_EQ(c->pads, (std::array<int, 4>{1, 1, 1, 1}));
  EXPECT_EQ(c->out_shape, (std::vector<int64_t>{1, 4, 4, 4}));
  EXPECT_EQ(g.consts.count("w"), 1u);
  EXPECT_EQ(g.consts.count("b"), 1u);
}

TEST(GraphImport, SamePaddingPutsTheOddPixelAfter) {
  // 8 -> 4 outputs, total pad 3*2 + 3 - 8 = 1 -> 0 before, 1 after (TF's rule)
  const auto g = conv_model(8, 6, 1, 2, 3, 2, "SAME", {"BiasAdd"}).build();
  const auto* c = g.find("conv");
  EXPECT_EQ(c->pads, (std::array<int, 4>{0, 1, 0, 1}));
  EXPECT_EQ(c->act, Act::None);
  EXPECT_EQ(c->out_shape, (std::vector<int64_t>{1, 4, 3, 2}));
  // stride 1 k 3: 1 each side
  const auto g1 = conv_model(5, 5, 1, 2, 3, 1, "SAME", {}).build();
  EXPECT_EQ(g1.find("conv")->pads, (std::array<int, 4>{1, 1, 1, 1}));
  EXPECT_FALSE(g1.find("conv")->has_bias);
  EXPECT_EQ(g1.find("conv")->inputs.size(), 2u);
}

TEST(GraphImport, ValidAndExplicitPadding) {
  const auto gv = conv_model(9, 9, 2, 3, 3, 2, "VALID", {"BiasAdd", "Relu"}).build();
  EXPECT_EQ(gv.find("conv")->pads, (std::array<int, 4>{0, 0, 0, 0}));
  EXPECT_FALSE(gv.find("conv")->pad_same);
  EXPECT_EQ(gv.find("conv")->out_shape, (std::vector<int64_t>{1, 4, 4, 3}));
  EXPECT_EQ(gv.find("conv")->act, Act::Relu);
  const auto ge = conv_model(6, 6, 1, 1, 3, 1, "EXPLICIT", {"BiasAdd"}, {0, 0, 1, 2, 3, 0, 0, 0}).build();
  EXPECT_EQ(ge.find("conv")->pads, (std::array<int, 4>{1, 2, 3, 0}));
  EXPECT_EQ(ge.find("conv")->out_shape, (std::vector<int64_t>{1, 7, 7, 1}));
}

TEST(GraphImport, IdentityRemovedOutputsKeepTheirNames) {
  const auto g = conv_model(4, 4, 1, 1, 1, 1, "VALID").build();
  EXPECT_EQ(g.find("Identity"), nullptr);
  EXPECT_EQ(g.outputs, std::vector<std::string>{"Identity"});
  EXPECT_EQ(g.output_nodes, std::vector<std::string>{"conv"});
  EXPECT_EQ(g.inputs, std::vector<std::string>{"x"});
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, Op::Input);
  EXPECT_EQ(g.nodes[0].shape, (std::vector<int64_t>{-1, 4, 4, 1}));
}

TEST(GraphImport, OutputsFollowTheSignatureElseFileOrder) {
  ModelBuilder m;
  m.placeholder("x", {-1, 2, 2, 1});
  m.node("Identity_1", "Identity", {"r6"});  // before its producer: the importer sorts
  m.node("r", "Relu", {"x"});
  m.node("r6", "Relu6", {"x"});
  m.node("Identity", "Identity", {"r"});
  auto g = m.build();
  EXPECT_EQ(g.outputs, (std::vector<std::string>{"Identity_1", "Identity"}));  // no consumers, file order
  EXPECT_EQ(g.output_nodes, (std::vector<std::string>{"r6", "r"}));
  m.signature = {{"inputs", {{"x:0", {{"name", "x:0"}}}}},
                 {"outputs", {{"b", {{"name", "Identity:0"}}}, {"a", {{"name", "Identity_1:0"}}}}}};
  g = m.build();
  EXPECT_EQ(g.outputs, (std::vector<std::string>{"Identity", "Identity_1"}));  // signature order
}

TEST(GraphImport, UnsupportedOpNamesNodeAndOp) {
  ModelBuilder m;
  m.placeholder("x", {1, 2, 2, 1});
  m.node("block/act", "Tanh", {"x"});
  expect_error(m, {"node 'block/act'", "op 'Tanh'", "test.json"});
}

TEST(GraphImport, UnsupportedFusedOpNamesNodeAndFusedOp) {
  expect_error(conv_model(4, 4, 1, 1, 1, 1, "VALID", {"BiasAdd", "Prelu"}), {"node 'conv'", "Prelu"});
  expect_error(conv_model(4, 4, 1, 1, 1, 1, "VALID", {"FusedBatchNorm"}), {"node 'conv'", "FusedBatchNorm"});
}

TEST(GraphImport, BadAttributesAreErrors) {
  auto m = conv_model(4, 4, 1, 1, 1, 1, "VALID");
  m.nodes.back()["input"] = {"nope"};
  expect_error(m, {"node 'Identity'", "'nope'"});
  auto m2 = conv_model(4, 4, 1, 1, 1, 1, "VALID");
  for (auto& n : m2.nodes)
    if (n["name"] == "conv") n["attr"]["data_format"] = str("NCHW");
  expect_error(m2, {"node 'conv'", "NCHW"});
  auto m3 = conv_model(4, 4, 1, 1, 1, 1, "VALID");
  for (auto& n : m3.nodes)
    if (n["name"] == "conv") n["attr"]["padding"] = str("CAUSAL");
  expect_error(m3, {"node 'conv'", "CAUSAL"});
  auto m4 = conv_model(4, 4, 2, 1, 1, 1, "VALID");  // filter expects 2 channels
  m4.nodes[0]["attr"]["shape"] = shape_attr({-1, 4, 4, 3});
  expect_error(m4, {"node 'conv'", "3 input channels"});
  ModelBuilder cyc;
  cyc.placeholder("x", {1, 2, 2, 1});
  cyc.node("a", "Relu", {"b"});
  cyc.node("b", "Relu", {"a"});
  expect_error(cyc, {"cycle"});
  EXPECT_THROW(graph::read_tfjs_graph("{not json", [](const std::string&) { return std::vector<uint8_t>{}; }), FormatError);
  EXPECT_THROW(graph::read_tfjs_graph("{\"weightsManifest\": []}", [](const std::string&) { return std::vector<uint8_t>{}; }), FormatError);
}

TEST(GraphImport, Float16AndUint8Weights) {
  ModelBuilder m;
  m.placeholder("x", {1, 1, 1, 2});
  // halves: 0x3C00 = 1, 0x2E66 = 0.0999755859375, 0xC500 = -5, 0x0001 = 2^-24
  m.f16_bits("h", {2}, {0x2E66, 0xC500});
  m.u8("q", {2}, {0, 255}, 0.5, -1.0);
  m.f16_bits("h2", {2}, {0x3C00, 0x0001});
  m.node("a", "BiasAdd", {"x", "h"}, {{"data_format", str("NHWC")}});
  m.node("b", "BiasAdd", {"a", "q"}, {{"data_format", str("NHWC")}});
  m.node("c", "Mul", {"h2", "b"});  // const first: reordered
  const auto g = m.build();
  const auto h = g.consts.at("h").to_float();
  EXPECT_EQ(h[0], 0.0999755859375f);
  EXPECT_EQ(h[1], -5.0f);
  EXPECT_EQ(g.consts.at("h").source_dtype, "float16");
  const auto q = g.consts.at("q").to_float();
  EXPECT_EQ(q[0], -1.0f);   // 0 * 0.5 - 1
  EXPECT_EQ(q[1], 126.5f);  // 255 * 0.5 - 1
  EXPECT_EQ(g.consts.at("q").source_dtype, "uint8-affine");
  EXPECT_EQ(g.consts.at("h2").to_float()[1], 5.9604644775390625e-08f);
  EXPECT_EQ(g.find("c")->inputs, (std::vector<std::string>{"b", "h2"}));
  EXPECT_EQ(g.find("c")->op, Op::Mul);
}

TEST(GraphImport, MatMulTransposeBResolved) {
  ModelBuilder m;
  m.placeholder("x", {-1, 3});
  m.f32("w", {2, 3}, {1, 2, 3, 4, 5, 6});  // [N', K]
  m.f32("b", {2}, {0.5f, -0.5f});
  m.node("fc", "_FusedMatMul", {"x", "w", "b"},
         {{"transpose_a", boolean(false)}, {"transpose_b", boolean(true)}, {"fused_ops", strs({"BiasAdd", "Relu"})}, {"num_args", {{"i", "1"}}}});
  const auto g = m.build();
  const auto* n = g.find("fc");
  ASSERT_EQ(n->op, Op::MatMul);
  ASSERT_EQ(n->inputs[1], "w/T");
  const auto& wt = g.consts.at("w/T");
  EXPECT_EQ(wt.shape, (std::vector<size_t>{3, 2}));
  EXPECT_EQ(wt.to_float(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(n->out_shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(n->act, Act::Relu);
  m.nodes.back()["attr"]["transpose_a"] = boolean(true);
  expect_error(m, {"node 'fc'", "transpose_a"});
}

TEST(GraphImport, ShapeOpsReadTheirConstants) {
  ModelBuilder m;
  m.placeholder("x", {-1, 4, 4, 6});
  m.i32("pads", {4, 2}, {0, 0, 1, 2, 0, 1, 0, 0});
  m.i32("axes", {2}, {-3, 2});
  m.i32("shape", {3}, {1, -1, 3});
  m.i32("axis", {}, {-1});
  m.node("p", "Pad", {"x", "pads"});
  m.node("mean", "Mean", {"p", "axes"}, {{"keep_dims", boolean(true)}});
  m.node("sq", "Squeeze", {"mean"}, {{"squeeze_dims", ints({1, 2})}});
  m.node("rs", "Reshape", {"x", "shape"});
  m.node("cat", "ConcatV2", {"rs", "rs", "axis"}, {{"N", {{"i", "2"}}}});
  m.node("sm", "Softmax", {"cat"});
  m.node("sig", "Sigmoid", {"sq"});
  const auto g = m.build();
  EXPECT_EQ(g.find("p")->pad_list, (std::vector<int64_t>{0, 0, 1, 2, 0, 1, 0, 0}));
  EXPECT_EQ(g.find("p")->out_shape, (std::vector<int64_t>{1, 7, 5, 6}));
  EXPECT_EQ(g.find("p")->inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(g.find("mean")->axes, (std::vector<int>{1, 2}));
  EXPECT_TRUE(g.find("mean")->keep_dims);
  EXPECT_EQ(g.find("mean")->out_shape, (std::vector<int64_t>{1, 1, 1, 6}));
  EXPECT_EQ(g.find("sq")->out_shape, (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(g.find("rs")->shape, (std::vector<int64_t>{1, -1, 3}));
  EXPECT_EQ(g.find("rs")->out_shape, (std::vector<int64_t>{1, 32, 3}));
  EXPECT_EQ(g.find("cat")->axis, 2);
  EXPECT_EQ(g.find("cat")->inputs, (std::vector<std::string>{"rs", "rs"}));
  EXPECT_EQ(g.find("cat")->out_shape, (std::vector<int64_t>{1, 32, 6}));
  EXPECT_EQ(g.consts.count("pads"), 0u);  // int32 attribute constants are not graph constants
  EXPECT_EQ(g.outputs, (std::vector<std::string>{"sm", "sig"}));
}

TEST(GraphImport, PoolingAttributes) {
  ModelBuilder m;
  m.placeholder("x", {-1, 5, 5, 2});
  m.node("mp", "MaxPool", {"x"}, {{"ksize", ints({1, 3, 3, 1})}, {"strides", ints({1, 2, 2, 1})}, {"padding", str("SAME")}, {"data_format", str("NHWC")}});
  m.node("ap", "AvgPool", {"x"}, {{"ksize", ints({1, 2, 2, 1})}, {"strides", ints({1, 2, 2, 1})}, {"padding", str("VALID")}});
  const auto g = m.build();
  EXPECT_EQ(g.find("mp")->ksize, (std::array<int, 2>{3, 3}));
  EXPECT_EQ(g.find("mp")->pads, (std::array<int, 4>{1, 1, 1, 1}));  // (3-1)*2+3-5 = 2
  EXPECT_EQ(g.find("mp")->out_shape, (std::vector<int64_t>{1, 3, 3, 2}));
  EXPECT_EQ(g.find("ap")->out_shape, (std::vector<int64_t>{1, 2, 2, 2}));
}

TEST(GraphImport, MulNeedsAConstant) {
  ModelBuilder m;
  m.placeholder("x", {-1, 2});
  m.node("r", "Relu", {"x"});
  m.node("m", "Mul", {"x", "r"});
  expect_error(m, {"node 'm'", "constant"});
}

TEST(GraphImport, MutatedModelsFailCleanly) {
  // Random byte edits of a valid model.json: the importer either succeeds or
  // throws squish::Error (never another exception, never a crash).
  auto m = conv_model(6, 6, 2, 3, 3, 2, "SAME");
  m.i32("shape", {2}, {1, -1});
  m.node("rs", "Reshape", {"conv", "shape"});
  m.node("sm", "Softmax", {"rs"});
  const std::string text = m.json_text();
  const auto shard = m.shard;
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789-\"{}[],:.eE ";
  int ok = 0, errors = 0;
  for (int it = 0; it < 3000; ++it) {
    std::string t = text;
    const int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % t.size();
      switch (rng() % 3) {
        case 0: t[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: t.erase(pos, 1 + rng() % 4); break;
        default: t.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    try {
      const auto g = graph::read_tfjs_graph(t, [&shard](const std::string&) { return shard; });
      ++ok;
      // and what imports also runs (or fails with a squish error)
      if (g.inputs.size() == 1 && g.find(g.inputs[0])) {
        auto shape = g.find(g.inputs[0])->out_shape;
        size_t n = 1;
        for (auto d : shape) n *= size_t(d);
        if (n <= 4096) {
          std::vector<size_t> sh(shape.begin(), shape.end());
          runtime::run_float(g, Tensor::from_float("x", sh, std::vector<float>(n, 0.5f)));
        }
      }
    } catch (const Error&) {
      ++errors;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "non-squish exception: " << e.what() << "\n" << t;
      break;
    }
  }
  EXPECT_GT(errors, 1000);
}
