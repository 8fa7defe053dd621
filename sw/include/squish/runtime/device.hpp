// The device interface: what the int8 engine asks of an accelerator, and the
// two backends that answer (docs/interfaces.md). The golden backend (sw/,
// squish_core) runs the bit-accurate C++ models; the RTL backend (sim/, library
// squish_rtl_device) drives the Verilated rtl/top only through its AXI4-Lite
// register map and AXI4-Stream ports, as a driver drives the FPGA build.
// sw/ never includes sim/ headers: the RTL backend is reached through
// make_device("rtl"), whose definition the CLI links when the RTL is built.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "squish/container/sqz.hpp"
#include "squish/datapath/datapath.hpp"
#include "squish/nms/nms.hpp"

namespace squish::runtime {

/// One GEMM layer: out[p][r] = requant_r( sum_c W[r][c] * (x[p][c] - act_zp) ),
/// p = 0..npix-1 (pixels / vectors), r = 0..rows-1 (output channels).
/// Convolutions arrive here as GEMMs after host-side im2col (reported as host work),
/// or as depthwise jobs (depthwise = true, see docs/interfaces.md).
struct GemmJob {
  std::string name;                 ///< layer (graph node) name, for reports and errors
  uint32_t rows = 0;                ///< output channels
  uint32_t cols = 0;                ///< K: reduction length
  datapath::WPrec wprec = datapath::WPrec::Int8;
  /// The weights exactly as the .sqz stores them: shape {rows, cols}, symmetric
  /// signed codes (zero point 0), any sparse format, any coder (incl. a coder over
  /// a sparse payload once the container allows it).
  const container::Section* weights = nullptr;
  std::vector<datapath::Channel> channels;  ///< per row: bias, multiplier, shift
  int32_t act_zp = 0, out_zp = 0, out_min = -128, out_max = 127;  ///< fused ReLU/ReLU6 in the clamp
  bool depthwise = false;           ///< rows = channels, cols = kernel taps; acts npix x (rows*cols), tap-major per channel
};

/// What one device call cost, for `squish run --json`.
struct LayerStats {
  uint64_t cycles = 0;              ///< device cycles (0 for the golden backend unless modelled)
  uint64_t macs_dense = 0;          ///< dense-equivalent MACs (rows * cols * npix)
  uint64_t macs_performed = 0;      ///< products actually computed
  uint64_t weight_bytes_in = 0;     ///< bytes that crossed the weight input port
  uint64_t act_bytes_in = 0;        ///< bytes that crossed the activation input port
  uint64_t out_bytes = 0;           ///< bytes on the result port
  double lane_utilisation = 0;      ///< macs_performed / (cycles * P), 0 if unknown
};

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;  ///< "golden" or "rtl"
  /// acts: npix x cols int8 row-major (depthwise: npix x rows*cols); returns npix x rows int8.
  virtual std::vector<int8_t> gemm(const GemmJob& job, std::span<const int8_t> acts, size_t npix,
                                   LayerStats* stats = nullptr) = 0;
  /// Softmax of int8 logits (scale, zero point) to Q0.16, the softmax unit's contract.
  virtual std::vector<uint16_t> softmax(std::span<const int8_t> logits, double scale, int32_t zp,
                                        LayerStats* stats = nullptr) = 0;
  /// Greedy NMS (nms::Options semantics); indices kept, in keep order.
  virtual std::vector<uint32_t> nms(std::span<const nms::Box> boxes, std::span<const float> scores,
                                    const nms::Options& opt, LayerStats* stats = nullptr) = 0;
};

struct DeviceOptions {
  uint64_t seed = 1;            ///< RTL backend: backpressure seed
  int backpressure = 0;         ///< 0 none, 1 light, 2 heavy
  std::string trace_path;       ///< RTL backend: FST file, empty = none
};

/// "golden" always; "rtl" once a program that links the RTL backend has
/// registered it (register_rtl_device), otherwise a UsageError saying the build
/// has no RTL.
std::unique_ptr<Device> make_device(std::string_view engine, const DeviceOptions& o = {});

using DeviceFactory = std::unique_ptr<Device> (*)(const DeviceOptions&);
/// Called once by a program that links squish_rtl_device (the CLI's main does it
/// when built with the RTL: register_rtl_device(&make_rtl_device)).
void register_rtl_device(DeviceFactory f);
bool have_rtl_device();
/// Declared here, defined only in the RTL library (sim/top): the Verilated top
/// behind its register map. Never call it from squish_core.
std::unique_ptr<Device> make_rtl_device(const DeviceOptions& o);

}  // namespace squish::runtime
