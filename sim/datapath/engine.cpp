// The Verilated mac_datapath as an engine (see squish/rtl/datapath.hpp).
#include "squish/rtl/datapath.hpp"

#include <stdexcept>

#include "Vmac_datapath.h"
#include "Vmac_datapath_mac_datapath.h"
#include "squish/error.hpp"
#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::rtl {

using datapath::Channel;
using datapath::Config;
using datapath::NzBeat;
using datapath::Output;

namespace {

// Writes `width` bits of v at bit `lsb` of a Verilator wide signal.
template <class Wide>
void put_bits(Wide& w, unsigned lsb, unsigned width, uint32_t v) {
  for (unsigned i = 0; i < width; ++i) {
    const unsigned bit = lsb + i;
    const uint32_t m = 1u << (bit % 32);
    if ((v >> i) & 1u) w[bit / 32] |= m;
    else w[bit / 32] &= ~m;
  }
}

struct ActBeat {
  std::vector<int8_t> vals;
};
struct RqBeat {
  Channel ch;
};

sim::Backpressure to_bp(int level) {
  return level <= 0 ? sim::Backpressure::None : level == 1 ? sim::Backpressure::Light : sim::Backpressure::Heavy;
}

}  // namespace

struct DatapathRtl::Impl {
  explicit Impl(const DatapathOptions& o) : dut(make_options(o)), bp(to_bp(o.backpressure)) {
    auto& m = dut.model();
    m.clear_i = 0;
    m.act_valid_i = m.nz_valid_i = m.rq_valid_i = 0;
    m.out_ready_i = 0;
    m.batch_i = 1;
    m.cols_i = 0;
    dut.reset();
  }
  static sim::DutOptions make_options(const DatapathOptions& o) {
    sim::DutOptions d;
    d.seed = o.seed;
    d.trace_path = o.trace_path;
    d.name = o.name;
    d.max_cycles = ~uint64_t{0};
    return d;
  }
  sim::Dut<Vmac_datapath> dut;
  sim::Backpressure bp;
};

DatapathRtl::DatapathRtl(DatapathOptions opt) : impl_(std::make_unique<Impl>(opt)) {}
DatapathRtl::~DatapathRtl() = default;

DatapathParams DatapathRtl::params() {
  return {Vmac_datapath_mac_datapath::PubLanes,
          Vmac_datapath_mac_datapath::PubSlots,
          Vmac_datapath_mac_datapath::PubIdxWidth,
          Vmac_datapath_mac_datapath::PubRowWidth,
          Vmac_datapath_mac_datapath::PubMaxBatch,
          Vmac_datapath_mac_datapath::PubActDepth,
          Vmac_datapath_mac_datapath::PubAccWidth,
          Vmac_datapath_mac_datapath::PubCounterWidth};
}

