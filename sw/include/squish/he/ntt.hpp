// squish::he — negacyclic number-theoretic transform over Z_q[x]/(x^n + 1) and an
// RNS (residue number system) base of several NTT primes.
//
// Forward: Cooley-Tukey, natural-order input, bit-reversed output,
//   for m = 1, 2, .., n/2 (stage s = log2 m), t = n/(2m):
//     for i < m, j in [2it, 2it+t): U = a[j], V = a[j+t]*psi_rev[m+i];
//                                     a[j] = U+V, a[j+t] = U-V   (mod q)
// Inverse: Gentleman-Sande, bit-reversed input, natural output,
//   for m = n/2, .., 1, t = n/(2m):
//     for i < m, j in [2it, 2it+t): U = a[j], V = a[j+t];
//                                     a[j] = U+V, a[j+t] = (U-V)*psi_inv_rev[m+i]
//   then every a[j] *= n^-1.
// psi_rev[k] = psi^bitrev_L(k), psi_inv_rev[k] = psi^-bitrev_L(k), L = log2 n,
// psi the smallest primitive 2n-th root of unity (min_primitive_root_2n).
// The product of a and b mod (x^n + 1, q) is inverse(forward(a) . forward(b)).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/he/modarith.hpp"

namespace squish::he {

inline constexpr uint64_t kMinNttN = 2, kMaxNttN = 1u << 16;

class NttTables {
 public:
  /// Throws UsageError if n is not a power of two in [2, 65536] or q is not a
  /// prime = 1 mod 2n below 2^61.
  NttTables(uint64_t n, uint64_t q);
  uint64_t n() const { return n_; }
  unsigned log_n() const { return log_n_; }
  const Modulus& modulus() const { return mod_; }
  uint64_t q() const { return mod_.value(); }
  uint64_t psi() const { return psi_; }
  uint64_t n_inv() const { return n_inv_; }
  const std::vector<uint64_t>& psi_rev() const { return psi_rev_; }
  const std::vector<uint64_t>& psi_inv_rev() const { return psi_inv_rev_; }

  void forward(std::span<uint64_t> a) const;  ///< in place; a[i] < q
  void inverse(std::span<uint64_t> a) const;  ///< in place, includes n^-1
  /// The inverse without the final n^-1 scaling (what the RTL's INTT computes).
  void inverse_unscaled(std::span<uint64_t> a) const;

 private:
  uint64_t n_;
  unsigned log_n_;
  Modulus mod_;
  uint64_t psi_ = 0, n_inv_ = 0, n_inv_shoup_ = 0;
  std::vector<uint64_t> psi_rev_, psi_rev_shoup_, psi_inv_rev_, psi_inv_rev_shoup_;
};

/// Reverses the low `bits` bits of x.
uint64_t bit_reverse(uint64_t x, unsigned bits);

/// Negacyclic product of a and b mod (x^n + 1, q) through the NTT.
std::vector<uint64_t> negacyclic_multiply(const NttTables& t, std::span<const uint64_t> a, std::span<const uint64_t> b);

/// Schoolbook negacyclic product, O(n^2), for cost comparisons and sparse operands:
/// only nonzero coefficients of b are visited (cost n * nnz(b) multiplications).
std::vector<uint64_t> negacyclic_multiply_sparse(const Modulus& q, std::span<const uint64_t> a, std::span<const uint64_t> b);

/// An RNS base: coprime NTT primes q_0..q_{k-1} for one ring degree n, with
/// CRT reconstruction to Q = prod q_i (requires Q < 2^127).
class RnsBase {
 public:
  RnsBase(uint64_t n, std::span<const uint64_t> primes);
  size_t size() const { return tables_.size(); }
  uint64_t n() const { return n_; }
  const NttTables& tables(size_t i) const { return tables_[i]; }
  const Modulus& modulus(size_t i) const { return tables_[i].modulus(); }
  u128 product() const { return q_; }
  unsigned product_bits() const;
  /// Residues of a signed value / of a value < Q.
  void decompose(i128 v, std::span<uint64_t> out) const;
  /// CRT: the value in [0, Q) with the given residues.
  u128 compose(std::span<const uint64_t> residues) const;

 private:
  uint64_t n_;
  std::vector<NttTables> tables_;
  u128 q_ = 1;
  std::vector<u128> qhat_;           ///< Q / q_i
  std::vector<uint64_t> qhat_inv_;   ///< (Q / q_i)^-1 mod q_i
};

/// A polynomial in RNS form: residues[i] holds the n coefficients mod q_i.
struct RnsPoly {
  std::vector<std::vector<uint64_t>> residues;
};

}  // namespace squish::he
