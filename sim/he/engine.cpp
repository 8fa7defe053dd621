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

}  // namespace

struct HeNttUnitRtl::Impl {
  virtual ~Impl() = default;
  virtual void load_twiddles(std::span<const uint64_t> coeffs, unsigned slot) = 0;
  virtual he::NttUnitResult run(const he::NttUnitJob& j) = 0;
  virtual uint64_t cycles() const = 0;
  virtual uint64_t compute_cycles() const = 0;
  virtual uint64_t jobs() const = 0;
  virtual bool err_cfg() const = 0;
  virtual bool err_length() const = 0;
  virtual std::optional<std::string> protocol_error() const = 0;
  virtual unsigned lanes() const = 0;
};

namespace {

template <class Model, unsigned B>
class UnitImpl final : public HeNttUnitRtl::Impl {
 public:
  explicit UnitImpl(const HeNttRtlOptions& opt) : dut_(session_options(opt.dut)) {
    auto& m = dut_.model();
    m.s_valid_i = 0;
    m.tw_valid_i = 0;
    m.m_ready_i = 0;
    m.cfg_emit_i = 1;
    m.start_i = 0;
    m.tw_slot_i = 0;
    m.cfg_slot_i = 0;
    dut_.reset();
    // the coefficient and twiddle inputs: same beat layout, their own ports
    auto driver = [this](auto& valid, auto& ready, auto& data, auto& last, auto bp) {
      return std::make_unique<sim::StreamDriver<Beat>>(
          dut_, valid, ready,
          [&data, &last](const Beat& b) {
            for (unsigned l = 0; l < B; ++l) put_lane(data, l, b.lanes[l]);
            last = b.last;
          },
          bp);
    };
    in_ = driver(m.s_valid_i, m.s_ready_o, m.s_data_i, m.s_last_i, opt.in_bp);
    tw_ = driver(m.tw_valid_i, m.tw_ready_o, m.tw_data_i, m.tw_last_i, opt.tw_bp);
    out_ = std::make_unique<sim::StreamSink<Beat>>(
        dut_, m.m_valid_o, m.m_ready_i,
        [&m] {
          Beat b;
          for (unsigned l = 0; l < B; ++l) b.lanes.push_back(get_lane(m.m_data_o, l));
          b.last = m.m_last_o != 0;
          return b;
        },
        opt.out_bp);
  }
  ~UnitImpl() override {
    // Verilator's scopes unregister from the thread's current context: make it
    // this unit's, not that of another unit created (and maybe destroyed) since.
    activate();
    out_.reset();
    tw_.reset();
    in_.reset();
  }

  void load_twiddles(std::span<const uint64_t> coeffs, unsigned slot) override {
    if (slot >= kHeTwSlots) throw UsageError("he_ntt_unit: no twiddle slot " + std::to_string(slot));
    activate();
    auto beats = to_beats(coeffs, B);
    auto& m = dut_.model();
    m.tw_slot_i = static_cast<uint8_t>(slot);
    tw_->push(beats.begin(), beats.end());
    dut_.run_until([&] { return tw_->pending() == 0 && m.tw_valid_i == 0; }, limit(coeffs.size()), "twiddles loaded");
  }

  he::NttUnitResult run(const he::NttUnitJob& j) override {
    if ((j.q >> kHeWordBits) != 0) throw UsageError("he_ntt_unit: q = " + std::to_string(j.q) + " does not fit 60 bits");
    activate();
    auto& m = dut_.model();
    m.cfg_logn_i = static_cast<uint8_t>(j.logn & 15);
    m.cfg_op_i = static_cast<uint8_t>(j.op);
    m.cfg_emit_i = j.emit;
    m.cfg_q_i = j.q;
    m.cfg_qinv_i = j.qinv & ((uint64_t{1} << kHeWordBits) - 1);
    if (j.slot >= kHeTwSlots) throw UsageError("he_ntt_unit: no twiddle slot " + std::to_string(j.slot));
    m.cfg_slot_i = static_cast<uint8_t>(j.slot);
    const size_t before = out_->count();
    const uint32_t jobs_before = m.perf_jobs_o;
    if (j.resident) {
      if (!j.data.empty()) throw UsageError("he_ntt_unit: a resident job takes no data");
      dut_.run_until([&] { return m.busy_o == 0; }, limit(0), "unit idle");
      m.start_i = 1;
      dut_.tick();
      m.start_i = 0;
    } else {
      auto beats = to_beats(j.data, B, j.last_early);
      in_->push(beats.begin(), beats.end());
    }
    // Done when every beat is taken and the unit is idle again: a rejected job
    // after s_last, an accepted one after its compute phase or last output beat.
    dut_.run_until([&] { return in_->pending() == 0 && m.s_valid_i == 0 && m.busy_o == 0; },
                   limit(j.data.size() + (size_t{1} << (j.logn & 15)) * 16), "job done");
    he::NttUnitResult r;
    r.accepted = m.perf_jobs_o != jobs_before;
    for (size_t k = before; k < out_->count(); ++k)
      for (auto x : out_->received()[k].beat.lanes) r.out.push_back(x);
    return r;
  }

