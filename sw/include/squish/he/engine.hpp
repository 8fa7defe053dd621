// squish::he — the polynomial-multiplier engine seam between the golden stack
// and the RTL. sw/ never includes sim/ headers: the RTL NTT unit's entry point
// is declared here, defined in sim/he/ (library squish_rtl), and a program that
// links it registers it (the CLI's main does so when built with the RTL):
//   squish::he::register_rtl_polymul(&squish::he::rtl_polymul);
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace squish::he {

struct PolyMulResult {
  std::vector<uint64_t> c;  ///< a * b mod (x^n + 1, q)
  uint64_t cycles = 0;      ///< RTL clock cycles (0 for the golden engine)
  uint64_t ntt_cycles = 0;  ///< of which in forward/inverse transforms
};

/// Negacyclic product of a and b (n coefficients each, < q; q an NTT prime for n).
using PolyMulFn = PolyMulResult (*)(uint64_t q, std::span<const uint64_t> a, std::span<const uint64_t> b);

/// The golden engine (NttTables, cached per (n, q)).
PolyMulResult golden_polymul(uint64_t q, std::span<const uint64_t> a, std::span<const uint64_t> b);

void register_rtl_polymul(PolyMulFn f);
bool have_rtl_polymul();
/// The registered RTL engine; UsageError naming the build if none was registered.
PolyMulFn rtl_polymul_engine();

/// Defined only in sim/he (squish_rtl): runs the Verilated he_ntt_unit.
PolyMulResult rtl_polymul(uint64_t q, std::span<const uint64_t> a, std::span<const uint64_t> b);

/// c_k * p mod (x^n + 1, q) for every k: one plaintext times the components of a
/// ciphertext, in one go so an engine can keep p's transform resident.
struct MulPlainResult {
  std::vector<std::vector<uint64_t>> c;
  uint64_t cycles = 0;      ///< RTL clock cycles (0 off the RTL)
  uint64_t ntt_cycles = 0;  ///< of which in forward/inverse transforms' compute phases
};
using MulPlainFn = MulPlainResult (*)(uint64_t q, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p);

/// The NTT unit's golden model (he::NttUnitModel, B = 2) through unit_mul_plain:
/// the RTL engine's job sequence without the RTL.
MulPlainResult model_mul_plain(uint64_t q, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p);

/// Defined only in sim/he (squish_rtl): rtl::rtl_mul_plain on the Verilated unit, B = 2.
MulPlainResult rtl_mul_plain(uint64_t q, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p);

/// The resident-operand RTL engine, registered like rtl_polymul (the CLI's main
/// registers &rtl_mul_plain); UsageError naming the build if none was registered.
void register_rtl_mul_plain(MulPlainFn f);
MulPlainFn rtl_mul_plain_engine();

}  // namespace squish::he
