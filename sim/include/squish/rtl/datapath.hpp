// squish::rtl — the Verilated datapath (rtl/mac/mac_datapath.sv) as an engine:
// load activations, stream a nonzero-stream matrix and per-row requantization
// parameters through it, collect the results and the hardware counters.
// Used by the testbenches, the showcase, the bench and `squish gemv --engine rtl`.
// No Verilator header leaks out of this file.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "squish/datapath/datapath.hpp"

namespace squish::rtl {

/// Parameters of the Verilated datapath, read back from the model.
struct DatapathParams {
  unsigned lanes, slots, idx_width, row_width, max_batch, act_depth, acc_width, counter_width;
};

struct DatapathOptions {
  uint64_t seed = 1;
  int backpressure = 0;      ///< 0 none, 1 light, 2 heavy (on every stream)
  std::string trace_path;    ///< FST file; empty = no trace
  std::string name = "mac_datapath";
};

struct DatapathRtlResult {
  std::vector<datapath::Output> outputs;  ///< in the order the RTL emitted them
  datapath::Counters counters;            ///< read from the hardware counters
  bool error = false;                     ///< err_o at the end of the run
  uint64_t cycles = 0;                    ///< testbench cycles from start to last result
  std::string protocol_error;             ///< AXI hold-rule violation on the output, if any
};

/// One Verilated datapath instance; run() may be called repeatedly (the
/// counters and error flag are cleared before each matrix).
class DatapathRtl {
 public:
  explicit DatapathRtl(DatapathOptions opt = {});
  ~DatapathRtl();
  DatapathRtl(const DatapathRtl&) = delete;
  DatapathRtl& operator=(const DatapathRtl&) = delete;

  DatapathRtlResult run(std::span<const datapath::NzBeat> beats, const datapath::Config& cfg,
                        std::span<const int8_t> acts, std::span<const datapath::Channel> channels);

  static DatapathParams params();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Do not keep a DatapathRtl and a SparseDatapathRtl alive at the same time:
/// with Verilator 5.006, destroying one while the other exists crashes in
/// VerilatedScope teardown (seen in bench_datapath; sequential use is fine).
///
/// The decoder + datapath path (rtl/mac/mac_sparse_datapath.sv): a serialized
/// sparse payload (docs/format.md) in, results out.
class SparseDatapathRtl {
 public:
  explicit SparseDatapathRtl(DatapathOptions opt = {});
  ~SparseDatapathRtl();
  SparseDatapathRtl(const SparseDatapathRtl&) = delete;
  SparseDatapathRtl& operator=(const SparseDatapathRtl&) = delete;

  /// `rows`: output rows of the payload's stream (closed in order 0..rows-1).
  /// `error` in the result is the datapath's or the decoder's error flag.
  DatapathRtlResult run(std::span<const uint8_t> payload, size_t rows, const datapath::Config& cfg,
                        std::span<const int8_t> acts, std::span<const datapath::Channel> channels);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace squish::rtl
