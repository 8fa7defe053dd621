// squish::rtl — run frames through the Verilated rtl/nms/nms_unit.
//
// Two builds of the unit exist (sim/nms/block.cmake): Full, the evaluated
// configuration (4 lanes, 8192 boxes, 1024 sorter cells, 8 banks x 128 kept), and
// Small (3 lanes, 512 boxes, 16 sorter cells, 4 x 8 kept) for corner cases.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "squish/nms/nms.hpp"

namespace squish::rtl {

enum class NmsVariant { Full, Small };

/// The unit's parameters as the Verilated model reports them.
struct NmsParams {
  unsigned lanes, coord_bits, class_bits, max_boxes, max_kept, sort_cap, banks;
};
NmsParams nms_params(NmsVariant v);

/// Frame configuration in the unit's terms (cfg_* ports).
struct NmsHwConfig {
  nms::Threshold thr;
  bool plus_one = false, empty_one = false, class_aware = false;
  bool score_en = false, score_ge = false;
  uint32_t score_bits = 0;  ///< float32 bits of the score threshold
  uint32_t top_k = 0, max_output = 0;
};
/// Maps golden-model options to the unit; UsageError for what it lacks (eta < 1).
NmsHwConfig nms_hw_config(const nms::Options& o);

/// One box as the unit sees it.
struct NmsHwBox {
  uint32_t x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  uint32_t score_bits = 0;
  uint32_t cls = 0;
};
/// Converts model inputs; UsageError naming the box if a coordinate or class
/// does not fit the unit's widths.
std::vector<NmsHwBox> nms_hw_boxes(std::span<const nms::Box> boxes, std::span<const float> scores,
                                   std::span<const uint32_t> classes, NmsVariant v = NmsVariant::Full);

struct NmsRunOptions {
  NmsVariant variant = NmsVariant::Full;
  int backpressure = 0;      ///< 0 none, 1 light, 2 heavy (squish::sim::Backpressure)
  uint64_t seed = 1;
  std::string trace_path;    ///< FST file, empty = none
  uint64_t max_cycles = 50'000'000;
};

struct NmsRunResult {
  std::vector<uint32_t> kept;  ///< output indices, in stream order
  bool none_beat = false;      ///< the frame ended with a none = 1 beat
  bool last_ok = true;         ///< exactly the final beat carried last = 1
  uint64_t cycles = 0;         ///< hardware counter cycles_o
  uint64_t sim_cycles = 0;     ///< testbench clock ticks for the frame
  uint32_t candidates = 0, kept_count = 0, passes = 0;
  bool err_too_many = false, err_kept_full = false, nan_seen = false;
  std::string protocol_error;  ///< AXI-rule violation seen on the output, if any
};

/// Streams one frame in, collects the kept indices.
NmsRunResult nms_run(std::span<const NmsHwBox> boxes, const NmsHwConfig& cfg, const NmsRunOptions& o = {});

/// Several frames back to back through one unit (same configuration).
std::vector<NmsRunResult> nms_run_frames(std::span<const std::vector<NmsHwBox>> frames, const NmsHwConfig& cfg,
                                         const NmsRunOptions& o = {});

/// Convenience: the golden-model signature on the RTL.
std::vector<uint32_t> nms_rtl(std::span<const nms::Box> boxes, std::span<const float> scores,
                              std::span<const uint32_t> classes, const nms::Options& opt,
                              const NmsRunOptions& o = {});

}  // namespace squish::rtl
