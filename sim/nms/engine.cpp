// RTL engine for rtl/nms/nms_unit: drives a frame through the Verilated model
// with the squish::sim stream driver and sink (optional random backpressure).
#include "squish/rtl/nms.hpp"

#include <algorithm>
#include <array>
#include <bit>

#include "Vnms_unit.h"
#include "Vnms_unit_nms_unit.h"
#include "Vnms_unit_small.h"
#include "Vnms_unit_small_nms_unit.h"
#include "squish/error.hpp"
#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::rtl {

namespace {

template <class Mod>
NmsParams params_of() {
  return {Mod::LanesPub,   Mod::CoordBitsPub, Mod::ClassBitsPub, Mod::MaxBoxesPub,
          Mod::MaxKeptPub, Mod::SortCapPub,   Mod::BanksPub};
}

struct InBeat {
  std::vector<NmsHwBox> lanes;
  unsigned count = 0;
  bool last = false;
};
struct OutBeat {
  uint32_t index = 0;
  bool none = false, last = false;
  bool operator==(const OutBeat&) const = default;
};

// Writes `width` bits of v at bit `pos` of a Verilator wide signal.
template <class Wide>
void put_bits(Wide& w, unsigned pos, unsigned width, uint64_t v) {
  for (unsigned b = 0; b < width; ++b) {
    const unsigned p = pos + b;
    const uint32_t bit = static_cast<uint32_t>((v >> b) & 1u);
    w[p / 32] = (w[p / 32] & ~(1u << (p % 32))) | (bit << (p % 32));
  }
}

template <class Model, class Root>
std::vector<NmsRunResult> run(std::span<const std::vector<NmsHwBox>> frames, const NmsHwConfig& cfg,
                              const NmsRunOptions& o) {
  const NmsParams p = params_of<Root>();
  const unsigned lane_w = 4 * p.coord_bits + 32 + p.class_bits;
  sim::DutOptions dopt;
  dopt.seed = o.seed;
  dopt.max_cycles = o.max_cycles;
  dopt.trace_path = o.trace_path;
  dopt.name = "nms_unit";
  sim::Dut<Model> dut(dopt);
  auto& m = dut.model();
  m.cfg_thr_mant_i = cfg.thr.mant;
  m.cfg_thr_shift_i = cfg.thr.shift;
  m.cfg_thr_ge_i = cfg.thr.ge;
  m.cfg_plus_one_i = cfg.plus_one;
  m.cfg_empty_one_i = cfg.empty_one;
  m.cfg_class_aware_i = cfg.class_aware;
  m.cfg_score_en_i = cfg.score_en;
  m.cfg_score_thr_i = cfg.score_bits;
  m.cfg_score_ge_i = cfg.score_ge;
  const uint32_t cnt_max = (2u * p.max_boxes) - 1;
  m.cfg_top_k_i = std::min(cfg.top_k, cnt_max);
  m.cfg_max_output_i = std::min(cfg.max_output, cnt_max);
  dut.reset();

  const auto bp = static_cast<sim::Backpressure>(std::clamp(o.backpressure, 0, 2));
  sim::StreamDriver<InBeat> drv(
      dut, m.in_valid_i, m.in_ready_o,
      [&m, &p, lane_w](const InBeat& b) {
        for (unsigned w = 0; w < (p.lanes * lane_w + 31) / 32; ++w) m.in_boxes_i[w] = 0;
        for (unsigned l = 0; l < b.lanes.size(); ++l) {
          const NmsHwBox& x = b.lanes[l];
          const unsigned base = l * lane_w, c = p.coord_bits;
          put_bits(m.in_boxes_i, base + 0 * c, c, x.x1);
          put_bits(m.in_boxes_i, base + 1 * c, c, x.y1);
          put_bits(m.in_boxes_i, base + 2 * c, c, x.x2);
          put_bits(m.in_boxes_i, base + 3 * c, c, x.y2);
          put_bits(m.in_boxes_i, base + 4 * c, 32, x.score_bits);
          put_bits(m.in_boxes_i, base + 4 * c + 32, p.class_bits, x.cls);
        }
        m.in_count_i = b.count;
        m.in_last_i = b.last;
      },
      bp);
  sim::StreamSink<OutBeat> sink(
      dut, m.out_valid_o, m.out_ready_i,
      [&m] { return OutBeat{m.out_index_o, m.out_none_o != 0, m.out_last_o != 0}; }, bp);

  // Beats of Lanes boxes; an empty frame is one beat with count 0. All frames
  // are queued at once, so they follow each other back to back.
  for (const auto& boxes : frames) {
    std::vector<InBeat> beats;
    for (size_t i = 0; i < boxes.size(); i += p.lanes) {
      InBeat b;
      for (size_t k = i; k < std::min(boxes.size(), i + p.lanes); ++k) b.lanes.push_back(boxes[k]);
      b.count = static_cast<unsigned>(b.lanes.size());
      beats.push_back(std::move(b));
    }
    if (beats.empty()) beats.push_back(InBeat{});
    beats.back().last = true;
    drv.push(beats.begin(), beats.end());
  }

  std::vector<NmsRunResult> results;
  size_t first_beat = 0;
  for (size_t f = 0; f < frames.size(); ++f) {
    const uint64_t start = dut.cycle();
    dut.run_until([&] { return sink.count() > first_beat && sink.received().back().beat.last; }, o.max_cycles,
                  "last output beat of frame " + std::to_string(f));
    NmsRunResult r;
    // Counters hold until the next frame starts, at the earliest two cycles on.
    r.cycles = m.cycles_o;
    r.candidates = m.candidates_o;
    r.kept_count = m.kept_o;
    r.passes = m.passes_o;
    r.err_too_many = m.err_too_many_o;
    r.err_kept_full = m.err_kept_full_o;
    r.nan_seen = m.nan_seen_o;
    if (f + 1 == frames.size()) dut.ticks(4);  // nothing more may appear
    r.sim_cycles = dut.cycle() - start;
    const auto got = sink.beats();
    for (size_t k = first_beat; k < got.size(); ++k) {
      if (got[k].last != (k + 1 == got.size())) r.last_ok = false;
      if (got[k].none) {
        r.none_beat = true;
        if (got.size() != first_beat + 1) r.last_ok = false;
      } else {
        r.kept.push_back(got[k].index);
      }
    }
    first_beat = got.size();
    if (sink.protocol_error()) r.protocol_error = *sink.protocol_error();
    results.push_back(std::move(r));
  }
  if (m.busy_o) throw sim::Timeout("nms_unit: still busy after its last output beat");
  return results;
}

}  // namespace

