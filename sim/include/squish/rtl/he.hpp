// squish::rtl — the NTT unit's RTL engine: runs jobs (forward NTT, inverse NTT
// without n^-1, pointwise Montgomery product, multiply-accumulate) through the
// Verilated rtl/he/he_ntt_unit.sv at B = 1, 2, 4 or 8 butterflies per cycle,
// with random backpressure on its three streams. HeNttUnitRtl keeps one unit
// alive across jobs (an he::NttUnitDevice, like the golden he::NttUnitModel);
// run_he_ntt_rtl runs a list of jobs on a fresh one. Used by tb_he, bench_he
// and (through squish::he::rtl_polymul, declared in
// sw/include/squish/he/engine.hpp) the CLI.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "squish/he/ntt.hpp"
#include "squish/he/ntt_unit.hpp"
#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::rtl {

inline constexpr unsigned kHeWordBits = 60;  ///< the unit's W: moduli below 2^60
inline constexpr unsigned kHeTwSlots = 4;    ///< twiddle store slots (LogTwSlots = 2)

enum class HeOp : uint8_t { Forward = 0, Inverse = 1, Pointwise = 2, Mac = 3 };

struct HeNttJob {
  unsigned logn = 12;
  HeOp op = HeOp::Forward;
  uint64_t q = 0;
  uint64_t qinv = 0;              ///< -q^-1 mod 2^60 (he::Montgomery::make(q, 60).qinv_neg)
  std::vector<uint64_t> tw;       ///< loaded into the twiddle store first (empty: keep the previous)
  std::vector<uint64_t> data;     ///< n coefficients (more or fewer only in error tests)
  bool last_early = false;        ///< error tests: raise s_last one beat early
  bool emit = true;               ///< cfg_emit_i: stream the result out
};

struct HeNttRtlOptions {
  unsigned lanes = 2;  ///< B: 1, 2, 4 or 8
  sim::DutOptions dut;
  sim::Backpressure in_bp = sim::Backpressure::None;
  sim::Backpressure tw_bp = sim::Backpressure::None;
  sim::Backpressure out_bp = sim::Backpressure::None;
};

struct HeNttRun {
  std::vector<std::vector<uint64_t>> outputs;  ///< per job (empty for a dropped job)
  std::vector<uint64_t> compute_cycles;        ///< per job: perf_compute_o
  uint64_t cycles = 0;                         ///< reset release to the last output beat
  bool err_cfg = false, err_length = false;
  std::optional<std::string> protocol_error;
};

HeNttRun run_he_ntt_rtl(std::span<const HeNttJob> jobs, const HeNttRtlOptions& opt = {});

/// One Verilated unit, reset once, kept across jobs: its twiddle store, resident
/// result and accumulator persist as in hardware. run() returns accepted =
/// perf_jobs_o advanced (the unit took the job), out = the beats it streamed.
/// q must fit the unit's 60 bits (UsageError otherwise).
class HeNttUnitRtl : public he::NttUnitDevice {
 public:
  explicit HeNttUnitRtl(const HeNttRtlOptions& opt = {});
  ~HeNttUnitRtl() override;
  HeNttUnitRtl(const HeNttUnitRtl&) = delete;
  HeNttUnitRtl& operator=(const HeNttUnitRtl&) = delete;

  void load_twiddles(std::span<const uint64_t> coeffs, unsigned slot = 0) override;
  he::NttUnitResult run(const he::NttUnitJob& j) override;

  uint64_t cycles() const;                ///< since the start of reset
  uint64_t last_compute_cycles() const;   ///< perf_compute_o now
  uint64_t jobs_accepted() const;         ///< perf_jobs_o
  bool err_cfg() const;
  bool err_length() const;
  std::optional<std::string> protocol_error() const;
  unsigned lanes() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// The twiddle store contents for a transform: psi_rev (forward) or psi_inv_rev
/// (inverse) in Montgomery form, x * 2^60 mod q.
std::vector<uint64_t> he_twiddles_mont(const he::NttTables& t, bool inverse);

/// Negacyclic product a * b mod (x^n + 1, q) on the RTL: NTT(a), NTT(b), the host
/// turns NTT(b) into the pointwise operand NTT(b) * n^-1 * 2^60 mod q (n modular
/// multiplications), pointwise product, INTT. ntt_cycles sums the three transforms.
struct HePolyMulRun {
  std::vector<uint64_t> c;
  uint64_t cycles = 0, ntt_cycles = 0, pointwise_cycles = 0;
};
HePolyMulRun rtl_negacyclic_multiply(const he::NttTables& t, std::span<const uint64_t> a, std::span<const uint64_t> b,
                                     const HeNttRtlOptions& opt = {});

/// sum_k a_k * b_k mod (x^n + 1, q) on one RTL unit by
/// he::unit_negacyclic_sum_of_products (the accumulation in the unit by op 2 / op 3).
/// cycles: the unit's clock from reset to the last output beat.
struct HeSumRun {
  std::vector<uint64_t> c;
  uint64_t cycles = 0;
  he::UnitRunStats stats;
};
HeSumRun rtl_negacyclic_sum_of_products(const he::NttTables& t, std::span<const std::vector<uint64_t>> a,
                                        std::span<const std::vector<uint64_t>> b, const HeNttRtlOptions& opt = {});

/// c_k * p for each k on one RTL unit with resident operands (he::unit_mul_plain):
/// cycles from the end of reset to the last output beat, of which tw_cycles
/// loading the twiddle store (two tables and the operand), ntt_cycles the
/// transforms' compute phases (perf_compute_o), pointwise_cycles the op 2 passes.
struct HeMulPlainRun {
  std::vector<std::vector<uint64_t>> c;
  uint64_t cycles = 0, tw_cycles = 0, ntt_cycles = 0, pointwise_cycles = 0;
  he::UnitRunStats stats;
};
HeMulPlainRun rtl_mul_plain(const he::NttTables& t, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p,
                            const HeNttRtlOptions& opt = {});

}  // namespace squish::rtl
