// What `squish run` computes, shared with `squish detect`.
#pragma once

#include <string>
#include <vector>

#include "net_options.hpp"
#include "squish/json.hpp"
#include "squish/runtime/int8_engine.hpp"

namespace squish::cli {

struct NetRun {
  std::string engine;
  size_t images = 0;
  std::vector<Tensor> outputs;               ///< float32 [N, ...] per graph output
  std::vector<runtime::LayerRecord> layers;  ///< int8 engines: every image's records, in order
  bool int8 = false;
  bool compared = false;                     ///< rtl: every layer compared with golden
  bool bit_exact = false;
  std::string first_mismatch;
  uint64_t model_bytes = 0;
};

/// Runs MODEL on every image of `input` with the engine (see cmd_run.cpp).
NetRun run_network(const std::string& model, const Tensor& input, const std::string& engine, const NetArgs& na,
                   const container::CompressOptions& co, bool want_float_values);
/// The --json document: "layers" (summed over images) and "total".
json::Value run_json(const NetRun& r);

}  // namespace squish::cli
