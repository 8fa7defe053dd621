// Bit-accurate model of the sparse, mixed-precision datapath (rtl/mac/).
//
// The datapath consumes the "nonzero stream" (docs/datapath.md): beats of up to
// kSlots (column, weight) entries of one output row. For every row r and
// activation vector b it computes
//     acc[b][r] = sum over entries (c, w) of row r:  w * (x[b][c] - act_zp)
// in 32-bit arithmetic, then requantizes per output channel with gemmlowp
// semantics through squish::requant::requantize (the one implementation the
// golden stack and the RTL share):
//   q = clamp(out_zp + RDBPOT(SRDHM(sat(sat(acc + bias) << left), mult), right)).
// The model also predicts the performance counters the RTL keeps.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "squish/datapath/params.hpp"

namespace squish::datapath {

/// Weight precision; values match squish_pkg::wprec_e.
enum class WPrec : uint8_t { Int8 = 0, Int4 = 1, Int2 = 2 };

int weight_bits(WPrec p);              ///< 8, 4, 2
int products_per_lane(WPrec p);        ///< 1, 2, 4
unsigned slots_used(WPrec p);          ///< kLanes * products_per_lane
int weight_min(WPrec p);               ///< -128, -8, -2
int weight_max(WPrec p);               ///< 127, 7, 1
WPrec wprec_from_bits(int bits);       ///< 8/4/2, else UsageError
const char* to_string(WPrec p);

/// One beat of the nonzero stream.
struct NzBeat {
  uint64_t mask = 0;                    ///< bit s: slot s present
  std::array<uint16_t, kSlots> col{};   ///< column index of slot s
  std::array<int8_t, kSlots> val{};     ///< weight of slot s (sign-extended)
  uint32_t row = 0;                     ///< output row of the whole beat
  bool row_last = false;                ///< closes `row`
  bool last = false;                    ///< closes the matrix
  unsigned entries() const { return static_cast<unsigned>(__builtin_popcountll(mask)); }
  bool operator==(const NzBeat&) const = default;
};

/// Builds the canonical nonzero stream of a dense rows x cols weight matrix
/// (row-major, values already in the precision's range): zeros dropped,
/// entries packed into the lowest slots in column order, rows 0..rows-1, one
/// mask-0 beat per empty row. This is what a zero-dropping decoder emits.
std::vector<NzBeat> pack_dense(std::span<const int8_t> w, size_t rows, size_t cols, WPrec p);

/// Dense mode: every weight of the matrix, zeros included, as entries (no
/// zero-skipping; the baseline the sparse speedups are measured against).
std::vector<NzBeat> pack_every_weight(std::span<const int8_t> w, size_t rows, size_t cols, WPrec p);

/// Per-output-channel requantization parameters (gemmlowp / TFLite style).
struct Channel {
  int32_t bias = 0;
  int32_t multiplier = 1 << 30;  ///< Q0.31 fixed-point multiplier (>= 0 in practice)
  int32_t shift = 0;             ///< TFLite convention: > 0 left, < 0 right; -31..30
};

/// Run-time configuration (the RTL's quasi-static config inputs).
struct Config {
  WPrec wprec = WPrec::Int8;
  uint32_t cols = 0;         ///< activation vector length (<= kActDepth in the RTL)
  uint32_t batch = 1;        ///< activation vectors (1..kMaxBatch); 1 = GEMV
  int32_t act_zp = 0;        ///< activation zero point (-128..127)
  int32_t out_zp = 0;        ///< output zero point (-128..127)
  int32_t out_min = -128;    ///< clamp (use out_zp for a fused ReLU)
  int32_t out_max = 127;
  bool relu = false;         ///< fused ReLU: lower clamp raised to out_zp
};

/// One result: row, vector, raw accumulator (before bias) and requantized value.
struct Output {
  uint32_t row = 0;
  uint32_t batch = 0;
  int32_t acc = 0;
  int8_t q = 0;
  bool last = false;  ///< final result of the matrix
  bool operator==(const Output&) const = default;
};

/// The hardware performance counters.
struct Counters {
  uint64_t cycles_busy = 0;     ///< cycles a beat was issued to the PE array
  uint64_t cycles_starved = 0;  ///< running, nothing to issue (input starved)
  uint64_t cycles_blocked = 0;  ///< a beat ready but the output was blocked
  uint64_t macs_performed = 0;  ///< products computed (present slots x vectors)
  uint64_t macs_skipped = 0;    ///< dense MACs not computed (zeros skipped)
  uint64_t cycles() const { return cycles_busy + cycles_starved + cycles_blocked; }
  uint64_t dense_macs() const { return macs_performed + macs_skipped; }
  double effective_macs_per_cycle() const {
    return cycles() ? static_cast<double>(dense_macs()) / static_cast<double>(cycles()) : 0.0;
  }
};

struct RunResult {
  std::vector<Output> outputs;  ///< in the order the RTL emits them
  Counters counters;            ///< as predicted with no stall
  bool error = false;           ///< what the RTL's sticky err_o would show
  std::string error_what;       ///< first error, with beat index
};

/// Runs a matrix through the model. `acts` is batch x cols (row-major);
/// `channels` is indexed by row number. Invalid beats set `error` (as the RTL
/// flags them) and the offending slots are dropped.
RunResult run(std::span<const NzBeat> beats, const Config& cfg, std::span<const int8_t> acts,
              std::span<const Channel> channels);

/// The requantization of one accumulator (squish::requant::requantize).
int32_t requantize(int32_t acc, const Channel& ch, const Config& cfg);

/// Independent reference: plain dense int64 product of the dequantized
/// operands, acc[b*rows + r] = sum_c w[r][c] * (x[b][c] - act_zp).
std::vector<int64_t> dense_reference(std::span<const int8_t> w, size_t rows, size_t cols,
                                     std::span<const int8_t> acts, size_t batch, int32_t act_zp);

/// Counter prediction for a stream without running it (busy cycles, MACs).
Counters predict_counters(std::span<const NzBeat> beats, const Config& cfg);

}  // namespace squish::datapath
