// BFV (see squish/he/bfv.hpp).
#include "squish/he/bfv.hpp"

#include <sys/random.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <string>

#include "squish/error.hpp"

namespace squish::he {

// ---------------------------------------------------------------- randomness

Random::Random() : buf_(512) { refill(); }

Random::Random(uint64_t seed) : seeded_(true), buf_(512) {
  // splitmix64 expands the seed into the xoshiro state.
  for (auto& x : s_) {
    seed += 0x9e3779b97f4a7c15ull;
    uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    x = z ^ (z >> 31);
  }
  refill();
}

void Random::refill() {
  if (seeded_) {
    for (auto& out : buf_) {
      const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
      const uint64_t t = s_[1] << 17;
      s_[2] ^= s_[0];
      s_[3] ^= s_[1];
      s_[1] ^= s_[2];
      s_[0] ^= s_[3];
      s_[2] ^= t;
      s_[3] = std::rotl(s_[3], 45);
      out = result;
    }
  } else {
    auto* p = reinterpret_cast<uint8_t*>(buf_.data());
    size_t left = buf_.size() * sizeof(uint64_t);
    while (left > 0) {
      const ssize_t got = getrandom(p, left, 0);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw Error(std::string("getrandom failed: ") + std::strerror(errno));
      }
      p += got;
      left -= static_cast<size_t>(got);
    }
  }
  pos_ = 0;
}

uint64_t Random::next() {
  if (pos_ == buf_.size()) refill();
  return buf_[pos_++];
}

uint64_t Random::uniform(uint64_t bound) {
  if (bound == 0) return next();
  const uint64_t limit = ~0ull - (~0ull % bound);  // multiples of bound below 2^64
  uint64_t x;
  do x = next();
  while (x >= limit);
  return x % bound;
}

// ---------------------------------------------------------------- parameters

BfvParams BfvParams::default_4096(uint64_t t) {
  BfvParams p;
  p.n = 4096;
  p.q = {0xffffee001ull, 0xffffc4001ull, 0x1ffffe0001ull};
  p.t = t;
  return p;
}

unsigned he_standard_max_logq_128(uint64_t n) {
  switch (n) {
    case 1024: return 27;
    case 2048: return 54;
    case 4096: return 109;
    case 8192: return 218;
    case 16384: return 438;
    case 32768: return 881;
    default: return 0;
  }
}

BfvContext::BfvContext(const BfvParams& p) : p_(p), base_(p.n, p.q) {
  const unsigned limit = he_standard_max_logq_128(p.n);
  if (limit == 0) throw UsageError("BFV: n = " + std::to_string(p.n) + " is not in the HE Standard tables (1024..32768)");
  if (base_.product_bits() > limit)
    throw UsageError("BFV: log2 q = " + std::to_string(base_.product_bits()) + " exceeds " + std::to_string(limit) +
                     " bits, the 128-bit classical security bound for n = " + std::to_string(p.n));
  uint64_t qmin = ~0ull;
  for (auto q : p.q) qmin = std::min(qmin, q);
  if (p.t < 2 || p.t >= qmin) throw UsageError("BFV: plaintext modulus t = " + std::to_string(p.t) + " must be in [2, min q_i)");
  const u128 delta = base_.product() / p.t;
  for (size_t i = 0; i < base_.size(); ++i) delta_.push_back(static_cast<uint64_t>(delta % p.q[i]));
}

uint64_t BfvContext::encode_signed(int64_t v) const {
  const int64_t t = static_cast<int64_t>(p_.t);
  if (v > t / 2 || v < -((t - 1) / 2)) throw UsageError("BFV: value " + std::to_string(v) + " does not fit plaintext modulus " + std::to_string(t));
  return v < 0 ? static_cast<uint64_t>(v + t) : static_cast<uint64_t>(v);
}

int64_t BfvContext::decode_signed(uint64_t c) const {
  return c > p_.t / 2 ? static_cast<int64_t>(c) - static_cast<int64_t>(p_.t) : static_cast<int64_t>(c);
}

// ---------------------------------------------------------------- polynomials

RnsPoly BfvContext::sample_uniform(Random& rng) const {
  RnsPoly r;
  r.residues.resize(base_.size());
  for (size_t i = 0; i < base_.size(); ++i) {
    r.residues[i].resize(p_.n);
    for (auto& x : r.residues[i]) x = rng.uniform(p_.q[i]);
  }
  return r;
}

