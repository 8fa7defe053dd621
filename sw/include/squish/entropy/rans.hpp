// Interleaved rANS (F2V, arithmetic-coding class). Format: docs/format.md,
// "rANS payload". 32-bit states in [2^16, 2^32), 16-bit renormalisation, N
// lanes: symbol i belongs to lane i mod N, and a decoder step decodes one
// symbol per lane and then reads at most one 16-bit word per lane, in lane order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/entropy/codec.hpp"
#include "squish/entropy/freq_table.hpp"

namespace squish::entropy {

inline constexpr uint32_t kRansLow = 1u << 16;  ///< lower bound L of the state interval

struct RansHeader {
  unsigned lanes = 0;
  bool split = false;          ///< significance split (two sub-streams)
  FreqTable table;             ///< of the (only or value) stream
  std::vector<uint32_t> states;  ///< initial decoder state per lane
  size_t words_offset = 0;     ///< first byte of the 16-bit words
  size_t words_end = 0;        ///< one past the last byte of the words
};

/// Parses a non-split rANS stream (the form the RTL decodes).
RansHeader rans_read_header(std::span<const uint8_t> payload, const CoderParams& p);

std::vector<uint8_t> rans_encode(std::span<const uint16_t> symbols, const CoderParams& p);

/// Shared tables (docs/format.md, "rANS payload"): a payload whose byte 0 has
/// bit 6 set (0x40 | N) carries no frequency table; the decoder takes it from
/// elsewhere (the container names the section whose table it uses).
inline constexpr uint8_t kRansSharedTable = 0x40;
/// Codes symbols with a given table; empty if a symbol has frequency 0 in it.
std::vector<uint8_t> rans_encode_shared(std::span<const uint16_t> symbols, const CoderParams& p, const FreqTable& t);
std::vector<uint16_t> rans_decode_shared(std::span<const uint8_t> payload, size_t count, const CoderParams& p,
                                         const FreqTable& t);
/// The self-contained payload of a shared-table one (the table inserted after
/// byte 0), bit for bit what rans_encode would write with that table.
std::vector<uint8_t> rans_with_table(std::span<const uint8_t> payload, const FreqTable& t);
/// Coded size in bits of symbols with histogram `hist` under table t (the
/// cross-entropy sum of P - log2 f); infinity if a used symbol has f = 0.
double rans_cost_bits(std::span<const uint64_t> hist, const FreqTable& t);
std::vector<uint16_t> rans_decode(std::span<const uint8_t> payload, size_t count, const CoderParams& p);

}  // namespace squish::entropy
