// Dispatch from CoderId to the coder implementations. None is plain packing of
// symbols at alphabet_bits, LSB first; the others live in huffman.cpp,
// tunstall.cpp and rans.cpp.
#include "squish/entropy/codec.hpp"

#include "squish/entropy/huffman.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/entropy/tunstall.hpp"
#include "squish/error.hpp"

namespace squish::entropy {

std::string_view to_string(CoderId id) {
  switch (id) {
    case CoderId::None: return "none";
    case CoderId::Huffman: return "huffman";
    case CoderId::Tunstall: return "tunstall";
    case CoderId::Rans: return "rans";
  }
  return "unknown";
}

CoderId coder_from_string(std::string_view name) {
  for (auto id : {CoderId::None, CoderId::Huffman, CoderId::Tunstall, CoderId::Rans})
    if (to_string(id) == name) return id;
  throw UsageError("unknown coder '" + std::string(name) + "' (none, huffman, tunstall, rans)");
}

namespace {
void check_bits(const CoderParams& p) {
  if (p.alphabet_bits < 1 || p.alphabet_bits > 8)
    throw UsageError("alphabet_bits " + std::to_string(p.alphabet_bits) + " out of range 1..8");
}
}  // namespace

std::vector<uint8_t> encode_symbols(CoderId id, std::span<const uint16_t> symbols, const CoderParams& p) {
  check_bits(p);
  switch (id) {
    case CoderId::Huffman: return huffman_encode(symbols, p);
    case CoderId::Tunstall: return tunstall_encode(symbols, p);
    case CoderId::Rans: return rans_encode(symbols, p);
    case CoderId::None: break;
  }
  std::vector<uint8_t> out((symbols.size() * p.alphabet_bits + 7) / 8, 0);
  size_t bit = 0;
  for (uint16_t s : symbols) {
    if (s >> p.alphabet_bits) throw UsageError("symbol " + std::to_string(s) + " does not fit alphabet_bits");
    for (unsigned b = 0; b < p.alphabet_bits; ++b, ++bit)
      if ((s >> b) & 1u) out[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
  }
  return out;
}

std::vector<uint16_t> decode_symbols(CoderId id, std::span<const uint8_t> payload, size_t count,
                                     const CoderParams& p) {
  check_bits(p);
  switch (id) {
    case CoderId::Huffman: return huffman_decode(payload, count, p);
    case CoderId::Tunstall: return tunstall_decode(payload, count, p);
    case CoderId::Rans: return rans_decode(payload, count, p);
    case CoderId::None: break;
  }
  const size_t need = (count * p.alphabet_bits + 7) / 8;
  if (payload.size() != need)
    throw FormatError("packed payload holds " + std::to_string(payload.size()) + " bytes, " +
                      std::to_string(count) + " symbols of " + std::to_string(p.alphabet_bits) + " bits need " +
                      std::to_string(need));
  std::vector<uint16_t> out(count, 0);
  size_t bit = 0;
  for (auto& s : out)
    for (unsigned b = 0; b < p.alphabet_bits; ++b, ++bit)
      if ((payload[bit / 8] >> (bit % 8)) & 1u) s = static_cast<uint16_t>(s | (1u << b));
  return out;
}

}  // namespace squish::entropy
