// The seam between the .sqz container and the entropy coders.
//
// A section whose coder is not None stores its tensor as a stream of symbols:
// one symbol per weight, in C order, each the weight's quantized code as an
// unsigned number below 2^alphabet_bits (signed codes in two's complement masked
// to alphabet_bits, so q = 0 is symbol 0; for asymmetric unsigned quantization
// the real zero is the zero point, given as zero_symbol). The coder turns that
// symbol stream into a self-delimiting payload (its own tables and flushes
// included, so every byte counts in bits/weight) and back.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace squish::entropy {

/// Stored in each container section (one byte). Values are part of the format.
enum class CoderId : uint8_t { None = 0, Huffman = 1, Tunstall = 2, Rans = 3 };

std::string_view to_string(CoderId id);
/// "none", "huffman", "tunstall", "rans"; throws UsageError otherwise.
CoderId coder_from_string(std::string_view name);

/// Coder options; each coder documents which fields it uses and their ranges.
struct CoderParams {
  unsigned alphabet_bits = 8;  ///< symbols are < 2^alphabet_bits (1..8)
  uint16_t zero_symbol = 0;    ///< the symbol of real zero (significance split)
  unsigned huffman_max_len = 15;   ///< canonical Huffman length limit
  unsigned tunstall_k = 10;        ///< Tunstall codeword bits (dictionary 2^k), 8..12
  unsigned rans_lanes = 8;         ///< most interleaved rANS lanes (4, 8, 16); small tensors use fewer
  unsigned rans_prob_bits = 12;    ///< rANS probability precision P
  bool rans_significance_split = false;  ///< code the zero map separately
  unsigned tunstall_max_len = 16;  ///< longest Tunstall string (1..255); RTL MaxLen
  /// rANS encoder: try coarser table precisions (P < rans_prob_bits) and keep
  /// the smallest payload; false codes at the precision the tensor size implies.
  bool rans_precision_search = true;
};

/// Encodes symbols into a self-contained payload.
std::vector<uint8_t> encode_symbols(CoderId id, std::span<const uint16_t> symbols, const CoderParams& p);

/// Decodes exactly `count` symbols; throws FormatError on any malformed payload
/// (never reads outside `payload`).
std::vector<uint16_t> decode_symbols(CoderId id, std::span<const uint8_t> payload, size_t count,
                                     const CoderParams& p);

}  // namespace squish::entropy
