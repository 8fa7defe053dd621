// squish::rtl — the softmax unit's RTL engine: runs vectors through the
// Verilated rtl/softmax/softmax_unit.sv (8 lanes) with the two-pass protocol
// (every vector on the logit stream, then again on the resend stream) and
// collects the Q0.16 probabilities. Used by tb_softmax, the showcase, the bench
// and `squish softmax --engine rtl`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::rtl {

inline constexpr unsigned kSoftmaxLanes = 8;

/// One beat of any of the unit's three streams.
struct SoftmaxBeat {
  std::array<uint16_t, kSoftmaxLanes> lanes{};
  unsigned count = 0;  ///< valid lanes, 1..8
  bool last = false;
  unsigned frac_bits = 0;  ///< pass-1 input only (not compared on the output)
  bool operator==(const SoftmaxBeat& o) const { return lanes == o.lanes && count == o.count && last == o.last; }
};
std::ostream& operator<<(std::ostream& os, const SoftmaxBeat& b);

/// Splits a vector into beats (last beat partial), zero-filling unused lanes.
std::vector<SoftmaxBeat> to_beats(std::span<const int16_t> x, unsigned frac_bits);
std::vector<SoftmaxBeat> to_beats(std::span<const uint16_t> p);

struct SoftmaxJob {
  std::vector<int16_t> logits;
  unsigned frac_bits = 0;
  /// If set, pass 2 sends these logits instead (error-path tests only).
  std::optional<std::vector<int16_t>> resend;
};

enum class SoftmaxConfig {
  Default,      ///< Lanes 8, MaxLen 131072
  SmallMaxLen,  ///< Lanes 8, MaxLen 64 (overflow-guard tests)
};

struct SoftmaxRtlOptions {
  sim::DutOptions dut;
  sim::Backpressure logit_bp = sim::Backpressure::None;
  sim::Backpressure resend_bp = sim::Backpressure::None;
  sim::Backpressure prob_bp = sim::Backpressure::None;
  SoftmaxConfig config = SoftmaxConfig::Default;
  /// Cycles to keep clocking after the last output (extra beats would be caught).
  unsigned drain_cycles = 20;
};

struct SoftmaxRun {
  std::vector<SoftmaxBeat> beats;            ///< every output beat, in order
  std::vector<uint64_t> beat_cycles;         ///< cycle each was taken
  std::vector<std::vector<uint16_t>> probs;  ///< per job, from the beats
  uint64_t cycles = 0;                       ///< reset release to last output beat
  bool err_overlong = false;
  bool err_length = false;
  std::optional<std::string> protocol_error;  ///< AXI violation seen on the output
  uint32_t perf_busy_cycles = 0, perf_vectors = 0, perf_logit_stall = 0, perf_resend_wait = 0;
};

/// Runs the jobs back to back. Throws sim::Timeout if outputs stop coming
/// (the watchdog scales with the input size).
SoftmaxRun run_softmax_rtl(std::span<const SoftmaxJob> jobs, const SoftmaxRtlOptions& opt = {});

/// The RTL's shared parameters, read from the Verilated model (checked
/// against squish::softmax constants by a test).
struct SoftmaxRtlParams {
  uint32_t lanes, max_len, log2e_q24, t_frac, sum_frac, out_frac, clamp_int, sum_int, sum_width;
};
SoftmaxRtlParams softmax_rtl_params();

}  // namespace squish::rtl
