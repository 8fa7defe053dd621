// Parameters of the sparse, mixed-precision datapath shared with the RTL
// (rtl/mac/datapath_pkg.sv). The RTL testbench reads the Verilated values back
// and checks them against these; change both together.
#pragma once

#include <cstdint>

namespace squish::datapath {

inline constexpr unsigned kLanes = 16;         ///< physical INT8xINT8 multipliers (P)
inline constexpr unsigned kSlotsPerLane = 4;   ///< products per lane at INT2 weights
inline constexpr unsigned kSlots = kLanes * kSlotsPerLane;  ///< entry slots per beat
inline constexpr unsigned kIdxWidth = 12;      ///< column index width
inline constexpr unsigned kRowWidth = 16;      ///< output row index width
inline constexpr unsigned kWeightWidth = 8;    ///< weight entry width on the stream
inline constexpr unsigned kActWidth = 8;       ///< activation width (signed)
inline constexpr unsigned kAccWidth = 32;      ///< accumulator width
inline constexpr unsigned kMaxBatch = 4;       ///< vectors per batched GEMM pass
inline constexpr unsigned kCounterWidth = 48;  ///< performance counter width
/// Longest reduction the accumulator holds without overflow: each term
/// |w * (x - zp)| <= 128 * 255 < 2^15, so 2^16 terms stay below 2^31.
inline constexpr uint64_t kMaxReduction = uint64_t{1} << 16;
/// Activation buffer depth of the Verilated datapath (columns per vector).
inline constexpr unsigned kActDepth = 1u << kIdxWidth;
/// Cycles from a beat's acceptance to its row's result leaving the datapath
/// when nothing stalls (issue, multiply, accumulate, 3 requant stages).
inline constexpr unsigned kPipelineDepth = 6;

static_assert(kSlots <= 64, "NzBeat keeps its mask in a uint64_t");

}  // namespace squish::datapath
