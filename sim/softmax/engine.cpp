// The softmax unit's RTL engine (see squish/rtl/softmax.hpp).
#include "squish/rtl/softmax.hpp"

#include <algorithm>

#include "Vsoftmax_unit.h"
#include "Vsoftmax_unit_softmax_unit.h"
#include "Vsoftmax_unit_small.h"

namespace squish::rtl {

std::ostream& operator<<(std::ostream& os, const SoftmaxBeat& b) {
  os << "{count " << b.count << (b.last ? " last" : "") << ":";
  for (unsigned i = 0; i < kSoftmaxLanes; ++i) os << ' ' << b.lanes[i];
  return os << '}';
}

std::vector<SoftmaxBeat> to_beats(std::span<const int16_t> x, unsigned frac_bits) {
  std::vector<SoftmaxBeat> beats;
  for (size_t b = 0; b < x.size(); b += kSoftmaxLanes) {
    SoftmaxBeat beat;
    beat.count = static_cast<unsigned>(std::min<size_t>(kSoftmaxLanes, x.size() - b));
    for (unsigned i = 0; i < beat.count; ++i) beat.lanes[i] = static_cast<uint16_t>(x[b + i]);
    beat.last = b + kSoftmaxLanes >= x.size();
    beat.frac_bits = frac_bits;
    beats.push_back(beat);
  }
  return beats;
}

std::vector<SoftmaxBeat> to_beats(std::span<const uint16_t> p) {
  std::vector<SoftmaxBeat> beats;
  for (size_t b = 0; b < p.size(); b += kSoftmaxLanes) {
    SoftmaxBeat beat;
    beat.count = static_cast<unsigned>(std::min<size_t>(kSoftmaxLanes, p.size() - b));
    for (unsigned i = 0; i < beat.count; ++i) beat.lanes[i] = p[b + i];
    beat.last = b + kSoftmaxLanes >= p.size();
    beats.push_back(beat);
  }
  return beats;
}

namespace {

template <class Wide>
void put_lanes(Wide& w, const SoftmaxBeat& b) {
  for (unsigned k = 0; k < kSoftmaxLanes / 2; ++k)
    w[k] = static_cast<uint32_t>(b.lanes[2 * k]) | (static_cast<uint32_t>(b.lanes[2 * k + 1]) << 16);
}

template <class Model>
SoftmaxRun run_impl(std::span<const SoftmaxJob> jobs, const SoftmaxRtlOptions& opt) {
  std::vector<SoftmaxBeat> logit_beats, resend_beats;
  for (const auto& j : jobs) {
    auto a = to_beats(j.logits, j.frac_bits);
    auto b = to_beats(j.resend ? std::span<const int16_t>(*j.resend) : std::span<const int16_t>(j.logits), j.frac_bits);
    logit_beats.insert(logit_beats.end(), a.begin(), a.end());
    resend_beats.insert(resend_beats.end(), b.begin(), b.end());
  }
  sim::DutOptions dopt = opt.dut;
  // Watchdog: generous for heavy backpressure on all three streams.
  dopt.max_cycles = 40 * (logit_beats.size() + resend_beats.size()) + 40 * jobs.size() + 10000;
  sim::Dut<Model> dut(dopt);
  auto& m = dut.model();
  m.frac_bits_i = 0;
  m.logit_valid_i = 0;
  m.resend_valid_i = 0;
  m.prob_ready_i = 0;
  dut.reset();

  sim::StreamDriver<SoftmaxBeat> logit(
      dut, m.logit_valid_i, m.logit_ready_o,
      [&m](const SoftmaxBeat& b) {
        put_lanes(m.logit_data_i, b);
        m.logit_count_i = b.count;
        m.logit_last_i = b.last;
        m.frac_bits_i = b.frac_bits;
      },
      opt.logit_bp);
  sim::StreamDriver<SoftmaxBeat> resend(
      dut, m.resend_valid_i, m.resend_ready_o,
      [&m](const SoftmaxBeat& b) {
        put_lanes(m.resend_data_i, b);
        m.resend_count_i = b.count;
        m.resend_last_i = b.last;
      },
      opt.resend_bp);
  sim::StreamSink<SoftmaxBeat> prob(
      dut, m.prob_valid_o, m.prob_ready_i,
      [&m] {
        SoftmaxBeat b;
        for (unsigned k = 0; k < kSoftmaxLanes / 2; ++k) {
          b.lanes[2 * k] = static_cast<uint16_t>(m.prob_data_o[k] & 0xffff);
          b.lanes[2 * k + 1] = static_cast<uint16_t>(m.prob_data_o[k] >> 16);
        }
        b.count = m.prob_count_o;
        b.last = m.prob_last_o != 0;
        return b;
      },
      opt.prob_bp);
  logit.push(logit_beats.begin(), logit_beats.end());
  resend.push(resend_beats.begin(), resend_beats.end());

  SoftmaxRun run;
  const size_t want = resend_beats.size();
  dut.run_until([&] { return prob.count() >= want; }, dopt.max_cycles, "all probability beats out");
  run.cycles = dut.cycle();
  dut.ticks(opt.drain_cycles);
  for (const auto& r : prob.received()) {
    run.beats.push_back(r.beat);
    run.beat_cycles.push_back(r.cycle);
  }
  run.protocol_error = prob.protocol_error();
  run.err_overlong = m.err_overlong_o != 0;
  run.err_length = m.err_length_o != 0;
  run.perf_busy_cycles = m.perf_busy_cycles_o;
  run.perf_vectors = m.perf_vectors_o;
  run.perf_logit_stall = m.perf_logit_stall_o;
  run.perf_resend_wait = m.perf_resend_wait_o;
  std::vector<uint16_t> cur;
  for (const auto& b : run.beats) {
    for (unsigned i = 0; i < std::min(b.count, kSoftmaxLanes); ++i) cur.push_back(b.lanes[i]);
    if (b.last) {
      run.probs.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) run.probs.push_back(std::move(cur));
  dut.write_coverage();
  return run;
}

}  // namespace

SoftmaxRun run_softmax_rtl(std::span<const SoftmaxJob> jobs, const SoftmaxRtlOptions& opt) {
  if (opt.config == SoftmaxConfig::SmallMaxLen) return run_impl<Vsoftmax_unit_small>(jobs, opt);
  return run_impl<Vsoftmax_unit>(jobs, opt);
}

SoftmaxRtlParams softmax_rtl_params() {
  using R = Vsoftmax_unit_softmax_unit;
  return {R::Lanes,    R::MaxLen,  R::Log2eQ24,
          R::TFrac,    R::SumFrac, R::OutFrac,
          R::ClampInt, R::SumInt,  R::SumWidth};
}

}  // namespace squish::rtl
