// squish::he — the BFV scheme (Brakerski/Fan-Vercauteren) over
// R_q = Z_q[x]/(x^n + 1) with q a product of NTT primes held in RNS form.
//
// Why BFV: the encrypted layer needs exact integer results (the int8 layer's
// accumulators, bit for bit); BFV and BGV both compute exactly mod t, CKKS does
// not. Between the two, BFV keeps the plaintext in the high bits (Delta * m),
// so ct x pt and ct + ct need no modulus switching and one fixed q serves the
// whole (depth-0 multiplicative) layer; its invariant noise budget is what SEAL
// reports, which lets the golden figures be checked against SEAL directly.
//
// Scheme (Delta = floor(Q / t), s ternary, e centred binomial with eta = 21,
// sigma = 3.24, as SEAL's default sampler):
//   keygen:   s <- {-1,0,1}^n;  a <- U(R_Q);  pk = (p0, p1) = (-(a s + e), a)
//   encrypt:  u <- {-1,0,1}^n;  c0 = p0 u + e1 + [Q m / t];  c1 = p1 u + e2
//   encrypt_symmetric: a <- U(R_Q);  c0 = -(a s + e) + [Q m / t];  c1 = a
//             ([Q m / t] = Delta m + floor(((Q mod t) m + (t+1)/2) / t), SEAL's exact scaling)
//   decrypt:  x = [c0 + c1 s]_Q;  m = round(t x / Q) mod t
//   add:      componentwise;  multiply_plain: c_i * p (p lifted centred to (-t/2, t/2])
//   noise budget (SEAL's invariant_noise_budget): v = [t x]_Q centred,
//     budget = max(0, bits(Q) - bits(max_i |v_i|) - 1).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "squish/he/ntt.hpp"

namespace squish::he {

/// Randomness for secrets and noise. The default draws every byte from the
/// kernel's CSPRNG (getrandom(2)); a seeded instance is a deterministic
/// xoshiro256** stream and is for tests and reproducible figures only.
class Random {
 public:
  Random();                        ///< getrandom-backed (throws Error if the call fails)
  explicit Random(uint64_t seed);  ///< deterministic, NOT secure
  uint64_t next();
  uint64_t uniform(uint64_t bound);  ///< uniform in [0, bound) (rejection sampling)
  bool seeded() const { return seeded_; }

 private:
  void refill();
  bool seeded_ = false;
  std::array<uint64_t, 4> s_{};
  std::vector<uint64_t> buf_;
  size_t pos_ = 0;
};

struct BfvParams {
  uint64_t n = 4096;
  std::vector<uint64_t> q;  ///< RNS primes (each = 1 mod 2n)
  uint64_t t = 0;           ///< plaintext modulus, 2 <= t < min(q_i)
  /// n = 4096, q = SEAL's BFVDefault(4096) primes 0xffffee001, 0xffffc4001,
  /// 0x1ffffe0001 (36 + 36 + 37 = 109 bits: the HE Standard's 128-bit classical
  /// bound for n = 4096, ternary secret), with the given t.
  static BfvParams default_4096(uint64_t t);
  /// n = 8192, q = SEAL's BFVDefault(8192) (43+43+44+44+44 = 218 bits): needs
  /// more than the 126-bit CRT this implementation has; rejected by BfvContext.
};

/// Maximum log2 Q the HE Standard (Albrecht et al. 2018, Table 1, ternary
/// secret, classical 128-bit) allows for n; 0 for unsupported n.
unsigned he_standard_max_logq_128(uint64_t n);

struct Plaintext {
  std::vector<uint64_t> coeffs;  ///< n coefficients in [0, t)
};

struct Ciphertext {
  RnsPoly c0, c1;  ///< coefficient form
};

struct SecretKey {
  std::vector<int8_t> s;  ///< ternary coefficients
  RnsPoly s_ntt;          ///< s in NTT form, per prime
};

struct PublicKey {
  RnsPoly p0_ntt, p1_ntt;
};

/// Operation counts of one multiply_plain (for the cost curve).
struct MulPlainStats {
  bool direct = false;        ///< sparse direct products were used
  uint64_t nonzeros = 0;      ///< nonzero plaintext coefficients
  uint64_t ntts = 0;          ///< forward + inverse transforms
  uint64_t modmuls = 0;       ///< modular multiplications
};

enum class MulPlainMethod { Auto, Ntt, Direct };

class BfvContext {
 public:
  explicit BfvContext(const BfvParams& p);  ///< UsageError on bad or insecure parameters
  const BfvParams& params() const { return p_; }
  const RnsBase& base() const { return base_; }
  uint64_t n() const { return p_.n; }
  uint64_t t() const { return p_.t; }
  unsigned q_bits() const { return base_.product_bits(); }

  SecretKey keygen_secret(Random& rng) const;
  PublicKey keygen_public(const SecretKey& sk, Random& rng) const;
  Ciphertext encrypt(const PublicKey& pk, const Plaintext& m, Random& rng) const;
  Ciphertext encrypt_symmetric(const SecretKey& sk, const Plaintext& m, Random& rng) const;
  Plaintext decrypt(const SecretKey& sk, const Ciphertext& ct) const;
  int noise_budget(const SecretKey& sk, const Ciphertext& ct) const;

  Ciphertext add(const Ciphertext& a, const Ciphertext& b) const;
  /// Modulus switching to Q / q_last: c' = round(c / q_last) in the primes
  /// q_0..q_{k-2} (as SEAL's divide_and_round_q_last). `lower` must be the context
  /// whose primes are this context's without the last one.
  Ciphertext drop_last_prime(const Ciphertext& a, const BfvContext& lower) const;
  /// A secret key of this context restricted to `lower`'s primes.
  SecretKey restrict_key(const SecretKey& sk, const BfvContext& lower) const;
  Ciphertext multiply_plain(const Ciphertext& a, const Plaintext& p, MulPlainMethod m = MulPlainMethod::Auto,
                            MulPlainStats* stats = nullptr) const;
  /// True when direct products are cheaper than the NTT path for `nonzeros`
  /// plaintext coefficients: 2 n nnz multiply-accumulates vs kButterflyCost x
  /// (5 (n/2) log2 n + 2 n) butterfly-equivalents per prime (n = 4096: nnz < 48).
  bool direct_is_cheaper(uint64_t nonzeros) const;
  static constexpr uint64_t kButterflyCost = 3;

  /// Signed plaintext helpers: value v in (-t/2, t/2] <-> [0, t).
  uint64_t encode_signed(int64_t v) const;
  int64_t decode_signed(uint64_t c) const;
  /// The centred lift of a plaintext into R_Q (per prime residues).
  RnsPoly lift_plain(const Plaintext& p) const;

 private:
  RnsPoly sample_uniform(Random& rng) const;
  RnsPoly from_small(std::span<const int64_t> v) const;
  std::vector<int64_t> sample_ternary(Random& rng) const;
  std::vector<int64_t> sample_cbd(Random& rng) const;
  RnsPoly to_ntt(const RnsPoly& a) const;
  RnsPoly from_ntt(const RnsPoly& a) const;
  RnsPoly mul_ntt(const RnsPoly& a_ntt, const RnsPoly& b_ntt) const;
  RnsPoly add_poly(const RnsPoly& a, const RnsPoly& b) const;
  RnsPoly neg_poly(const RnsPoly& a) const;
  /// [c0 + c1 s]_Q per coefficient.
  std::vector<u128> phase(const SecretKey& sk, const Ciphertext& ct) const;

  BfvParams p_;
  RnsBase base_;
  std::vector<uint64_t> delta_;  ///< Delta mod q_i
};

}  // namespace squish::he
