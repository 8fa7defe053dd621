// squish::he — the golden model of the RTL NTT unit's jobs (rtl/he/he_ntt_unit.sv):
// what each job computes and which jobs the unit rejects, without cycles.
// The RTL testbench (sim/he/tb_he.cpp) compares the Verilated unit with this
// model beat for beat; sw/tests/he/test_ntt_unit.cpp checks the model against
// FLINT.
//
// State: a twiddle store of 2^log_tw_slots slots of NMax = 2^log_n_max
// coefficients (load_twiddles writes one slot from coefficient 0; kept until
// overwritten), the resident result of the last accepted job (n coefficients
// with that job's logn and q), and whether that result is an accumulator (the
// last accepted job was an op 2 or 3). A job reads the store slot `slot`; its
// input is `data` (streamed) or, with `resident`, the resident result.
//
// Jobs (REDC(a, b) = a * b * 2^-W mod q with the job's qinv = -q^-1 mod 2^W,
// computed exactly as he::Montgomery::mul; all inputs < q):
//   Forward   (0): in-place Cooley-Tukey, natural in, bit-reversed out:
//                  for m = 1 .. n/2, t = n/(2m), i < m, j in [2it, 2it+t):
//                    U = a[j], V = REDC(a[j+t], tw[m+i]); a[j] = U+V, a[j+t] = U-V
//   Inverse   (1): Gentleman-Sande, no n^-1: for m = n/2 .. 1, same j:
//                    U = a[j], V = a[j+t]; a[j] = U+V, a[j+t] = REDC(U-V, tw[m+i])
//   Pointwise (2): r[i] = REDC(in[i], tw[i]); r becomes the accumulator
//   Mac       (3): acc[i] = acc[i] + REDC(in[i], tw[i]) mod q
// With tw = psi_rev * 2^W mod q (ntt_unit_twiddles) the transforms equal
// NttTables::forward and ::inverse_unscaled.
//
// Rejected (err_cfg, sticky; the job's beats are dropped, the state is
// unchanged): logn outside [2 + log2 B, log_n_max], q even or q = 1, an op 3
// without an accumulator or with another logn or q than the accumulator's, and
// a resident job with no resident result, another logn or q, or op 3.
// A job whose s_last comes one beat early sets err_length and still runs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/he/ntt.hpp"

namespace squish::he {

enum class NttUnitOp : uint8_t { Forward = 0, Inverse = 1, Pointwise = 2, Mac = 3 };

struct NttUnitParams {
  unsigned lanes = 2;       ///< B, butterflies per cycle (power of two)
  unsigned log_n_max = 13;  ///< largest transform 2^log_n_max
  unsigned word_bits = 60;  ///< W: Montgomery R = 2^W, moduli below 2^W
  unsigned log_tw_slots = 2;  ///< twiddle store slots 2^log_tw_slots
};

struct NttUnitJob {
  unsigned logn = 12;
  NttUnitOp op = NttUnitOp::Forward;
  uint64_t q = 0;
  uint64_t qinv = 0;             ///< -q^-1 mod 2^W, as the host sends it (not checked)
  bool emit = true;              ///< stream the result out (false: keep it resident only)
  std::vector<uint64_t> data;    ///< n coefficients (any length for a job that will be rejected)
  bool last_early = false;       ///< s_last one beat early: err_length, the job still runs
  unsigned slot = 0;             ///< twiddle store slot the job reads
  bool resident = false;         ///< input = the resident result (start_i; data must be empty)
};

struct NttUnitResult {
  bool accepted = false;       ///< false: err_cfg, nothing computed
  std::vector<uint64_t> out;   ///< the n result coefficients when accepted and emit
};

/// Anything that runs the unit's jobs: the model, or the Verilated RTL
/// (squish::rtl::HeNttUnitRtl in sim/he), so one host sequence drives both.
class NttUnitDevice {
 public:
  virtual ~NttUnitDevice() = default;
  /// The tw_* stream: coefficients written from word 0 of store slot `slot`.
  virtual void load_twiddles(std::span<const uint64_t> coeffs, unsigned slot = 0) = 0;
  virtual NttUnitResult run(const NttUnitJob& j) = 0;
};

class NttUnitModel : public NttUnitDevice {
 public:
  explicit NttUnitModel(NttUnitParams p = {});
  const NttUnitParams& params() const { return p_; }

  /// UsageError beyond 2^log_n_max coefficients or slots.
  void load_twiddles(std::span<const uint64_t> coeffs, unsigned slot = 0) override;
  /// Whether the unit would accept this job now (else it raises err_cfg).
  bool accepts(const NttUnitJob& j) const;
  /// Runs one job. UsageError if an accepted job's data is not n coefficients.
  NttUnitResult run(const NttUnitJob& j) override;

  bool err_cfg() const { return err_cfg_; }
  bool err_length() const { return err_length_; }
  bool has_result() const { return has_result_; }
  bool has_accumulator() const { return has_result_ && acc_; }
  const std::vector<uint64_t>& resident() const { return res_; }
  /// The reset state (store contents are kept: the RTL's RAMs are not reset).
  void reset();

 private:
  uint64_t redc(uint64_t a, uint64_t b) const;
  NttUnitParams p_;
  std::vector<uint64_t> tw_;
  std::vector<uint64_t> res_;
  unsigned res_logn_ = 0;
  uint64_t res_q_ = 0;
  bool has_result_ = false, acc_ = false;
  bool err_cfg_ = false, err_length_ = false;
  // The running job's modulus constants.
  uint64_t q_ = 0, qinv_ = 0;
};

/// sum_k a_k * b_k mod (x^n + 1, q) on a unit (q below 2^60, n within the
/// unit): NTT(a_k) and NTT(b_k) on the unit; the host turns NTT(b_k) into the
/// operand NTT(b_k) * n^-1 * 2^60 mod q; an op 2 job on NTT(a_k = 0) and op 3
/// jobs for the others accumulate in the unit, only the last one emitting; the
/// INTT of that sum on the unit. 2K + 1 transforms and K pointwise passes instead
/// of 3K transforms for K separate products. Error if the unit rejects a job.
struct UnitRunStats {
  uint64_t jobs = 0, twiddle_loads = 0, host_modmuls = 0;
};
std::vector<uint64_t> unit_negacyclic_sum_of_products(NttUnitDevice& unit, const NttTables& t,
                                                      std::span<const std::vector<uint64_t>> a,
                                                      std::span<const std::vector<uint64_t>> b,
                                                      UnitRunStats* stats = nullptr);

/// c_k * p mod (x^n + 1, q) for every k (a ciphertext's components times one
/// plaintext), with the operands resident in the unit: slot 0 forward and slot 1
/// inverse twiddles, loaded once; the host scales p by n^-1 * 2^60 (n modular
/// multiplications) and the unit transforms it, the result going to slot 2 as
/// the pointwise operand; then per c_k: forward NTT (streamed in, kept), op 2
/// on the resident NTT(c_k) with slot 2 (kept), INTT of that (resident, emitted).
/// One polynomial in and one out per product, no host work per product.
std::vector<std::vector<uint64_t>> unit_mul_plain(NttUnitDevice& unit, const NttTables& t,
                                                  std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p,
                                                  UnitRunStats* stats = nullptr);

/// The twiddle store contents for a transform on the unit: psi_rev (forward) or
/// psi_inv_rev (inverse) in Montgomery form, x * 2^w mod q.
std::vector<uint64_t> ntt_unit_twiddles(const NttTables& t, bool inverse, unsigned w = 60);

}  // namespace squish::he
