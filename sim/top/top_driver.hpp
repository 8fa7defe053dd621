// squish::rtl — the driver of the Verilated accelerator top (rtl/top/squish_top).
// It reaches the top only through its AXI4-Lite register map and its three
// AXI4-Stream ports, as a driver reaches the FPGA build (docs/top.md); the
// RTL device backend (make_rtl_device) and the testbench are built on it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "squish/container/sqz.hpp"
#include "squish/datapath/datapath.hpp"
#include "squish/nms/nms.hpp"
#include "squish/runtime/device.hpp"

namespace squish::rtl {

/// Register offsets (docs/top.md, "Register map").
namespace top_reg {
inline constexpr uint8_t kCtrl = 0x00, kStatus = 0x04, kIrqEn = 0x08, kError = 0x0C, kCmd = 0x10, kRows = 0x14,
                         kCols = 0x18, kNpix = 0x1C, kZp = 0x20, kBatch = 0x24, kSmCfg = 0x28, kNmsThr = 0x2C,
                         kNmsCfg = 0x30, kNmsTopk = 0x34, kNmsScore = 0x38, kParams = 0x3C, kCycles = 0x40,
                         kBusy = 0x48, kStalled = 0x50, kMacs = 0x58, kSkipped = 0x60, kWeightBytes = 0x68,
                         kActBytes = 0x70, kOutBeats = 0x78, kNmsCycles = 0x7C, kCacheBeats = 0x80,
                         kSections = 0x84;
}

/// The top's weight stream for one section (docs/top.md, "Weight stream"):
/// preamble, sparse header (synthesized for dense payloads), table, body.
/// UsageError for sections the top cannot take (precision/bits mismatch,
/// Tunstall, rANS significance split, non-2-D shapes).
std::vector<uint32_t> top_weight_stream(const container::Section& s, datapath::WPrec p);

/// Number of beats the weight path emits for a section (what the beat cache
/// must hold): decoded host-side with the golden library.
size_t top_beat_count(const container::Section& s, datapath::WPrec p);

struct TopOptions {
  uint64_t seed = 1;
  int backpressure = 0;        ///< 0 none, 1 light, 2 heavy: every stream and the AXI-Lite handshakes
  std::string trace_path;      ///< FST, empty = none
  uint64_t max_cycles = 2'000'000'000ull;
  bool cache = true;           ///< use the beat cache when the layer fits
  unsigned batch = 0;          ///< BATCH register (0 = MaxBatch)
};

/// Everything one GEMM command returned.
struct TopGemmRun {
  std::vector<int8_t> out;          ///< npix x rows
  runtime::LayerStats stats;
  uint32_t error = 0;               ///< ERROR register (0 = none)
  uint64_t cache_beats = 0;         ///< beats recorded in the cache
  uint64_t busy = 0, stalled = 0, skipped = 0;
  bool cached = false;              ///< CMD.cache was set
  std::string protocol_error;       ///< AXI-Stream rule broken on m_axis_r
};

class TopDriver {
 public:
  explicit TopDriver(const TopOptions& o = {});
  ~TopDriver();
  TopDriver(const TopDriver&) = delete;
  TopDriver& operator=(const TopDriver&) = delete;

  /// AXI4-Lite accesses (random handshake delays under backpressure).
  void write(uint8_t addr, uint32_t value);
  uint32_t read(uint8_t addr);
  uint64_t read64(uint8_t addr);
  void soft_reset();

  /// One GEMM command with the weight section transcoded from the job.
  TopGemmRun gemm(const runtime::GemmJob& job, std::span<const int8_t> acts, size_t npix);
  /// Same with an explicit weight stream (tests: corrupted streams). With
  /// cache = false the stream is sent once per batch of output pixels.
  TopGemmRun gemm_stream(const runtime::GemmJob& job, std::span<const uint32_t> wstream, bool cache,
                         std::span<const int8_t> acts, size_t npix);

  struct SoftmaxRun {
    std::vector<uint16_t> probs;
    uint32_t error = 0;
    uint64_t cycles = 0;
  };
  SoftmaxRun softmax(std::span<const int16_t> x, unsigned frac_bits);
  struct NmsRun {
    std::vector<uint32_t> kept;
    uint32_t error = 0;
    uint64_t cycles = 0;
  };
  NmsRun nms(std::span<const nms::Box> boxes, std::span<const float> scores, const nms::Options& opt);

  uint64_t cycle() const;
  unsigned lanes() const;
  unsigned max_batch() const;
  size_t cache_depth() const;
  const TopOptions& options() const { return opt_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  TopOptions opt_;
};

}  // namespace squish::rtl
