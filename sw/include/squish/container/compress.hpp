// The compression pipeline behind `squish compress`: tensors in, .sqz sections
// out. Per tensor, by role:
//   raw       non-float tensors, and float tensors named by keep_float: stored as is
//   small     float tensors of rank < 2 (biases, norms, scalars): never pruned,
//             8 bits (their tfjs uint8 codes if the model shipped them, else
//             8-bit affine per tensor with the requested rounding and signedness)
//   lossless  weights (rank >= 2) with tfjs uint8 codes when the request is plain
//             8-bit affine per tensor without pruning or bit budget: the shipped
//             codes, scale and min are kept, so decompression reproduces the
//             model's own dequantized values bit for bit
//   weight    everything else of rank >= 2: prune, then quantize
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "squish/container/sqz.hpp"

namespace squish::container {

struct CompressOptions {
  prune::PruneSpec prune;          ///< Method::None = no pruning
  quant::QuantSpec quant;          ///< scheme, bits, rounding, ... (channel_axis set from below)
  bool per_channel = false;        ///< one scale per output channel
  int channel_axis = -1;           ///< output-channel axis; -1: last axis if channels_last else 0
  bool channels_last = true;       ///< tfjs (HWIO, [in, out]) vs numpy/PyTorch (OIHW, [out, in])
  double bit_budget = 0;           ///< > 0: mixed precision, average bits over weights
  unsigned min_bits = 2, max_bits = 8;  ///< mixed precision candidates
  /// Mixed precision objective: false = total squared error (sum D_i); true =
  /// sum of per-tensor relative errors D_i / E_i (E_i = tensor energy), which
  /// does not starve tensors of small weights.
  bool mp_relative = false;
  bool requantize_tfjs = false;    ///< never keep tfjs codes
  /// Lossless: 8-bit, tfjs codes kept, and every float tensor without tfjs
  /// codes stored raw (so every tensor decodes to its input bit for bit).
  bool lossless = false;
  std::vector<std::string> keep_float;  ///< tensors whose name contains one of these stay raw
  bool sparse_auto = false;
  sparse::Format sparse_format = sparse::Format::Dense;
  unsigned rlc_run_bits = 4;
  entropy::CoderId coder = entropy::CoderId::None;
  entropy::CoderParams coder_params;
  /// rANS: let sections use an earlier section's table when smaller
  /// (container::share_tables; needs .sqz version 2).
  bool share_tables = true;
  std::string source;
  /// Called before each tensor: (index, count, name).
  std::function<void(size_t, size_t, const std::string&)> progress;
};

struct TensorReport {
  std::string name;
  std::string role;        ///< raw, small, lossless, weight
  unsigned bits = 0;
  size_t numel = 0;
  size_t kept = 0;         ///< nonzeros after pruning (before quantization)
};

struct CompressResult {
  Container container;
  std::vector<TensorReport> tensors;
  /// Per section, the dequantized float32 values the file must decode to
  /// (empty for raw sections, which decode to their source bytes).
  std::vector<std::vector<float>> expected;
  double mp_avg_bits = 0;    ///< mixed precision: achieved average bits over weights
  bool mp_budget_met = true;
};

/// Prunes, quantizes and encodes every tensor. UsageError on bad options.
CompressResult compress(std::span<const Tensor> tensors, const CompressOptions& o);

}  // namespace squish::container
