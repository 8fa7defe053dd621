// Canonical, length-limited Huffman coding (F2V). Format: docs/format.md,
// "Huffman payload". The parsed header is public so the RTL engine can load
// the same table into rtl/entropy/huffman_decoder.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/entropy/codec.hpp"

namespace squish::entropy {

/// Longest code the format (and the RTL decoder) supports.
inline constexpr unsigned kHuffmanMaxLen = 15;

struct HuffmanTable {
  unsigned max_len = 0;                     ///< 0: single-symbol stream (no code bits)
  std::vector<uint16_t> count;              ///< count[l] codes of length l, l = 0..15
  std::vector<uint8_t> symbols;             ///< in canonical order (length, then value)
  size_t body_offset = 0;                   ///< first byte of the code bits
};

/// Code lengths (0 = unused) for a histogram, limited to max_len.
std::vector<uint8_t> huffman_code_lengths(std::span<const uint64_t> hist, unsigned max_len);

std::vector<uint8_t> huffman_encode(std::span<const uint16_t> symbols, const CoderParams& p);
/// Parses and validates the header (complete code, symbols in range, unique).
HuffmanTable huffman_read_header(std::span<const uint8_t> payload, const CoderParams& p);
std::vector<uint16_t> huffman_decode(std::span<const uint8_t> payload, size_t count, const CoderParams& p);

}  // namespace squish::entropy
