// squish::rtl — the entropy decoders' RTL engine: runs a coded payload through
// the Verilated rtl/entropy/{huffman,tunstall,rans}_decoder and returns the
// symbols with the hardware's cycle counts. The engine parses the payload's
// header with the golden library, loads the table through the decoder's table
// port, pulses start_i, streams the body as words (random gaps on request) and
// takes the symbols (random stalls on request), checking the AXI hold rules.
// Used by tb_entropy, the showcase, the bench and `squish decompress --engine rtl`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "squish/entropy/codec.hpp"
#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::rtl {

/// The decoder-level job: a table to load and a body to stream. Built from a
/// payload by make_*_job, or by hand (tests of malformed tables).
struct HuffmanJob {
  std::array<uint16_t, 16> len_count{};  ///< codes per length 0..15
  std::vector<uint8_t> symbols;          ///< canonical order
  std::vector<uint32_t> words;           ///< body, 4 bytes per word, byte 0 in bits [7:0]
  uint64_t count = 0;
};
struct TunstallJob {
  std::vector<std::vector<uint8_t>> strings;  ///< codeword -> string (written in order)
  unsigned k = 10;
  std::vector<uint32_t> words;                ///< body, as for Huffman
  uint64_t count = 0;
};
struct RansJob {
  unsigned prob_bits = 12;
  std::vector<uint32_t> freq;     ///< per symbol (2^alphabet_bits entries), streamed in order
  std::vector<uint32_t> states;   ///< one per lane (the decoder's lane count)
  std::vector<uint16_t> words;    ///< 16-bit renormalisation words, in order
  uint64_t count = 0;
};

HuffmanJob make_huffman_job(std::span<const uint8_t> payload, size_t count, const entropy::CoderParams& p);
TunstallJob make_tunstall_job(std::span<const uint8_t> payload, size_t count, const entropy::CoderParams& p);
RansJob make_rans_job(std::span<const uint8_t> payload, size_t count, const entropy::CoderParams& p);

struct EntropyRtlOptions {
  sim::DutOptions dut;
  sim::Backpressure in_bp = sim::Backpressure::None;
  sim::Backpressure out_bp = sim::Backpressure::None;
  /// Cycles allowed per symbol / word before the watchdog fires (plus setup).
  uint64_t cycles_per_item = 64;
  /// rANS: which Verilated decoder, 8 lanes (default) or 16; a stream of more
  /// than 8 lanes always uses the 16-lane one. Streams of fewer lanes idle the rest.
  unsigned rans_hw_lanes = 8;
};

struct EntropyRun {
  std::vector<uint16_t> symbols;
  bool error = false;
  unsigned error_code = 0;      ///< entropy_pkg::err_e
  uint64_t cycles = 0;          ///< from the first table write to done_o (testbench count)
  uint64_t table_cycles = 0;    ///< cycles spent loading tables (incl. on-chip expansion)
  uint64_t hw_cycles = 0;       ///< decoder's own cycles_o counter (start_i to done_o)
  uint64_t hw_stall_in = 0, hw_stall_out = 0;
  std::optional<std::string> protocol_error;  ///< AXI violation on the output
  bool last_ok = true;          ///< out_last_o exactly on the final beat
};

EntropyRun run_huffman_rtl(const HuffmanJob& job, const EntropyRtlOptions& opt = {});
/// Several jobs on ONE decoder instance (recovery tests): reset_between pulses
/// rst_ni between jobs, otherwise start_i alone starts the next one.
std::vector<EntropyRun> run_huffman_rtl(std::span<const HuffmanJob> jobs, const EntropyRtlOptions& opt,
                                        bool reset_between);
EntropyRun run_tunstall_rtl(const TunstallJob& job, const EntropyRtlOptions& opt = {});
std::vector<EntropyRun> run_tunstall_rtl(std::span<const TunstallJob> jobs, const EntropyRtlOptions& opt,
                                         bool reset_between);
/// lanes must be the decoder's lane count (rans_rtl_params().lanes).
EntropyRun run_rans_rtl(const RansJob& job, const EntropyRtlOptions& opt = {});
std::vector<EntropyRun> run_rans_rtl(std::span<const RansJob> jobs, const EntropyRtlOptions& opt, bool reset_between);

/// Whether the RTL can decode this payload (e.g. rANS: lane count and no
/// significance split; Tunstall: strings within MaxLen).
bool rtl_can_decode(entropy::CoderId id, std::span<const uint8_t> payload, const entropy::CoderParams& p,
                    std::string* why = nullptr);

/// Decodes a payload with the RTL decoder of `id`; throws FormatError when the
/// RTL raises its error output (message carries the error code).
EntropyRun decode_rtl(entropy::CoderId id, std::span<const uint8_t> payload, size_t count,
                      const entropy::CoderParams& p, const EntropyRtlOptions& opt = {});

/// The decoders' shared parameters, read from the Verilated models.
struct EntropyRtlParams {
  uint32_t huffman_max_len, huffman_in_width;
  uint32_t tunstall_max_k, tunstall_max_len, tunstall_out_width, tunstall_in_width;
  uint32_t rans_lanes, rans_prob_bits, rans_out_width;
  uint32_t rans_table_banks;  ///< table slots the rANS decoder writes per cycle (its Banks)
};
EntropyRtlParams entropy_rtl_params();

}  // namespace squish::rtl
