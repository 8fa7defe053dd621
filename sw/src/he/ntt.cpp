// Negacyclic NTT and RNS base (see squish/he/ntt.hpp).
#include "squish/he/ntt.hpp"

#include <bit>
#include <string>

#include "squish/error.hpp"

namespace squish::he {

uint64_t bit_reverse(uint64_t x, unsigned bits) {
  uint64_t r = 0;
  for (unsigned i = 0; i < bits; ++i) r |= ((x >> i) & 1) << (bits - 1 - i);
  return r;
}

NttTables::NttTables(uint64_t n, uint64_t q) : n_(n), log_n_(0) {
  if (n < kMinNttN || n > kMaxNttN || !std::has_single_bit(n))
    throw UsageError("NTT size " + std::to_string(n) + " is not a power of two in [2, 65536]");
  log_n_ = static_cast<unsigned>(std::countr_zero(n));
  mod_ = Modulus(q);
  psi_ = min_primitive_root_2n(q, n);
  const uint64_t psi_inv = mod_.inv(psi_);
  psi_rev_.resize(n);
  psi_inv_rev_.resize(n);
  psi_rev_shoup_.resize(n);
  psi_inv_rev_shoup_.resize(n);
  uint64_t p = 1, pi = 1;
  for (uint64_t k = 0; k < n; ++k) {
    const uint64_t r = bit_reverse(k, log_n_);
    psi_rev_[r] = p;
    psi_inv_rev_[r] = pi;
    p = mod_.mul(p, psi_);
    pi = mod_.mul(pi, psi_inv);
  }
  for (uint64_t k = 0; k < n; ++k) {
    psi_rev_shoup_[k] = mod_.shoup(psi_rev_[k]);
    psi_inv_rev_shoup_[k] = mod_.shoup(psi_inv_rev_[k]);
  }
  n_inv_ = mod_.inv(n % q);
  n_inv_shoup_ = mod_.shoup(n_inv_);
}

void NttTables::forward(std::span<uint64_t> a) const {
  if (a.size() != n_) throw UsageError("NTT input has " + std::to_string(a.size()) + " coefficients, not " + std::to_string(n_));
  const uint64_t q = mod_.value();
  uint64_t t = n_;
  for (uint64_t m = 1; m < n_; m <<= 1) {
    t >>= 1;
    for (uint64_t i = 0; i < m; ++i) {
      const uint64_t j1 = 2 * i * t;
      const uint64_t w = psi_rev_[m + i], wp = psi_rev_shoup_[m + i];
      for (uint64_t j = j1; j < j1 + t; ++j) {
        const uint64_t u = a[j];
        const uint64_t v = mod_.mul_shoup(a[j + t], w, wp);
        const uint64_t s = u + v;
        a[j] = s >= q ? s - q : s;
        a[j + t] = u >= v ? u - v : u + q - v;
      }
    }
  }
}

void NttTables::inverse_unscaled(std::span<uint64_t> a) const {
  if (a.size() != n_) throw UsageError("INTT input has " + std::to_string(a.size()) + " coefficients, not " + std::to_string(n_));
  const uint64_t q = mod_.value();
  uint64_t t = 1;
  for (uint64_t m = n_ >> 1; m >= 1; m >>= 1) {
    for (uint64_t i = 0; i < m; ++i) {
      const uint64_t j1 = 2 * i * t;
      const uint64_t w = psi_inv_rev_[m + i], wp = psi_inv_rev_shoup_[m + i];
      for (uint64_t j = j1; j < j1 + t; ++j) {
        const uint64_t u = a[j], v = a[j + t];
        const uint64_t s = u + v;
        a[j] = s >= q ? s - q : s;
        a[j + t] = mod_.mul_shoup(u >= v ? u - v : u + q - v, w, wp);
      }
    }
    t <<= 1;
  }
}

void NttTables::inverse(std::span<uint64_t> a) const {
  inverse_unscaled(a);
  for (auto& x : a) x = mod_.mul_shoup(x, n_inv_, n_inv_shoup_);
}

std::vector<uint64_t> negacyclic_multiply(const NttTables& t, std::span<const uint64_t> a, std::span<const uint64_t> b) {
  if (a.size() != t.n() || b.size() != t.n()) throw UsageError("negacyclic_multiply: operands must have n coefficients");
  std::vector<uint64_t> x(a.begin(), a.end()), y(b.begin(), b.end());
  const uint64_t q = t.q();
  for (auto v : x)
    if (v >= q) throw UsageError("negacyclic_multiply: coefficient " + std::to_string(v) + " is not below q");
  for (auto v : y)
    if (v >= q) throw UsageError("negacyclic_multiply: coefficient " + std::to_string(v) + " is not below q");
  t.forward(x);
  t.forward(y);
  for (size_t i = 0; i < x.size(); ++i) x[i] = t.modulus().mul(x[i], y[i]);
  t.inverse(x);
  return x;
}

std::vector<uint64_t> negacyclic_multiply_sparse(const Modulus& q, std::span<const uint64_t> a, std::span<const uint64_t> b) {
  const size_t n = a.size();
  if (b.size() != n) throw UsageError("negacyclic_multiply_sparse: operand sizes differ");
  std::vector<uint64_t> c(n, 0);
  for (size_t k = 0; k < n; ++k) {
    const uint64_t w = b[k];
    if (w == 0) continue;
    const uint64_t wp = q.shoup(w);
    // c += a * w * x^k; x^n = -1 wraps with a sign flip.
    for (size_t i = 0; i < n; ++i) {
      const uint64_t p = q.mul_shoup(a[i], w, wp);
      const size_t d = i + k;
      if (d < n) c[d] = q.add(c[d], p);
      else c[d - n] = q.sub(c[d - n], p);
    }
  }
  return c;
}

RnsBase::RnsBase(uint64_t n, std::span<const uint64_t> primes) : n_(n) {
  if (primes.empty()) throw UsageError("RNS base needs at least one prime");
  unsigned bits = 0;
  for (uint64_t p : primes) {
    bits += static_cast<unsigned>(std::bit_width(p));
    tables_.emplace_back(n, p);
  }
  if (bits > 126) throw UsageError("RNS base: product of " + std::to_string(bits) + " bits exceeds 126");
  for (size_t i = 0; i < primes.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (primes[i] == primes[j]) throw UsageError("RNS base: prime " + std::to_string(primes[i]) + " repeated");
  for (uint64_t p : primes) q_ *= p;
  for (size_t i = 0; i < primes.size(); ++i) {
    const u128 qh = q_ / primes[i];
    qhat_.push_back(qh);
    qhat_inv_.push_back(tables_[i].modulus().inv(static_cast<uint64_t>(qh % primes[i])));
  }
}

unsigned RnsBase::product_bits() const {
  const uint64_t hi = static_cast<uint64_t>(q_ >> 64);
  return hi ? 64 + static_cast<unsigned>(std::bit_width(hi)) : static_cast<unsigned>(std::bit_width(static_cast<uint64_t>(q_)));
}

void RnsBase::decompose(i128 v, std::span<uint64_t> out) const {
  for (size_t i = 0; i < tables_.size(); ++i) {
    const uint64_t q = tables_[i].q();
    i128 r = v % static_cast<i128>(q);
    if (r < 0) r += q;
    out[i] = static_cast<uint64_t>(r);
  }
}

u128 RnsBase::compose(std::span<const uint64_t> residues) const {
  // x = sum_i [r_i * qhat_inv_i]_{q_i} * qhat_i mod Q; each term < Q < 2^126,
  // so reduce after every addition.
  u128 x = 0;
  for (size_t i = 0; i < tables_.size(); ++i) {
    const uint64_t y = tables_[i].modulus().mul(residues[i], qhat_inv_[i]);
    // y * qhat_i < q_i * Q / q_i = Q: no overflow.
    x += static_cast<u128>(y) * qhat_[i];
    if (x >= q_) x -= q_;
  }
  return x;
}

}  // namespace squish::he
