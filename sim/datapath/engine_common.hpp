// Shared by the datapath engines (engine.cpp: nonzero stream in;
// engine_sparse.cpp: sparse payload words in through rtl/sparse's decoder):
// configuration, activation and requant streams, result collection, counters.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "squish/error.hpp"
#include "squish/rtl/datapath.hpp"
#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::rtl::detail {

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
  datapath::Channel ch;
};

inline sim::Backpressure to_bp(int level) {
  return level <= 0 ? sim::Backpressure::None : level == 1 ? sim::Backpressure::Light : sim::Backpressure::Heavy;
}

inline sim::DutOptions dut_options(const DatapathOptions& o) {
  sim::DutOptions d;
  d.seed = o.seed;
  d.trace_path = o.trace_path;
  d.name = o.name;
  d.max_cycles = ~uint64_t{0};
  return d;
}

/// Runs one matrix. `rq_rows` lists the rows in the order they close;
/// `input` registers the weight-side driver (nonzero beats or payload words)
/// and returns a predicate "all input consumed".
template <class Model>
DatapathRtlResult run_matrix(sim::Dut<Model>& dut, sim::Backpressure bp, const DatapathParams& P,
                             const datapath::Config& cfg, std::span<const int8_t> acts,
                             std::span<const datapath::Channel> channels, const std::vector<uint32_t>& rq_rows,
                             uint64_t input_beats, const std::function<std::function<bool()>()>& input) {
  using datapath::Output;
  if (cfg.cols > P.act_depth)
    throw UsageError("rtl datapath: " + std::to_string(cfg.cols) + " columns exceed the activation buffer (" +
                     std::to_string(P.act_depth) + ")");
  if (cfg.batch < 1 || cfg.batch > P.max_batch)
    throw UsageError("rtl datapath: batch " + std::to_string(cfg.batch) + " outside 1.." + std::to_string(P.max_batch));
  if (acts.size() != size_t{cfg.batch} * cfg.cols)
    throw UsageError("rtl datapath: activation count does not match batch x cols");
  auto& m = dut.model();
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

  std::vector<ActBeat> act_beats;
  for (uint32_t v = 0; v < cfg.batch; ++v)
    for (uint32_t c0 = 0; c0 < cfg.cols; c0 += P.lanes) {
      ActBeat a;
      a.vals.assign(P.lanes, 0);
      for (uint32_t i = 0; i < P.lanes && c0 + i < cfg.cols; ++i) a.vals[i] = acts[size_t{v} * cfg.cols + c0 + i];
      act_beats.push_back(std::move(a));
    }
  std::vector<RqBeat> rq_beats;
  for (uint32_t r : rq_rows) {
    if (r >= channels.size())
      throw UsageError("rtl datapath: row " + std::to_string(r) + " has no requantization channel");
    rq_beats.push_back({channels[r]});
  }
  const size_t expected_outputs = rq_rows.size() * cfg.batch;

  sim::StreamDriver<ActBeat> act_drv(dut, m.act_valid_i, m.act_ready_o, [&m](const ActBeat& a) {
    for (unsigned i = 0; i < a.vals.size(); ++i) put_bits(m.act_data_i, 8 * i, 8, static_cast<uint8_t>(a.vals[i]));
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
  rq_drv.push(rq_beats.begin(), rq_beats.end());
  const auto input_done = input();

  const uint64_t work = act_beats.size() + input_beats * cfg.batch + expected_outputs;
  const uint64_t start = dut.cycle();
  dut.run_until([&] { return sink.count() == expected_outputs && input_done(); }, 40 * work + 2000,
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

}  // namespace squish::rtl::detail
