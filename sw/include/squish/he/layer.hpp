// squish::he — a fully connected int8 layer on BFV-encrypted activations with
// plaintext int8 weights, by coefficient encoding (no rotations, no relinearization).
//
// Packing (in = inputs per row, R = floor(n / in) output rows per product):
//   activation row x (in values)  -> X(x) = sum_i x_i x^i
//   weight rows j0 .. j0+R-1      -> W(x) = sum_r sum_i w[j0+r][i] x^(r*in + in-1-i)
//   X * W mod (x^n + 1): the coefficient of x^(r*in + in-1) is sum_i x_i w[j0+r][i]
//   exactly (terms of row r span degrees r*in .. r*in + 2in-2; the last row's
//   tail wraps below degree in-1, so no output coefficient is touched by another row).
// One ciphertext per activation row; ceil(out / R) ct x pt products per row.
// The plaintext modulus t is the largest NTT-friendly prime (= 1 mod 2n) of
// bit_width(2 B) bits, B = in * max|w| * max|x|, so every accumulator decodes
// exactly from (-t/2, t/2]; q is BfvParams::default_4096 (n = 4096).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/he/bfv.hpp"
#include "squish/he/engine.hpp"

namespace squish::he {

struct FcLayerOptions {
  uint64_t n = 4096;
  MulPlainMethod method = MulPlainMethod::Auto;
  PolyMulFn engine = nullptr;  ///< nullptr: golden BFV multiply_plain; else per-prime products through it
  MulPlainFn mul_plain = nullptr;  ///< if set (before engine): per prime, c0*p and c1*p in one call
  uint64_t seed = 0;           ///< 0: getrandom; else a deterministic (insecure) stream for tests
};

struct FcLayerResult {
  std::vector<int64_t> acc;       ///< batch x out, decrypted accumulators
  std::vector<int64_t> expected;  ///< batch x out, plaintext integer accumulators
  bool exact = false;             ///< acc == expected
  uint64_t t = 0;                 ///< plaintext modulus used
  unsigned q_bits = 0;
  int budget_fresh = 0;           ///< min noise budget after encryption (bits)
  int budget_left = 0;            ///< min noise budget after the layer (bits)
  uint64_t products = 0;          ///< ct x pt products
  uint64_t rows_per_product = 0;
  uint64_t direct_products = 0;   ///< of which computed by sparse direct products
  uint64_t modmuls = 0;           ///< modular multiplications in ct x pt (golden cost model)
  uint64_t rtl_cycles = 0, rtl_ntt_cycles = 0;  ///< with an engine
  double t_keygen = 0, t_encrypt = 0, t_eval = 0, t_decrypt = 0;  ///< seconds
};

/// W: out x in int8 row-major, X: batch x in int8. UsageError if in > n.
FcLayerResult run_fc_layer(std::span<const int8_t> w, size_t out, size_t in, std::span<const int8_t> x, size_t batch,
                           const FcLayerOptions& opt = {});

/// The packing helpers (exposed for tests and the RTL testbench).
Plaintext pack_activations(const BfvContext& ctx, std::span<const int8_t> x);
Plaintext pack_weights(const BfvContext& ctx, std::span<const int8_t> w, size_t in, size_t row0, size_t rows);
/// Plaintext modulus for accumulators bounded by `bound` in magnitude.
uint64_t plain_modulus_for(uint64_t bound, uint64_t n);

}  // namespace squish::he
