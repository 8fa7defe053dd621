// Fault injection for the RTL/golden comparison paths (docs/verification.md).
//
// SQUISH_FAULT=<target>[,<target>...] wraps the RTL engines so that one result
// of every call of that kind is wrong by one bit: the comparisons that follow
// (squish run/detect --engine rtl against the golden engine; the block
// commands' RTL-vs-model checks) must catch it and exit 3. Targets:
//   gemm     the device's GEMM: bit 0 of the first output byte flipped
//   softmax  the device's and the softmax unit's first probability, bit 0
//   nms      the device's and the NMS unit's keep list: the last index dropped
//   datapath the datapath RTL's first output (accumulator and int8), bit 0
//   entropy  the entropy decoder's first symbol, bit 0
//   ntt      the RTL NTT unit's first product coefficient, off by one (squish ntt)
// Only the RTL engines are wrapped; the golden ones are never touched. A
// notice goes to stderr whenever a fault is armed, so no normal run is silent
// about it.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "squish/runtime/block_engines.hpp"
#include "squish/runtime/device.hpp"
#include "squish/runtime/fault.hpp"

namespace squish::runtime {

bool fault_armed(std::string_view target) {
  const char* e = std::getenv("SQUISH_FAULT");
  if (e == nullptr || *e == '\0') return false;
  const std::string v(e);
  size_t pos = 0;
  while (pos <= v.size()) {
    const size_t comma = v.find(',', pos);
    const std::string t = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (t == target) {
      std::fprintf(stderr, "squish: SQUISH_FAULT: injecting a fault into the RTL %.*s result\n",
                   static_cast<int>(target.size()), target.data());
      return true;
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return false;
}

namespace {

class FaultyDevice final : public Device {
 public:
  explicit FaultyDevice(std::unique_ptr<Device> inner) : inner_(std::move(inner)) {}
  std::string_view name() const override { return inner_->name(); }
  std::vector<int8_t> gemm(const GemmJob& job, std::span<const int8_t> acts, size_t npix,
                           LayerStats* stats) override {
    auto out = inner_->gemm(job, acts, npix, stats);
    if (!out.empty() && fault_armed("gemm")) out[0] = static_cast<int8_t>(out[0] ^ 1);
    return out;
  }
  std::vector<uint16_t> softmax(std::span<const int8_t> logits, double scale, int32_t zp,
                                LayerStats* stats) override {
    auto out = inner_->softmax(logits, scale, zp, stats);
    if (!out.empty() && fault_armed("softmax")) out[0] ^= 1u;
    return out;
  }
  std::vector<uint32_t> nms(std::span<const nms::Box> boxes, std::span<const float> scores, const nms::Options& opt,
                            LayerStats* stats) override {
    auto out = inner_->nms(boxes, scores, opt, stats);
    if (!out.empty() && fault_armed("nms")) out.pop_back();
    return out;
  }

 private:
  std::unique_ptr<Device> inner_;
};

class FaultyBlocks final : public BlockEngines {
 public:
  explicit FaultyBlocks(std::unique_ptr<BlockEngines> inner) : inner_(std::move(inner)) {}
  DatapathRun datapath(std::span<const datapath::NzBeat> beats, const datapath::Config& cfg,
                       std::span<const int8_t> acts, std::span<const datapath::Channel> channels) override {
    return flip(inner_->datapath(beats, cfg, acts, channels));
  }
  DatapathRun sparse_datapath(std::span<const uint8_t> payload, size_t rows, const datapath::Config& cfg,
                              std::span<const int8_t> acts, std::span<const datapath::Channel> channels) override {
    return flip(inner_->sparse_datapath(payload, rows, cfg, acts, channels));
  }
  SoftmaxRun softmax(std::span<const std::vector<int16_t>> rows, unsigned frac_bits) override {
    auto r = inner_->softmax(rows, frac_bits);
    if (!r.probs.empty() && !r.probs[0].empty() && fault_armed("softmax")) r.probs[0][0] ^= 1u;
    return r;
  }
  NmsLimits nms_limits() override { return inner_->nms_limits(); }
  NmsRun nms(std::span<const nms::Box> boxes, std::span<const float> scores, std::span<const uint32_t> classes,
             const nms::Options& o) override {
    auto r = inner_->nms(boxes, scores, classes, o);
    if (!r.kept.empty() && fault_armed("nms")) r.kept.pop_back();
    return r;
  }
  bool entropy_can_decode(entropy::CoderId id, std::span<const uint8_t> payload, const entropy::CoderParams& p,
                          std::string* why) override {
    return inner_->entropy_can_decode(id, payload, p, why);
  }
  EntropyRun entropy_decode(entropy::CoderId id, std::span<const uint8_t> payload, size_t count,
                            const entropy::CoderParams& p) override {
    auto r = inner_->entropy_decode(id, payload, count, p);
    if (!r.symbols.empty() && fault_armed("entropy")) r.symbols[0] ^= 1u;
    return r;
  }

 private:
  static DatapathRun flip(DatapathRun r) {
    if (!r.outputs.empty() && fault_armed("datapath")) {
      r.outputs[0].acc ^= 1;
      r.outputs[0].q = static_cast<int8_t>(r.outputs[0].q ^ 1);
    }
    return r;
  }
  std::unique_ptr<BlockEngines> inner_;
};

}  // namespace

std::unique_ptr<Device> with_faults(std::unique_ptr<Device> d) {
  const char* e = std::getenv("SQUISH_FAULT");
  if (e == nullptr || *e == '\0') return d;
  return std::make_unique<FaultyDevice>(std::move(d));
}

std::unique_ptr<BlockEngines> with_faults(std::unique_ptr<BlockEngines> b) {
  const char* e = std::getenv("SQUISH_FAULT");
  if (e == nullptr || *e == '\0') return b;
  return std::make_unique<FaultyBlocks>(std::move(b));
}

}  // namespace squish::runtime