std::vector<int64_t> BfvContext::sample_ternary(Random& rng) const {
  std::vector<int64_t> v(p_.n);
  for (auto& x : v) x = static_cast<int64_t>(rng.uniform(3)) - 1;
  return v;
}

std::vector<int64_t> BfvContext::sample_cbd(Random& rng) const {
  // Centred binomial, eta = 21: popcount of 21 random bits minus popcount of 21 more.
  std::vector<int64_t> v(p_.n);
  for (auto& x : v) {
    const uint64_t r = rng.next();
    x = std::popcount(r & 0x1fffffull) - std::popcount((r >> 21) & 0x1fffffull);
  }
  return v;
}

RnsPoly BfvContext::from_small(std::span<const int64_t> v) const {
  RnsPoly r;
  r.residues.resize(base_.size());
  for (size_t i = 0; i < base_.size(); ++i) {
    const auto& m = base_.modulus(i);
    r.residues[i].resize(p_.n);
    for (size_t k = 0; k < p_.n; ++k) r.residues[i][k] = m.from_signed(v[k]);
  }
  return r;
}

RnsPoly BfvContext::to_ntt(const RnsPoly& a) const {
  RnsPoly r = a;
  for (size_t i = 0; i < base_.size(); ++i) base_.tables(i).forward(r.residues[i]);
  return r;
}

RnsPoly BfvContext::from_ntt(const RnsPoly& a) const {
  RnsPoly r = a;
  for (size_t i = 0; i < base_.size(); ++i) base_.tables(i).inverse(r.residues[i]);
  return r;
}

RnsPoly BfvContext::mul_ntt(const RnsPoly& a, const RnsPoly& b) const {
  RnsPoly r = a;
  for (size_t i = 0; i < base_.size(); ++i) {
    const auto& m = base_.modulus(i);
    for (size_t k = 0; k < p_.n; ++k) r.residues[i][k] = m.mul(a.residues[i][k], b.residues[i][k]);
  }
  return r;
}

RnsPoly BfvContext::add_poly(const RnsPoly& a, const RnsPoly& b) const {
  RnsPoly r = a;
  for (size_t i = 0; i < base_.size(); ++i) {
    const auto& m = base_.modulus(i);
    for (size_t k = 0; k < p_.n; ++k) r.residues[i][k] = m.add(a.residues[i][k], b.residues[i][k]);
  }
  return r;
}

RnsPoly BfvContext::neg_poly(const RnsPoly& a) const {
  RnsPoly r = a;
  for (size_t i = 0; i < base_.size(); ++i)
    for (auto& x : r.residues[i]) x = base_.modulus(i).neg(x);
  return r;
}

RnsPoly BfvContext::lift_plain(const Plaintext& p) const {
  if (p.coeffs.size() > p_.n) throw UsageError("BFV: plaintext has more than n coefficients");
  std::vector<int64_t> v(p_.n, 0);
  for (size_t k = 0; k < p.coeffs.size(); ++k) {
    if (p.coeffs[k] >= p_.t) throw UsageError("BFV: plaintext coefficient " + std::to_string(k) + " is not below t");
    v[k] = decode_signed(p.coeffs[k]);
  }
  return from_small(v);
}

// ---------------------------------------------------------------- scheme

SecretKey BfvContext::keygen_secret(Random& rng) const {
  SecretKey sk;
  const auto s = sample_ternary(rng);
  sk.s.assign(s.begin(), s.end());
  sk.s_ntt = to_ntt(from_small(s));
  return sk;
}

PublicKey BfvContext::keygen_public(const SecretKey& sk, Random& rng) const {
  PublicKey pk;
  const RnsPoly a = sample_uniform(rng);
  const RnsPoly e = from_small(sample_cbd(rng));
  pk.p1_ntt = to_ntt(a);
  pk.p0_ntt = to_ntt(neg_poly(add_poly(from_ntt(mul_ntt(pk.p1_ntt, sk.s_ntt)), e)));
  return pk;
}