  uint64_t cycles() const override { return dut_.cycle(); }
  uint64_t compute_cycles() const override { return model().perf_compute_o; }
  uint64_t jobs() const override { return model().perf_jobs_o; }
  bool err_cfg() const override { return model().err_cfg_o != 0; }
  bool err_length() const override { return model().err_length_o != 0; }
  std::optional<std::string> protocol_error() const override { return out_->protocol_error(); }
  unsigned lanes() const override { return B; }

 private:
  static sim::DutOptions session_options(sim::DutOptions o) {
    o.max_cycles = ~uint64_t{0} >> 1;  // each wait has its own limit (limit())
    return o;
  }
  // A generous bound for one load or job: 64 cycles per coefficient covers heavy
  // backpressure on both streams and the transform's (n/2) log2 n / B + 11 log2 n.
  static uint64_t limit(size_t coeffs) { return 64 * coeffs + 20000; }
  void activate() { Verilated::threadContextp(&dut_.context()); }
  const Model& model() const { return const_cast<sim::Dut<Model>&>(dut_).model(); }

  sim::Dut<Model> dut_;
  std::unique_ptr<sim::StreamDriver<Beat>> in_, tw_;
  std::unique_ptr<sim::StreamSink<Beat>> out_;
};

}  // namespace

HeNttUnitRtl::HeNttUnitRtl(const HeNttRtlOptions& opt) {
  switch (opt.lanes) {
    case 1: impl_ = std::make_unique<UnitImpl<Vhe_ntt_unit_b1, 1>>(opt); break;
    case 2: impl_ = std::make_unique<UnitImpl<Vhe_ntt_unit, 2>>(opt); break;
    case 4: impl_ = std::make_unique<UnitImpl<Vhe_ntt_unit_b4, 4>>(opt); break;
    case 8: impl_ = std::make_unique<UnitImpl<Vhe_ntt_unit_b8, 8>>(opt); break;
    default: throw UsageError("he_ntt_unit: B = " + std::to_string(opt.lanes) + " is not built (1, 2, 4, 8)");
  }
}
HeNttUnitRtl::~HeNttUnitRtl() = default;
void HeNttUnitRtl::load_twiddles(std::span<const uint64_t> coeffs, unsigned slot) { impl_->load_twiddles(coeffs, slot); }
he::NttUnitResult HeNttUnitRtl::run(const he::NttUnitJob& j) { return impl_->run(j); }
uint64_t HeNttUnitRtl::cycles() const { return impl_->cycles(); }
uint64_t HeNttUnitRtl::last_compute_cycles() const { return impl_->compute_cycles(); }
uint64_t HeNttUnitRtl::jobs_accepted() const { return impl_->jobs(); }
bool HeNttUnitRtl::err_cfg() const { return impl_->err_cfg(); }
bool HeNttUnitRtl::err_length() const { return impl_->err_length(); }
std::optional<std::string> HeNttUnitRtl::protocol_error() const { return impl_->protocol_error(); }
unsigned HeNttUnitRtl::lanes() const { return impl_->lanes(); }

