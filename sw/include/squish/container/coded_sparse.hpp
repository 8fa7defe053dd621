// Entropy coding over sparse payloads (docs/format.md, "Entropy-coded sparse
// payloads"). A coded sparse payload is the sparse header words, uncoded, then
// the coder's payload over the sparse body: the body bytes cut into symbols of
// `a` bits (alphabet_bits, 1..8), LSB first, so that a decoder's symbols packed
// LSB first into little-endian 32-bit words are exactly the body words the
// sparse decoder reads. The symbol count is ceil(8 * body_bytes / a), where
// body_bytes follows from the header alone (sparse::read_header); bits of the
// last symbol beyond the body are 0.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/entropy/codec.hpp"

namespace squish::container {

/// Symbols of a coded body of body_bytes bytes at a bits per symbol.
uint64_t body_symbol_count(uint64_t body_bytes, unsigned a);
/// The body cut into a-bit symbols, LSB first (the last one zero-padded).
std::vector<uint16_t> body_to_symbols(std::span<const uint8_t> body, unsigned a);
/// Inverse of body_to_symbols; FormatError if a symbol has bits beyond the body
/// set or the count is wrong.
std::vector<uint8_t> symbols_to_body(std::span<const uint16_t> symbols, unsigned a, uint64_t body_bytes);

/// Codes a serialized sparse payload with coder `id` at p.alphabet_bits.
std::vector<uint8_t> code_sparse(std::span<const uint8_t> sparse_payload, entropy::CoderId id,
                                 const entropy::CoderParams& p);
/// Codes it at every candidate symbol width (2, 4, 8 and the value width when
/// it is at most 8) and keeps the smallest payload (ties: the wider symbol);
/// sets p.alphabet_bits to the width chosen.
std::vector<uint8_t> code_sparse_best(std::span<const uint8_t> sparse_payload, entropy::CoderId id,
                                      entropy::CoderParams& p);
/// The plain sparse payload (header + body) of a coded one. FormatError on a
/// malformed header or coder payload; never reads out of bounds.
std::vector<uint8_t> uncode_sparse(std::span<const uint8_t> coded, entropy::CoderId id,
                                   const entropy::CoderParams& p, uint64_t max_elements);

}  // namespace squish::container
