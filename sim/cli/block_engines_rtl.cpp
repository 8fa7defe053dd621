// squish::runtime::BlockEngines over the Verilated engines of sim/<block>/:
// what `squish gemv|softmax|nms|decompress --engine rtl` run, so that sw/cli
// includes no sim/ header.
#include <memory>

#include "squish/error.hpp"
#include "squish/rtl/datapath.hpp"
#include "squish/rtl/entropy.hpp"
#include "squish/rtl/nms.hpp"
#include "squish/rtl/softmax.hpp"
#include "squish/runtime/block_engines.hpp"

namespace squish::runtime {

namespace {

DatapathRun from(const rtl::DatapathRtlResult& r) {
  if (!r.protocol_error.empty()) throw Error("rtl datapath: AXI protocol violation on the output: " + r.protocol_error);
  return {r.outputs, r.counters, r.error};
}

class RtlBlockEngines final : public BlockEngines {
 public:
  DatapathRun datapath(std::span<const datapath::NzBeat> beats, const datapath::Config& cfg,
                       std::span<const int8_t> acts, std::span<const datapath::Channel> channels) override {
    if (!dp_) dp_ = std::make_unique<rtl::DatapathRtl>();
    return from(dp_->run(beats, cfg, acts, channels));
  }
  DatapathRun sparse_datapath(std::span<const uint8_t> payload, size_t rows, const datapath::Config& cfg,
                              std::span<const int8_t> acts, std::span<const datapath::Channel> channels) override {
    if (!sdp_) sdp_ = std::make_unique<rtl::SparseDatapathRtl>();
    return from(sdp_->run(payload, rows, cfg, acts, channels));
  }

  SoftmaxRun softmax(std::span<const std::vector<int16_t>> rows, unsigned frac_bits) override {
    std::vector<rtl::SoftmaxJob> jobs(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
      jobs[r].logits = rows[r];
      jobs[r].frac_bits = frac_bits;
    }
    const auto run = rtl::run_softmax_rtl(jobs);
    if (run.protocol_error) throw Error("rtl softmax: AXI protocol violation on the output: " + *run.protocol_error);
    SoftmaxRun out;
    out.probs = run.probs;
    out.cycles = run.cycles;
    out.err_overlong = run.err_overlong;
    out.err_length = run.err_length;
    return out;
  }

  NmsLimits nms_limits() override {
    const auto p = rtl::nms_params(rtl::NmsVariant::Full);
    return {p.max_boxes, p.max_kept, p.coord_bits};
  }
  NmsRun nms(std::span<const nms::Box> boxes, std::span<const float> scores, std::span<const uint32_t> classes,
             const nms::Options& o) override {
    const auto hw = rtl::nms_hw_boxes(boxes, scores, classes);
    const auto r = rtl::nms_run(hw, rtl::nms_hw_config(o), {});
    if (!r.protocol_error.empty()) throw Error("rtl nms: AXI protocol violation on the output: " + r.protocol_error);
    NmsRun out;
    out.kept = r.kept;
    out.candidates = r.candidates;
    out.passes = r.passes;
    out.cycles = r.cycles;
    out.err_too_many = r.err_too_many;
    out.err_kept_full = r.err_kept_full;
    return out;
  }

  bool entropy_can_decode(entropy::CoderId id, std::span<const uint8_t> payload, const entropy::CoderParams& p,
                          std::string* why) override {
    return rtl::rtl_can_decode(id, payload, p, why);
  }
  EntropyRun entropy_decode(entropy::CoderId id, std::span<const uint8_t> payload, size_t count,
                            const entropy::CoderParams& p) override {
    const auto r = rtl::decode_rtl(id, payload, count, p);
    EntropyRun out;
    out.symbols = r.symbols;
    out.cycles = r.cycles;
    out.table_cycles = r.table_cycles;
    out.error = r.error || r.protocol_error.has_value() || !r.last_ok;
    return out;
  }

 private:
  std::unique_ptr<rtl::DatapathRtl> dp_;
  std::unique_ptr<rtl::SparseDatapathRtl> sdp_;
};

}  // namespace

std::unique_ptr<BlockEngines> make_rtl_block_engines() { return std::make_unique<RtlBlockEngines>(); }

}  // namespace squish::runtime
