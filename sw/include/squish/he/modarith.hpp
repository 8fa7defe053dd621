// squish::he — 64-bit modular arithmetic for homomorphic encryption: Barrett
// reduction for moduli up to 61 bits, Montgomery multiplication as the RTL does
// it (R = 2^64), Miller-Rabin primality, NTT-friendly prime generation
// (q = 1 mod 2n) and primitive 2n-th roots of unity.
#pragma once

#include <cstdint>
#include <vector>

namespace squish::he {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

/// Largest modulus bit length the golden arithmetic accepts.
inline constexpr unsigned kMaxModulusBits = 61;

/// A modulus q (2 <= q < 2^61) with its Barrett constants:
/// k = bit length of q, mu = floor(2^(2k) / q). For z < q^2,
/// qhat = ((z >> (k-1)) * mu) >> (k+1) underestimates floor(z/q) by at most 2.
class Modulus {
 public:
  Modulus() = default;
  explicit Modulus(uint64_t q);  ///< throws UsageError outside [2, 2^61)
  uint64_t value() const { return q_; }
  unsigned bits() const { return k_; }
  uint64_t barrett_mu() const { return mu_; }

  uint64_t reduce(u128 z) const;  ///< z mod q for z < q^2 (Barrett)
  uint64_t reduce64(uint64_t z) const { return z % q_; }
  uint64_t mul(uint64_t a, uint64_t b) const { return reduce(static_cast<u128>(a) * b); }
  uint64_t add(uint64_t a, uint64_t b) const {
    const uint64_t s = a + b;
    return s >= q_ ? s - q_ : s;
  }
  uint64_t sub(uint64_t a, uint64_t b) const { return a >= b ? a - b : a + q_ - b; }
  uint64_t neg(uint64_t a) const { return a == 0 ? 0 : q_ - a; }
  uint64_t pow(uint64_t a, uint64_t e) const;
  uint64_t inv(uint64_t a) const;  ///< throws UsageError if a is not invertible
  /// Signed value to [0, q).
  uint64_t from_signed(int64_t v) const;
  /// Centered representative in (-q/2, q/2].
  int64_t to_signed(uint64_t a) const { return a > q_ / 2 ? -static_cast<int64_t>(q_ - a) : static_cast<int64_t>(a); }

  /// Shoup's precomputation for a fixed multiplicand w: floor(w * 2^64 / q).
  uint64_t shoup(uint64_t w) const { return static_cast<uint64_t>((static_cast<u128>(w) << 64) / q_); }
  /// a * w mod q with w' = shoup(w) (a < q).
  uint64_t mul_shoup(uint64_t a, uint64_t w, uint64_t wp) const {
    const uint64_t qhat = static_cast<uint64_t>((static_cast<u128>(a) * wp) >> 64);
    const uint64_t r = a * w - qhat * q_;
    return r >= q_ ? r - q_ : r;
  }

 private:
  uint64_t q_ = 0, mu_ = 0;
  unsigned k_ = 0;
};

/// Montgomery arithmetic with R = 2^W (W = 60 or 64; the RTL's parameter), odd q < 2^W.
/// mont_mul(a, b) = a * b * R^-1 mod q; qinv_neg = -q^-1 mod R.
struct Montgomery {
  uint64_t q = 0;
  unsigned w = 64;
  uint64_t qinv_neg = 0;  ///< -q^{-1} mod 2^w
  uint64_t r_mod_q = 0;   ///< 2^w mod q
  uint64_t r2_mod_q = 0;  ///< 2^(2w) mod q
  static Montgomery make(uint64_t q, unsigned w = 64);  ///< throws UsageError for even q or q >= 2^w
  /// REDC of a * b (a, b < q), exactly the RTL's sequence: t = a*b,
  /// m = (t mod R) * qinv_neg mod R, u = (t + m*q) / R, u >= q ? u - q : u.
  uint64_t mul(uint64_t a, uint64_t b) const;
  uint64_t to_mont(uint64_t a) const;    ///< a * R mod q
  uint64_t from_mont(uint64_t a) const;  ///< a * R^-1 mod q
};

/// Deterministic Miller-Rabin for all 64-bit n.
bool is_prime(uint64_t n);

/// `count` distinct primes q = 1 mod 2n of exactly `bits` bits, largest first.
/// Throws UsageError if n is not a power of two, bits is outside [log2(2n)+2, 61]
/// or not enough primes exist.
std::vector<uint64_t> ntt_primes(unsigned bits, uint64_t n, unsigned count);

/// The smallest primitive 2n-th root of unity psi mod q (psi^n = -1): the root
/// the negacyclic NTT uses. Throws UsageError if q != 1 mod 2n or q is not prime.
uint64_t min_primitive_root_2n(uint64_t q, uint64_t n);

}  // namespace squish::he