namespace {
// c0 += round(Q m / t) = Delta m + floor((r m + (t+1)/2) / t), r = Q mod t: the
// exact scaling SEAL uses, so t [c0 + c1 s]_Q carries no r*m term.
void add_delta_m(RnsPoly& c0, const Plaintext& m, const std::vector<uint64_t>& delta, const RnsBase& base, uint64_t t) {
  const uint64_t r = static_cast<uint64_t>(base.product() % t);
  for (size_t k = 0; k < m.coeffs.size(); ++k)
    if (m.coeffs[k] >= t) throw UsageError("BFV: plaintext coefficient " + std::to_string(k) + " is not below t");
  for (size_t i = 0; i < base.size(); ++i) {
    const auto& q = base.modulus(i);
    for (size_t k = 0; k < m.coeffs.size(); ++k) {
      const uint64_t extra = static_cast<uint64_t>((static_cast<u128>(r) * m.coeffs[k] + (t + 1) / 2) / t);
      const uint64_t v = q.add(q.mul(delta[i], m.coeffs[k] % q.value()), extra % q.value());
      c0.residues[i][k] = q.add(c0.residues[i][k], v);
    }
  }
}
}  // namespace

Ciphertext BfvContext::encrypt(const PublicKey& pk, const Plaintext& m, Random& rng) const {
  if (m.coeffs.size() > p_.n) throw UsageError("BFV: plaintext has more than n coefficients");
  const RnsPoly u = to_ntt(from_small(sample_ternary(rng)));
  Ciphertext ct;
  ct.c0 = add_poly(from_ntt(mul_ntt(pk.p0_ntt, u)), from_small(sample_cbd(rng)));
  ct.c1 = add_poly(from_ntt(mul_ntt(pk.p1_ntt, u)), from_small(sample_cbd(rng)));
  add_delta_m(ct.c0, m, delta_, base_, p_.t);
  return ct;
}

Ciphertext BfvContext::encrypt_symmetric(const SecretKey& sk, const Plaintext& m, Random& rng) const {
  if (m.coeffs.size() > p_.n) throw UsageError("BFV: plaintext has more than n coefficients");
  Ciphertext ct;
  ct.c1 = sample_uniform(rng);
  ct.c0 = neg_poly(add_poly(from_ntt(mul_ntt(to_ntt(ct.c1), sk.s_ntt)), from_small(sample_cbd(rng))));
  add_delta_m(ct.c0, m, delta_, base_, p_.t);
  return ct;
}

std::vector<u128> BfvContext::phase(const SecretKey& sk, const Ciphertext& ct) const {
  if (ct.c0.residues.size() != base_.size() || ct.c1.residues.size() != base_.size())
    throw UsageError("BFV: ciphertext has the wrong number of RNS components");
  const RnsPoly x = add_poly(ct.c0, from_ntt(mul_ntt(to_ntt(ct.c1), sk.s_ntt)));
  std::vector<u128> out(p_.n);
  std::vector<uint64_t> r(base_.size());
  for (size_t k = 0; k < p_.n; ++k) {
    for (size_t i = 0; i < base_.size(); ++i) r[i] = x.residues[i][k];
    out[k] = base_.compose(r);
  }
  return out;
}

namespace {
// t * x = quo * Q + rem with 0 <= rem < Q (x < Q < 2^126, t < 2^61): shift-and-
// subtract over the bits of t, every intermediate below 3Q < 2^128.
void mul_divmod(uint64_t t, u128 x, u128 Q, u128& quo, u128& rem) {
  quo = 0;
  rem = 0;
  for (int b = 63; b >= 0; --b) {
    quo <<= 1;
    rem <<= 1;  // rem < Q < 2^126: no overflow
    if (rem >= Q) {
      rem -= Q;
      quo += 1;
    }
    if ((t >> b) & 1) {
      rem += x;
      if (rem >= Q) {
        rem -= Q;
        quo += 1;
      }
    }
  }
}
}  // namespace

Plaintext BfvContext::decrypt(const SecretKey& sk, const Ciphertext& ct) const {
  const auto x = phase(sk, ct);
  const u128 Q = base_.product();
  Plaintext m;
  m.coeffs.resize(p_.n);
  for (size_t k = 0; k < p_.n; ++k) {
    u128 quo, rem;
    mul_divmod(p_.t, x[k], Q, quo, rem);
    if (rem >= Q - rem) quo += 1;  // round half up: rem / Q >= 1/2
    m.coeffs[k] = static_cast<uint64_t>(quo % p_.t);
  }
  return m;
}

int BfvContext::noise_budget(const SecretKey& sk, const Ciphertext& ct) const {
  const auto x = phase(sk, ct);
  const u128 Q = base_.product();
  u128 worst = 0;
  for (size_t k = 0; k < p_.n; ++k) {
    u128 quo, rem;
    mul_divmod(p_.t, x[k], Q, quo, rem);
    const u128 mag = rem > Q / 2 ? Q - rem : rem;
    if (mag > worst) worst = mag;
  }
  const auto bits = [](u128 v) {
    const uint64_t hi = static_cast<uint64_t>(v >> 64);
    return hi ? 64 + static_cast<int>(std::bit_width(hi)) : static_cast<int>(std::bit_width(static_cast<uint64_t>(v)));
  };
  return std::max(0, static_cast<int>(q_bits()) - bits(worst) - 1);
}