HeNttRun run_he_ntt_rtl(std::span<const HeNttJob> jobs, const HeNttRtlOptions& opt) {
  HeNttUnitRtl unit(opt);
  HeNttRun run;
  for (const auto& j : jobs) {
    if (!j.tw.empty()) unit.load_twiddles(j.tw);
    const auto r = unit.run(he::NttUnitJob{j.logn, static_cast<he::NttUnitOp>(j.op), j.q, j.qinv, j.emit, j.data, j.last_early});
    run.outputs.push_back(r.out);
    run.compute_cycles.push_back(r.accepted ? unit.last_compute_cycles() : 0);
  }
  run.cycles = unit.cycles();
  run.protocol_error = unit.protocol_error();
  run.err_cfg = unit.err_cfg();
  run.err_length = unit.err_length();
  return run;
}

std::vector<uint64_t> he_twiddles_mont(const he::NttTables& t, bool inverse) {
  return he::ntt_unit_twiddles(t, inverse, kHeWordBits);
}

HeSumRun rtl_negacyclic_sum_of_products(const he::NttTables& t, std::span<const std::vector<uint64_t>> a,
                                        std::span<const std::vector<uint64_t>> b, const HeNttRtlOptions& opt) {
  HeNttUnitRtl unit(opt);
  HeSumRun r;
  r.c = he::unit_negacyclic_sum_of_products(unit, t, a, b, &r.stats);
  r.cycles = unit.cycles();
  if (unit.err_cfg() || unit.err_length() || unit.protocol_error())
    throw Error("he_ntt_unit: sum of products raised an error flag");
  return r;
}

namespace {
// Attributes the unit's cycles to twiddle loads, transforms and pointwise passes.
class CountingUnit : public he::NttUnitDevice {
 public:
  explicit CountingUnit(HeNttUnitRtl& u) : u_(u) {}
  void load_twiddles(std::span<const uint64_t> c, unsigned slot = 0) override {
    const uint64_t c0 = u_.cycles();
    u_.load_twiddles(c, slot);
    tw_cycles += u_.cycles() - c0;
  }
  he::NttUnitResult run(const he::NttUnitJob& j) override {
    auto r = u_.run(j);
    if (r.accepted) (j.op == he::NttUnitOp::Forward || j.op == he::NttUnitOp::Inverse ? ntt_cycles : pointwise_cycles) += u_.last_compute_cycles();
    return r;
  }
  uint64_t tw_cycles = 0, ntt_cycles = 0, pointwise_cycles = 0;

 private:
  HeNttUnitRtl& u_;
};
}  // namespace

HeMulPlainRun rtl_mul_plain(const he::NttTables& t, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p,
                            const HeNttRtlOptions& opt) {
  HeNttUnitRtl unit(opt);
  CountingUnit cu(unit);
  HeMulPlainRun r;
  r.c = he::unit_mul_plain(cu, t, cs, p, &r.stats);
  r.cycles = unit.cycles();
  r.tw_cycles = cu.tw_cycles;
  r.ntt_cycles = cu.ntt_cycles;
  r.pointwise_cycles = cu.pointwise_cycles;
  if (unit.err_cfg() || unit.err_length() || unit.protocol_error()) throw Error("he_ntt_unit: mul_plain raised an error flag");
  return r;
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

namespace {
const NttTables& cached_tables(uint64_t n, uint64_t q) {
  static std::mutex mu;
  static std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<NttTables>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{n, q}];
  if (!slot) slot = std::make_unique<NttTables>(n, q);
  return *slot;
}
void check_fits_unit(uint64_t q, uint64_t n) {
  if ((q >> rtl::kHeWordBits) != 0) throw UsageError("--engine rtl: modulus " + std::to_string(q) + " needs more than 60 bits");
  if (n > 8192) throw UsageError("--engine rtl: n = " + std::to_string(n) + " exceeds the unit's 8192");
}
}  // namespace

PolyMulResult rtl_polymul(uint64_t q, std::span<const uint64_t> a, std::span<const uint64_t> b) {
  const NttTables& t = cached_tables(a.size(), q);
  check_fits_unit(q, a.size());
  const auto r = rtl::rtl_negacyclic_multiply(t, a, b);
  return {r.c, r.cycles, r.ntt_cycles};
}

MulPlainResult rtl_mul_plain(uint64_t q, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p) {
  const NttTables& t = cached_tables(p.size(), q);
  check_fits_unit(q, p.size());
  auto r = rtl::rtl_mul_plain(t, cs, p);
  return {std::move(r.c), r.cycles, r.ntt_cycles};
}

}  // namespace squish::he