NmsParams nms_params(NmsVariant v) {
  return v == NmsVariant::Full ? params_of<Vnms_unit_nms_unit>() : params_of<Vnms_unit_small_nms_unit>();
}

NmsHwConfig nms_hw_config(const nms::Options& o) {
  if (o.eta < 1.0f) throw UsageError("nms: the RTL unit has no adaptive threshold (eta < 1)");
  NmsHwConfig c;
  c.thr = nms::Threshold::from(o.iou_threshold, o.suppress_when);
  c.plus_one = o.plus_one;
  c.empty_one = o.empty_union == nms::EmptyUnion::IouOne;
  c.class_aware = o.class_aware;
  c.score_en = o.has_score_threshold;
  if (o.has_score_threshold) (void)nms::score_key(o.score_threshold);  // rejects NaN
  c.score_bits = std::bit_cast<uint32_t>(o.score_threshold);
  c.score_ge = o.score_cmp == nms::ScoreCmp::GreaterEqual;
  c.top_k = static_cast<uint32_t>(std::min<size_t>(o.top_k, 0xffffffffu));
  c.max_output = static_cast<uint32_t>(std::min<size_t>(o.max_output, 0xffffffffu));
  return c;
}

std::vector<NmsHwBox> nms_hw_boxes(std::span<const nms::Box> boxes, std::span<const float> scores,
                                   std::span<const uint32_t> classes, NmsVariant v) {
  const NmsParams p = nms_params(v);
  if (boxes.size() != scores.size() || (!classes.empty() && classes.size() != boxes.size()))
    throw UsageError("nms rtl: boxes, scores and classes differ in length");
  if (boxes.size() > p.max_boxes)
    throw UsageError("nms rtl: " + std::to_string(boxes.size()) + " boxes exceed the unit's " +
                     std::to_string(p.max_boxes));
  const int64_t cmax = (int64_t{1} << p.coord_bits) - 1;
  std::vector<NmsHwBox> out;
  for (size_t i = 0; i < boxes.size(); ++i) {
    const auto& b = boxes[i];
    if (b.x1 < 0 || b.y1 < 0 || b.x2 > cmax || b.y2 > cmax || b.x2 < b.x1 || b.y2 < b.y1)
      throw UsageError("nms rtl: box " + std::to_string(i) + " is not within 0.." + std::to_string(cmax) +
                       " with x1 <= x2, y1 <= y2");
    (void)nms::score_key(scores[i]);
    const uint32_t cls = classes.empty() ? 0 : classes[i];
    if (cls >= (1u << p.class_bits))
      throw UsageError("nms rtl: class of box " + std::to_string(i) + " exceeds " + std::to_string(p.class_bits) +
                       " bits");
    out.push_back({static_cast<uint32_t>(b.x1), static_cast<uint32_t>(b.y1), static_cast<uint32_t>(b.x2),
                   static_cast<uint32_t>(b.y2), std::bit_cast<uint32_t>(scores[i]), cls});
  }
  return out;
}

std::vector<NmsRunResult> nms_run_frames(std::span<const std::vector<NmsHwBox>> frames, const NmsHwConfig& cfg,
                                         const NmsRunOptions& o) {
  if (o.variant == NmsVariant::Full) return run<Vnms_unit, Vnms_unit_nms_unit>(frames, cfg, o);
  return run<Vnms_unit_small, Vnms_unit_small_nms_unit>(frames, cfg, o);
}

NmsRunResult nms_run(std::span<const NmsHwBox> boxes, const NmsHwConfig& cfg, const NmsRunOptions& o) {
  const std::vector<std::vector<NmsHwBox>> one{std::vector<NmsHwBox>(boxes.begin(), boxes.end())};
  return nms_run_frames(one, cfg, o).front();
}

std::vector<uint32_t> nms_rtl(std::span<const nms::Box> boxes, std::span<const float> scores,
                              std::span<const uint32_t> classes, const nms::Options& opt, const NmsRunOptions& o) {
  const auto cfg = nms_hw_config(opt);
  const auto hw = nms_hw_boxes(boxes, scores, classes, o.variant);
  auto r = nms_run(hw, cfg, o);
  if (!r.protocol_error.empty()) throw Error("nms rtl: output protocol error: " + r.protocol_error);
  return r.kept;
}

}  // namespace squish::rtl
