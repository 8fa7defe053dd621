// Shared body of the entropy-decoder fuzz targets (fuzz_huffman, fuzz_tunstall,
// fuzz_rans): the first two bytes pick the coder parameters and the symbol
// count, the rest is a payload. Decoding must either succeed or throw
// FormatError, never crash or read out of bounds. Odd selector bytes also run a
// round trip: the input bytes as symbols must come back unchanged.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "squish/entropy/codec.hpp"
#include "squish/error.hpp"

namespace squish::fuzz {

inline int fuzz_entropy_decoder(squish::entropy::CoderId id, const uint8_t* data, size_t size) {
  using namespace squish::entropy;
  if (size < 2) return 0;
  CoderParams p;
  p.alphabet_bits = 1 + (data[0] >> 1) % 8;
  p.huffman_max_len = 8 + (data[0] >> 4) % 8;
  p.tunstall_k = 8 + (data[1] >> 5) % 5;
  p.tunstall_max_len = 1 + (data[1] & 31);
  p.rans_lanes = 4u << ((data[1] >> 3) % 3);
  p.rans_prob_bits = 12 - (data[1] & 3);
  p.rans_significance_split = (data[1] >> 2) & 1;
  const size_t count = (size_t{data[1]} * 37) % 4096;
  const auto payload = std::span<const uint8_t>(data + 2, size - 2);
  try {
    const auto out = decode_symbols(id, payload, count, p);
    if (out.size() != count) std::abort();
    for (auto s : out)
      if (s >> p.alphabet_bits) std::abort();
  } catch (const squish::FormatError&) {
  }
  if (data[0] & 1) {
    std::vector<uint16_t> sym(payload.size());
    const uint16_t mask = static_cast<uint16_t>((1u << p.alphabet_bits) - 1);
    for (size_t i = 0; i < sym.size(); ++i) sym[i] = payload[i] & mask;
    try {
      const auto enc = encode_symbols(id, sym, p);
      if (decode_symbols(id, enc, sym.size(), p) != sym) std::abort();
    } catch (const squish::UsageError&) {  // e.g. a Huffman limit too short for the alphabet
    }
  }
  return 0;
}

}  // namespace squish::fuzz