DatapathRtlResult DatapathRtl::run(std::span<const NzBeat> beats, const Config& cfg, std::span<const int8_t> acts,
                                   std::span<const Channel> channels) {
  const DatapathParams P = params();
  if (cfg.cols > P.act_depth)
    throw UsageError("rtl datapath: " + std::to_string(cfg.cols) + " columns exceed the activation buffer (" +
                     std::to_string(P.act_depth) + ")");
  if (cfg.batch < 1 || cfg.batch > P.max_batch)
    throw UsageError("rtl datapath: batch " + std::to_string(cfg.batch) + " outside 1.." + std::to_string(P.max_batch));
  if (acts.size() != size_t{cfg.batch} * cfg.cols)
    throw UsageError("rtl datapath: activation count does not match batch x cols");
  auto& dut = impl_->dut;
  auto& m = dut.model();
  const auto bp = impl_->bp;

  m.wprec_i = static_cast<uint8_t>(cfg.wprec);
  m.cols_i = cfg.cols;
  m.batch_i = cfg.batch;
  m.act_zp_i = static_cast<uint8_t>(cfg.act_zp);
  m.out_zp_i = static_cast<uint8_t>(cfg.out_zp);
  m.out_min_i = static_cast<uint8_t>(cfg.out_min);
  m.out_max_i = static_cast<uint8_t>(cfg.out_max);
  m.relu_i = cfg.relu;
  m.clear_i = 1;
  dut.tick();
  m.clear_i = 0;

  // Activations: Lanes per beat, vector by vector.
  std::vector<ActBeat> act_beats;
  for (uint32_t v = 0; v < cfg.batch; ++v)
    for (uint32_t c0 = 0; c0 < cfg.cols; c0 += P.lanes) {
      ActBeat a;
      a.vals.assign(P.lanes, 0);
      for (uint32_t i = 0; i < P.lanes && c0 + i < cfg.cols; ++i) a.vals[i] = acts[size_t{v} * cfg.cols + c0 + i];
      act_beats.push_back(std::move(a));
    }
  std::vector<RqBeat> rq_beats;
  size_t expected_outputs = 0;
  for (const auto& b : beats)
    if (b.row_last) {
      if (b.row >= channels.size())
        throw UsageError("rtl datapath: row " + std::to_string(b.row) + " has no requantization channel");
      rq_beats.push_back({channels[b.row]});
      expected_outputs += cfg.batch;
    }

  sim::StreamDriver<ActBeat> act_drv(dut, m.act_valid_i, m.act_ready_o, [&m](const ActBeat& a) {
    for (unsigned i = 0; i < a.vals.size(); ++i) put_bits(m.act_data_i, 8 * i, 8, static_cast<uint8_t>(a.vals[i]));
  }, bp);
  sim::StreamDriver<NzBeat> nz_drv(dut, m.nz_valid_i, m.nz_ready_o, [&m, &P](const NzBeat& b) {
    m.nz_mask_i = b.mask;
    for (unsigned s = 0; s < P.slots; ++s) {
      const bool present = (b.mask >> s) & 1;
      put_bits(m.nz_col_i, s * P.idx_width, P.idx_width, present ? b.col[s] : 0);
      put_bits(m.nz_val_i, s * 8, 8, present ? static_cast<uint8_t>(b.val[s]) : 0);
    }
    m.nz_row_i = b.row;
    m.nz_row_last_i = b.row_last;
    m.nz_last_i = b.last;
  }, bp);
  sim::StreamDriver<RqBeat> rq_drv(dut, m.rq_valid_i, m.rq_ready_o, [&m](const RqBeat& r) {
    m.rq_bias_i = static_cast<uint32_t>(r.ch.bias);
    m.rq_mult_i = static_cast<uint32_t>(r.ch.multiplier);
    m.rq_shift_i = static_cast<uint8_t>(r.ch.shift) & 0x3f;
  }, bp);
  sim::StreamSink<Output> sink(dut, m.out_valid_o, m.out_ready_i, [&m] {
    Output o;
    o.row = m.out_row_o;
    o.batch = m.out_batch_o;
    o.acc = static_cast<int32_t>(m.out_acc_o);
    o.q = static_cast<int8_t>(m.out_q_o);
    o.last = m.out_last_o;
    return o;
  }, bp);
  act_drv.push(act_beats.begin(), act_beats.end());
  nz_drv.push(beats.begin(), beats.end());
  rq_drv.push(rq_beats.begin(), rq_beats.end());

  const uint64_t work = act_beats.size() + beats.size() * cfg.batch + expected_outputs;
  const uint64_t start = dut.cycle();
  dut.run_until([&] { return sink.count() == expected_outputs && nz_drv.idle(); }, 20 * work + 1000,
                "all datapath results");
  DatapathRtlResult r;
  r.cycles = dut.cycle() - start;
  dut.ticks(4);  // nothing more may come out
  r.outputs = sink.beats();
  r.counters.cycles_busy = m.cnt_busy_o;
  r.counters.cycles_starved = m.cnt_starved_o;
  r.counters.cycles_blocked = m.cnt_blocked_o;
  r.counters.macs_performed = m.cnt_macs_o;
  r.counters.macs_skipped = m.cnt_skipped_o;
  r.error = m.err_o;
  if (sink.protocol_error()) r.protocol_error = *sink.protocol_error();
  if (!m.loading_o) throw std::runtime_error("rtl datapath: did not return to loading after the matrix");
  return r;
}

}  // namespace squish::rtl
