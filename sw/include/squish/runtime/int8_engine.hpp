// The golden int8 engine: post-training quantization of a graph with
// calibration, its storage in a .sqz network file, and integer inference with
// every Conv2D / DepthwiseConv2D / MatMul on a Device and everything else on
// the host in TFLite reference-kernel arithmetic (docs/network.md, "Int8 engine").
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "squish/container/compress.hpp"
#include "squish/container/sqz.hpp"
#include "squish/graph/graph.hpp"
#include "squish/runtime/device.hpp"
#include "squish/runtime/int8_ops.hpp"
#include "squish/tensor.hpp"

namespace squish::runtime {

/// Name of the raw uint8 section that holds the network JSON.
inline constexpr const char* kGraphSection = "__squish_graph__";
/// Version of that JSON ("squish-net" documents); readers reject other majors.
inline constexpr int kNetFormatVersion = 1;

/// Running min/max of every node's float output over the calibration batch.
struct Calibration {
  struct Range {
    double min = 0, max = 0;  ///< both start at 0: TFLite's ranges always contain 0
    uint64_t count = 0;
  };
  std::map<std::string, Range> ranges;
  /// Widens `name`'s range by the finite values of v (non-finite: UsageError).
  void observe(const std::string& name, std::span<const float> v);
  /// Observes every tensor of a float run's values map (node name -> output).
  void observe_all(const std::map<std::string, Tensor>& values);
};

/// The weight options of `squish compress` as the int8 engine applies them:
/// prune, bits / bit budget, sparse format, coder, rounding. Forced: per-channel
/// symmetric signed narrow codes (TFLite's int8 weights) on rows = output
/// channels; affine scheme only (the datapath multiplies integer codes).
container::CompressOptions engine_weight_options(container::CompressOptions o);

/// A quantized network: the graph structure, activation parameters per node
/// output, the weight/bias sections and the host constants.
struct QuantNet {
  graph::Graph graph;                          ///< nodes, inputs, outputs (consts: host constants only)
  std::map<std::string, QParams> act;          ///< per node output (and quantized host constants)
  std::map<std::string, Calibration::Range> ranges;  ///< calibration ranges (informative)
  container::Container sections;               ///< <node>/weights, <node>/bias, host constants
  std::string source;
  double mp_avg_bits = 0;
  /// Per weighted layer: the filter's shape as the graph gave it (HWIO, H W C M, [K, N]).
  std::map<std::string, std::vector<size_t>> filter_shape;
  /// Section by name, or nullptr.
  const container::Section* find(const std::string& name) const;
};

/// Quantizes g with the ranges of cal (every node output must have one).
/// Weights of Conv2D [HWIO -> O x HWI], DepthwiseConv2D [H W C M -> C*M x HW],
/// MatMul [K N -> N x K] go through container::compress (engine_weight_options);
/// biases become int32 (round(b / (s_in s_w[r]))) raw sections.
QuantNet quantize_network(const graph::Graph& g, const Calibration& cal, const container::CompressOptions& weights);

/// .sqz network file: the sections plus `__squish_graph__` (docs/format.md).
std::vector<uint8_t> save_network(const QuantNet& net);
/// Reads a .sqz network file; FormatError naming the part when it is not one.
QuantNet load_network(std::span<const uint8_t> bytes, const std::string& where);
/// True when a parsed container holds a `__squish_graph__` section.
bool is_network(const container::Container& c);

/// The op's name in squish-net JSON ("Conv2D", "DepthwiseConv2D", ...) and back
/// (FormatError for an unknown name).
const char* op_string(graph::Op op);
graph::Op op_from_string(const std::string& s);

/// One executed layer, for `squish run --json` and RTL-vs-golden comparison.
struct LayerRecord {
  std::string name;
  std::string op;                 ///< graph op name
  bool on_device = false;         ///< "rtl" (the accelerator: golden model or RTL) vs "host"
  uint64_t macs = 0;              ///< dense-equivalent MACs (device layers)
  LayerStats stats;               ///< device statistics (cycles, bytes, ...)
  uint64_t weight_bytes = 0;      ///< weight payload bytes read for the layer
  std::vector<size_t> out_shape;
  std::vector<int8_t> out;        ///< int8 output (empty for float outputs / when not kept)
  QParams q;
};

struct Int8Result {
  std::vector<Tensor> outputs;    ///< float32, one per graph output, dequantized (Softmax: probabilities)
  std::vector<LayerRecord> layers;
};

/// Runs one or more inferences (input N x ...; each image separately so that
/// statistics are per image; records of all images appended in order).
/// keep_outputs: keep every layer's int8 output in the records.
Int8Result run_int8(const QuantNet& net, const Tensor& input, Device& dev, bool keep_outputs = false);

}  // namespace squish::runtime
