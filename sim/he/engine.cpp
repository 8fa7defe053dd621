// The NTT unit's RTL engine (see squish/rtl/he.hpp) and squish::he::rtl_polymul.
#include "squish/rtl/he.hpp"

#include <bit>
#include <map>
#include <memory>
#include <mutex>

#include "Vhe_ntt_unit.h"
#include "Vhe_ntt_unit_b1.h"
#include "Vhe_ntt_unit_b4.h"
#include "Vhe_ntt_unit_b8.h"
#include "squish/error.hpp"
#include "squish/he/engine.hpp"
#include "squish/he/modarith.hpp"

namespace squish::rtl {

namespace {

struct Beat {
  std::vector<uint64_t> lanes;
  bool last = false;
  bool operator==(const Beat& o) const { return lanes == o.lanes && last == o.last; }
};

// 64-bit lanes on a Verilated port: a QData for B = 1, VlWide words otherwise.
inline void put_lane(uint64_t& p, unsigned, uint64_t v) { p = v; }
inline uint64_t get_lane(const uint64_t& p, unsigned) { return p; }
template <std::size_t N>
void put_lane(VlWide<N>& p, unsigned l, uint64_t v) {
  p[2 * l] = static_cast<uint32_t>(v);
  p[2 * l + 1] = static_cast<uint32_t>(v >> 32);
}
template <std::size_t N>
uint64_t get_lane(const VlWide<N>& p, unsigned l) {
  return static_cast<uint64_t>(p[2 * l]) | (static_cast<uint64_t>(p[2 * l + 1]) << 32);
}

std::vector<Beat> to_beats(std::span<const uint64_t> v, unsigned lanes, bool last_early = false) {
  std::vector<Beat> out;
  for (size_t i = 0; i < v.size(); i += lanes) {
    Beat b;
    for (unsigned l = 0; l < lanes; ++l) b.lanes.push_back(i + l < v.size() ? v[i + l] : 0);
    b.last = i + lanes >= v.size();
    out.push_back(b);
  }
  if (last_early && out.size() >= 2) {
    out.back().last = false;
    out[out.size() - 2].last = true;
  }
  return out;
}

template <class Model, unsigned B>
HeNttRun run_impl(std::span<const HeNttJob> jobs, const HeNttRtlOptions& opt) {
  size_t total = 0;
  for (const auto& j : jobs) total += j.data.size() + j.tw.size();
  sim::DutOptions dopt = opt.dut;
  dopt.max_cycles = 60 * total + 400 * jobs.size() * 14 + 20000;
  sim::Dut<Model> dut(dopt);
  auto& m = dut.model();
  m.s_valid_i = 0;
  m.tw_valid_i = 0;
  m.m_ready_i = 0;
  dut.reset();

  sim::StreamDriver<Beat> in(
      dut, m.s_valid_i, m.s_ready_o,
      [&m](const Beat& b) {
        for (unsigned l = 0; l < B; ++l) put_lane(m.s_data_i, l, b.lanes[l]);
        m.s_last_i = b.last;
      },
      opt.in_bp);
  sim::StreamDriver<Beat> tw(
      dut, m.tw_valid_i, m.tw_ready_o,
      [&m](const Beat& b) {
        for (unsigned l = 0; l < B; ++l) put_lane(m.tw_data_i, l, b.lanes[l]);
        m.tw_last_i = b.last;
      },
      opt.tw_bp);
  sim::StreamSink<Beat> out(
      dut, m.m_valid_o, m.m_ready_i,
      [&m] {
        Beat b;
        for (unsigned l = 0; l < B; ++l) b.lanes.push_back(get_lane(m.m_data_o, l));
        b.last = m.m_last_o != 0;
        return b;
      },
      opt.out_bp);

  HeNttRun run;
  for (const auto& j : jobs) {
    if (!j.tw.empty()) {
      auto beats = to_beats(j.tw, B);
      tw.push(beats.begin(), beats.end());
      dut.run_until([&] { return tw.pending() == 0 && m.tw_valid_i == 0; }, dopt.max_cycles, "twiddles loaded");
    }
    m.cfg_logn_i = j.logn;
    m.cfg_op_i = static_cast<uint8_t>(j.op);
    m.cfg_q_i = j.q;
    m.cfg_qinv_i = j.qinv;
    const size_t before = out.count();
    const size_t want = j.data.size() / B;
    auto beats = to_beats(j.data, B, j.last_early);
    in.push(beats.begin(), beats.end());
    const bool bad_cfg = j.logn < std::countr_zero(B) + 2u || j.logn > 13 || (j.q & 1) == 0 || j.q == 1 ||
                         j.op == HeOp::Reserved || (j.q >> kHeWordBits) != 0;
    if (bad_cfg) {
      dut.run_until([&] { return in.pending() == 0 && m.s_valid_i == 0 && m.busy_o == 0; }, dopt.max_cycles, "dropped job");
      run.outputs.emplace_back();
      run.compute_cycles.push_back(0);
      continue;
    }
    dut.run_until([&] { return out.count() >= before + want; }, dopt.max_cycles, "job outputs");
    dut.run_until([&] { return m.busy_o == 0; }, dopt.max_cycles, "unit idle");
    std::vector<uint64_t> v;
    for (size_t k = before; k < out.count(); ++k)
      for (auto x : out.received()[k].beat.lanes) v.push_back(x);
    run.outputs.push_back(std::move(v));
    run.compute_cycles.push_back(m.perf_compute_o);
  }
  run.cycles = dut.cycle();
  dut.ticks(10);
  run.protocol_error = out.protocol_error();
  run.err_cfg = m.err_cfg_o != 0;
  run.err_length = m.err_length_o != 0;
  dut.write_coverage();
  return run;
}

}  // namespace

HeNttRun run_he_ntt_rtl(std::span<const HeNttJob> jobs, const HeNttRtlOptions& opt) {
  switch (opt.lanes) {
    case 1: return run_impl<Vhe_ntt_unit_b1, 1>(jobs, opt);
    case 2: return run_impl<Vhe_ntt_unit, 2>(jobs, opt);
    case 4: return run_impl<Vhe_ntt_unit_b4, 4>(jobs, opt);
    case 8: return run_impl<Vhe_ntt_unit_b8, 8>(jobs, opt);
    default: throw UsageError("he_ntt_unit: B = " + std::to_string(opt.lanes) + " is not built (1, 2, 4, 8)");
  }
}

std::vector<uint64_t> he_twiddles_mont(const he::NttTables& t, bool inverse) {
  const auto mg = he::Montgomery::make(t.q(), kHeWordBits);
  std::vector<uint64_t> v;
  for (uint64_t w : inverse ? t.psi_inv_rev() : t.psi_rev()) v.push_back(mg.to_mont(w));
  return v;
}

HePolyMulRun rtl_negacyclic_multiply(const he::NttTables& t, std::span<const uint64_t> a, std::span<const uint64_t> b,
                                     const HeNttRtlOptions& opt) {
  const auto mg = he::Montgomery::make(t.q(), kHeWordBits);
  const unsigned logn = t.log_n();
  HeNttJob fa{logn, HeOp::Forward, t.q(), mg.qinv_neg, he_twiddles_mont(t, false), {a.begin(), a.end()}, false};
  HeNttJob fb{logn, HeOp::Forward, t.q(), mg.qinv_neg, {}, {b.begin(), b.end()}, false};
  const auto r1 = run_he_ntt_rtl(std::vector<HeNttJob>{fa, fb}, opt);
  if (r1.outputs.size() != 2 || r1.outputs[0].size() != t.n() || r1.outputs[1].size() != t.n() || r1.err_cfg || r1.err_length)
    throw Error("he_ntt_unit: forward transforms failed (err_cfg " + std::to_string(r1.err_cfg) + ")");
  // Pointwise operand: NTT(b) * n^-1 in Montgomery form (the unit multiplies by 2^-60).
  std::vector<uint64_t> op(t.n());
  for (size_t i = 0; i < t.n(); ++i) op[i] = mg.to_mont(t.modulus().mul(r1.outputs[1][i], t.n_inv()));
  HeNttJob pw{logn, HeOp::Pointwise, t.q(), mg.qinv_neg, op, r1.outputs[0], false};
  HeNttJob inv{logn, HeOp::Inverse, t.q(), mg.qinv_neg, he_twiddles_mont(t, true), {}, false};
  const auto r2 = run_he_ntt_rtl(std::vector<HeNttJob>{pw}, opt);
  if (r2.outputs.size() != 1 || r2.outputs[0].size() != t.n()) throw Error("he_ntt_unit: pointwise product failed");
  inv.data = r2.outputs[0];
  const auto r3 = run_he_ntt_rtl(std::vector<HeNttJob>{inv}, opt);
  if (r3.outputs.size() != 1 || r3.outputs[0].size() != t.n()) throw Error("he_ntt_unit: inverse transform failed");
  HePolyMulRun res;
  res.c = r3.outputs[0];
  res.cycles = r1.cycles + r2.cycles + r3.cycles;
  res.ntt_cycles = r1.compute_cycles[0] + r1.compute_cycles[1] + r3.compute_cycles[0];
  res.pointwise_cycles = r2.compute_cycles[0];
  return res;
}

}  // namespace squish::rtl

namespace squish::he {

PolyMulResult rtl_polymul(uint64_t q, std::span<const uint64_t> a, std::span<const uint64_t> b) {
  static std::mutex mu;
  static std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<NttTables>> cache;
  const NttTables* t;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = cache[{a.size(), q}];
    if (!slot) slot = std::make_unique<NttTables>(a.size(), q);
    t = slot.get();
  }
  if ((q >> rtl::kHeWordBits) != 0) throw UsageError("--engine rtl: modulus " + std::to_string(q) + " needs more than 60 bits");
  if (a.size() > 8192) throw UsageError("--engine rtl: n = " + std::to_string(a.size()) + " exceeds the unit's 8192");
  const auto r = rtl::rtl_negacyclic_multiply(*t, a, b);
  return {r.c, r.cycles, r.ntt_cycles};
}

}  // namespace squish::he
