// Block engines: the RTL of each hardware block (sparse datapath, softmax unit,
// NMS unit, entropy decoders) as the CLI's block commands reach it, without
// including a sim/ header. Declared here in sw/, implemented in sim/cli/
// (library squish_rtl) by wrapping the Verilated engines of sim/<block>/, and
// registered like the device: a program that links the RTL calls
// register_block_engines(&make_rtl_block_engines) once (the squish CLI's main
// does when built with the RTL). Without it, make_block_engines() is a
// UsageError naming the build.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "squish/datapath/datapath.hpp"
#include "squish/entropy/codec.hpp"
#include "squish/nms/nms.hpp"

namespace squish::runtime {

/// One run of the datapath RTL (mac), as read from the hardware counters.
struct DatapathRun {
  std::vector<datapath::Output> outputs;  ///< in the order the RTL emitted them
  datapath::Counters counters;
  bool error = false;                     ///< the datapath's or the decoder's error flag
};

/// Softmax unit run over rows of Q(F) int16 logits.
struct SoftmaxRun {
  std::vector<std::vector<uint16_t>> probs;  ///< Q0.16, one vector per row
  uint64_t cycles = 0;
  unsigned err_overlong = 0, err_length = 0;  ///< rows the unit flagged
};

/// NMS unit run on one frame.
struct NmsRun {
  std::vector<uint32_t> kept;  ///< input indices in keep order
  uint32_t candidates = 0, passes = 0;
  uint64_t cycles = 0;
  bool err_too_many = false;   ///< more boxes than the unit holds
  bool err_kept_full = false;  ///< the kept list filled before the frame ended
};

/// Capacity of the NMS unit.
struct NmsLimits {
  uint32_t max_boxes = 0, max_kept = 0, coord_bits = 0;
};

/// One entropy-coded payload decoded on its RTL decoder.
struct EntropyRun {
  std::vector<uint16_t> symbols;
  uint64_t cycles = 0, table_cycles = 0;
  bool error = false;
};

class BlockEngines {
 public:
  virtual ~BlockEngines() = default;

  /// Datapath fed the nonzero beat stream directly.
  virtual DatapathRun datapath(std::span<const datapath::NzBeat> beats, const datapath::Config& cfg,
                               std::span<const int8_t> acts, std::span<const datapath::Channel> channels) = 0;
  /// RTL sparse decoder + datapath fed the serialized sparse payload (sparse::serialize).
  virtual DatapathRun sparse_datapath(std::span<const uint8_t> payload, size_t rows, const datapath::Config& cfg,
                                      std::span<const int8_t> acts, std::span<const datapath::Channel> channels) = 0;

  virtual SoftmaxRun softmax(std::span<const std::vector<int16_t>> rows, unsigned frac_bits) = 0;

  virtual NmsLimits nms_limits() = 0;
  virtual NmsRun nms(std::span<const nms::Box> boxes, std::span<const float> scores, std::span<const uint32_t> classes,
                     const nms::Options& o) = 0;

  /// False (with the reason) when the payload's parameters exceed the decoder.
  virtual bool entropy_can_decode(entropy::CoderId id, std::span<const uint8_t> payload, const entropy::CoderParams& p,
                                  std::string* why) = 0;
  virtual EntropyRun entropy_decode(entropy::CoderId id, std::span<const uint8_t> payload, size_t count,
                                    const entropy::CoderParams& p) = 0;
};

using BlockEnginesFactory = std::unique_ptr<BlockEngines> (*)();
void register_block_engines(BlockEnginesFactory f);
bool have_block_engines();
/// The registered RTL engines; UsageError when this build has none.
std::unique_ptr<BlockEngines> make_block_engines();
/// Declared here, defined only in the RTL library (sim/cli/block_engines_rtl.cpp).
std::unique_ptr<BlockEngines> make_rtl_block_engines();

}  // namespace squish::runtime
