// squish::rtl — the NTT unit's RTL engine: runs jobs (forward NTT, inverse NTT
// without n^-1, pointwise Montgomery product) through the Verilated
// rtl/he/he_ntt_unit.sv at B = 1, 2, 4 or 8 butterflies per cycle, with random
// backpressure on its three streams. Used by tb_he, bench_he and (through
// squish::he::rtl_polymul, declared in sw/include/squish/he/engine.hpp) the CLI.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "squish/he/ntt.hpp"
#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::rtl {

inline constexpr unsigned kHeWordBits = 60;  ///< the unit's W: moduli below 2^60

enum class HeOp : uint8_t { Forward = 0, Inverse = 1, Pointwise = 2, Reserved = 3 };

struct HeNttJob {
  unsigned logn = 12;
  HeOp op = HeOp::Forward;
  uint64_t q = 0;
  uint64_t qinv = 0;              ///< -q^-1 mod 2^60 (he::Montgomery::make(q, 60).qinv_neg)
  std::vector<uint64_t> tw;       ///< loaded into the twiddle store first (empty: keep the previous)
  std::vector<uint64_t> data;     ///< n coefficients (more or fewer only in error tests)
  bool last_early = false;        ///< error tests: raise s_last one beat early
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

}  // namespace squish::rtl
