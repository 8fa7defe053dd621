// The float32 reference engine: runs a squish::graph::Graph as written, one
// image at a time, with TensorFlow.js's CPU-backend arithmetic (docs/network.md,
// "Graph import and float engine"): values are float32 tensors; a convolution
// accumulates into float32 with each multiply-add rounded once (JavaScript
// computes x*w + y in double and stores to a Float32Array), in tfjs's loop order
// (filter row, filter column, input channel); MatMul sums blocks of 48 in double;
// pooling, Mean and Softmax sums in double. The int8 engine calibrates on it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "squish/graph/graph.hpp"
#include "squish/tensor.hpp"

namespace squish::runtime {

struct FloatResult {
  std::vector<Tensor> outputs;           ///< one per Graph::outputs, name = output name, shape [N, ...]
  std::map<std::string, Tensor> values;  ///< every node's output (float32, [N, ...]), only when keep_all;
                                         ///< also keyed by the output names
};

/// Runs the graph on `input` (float32 or float16, NHWC, batch N: the Placeholder's
/// shape with any batch). N images run as N inferences. FormatError when the
/// input's shape does not match the graph's input (names both shapes).
FloatResult run_float(const graph::Graph& g, const Tensor& input, bool keep_all = false);

}  // namespace squish::runtime
