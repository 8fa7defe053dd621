// TensorFlow.js weights: a layers/graph `model.json` (its "weightsManifest") or a
// bare `*-weights_manifest.json`, plus the binary shards it names. Decoding
// follows tfjs-core's decodeWeights exactly: weights are laid out back to back
// across the group's concatenated shards; a "quantization" block {dtype: uint8 |
// uint16, scale, min} stores codes c with value float32(c*scale + min) (double
// arithmetic, then rounded to float32; Math.round for int32 weights); {dtype:
// float16} stores IEEE halves.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "squish/tensor.hpp"

namespace squish::io {

using ShardLoader = std::function<std::vector<uint8_t>(const std::string& path)>;

/// Decodes the weights a manifest (or model.json) describes, loading each shard
/// path through `load`. Errors name the weight, group and byte offset.
std::vector<Tensor> read_tfjs(std::string_view json_text, const ShardLoader& load);

/// Loads a manifest or model.json from disk; shard paths are relative to its folder.
std::vector<Tensor> load_tfjs(const std::string& path);

/// Loads .npy, .npz, or a tfjs manifest/model.json (by extension).
/// `max_elements` bounds what a .npz may inflate to (read_npz).
std::vector<Tensor> load_model(const std::string& path, uint64_t max_elements = uint64_t{1} << 27);

/// The shard paths a manifest or model.json names, as written (empty when the
/// text is not a manifest).
std::vector<std::string> tfjs_shard_paths(std::string_view json_text);
/// Every file load_model(path) reads: the path itself, and for a tfjs .json its
/// shards (resolved against its folder). For the output guard.
std::vector<std::string> model_files(const std::string& path);

}  // namespace squish::io
