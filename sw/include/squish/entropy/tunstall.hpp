// Tunstall-style variable-to-fixed coding. Format: docs/format.md, "Tunstall
// payload". The dictionary is not transmitted: both sides grow it from the
// transmitted frequency table with the same integer-only procedure, so the
// RTL engine loads tunstall_build()'s strings into rtl/entropy/tunstall_decoder.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/entropy/codec.hpp"
#include "squish/entropy/freq_table.hpp"

namespace squish::entropy {

/// A prefix-closed dictionary: every entry (codeword) is a string whose
/// one-shorter prefix is also an entry, and every used symbol is an entry.
struct TunstallDict {
  unsigned k = 0;                 ///< codeword bits
  unsigned max_len = 0;           ///< longest string
  std::vector<int32_t> parent;    ///< entry of the prefix, -1 for single symbols
  std::vector<uint8_t> last;      ///< last symbol of the string
  std::vector<uint8_t> length;    ///< string length (1..max_len)
  /// The string of entry c, first symbol first.
  std::vector<uint8_t> string(size_t c) const;
  size_t size() const { return parent.size(); }
};

TunstallDict tunstall_build(std::span<const uint32_t> freq, unsigned prob_bits, unsigned k, unsigned max_len);

struct TunstallHeader {
  unsigned k = 0, max_len = 0;
  FreqTable table;
  size_t body_offset = 0;  ///< first byte of the codewords
};
TunstallHeader tunstall_read_header(std::span<const uint8_t> payload, const CoderParams& p);

std::vector<uint8_t> tunstall_encode(std::span<const uint16_t> symbols, const CoderParams& p);
std::vector<uint16_t> tunstall_decode(std::span<const uint8_t> payload, size_t count, const CoderParams& p);

}  // namespace squish::entropy
