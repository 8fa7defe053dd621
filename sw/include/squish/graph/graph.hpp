// The network graph the golden stack runs: a TensorFlow.js graph model
// (model.json + weight shards) imported and normalized into a small canonical
// op set. Shared by the float engine, the int8 engine and the .sqz writer
// (docs/interfaces.md is the written agreement; docs/network.md the page).
//
// Normalization done by the importer (so engines see one form per op):
//  - Identity / control inputs ("^x") removed, "name:0" -> "name".
//  - _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul with fused_ops
//    [BiasAdd], [BiasAdd, Relu], [BiasAdd, Relu6], [Relu], ... become one Conv2D /
//    DepthwiseConv2D / MatMul node with `bias` set and `act` = None/Relu/Relu6.
//  - Conv2D's padding resolved to explicit pads (SAME as TF computes it, VALID,
//    EXPLICIT from the attribute); NHWC only.
//  - Const nodes become entries of Graph::consts (float32, shape as in the
//    manifest); nodes reference them by name in `inputs`. int32 constants that
//    are attributes (Reshape shape, Pad paddings, Mean axes, ConcatV2 axis) are
//    read into the node's fields and dropped from `inputs` (data inputs only).
//  - MatMul transpose_b resolved (the weight const transposed to [K, N'] under
//    the name "<const>/T" when needed); transpose_a: FormatError.
//  - Mul / Add with one constant operand: inputs ordered {tensor, const}.
//  - Nodes topologically sorted; `out_shape` inferred per image (batch 1).
//  - Outputs keep GraphModel.outputs' names and order (signature outputs when
//    the model has a signature, else nodes without consumers, in file order);
//    `output_nodes[i]` names the node whose value output i is (Identity
//    removed). See docs/network.md.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "squish/tensor.hpp"

namespace squish::graph {

enum class Op : uint8_t {
  Input,            ///< Placeholder; shape with -1 batch given in `shape`
  Conv2D,           ///< inputs {x, filter HWIO [, bias]}
  DepthwiseConv2D,  ///< inputs {x, filter H W C M [, bias]}
  MatMul,           ///< inputs {x [N,K], w [K,N'] (transpose flags resolved) [, bias]}
  BiasAdd,          ///< unfused, inputs {x, bias}
  Add,              ///< Add / AddV2, two tensors (broadcast of a const allowed)
  Mul,              ///< one operand a constant
  Relu,
  Relu6,
  Pad,              ///< pads in `pads` (NHWC, before/after per dim), constant 0
  MaxPool,
  AvgPool,
  Mean,             ///< reduction over `axes` (global average pooling), keep_dims
  Reshape,          ///< target shape in `shape`
  Squeeze,          ///< axes in `axes`
  Concat,           ///< ConcatV2, axis in `axis`
  Softmax,
  Sigmoid,
};
const char* op_name(Op op);

enum class Act : uint8_t { None, Relu, Relu6 };

struct Node {
  std::string name;                 ///< the tfjs node name (outputs keyed by it)
  Op op = Op::Input;
  std::string tf_op;                ///< the op as the model wrote it, for messages
  std::vector<std::string> inputs;  ///< producer node names or const names
  // Attributes (the ones an op uses; others stay default)
  std::array<int, 2> strides{1, 1};     ///< H, W
  std::array<int, 2> dilations{1, 1};   ///< H, W
  std::array<int, 2> ksize{1, 1};       ///< pooling window H, W
  std::array<int, 4> pads{0, 0, 0, 0};  ///< top, bottom, left, right (explicit after import)
  bool pad_same = false;                ///< the model said SAME (pads hold the resolved values)
  std::vector<int64_t> shape;           ///< Input / Reshape target
  std::vector<int> axes;                ///< Mean / Squeeze
  int axis = -1;                        ///< Concat
  bool keep_dims = false;               ///< Mean
  Act act = Act::None;                  ///< fused activation
  bool has_bias = false;                ///< fused bias: inputs.back() names it
  std::vector<int64_t> pad_list;        ///< Pad: 2 per dim (before, after), NHWC
  std::vector<int64_t> out_shape;       ///< inferred output shape for one image (batch dim 1)
};

struct Graph {
  std::vector<Node> nodes;                 ///< topological order
  std::map<std::string, Tensor> consts;    ///< float32 constants by name
  std::vector<std::string> inputs;         ///< Placeholder names, in model order
  std::vector<std::string> outputs;        ///< as GraphModel.outputs reports them (no ":0")
  std::vector<std::string> output_nodes;   ///< per output: the node (or input/const) holding its value
  std::string source;                      ///< path or description
  const Node* find(const std::string& name) const;
};

/// Reads a tfjs graph model (model.json with modelTopology + weightsManifest;
/// float32, float16 and uint8/uint16-quantized weights). Any op outside the
/// list above: FormatError naming the node and the op. Shard paths are
/// relative to the model.json's folder.
Graph load_tfjs_graph(const std::string& model_json_path);
/// The same from memory: model.json text and a loader for its shard paths.
Graph read_tfjs_graph(std::string_view model_json, const std::function<std::vector<uint8_t>(const std::string&)>& load_shard,
                      const std::string& source = "model.json");

}  // namespace squish::graph
