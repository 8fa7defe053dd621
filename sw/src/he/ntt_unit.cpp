// The golden model of the RTL NTT unit's jobs (see squish/he/ntt_unit.hpp).
#include "squish/he/ntt_unit.hpp"

#include <bit>
#include <string>

#include "squish/error.hpp"

namespace squish::he {

NttUnitModel::NttUnitModel(NttUnitParams p) : p_(p) {
  if (p_.lanes == 0 || !std::has_single_bit(p_.lanes)) throw UsageError("NttUnitModel: B must be a power of two");
  if (p_.log_n_max < 2 || p_.log_n_max > 16) throw UsageError("NttUnitModel: log_n_max must be 2..16");
  if (p_.word_bits < 8 || p_.word_bits > 63) throw UsageError("NttUnitModel: W must be 8..63");
  if (p_.log_tw_slots < 1 || p_.log_tw_slots > 4) throw UsageError("NttUnitModel: log_tw_slots must be 1..4");
  tw_.assign(size_t{1} << (p_.log_n_max + p_.log_tw_slots), 0);
}

void NttUnitModel::reset() {
  res_.clear();
  res_logn_ = 0;
  res_q_ = 0;
  has_result_ = acc_ = false;
  err_cfg_ = err_length_ = false;
}

void NttUnitModel::load_twiddles(std::span<const uint64_t> coeffs, unsigned slot) {
  const size_t slot_size = size_t{1} << p_.log_n_max;
  if (coeffs.size() > slot_size)
    throw UsageError("NttUnitModel: " + std::to_string(coeffs.size()) + " twiddles exceed a slot's " + std::to_string(slot_size));
  if (slot >= (1u << p_.log_tw_slots)) throw UsageError("NttUnitModel: no twiddle slot " + std::to_string(slot));
  const uint64_t mask = (uint64_t{1} << p_.word_bits) - 1;
  for (size_t i = 0; i < coeffs.size(); ++i) tw_[slot * slot_size + i] = coeffs[i] & mask;
}

bool NttUnitModel::accepts(const NttUnitJob& j) const {
  const unsigned log_b = static_cast<unsigned>(std::countr_zero(p_.lanes));
  if (j.logn < log_b + 2 || j.logn > p_.log_n_max) return false;
  if ((j.q & 1) == 0 || j.q == 1) return false;
  if ((j.q >> p_.word_bits) != 0) throw UsageError("NttUnitModel: q does not fit the unit's W bits");
  if (j.slot >= (1u << p_.log_tw_slots)) throw UsageError("NttUnitModel: no twiddle slot " + std::to_string(j.slot));
  if (j.op == NttUnitOp::Mac && !(has_accumulator() && j.logn == res_logn_ && j.q == res_q_)) return false;
  if (j.resident && !(has_result_ && j.logn == res_logn_ && j.q == res_q_ && j.op != NttUnitOp::Mac)) return false;
  return true;
}

uint64_t NttUnitModel::redc(uint64_t a, uint64_t b) const {
  Montgomery m;
  m.q = q_;
  m.w = p_.word_bits;
  m.qinv_neg = qinv_;
  return m.mul(a, b);
}

NttUnitResult NttUnitModel::run(const NttUnitJob& j) {
  NttUnitResult r;
  if (j.resident && !j.data.empty()) throw UsageError("NttUnitModel: a resident job takes no data");
  if (!accepts(j)) {
    err_cfg_ = true;
    return r;
  }
  const size_t n = size_t{1} << j.logn;
  if (!j.resident && j.data.size() != n)
    throw UsageError("NttUnitModel: job data has " + std::to_string(j.data.size()) + " coefficients, n = " + std::to_string(n));
  if (j.last_early) err_length_ = true;
  r.accepted = true;
  q_ = j.q;
  qinv_ = j.qinv & ((uint64_t{1} << p_.word_bits) - 1);
  const uint64_t q = q_;
  auto add = [q](uint64_t a, uint64_t b) { return a + b >= q ? a + b - q : a + b; };
  auto sub = [q](uint64_t a, uint64_t b) { return a >= b ? a - b : a + q - b; };
  const uint64_t mask = (uint64_t{1} << p_.word_bits) - 1;
  std::vector<uint64_t> a(n);
  for (size_t i = 0; i < n; ++i) a[i] = j.resident ? res_[i] : j.data[i] & mask;
  const uint64_t* tw = tw_.data() + (size_t{j.slot} << p_.log_n_max);

  switch (j.op) {
    case NttUnitOp::Forward:
      for (size_t m = 1, t = n / 2; m < n; m *= 2, t /= 2)
        for (size_t i = 0; i < m; ++i)
          for (size_t k = 2 * i * t; k < 2 * i * t + t; ++k) {
            const uint64_t u = a[k], v = redc(a[k + t], tw[m + i]);
            a[k] = add(u, v);
            a[k + t] = sub(u, v);
          }
      break;
    case NttUnitOp::Inverse:
      for (size_t m = n / 2, t = 1; m >= 1; m /= 2, t *= 2)
        for (size_t i = 0; i < m; ++i)
          for (size_t k = 2 * i * t; k < 2 * i * t + t; ++k) {
            const uint64_t u = a[k], v = a[k + t];
            a[k] = add(u, v);
            a[k + t] = redc(sub(u, v), tw[m + i]);
          }
      break;
    case NttUnitOp::Pointwise:
      for (size_t i = 0; i < n; ++i) a[i] = redc(a[i], tw[i]);
      break;
    case NttUnitOp::Mac:
      for (size_t i = 0; i < n; ++i) a[i] = add(res_[i], redc(a[i], tw[i]));
      break;
  }
  res_ = std::move(a);
  res_logn_ = j.logn;
  res_q_ = j.q;
  has_result_ = true;
  acc_ = j.op == NttUnitOp::Pointwise || j.op == NttUnitOp::Mac;
  if (j.emit) r.out = res_;
  return r;
}

std::vector<std::vector<uint64_t>> unit_mul_plain(NttUnitDevice& unit, const NttTables& t,
                                                  std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p,
                                                  UnitRunStats* stats) {
  const unsigned w = 60;
  const auto mg = Montgomery::make(t.q(), w);
  const unsigned logn = t.log_n();
  if (p.size() != t.n()) throw UsageError("mul_plain: the plaintext must have n coefficients");
  UnitRunStats st;
  auto run = [&](NttUnitOp op, std::vector<uint64_t> data, bool resident, unsigned slot, bool emit) {
    if (!resident && data.size() != t.n()) throw UsageError("mul_plain: operands must have n coefficients");
    NttUnitJob j{logn, op, t.q(), mg.qinv_neg, emit, std::move(data), false, slot, resident};
    auto r = unit.run(j);
    ++st.jobs;
    if (!r.accepted || (emit && r.out.size() != t.n()))
      throw Error("NTT unit: job " + std::to_string(st.jobs) + " (op " + std::to_string(static_cast<int>(op)) + ") failed");
    return std::move(r.out);
  };
  unit.load_twiddles(ntt_unit_twiddles(t, false, w), 0);
  unit.load_twiddles(ntt_unit_twiddles(t, true, w), 1);
  st.twiddle_loads += 2;
  // Operand NTT(p) * n^-1 * 2^60 = NTT(p * s), s = n^-1 * 2^60 mod q.
  const uint64_t s = mg.to_mont(t.n_inv());
  std::vector<uint64_t> ps(p.begin(), p.end());
  for (auto& x : ps) x = t.modulus().mul(x, s);
  st.host_modmuls += t.n();
  unit.load_twiddles(run(NttUnitOp::Forward, std::move(ps), false, 0, true), 2);
  ++st.twiddle_loads;
  std::vector<std::vector<uint64_t>> out;
  for (const auto& c : cs) {
    run(NttUnitOp::Forward, c, false, 0, false);
    run(NttUnitOp::Pointwise, {}, true, 2, false);
    out.push_back(run(NttUnitOp::Inverse, {}, true, 1, true));
  }
  if (stats) *stats = st;
  return out;
}

std::vector<uint64_t> ntt_unit_twiddles(const NttTables& t, bool inverse, unsigned w) {
  const auto mg = Montgomery::make(t.q(), w);
  std::vector<uint64_t> v;
  v.reserve(t.n());
  for (uint64_t x : inverse ? t.psi_inv_rev() : t.psi_rev()) v.push_back(mg.to_mont(x));
  return v;
}

std::vector<uint64_t> unit_negacyclic_sum_of_products(NttUnitDevice& unit, const NttTables& t,
                                                      std::span<const std::vector<uint64_t>> a,
                                                      std::span<const std::vector<uint64_t>> b, UnitRunStats* stats) {
  if (a.empty() || a.size() != b.size()) throw UsageError("sum of products: need K > 0 pairs of operands");
  const unsigned w = 60;
  const auto mg = Montgomery::make(t.q(), w);
  const unsigned logn = t.log_n();
  UnitRunStats st;
  auto run = [&](NttUnitOp op, std::vector<uint64_t> data, bool emit) {
    NttUnitJob j{logn, op, t.q(), mg.qinv_neg, emit, std::move(data), false};
    if (j.data.size() != t.n()) throw UsageError("sum of products: operands must have n coefficients");
    auto r = unit.run(j);
    ++st.jobs;
    if (!r.accepted || (emit && r.out.size() != t.n()))
      throw Error("NTT unit: job " + std::to_string(st.jobs) + " (op " + std::to_string(static_cast<int>(op)) + ") failed");
    return std::move(r.out);
  };
  unit.load_twiddles(ntt_unit_twiddles(t, false, w));
  ++st.twiddle_loads;
  std::vector<std::vector<uint64_t>> fa, opnd;
  for (size_t k = 0; k < a.size(); ++k) {
    fa.push_back(run(NttUnitOp::Forward, a[k], true));
    auto fb = run(NttUnitOp::Forward, b[k], true);
    // Operand NTT(b) * n^-1 in Montgomery form: the unit multiplies by 2^-60.
    for (auto& x : fb) x = mg.to_mont(t.modulus().mul(x, t.n_inv()));
    st.host_modmuls += 2 * t.n();
    opnd.push_back(std::move(fb));
  }
  std::vector<uint64_t> acc;
  for (size_t k = 0; k < a.size(); ++k) {
    unit.load_twiddles(opnd[k]);
    ++st.twiddle_loads;
    acc = run(k == 0 ? NttUnitOp::Pointwise : NttUnitOp::Mac, fa[k], k + 1 == a.size());
  }
  unit.load_twiddles(ntt_unit_twiddles(t, true, w));
  ++st.twiddle_loads;
  auto c = run(NttUnitOp::Inverse, std::move(acc), true);
  if (stats) *stats = st;
  return c;
}

}  // namespace squish::he
