// squish::softmax — bit-accurate model of the streaming online softmax unit
// (rtl/softmax/softmax_unit.sv). This is the contract the RTL is checked
// against, bit for bit.
//
// Algorithm (base 2, two passes over the same logits, L lanes per beat):
//
//   t_i   = (x_i * LOG2E) >>> F            logit in base-2 units, Q.24
//   pass 1, per beat b:   M_b = ceil(max t over the beat's lanes)   (integer)
//                         M'  = max(M, M_b)             (first beat: M_b)
//                         E_i = 2^(t_i - M') in Q1.40   (exp2 unit, rounded)
//                         S   = (S >> (M' - M)) + sum E_i    (first beat: sum)
//   per vector:           lambda = log2(S)  (Q.24, leading one + 128-segment quadratic)
//                         Omega  = M * 2^24 + lambda
//   pass 2, per element:  p_i = round(2^(t_i - Omega) * 2^16), saturated to 0xFFFF
//
// Because the running maximum is kept as an integer in the base-2 domain, a new
// maximum rescales the running sum by a pure right shift (no multiplier), and
// every exponent argument is <= 0, so nothing can overflow at any length up to
// kMaxLength. See docs/softmax.md for the error budget.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace squish::softmax {

// ---- Parameters shared with the RTL (rtl/softmax/softmax_unit.sv exposes the
// same values as /*verilator public*/ localparams; sim/softmax/tb_softmax.cpp
// checks that the two agree). -------------------------------------------------
inline constexpr unsigned kDefaultLanes = 8;      ///< lanes per beat (RTL parameter Lanes)
inline constexpr uint32_t kMaxLength = 131072;    ///< longest vector (RTL parameter MaxLen)
inline constexpr unsigned kInWidth = 16;          ///< logit width (int8 is sign-extended)
inline constexpr unsigned kMaxFracBits = 15;      ///< F in 0..15
inline constexpr unsigned kTFrac = 24;            ///< fraction bits of t, d, lambda
inline constexpr int64_t kLog2eQ24 = 24204406;    ///< round(log2(e) * 2^24)
inline constexpr unsigned kSegBits = 6;           ///< exp2 table: 64 segments of [0,1)
inline constexpr unsigned kMantFrac = 30;         ///< exp2 mantissa R in [2^30, 2^31)
inline constexpr unsigned kSumFrac = 40;          ///< E and S fraction bits
inline constexpr unsigned kOutFrac = 16;          ///< output Q0.16
inline constexpr int kClampInt = 64;              ///< arguments below -64 give exactly 0
inline constexpr unsigned kLogSegBits = 7;        ///< log2 table: 128 segments of [1,2)
inline constexpr unsigned kSumIntBits = 18;       ///< ceil(log2(MaxLen)) + 1
inline constexpr unsigned kSumWidth = kSumIntBits + kSumFrac;  ///< 58

/// The exp2 coefficient table: 2^x ~= C0 + C1*u + C2*u^2 around each segment's
/// midpoint. Computed here in double and rounded once; the RTL's ROM
/// (rtl/softmax/softmax_exp2_rom.sv) is generated from this table.
struct Exp2Coeffs {
  uint32_t c0;  ///< round(2^m * 2^30)
  uint32_t c1;  ///< round(2^m * ln2 * 2^22)
  uint32_t c2;  ///< round(2^m * ln2^2 / 2 * 2^18)
};
const std::array<Exp2Coeffs, 64>& exp2_table();
/// SystemVerilog text of the ROM module, byte for byte what is committed.
std::string exp2_rom_sv();

/// The log2 coefficient table: log2(1+f) ~= L0 + L1*u - L2*u^2 around each of
/// 128 segment midpoints m of [0, 1); generated into softmax_log2_rom.sv.
struct Log2Coeffs {
  uint32_t l0;  ///< round(log2(1+m) * 2^30)
  uint32_t l1;  ///< round(1/((1+m) ln2) * 2^22)
  uint32_t l2;  ///< round(1/(2 (1+m)^2 ln2) * 2^18)
};
const std::array<Log2Coeffs, 128>& log2_table();
std::string log2_rom_sv();

/// 2^(r / 2^24) * 2^30 for r in [0, 2^24): the exp2 unit's mantissa.
uint32_t exp2_mantissa(uint32_t r);
/// t = (x * LOG2E) >>> F, the logit in base-2 units with 24 fraction bits.
int64_t to_base2(int32_t x, unsigned frac_bits);
/// Pass-1 term: 2^(d / 2^24) in Q1.40 for d <= 0 (d already clamped).
uint64_t exp2_q40(int64_t d);
/// Pass-2 output: 2^(g / 2^24) in Q0.16 for g <= 0, rounded, saturated.
uint16_t exp2_q16(int64_t g);
/// log2(S / 2^40) in Q.24, rounded, for S >= 2^39 (the log2 unit).
int64_t log2_q24(uint64_t s);

/// What pass 1 hands to pass 2 for one vector.
struct VectorStats {
  int32_t max_int = 0;   ///< M: ceil of the largest t, integer
  uint64_t sum = 0;      ///< S in Q18.40, relative to 2^M
  int64_t lambda = 0;    ///< log2(S), Q.24
  int64_t omega = 0;     ///< M * 2^24 + lambda
  uint32_t length = 0;
};

/// Pass 1 over a whole vector, beat by beat as the RTL does (lanes per beat).
VectorStats pass1(std::span<const int16_t> x, unsigned frac_bits, unsigned lanes = kDefaultLanes);
/// Pass 2: probabilities in Q0.16 (out.size() == x.size()).
void pass2(std::span<const int16_t> x, unsigned frac_bits, const VectorStats& st, std::span<uint16_t> out);

/// The whole unit: Q0.16 probabilities of the logits x * 2^-F. Throws UsageError
/// for an empty vector, a vector longer than kMaxLength, F > 15 or lanes == 0.
std::vector<uint16_t> softmax_q16(std::span<const int16_t> x, unsigned frac_bits,
                                  unsigned lanes = kDefaultLanes);

}  // namespace squish::softmax