Ciphertext BfvContext::add(const Ciphertext& a, const Ciphertext& b) const {
  return {add_poly(a.c0, b.c0), add_poly(a.c1, b.c1)};
}

Ciphertext BfvContext::drop_last_prime(const Ciphertext& a, const BfvContext& lower) const {
  const size_t k = base_.size();
  if (k < 2 || lower.base_.size() != k - 1 || lower.p_.n != p_.n || lower.p_.t != p_.t)
    throw UsageError("BFV: drop_last_prime needs the context with one prime less");
  for (size_t i = 0; i + 1 < k; ++i)
    if (lower.p_.q[i] != p_.q[i]) throw UsageError("BFV: drop_last_prime: prime lists differ");
  const Modulus& ql = base_.modulus(k - 1);
  const uint64_t half = ql.value() >> 1;
  Ciphertext r;
  for (const RnsPoly* src : {&a.c0, &a.c1}) {
    RnsPoly out;
    out.residues.resize(k - 1);
    for (size_t i = 0; i + 1 < k; ++i) {
      const Modulus& qi = base_.modulus(i);
      const uint64_t inv = qi.inv(ql.value() % qi.value()), half_i = half % qi.value();
      out.residues[i].resize(p_.n);
      for (size_t j = 0; j < p_.n; ++j) {
        const uint64_t last = ql.add(src->residues[k - 1][j], half);  // centred rounding
        const uint64_t tmp = qi.sub(last % qi.value(), half_i);
        out.residues[i][j] = qi.mul(qi.sub(src->residues[i][j], tmp), inv);
      }
    }
    (src == &a.c0 ? r.c0 : r.c1) = std::move(out);
  }
  return r;
}

SecretKey BfvContext::restrict_key(const SecretKey& sk, const BfvContext& lower) const {
  SecretKey r;
  r.s = sk.s;
  r.s_ntt.residues.assign(sk.s_ntt.residues.begin(), sk.s_ntt.residues.begin() + static_cast<std::ptrdiff_t>(lower.base_.size()));
  return r;
}

bool BfvContext::direct_is_cheaper(uint64_t nonzeros) const {
  // Weights measured by bench_he on this machine's CPU: a butterfly of the NTT
  // path (twiddle load, Shoup product, two sums, two stores, plus the path's
  // polynomial copies) costs about 3 direct multiply-accumulates.
  const uint64_t n = p_.n, logn = static_cast<uint64_t>(std::countr_zero(n));
  return 2 * n * nonzeros < kButterflyCost * (5 * (n / 2) * logn + 2 * n);
}

Ciphertext BfvContext::multiply_plain(const Ciphertext& a, const Plaintext& p, MulPlainMethod method, MulPlainStats* stats) const {
  uint64_t nnz = 0;
  for (auto c : p.coeffs) nnz += c != 0;
  const bool direct = method == MulPlainMethod::Direct || (method == MulPlainMethod::Auto && direct_is_cheaper(nnz));
  const RnsPoly lp = lift_plain(p);
  Ciphertext r;
  const uint64_t n = p_.n, logn = static_cast<uint64_t>(std::countr_zero(n)), k = base_.size();
  if (direct) {
    r.c0.residues.resize(k);
    r.c1.residues.resize(k);
    for (size_t i = 0; i < k; ++i) {
      r.c0.residues[i] = negacyclic_multiply_sparse(base_.modulus(i), a.c0.residues[i], lp.residues[i]);
      r.c1.residues[i] = negacyclic_multiply_sparse(base_.modulus(i), a.c1.residues[i], lp.residues[i]);
    }
    if (stats) *stats = {true, nnz, 0, 2 * k * n * nnz};
  } else {
    const RnsPoly pn = to_ntt(lp);
    r.c0 = from_ntt(mul_ntt(to_ntt(a.c0), pn));
    r.c1 = from_ntt(mul_ntt(to_ntt(a.c1), pn));
    // 5 transforms of (n/2) log n butterflies, 2 pointwise products, 2 n^-1 scalings.
    if (stats) *stats = {false, nnz, 5 * k, k * (5 * (n / 2) * logn + 4 * n)};
  }
  return r;
}

}  // namespace squish::he
