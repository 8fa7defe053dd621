// Shared pieces of the network commands (squish run, squish detect, and the
// model path of squish compress): the weight compression options, loading or
// quantizing a model, atomic output files, progress on a terminal.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "args.hpp"
#include "squish/container/compress.hpp"
#include "squish/runtime/int8_engine.hpp"

namespace squish::cli {

/// The compress options a network command takes (the subset of `squish
/// compress`'s that the int8 engine can apply).
struct NetArgs {
  container::CompressOptions o;
  std::string sparse_fmt = "dense", coder = "none", rounding = "even", norm = "l1", calib;
  int set_prune = 0, set_quant = 0;
  bool quiet = false;  ///< run/detect --quiet: no progress on stderr
};
void add_net_options(ArgParser& p, NetArgs& a, bool with_calib = true);
container::CompressOptions finish_net_options(NetArgs& a);

/// True when `path` names a tfjs model.json (by extension).
bool is_model_json(const std::string& path);

/// Prints "[i/n] what" on stderr, only when stderr is a terminal and the run has
/// lasted over two seconds; done() clears the line.
class NetProgress {
 public:
  explicit NetProgress(bool enabled);
  void step(size_t i, size_t n, const char* what);
  void done();

 private:
  bool on_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point t0_;
};

/// A .sqz network file, or a tfjs model.json quantized with calibration data
/// (CALIB.npy, float32 NHWC; UsageError when missing).
runtime::QuantNet load_or_quantize(const std::string& model, const NetArgs& a, const container::CompressOptions& o,
                                   NetProgress* progress, uint64_t* model_bytes);

/// Writes to PATH.tmp.<pid> then renames over PATH (nothing left on error).
void write_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace squish::cli
