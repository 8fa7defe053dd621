// Entropy coding over sparse payloads; format in docs/format.md.
#include "squish/container/coded_sparse.hpp"

#include <string>

#include "squish/error.hpp"
#include "squish/sparse/sparse.hpp"

namespace squish::container {

uint64_t body_symbol_count(uint64_t body_bytes, unsigned a) { return (8 * body_bytes + a - 1) / a; }

std::vector<uint16_t> body_to_symbols(std::span<const uint8_t> body, unsigned a) {
  if (a < 1 || a > 8) throw UsageError("coded sparse: symbol width " + std::to_string(a) + " out of 1..8");
  const uint64_t nbits = 8 * uint64_t{body.size()};
  std::vector<uint16_t> out(body_symbol_count(body.size(), a), 0);
  for (uint64_t i = 0; i < out.size(); ++i) {
    uint16_t s = 0;
    for (unsigned b = 0; b < a; ++b) {
      const uint64_t bit = i * a + b;
      if (bit < nbits && ((body[bit / 8] >> (bit % 8)) & 1u)) s = static_cast<uint16_t>(s | (1u << b));
    }
    out[i] = s;
  }
  return out;
}

std::vector<uint8_t> symbols_to_body(std::span<const uint16_t> symbols, unsigned a, uint64_t body_bytes) {
  if (a < 1 || a > 8) throw FormatError("coded sparse: symbol width " + std::to_string(a) + " out of 1..8");
  if (symbols.size() != body_symbol_count(body_bytes, a))
    throw FormatError("coded sparse: " + std::to_string(symbols.size()) + " symbols for a " + std::to_string(body_bytes) +
                      "-byte body");
  const uint64_t nbits = 8 * body_bytes;
  std::vector<uint8_t> out(body_bytes, 0);
  for (uint64_t i = 0; i < symbols.size(); ++i) {
    const uint16_t s = symbols[i];
    if (s >> a) throw FormatError("coded sparse: symbol " + std::to_string(i) + " wider than " + std::to_string(a) + " bits");
    for (unsigned b = 0; b < a; ++b) {
      if (!((s >> b) & 1u)) continue;
      const uint64_t bit = i * a + b;
      if (bit >= nbits) throw FormatError("coded sparse: last symbol has bits set beyond the body");
      out[bit / 8] = static_cast<uint8_t>(out[bit / 8] | (1u << (bit % 8)));
    }
  }
  return out;
}

std::vector<uint8_t> code_sparse(std::span<const uint8_t> sparse_payload, entropy::CoderId id,
                                 const entropy::CoderParams& p) {
  const auto h = sparse::read_header(sparse_payload, uint64_t{1} << 31);
  if (sparse_payload.size() != h.header_bytes + h.body_bytes)
    throw UsageError("code_sparse: payload of " + std::to_string(sparse_payload.size()) + " bytes, header implies " +
                     std::to_string(h.header_bytes + h.body_bytes));
  std::vector<uint8_t> out(sparse_payload.begin(), sparse_payload.begin() + static_cast<std::ptrdiff_t>(h.header_bytes));
  entropy::CoderParams q = p;
  q.zero_symbol = 0;
  const auto sym = body_to_symbols(sparse_payload.subspan(h.header_bytes), p.alphabet_bits);
  const auto coded = entropy::encode_symbols(id, sym, q);
  out.insert(out.end(), coded.begin(), coded.end());
  return out;
}

std::vector<uint8_t> code_sparse_best(std::span<const uint8_t> sparse_payload, entropy::CoderId id,
                                      entropy::CoderParams& p) {
  const auto h = sparse::read_header(sparse_payload, uint64_t{1} << 31);
  std::vector<unsigned> cand = {8, 4, 2};
  if (h.params.value_bits <= 8 && h.params.value_bits != 8 && h.params.value_bits != 4 && h.params.value_bits != 2)
    cand.insert(cand.begin() + 1, h.params.value_bits);
  std::vector<uint8_t> best;
  unsigned best_a = 8;
  for (unsigned a : cand) {
    entropy::CoderParams q = p;
    q.alphabet_bits = a;
    auto out = code_sparse(sparse_payload, id, q);
    if (best.empty() || out.size() < best.size()) {
      best = std::move(out);
      best_a = a;
    }
  }
  p.alphabet_bits = best_a;
  p.zero_symbol = 0;
  return best;
}

std::vector<uint8_t> uncode_sparse(std::span<const uint8_t> coded, entropy::CoderId id, const entropy::CoderParams& p,
                                   uint64_t max_elements) {
  const auto h = sparse::read_header(coded, max_elements);
  if (p.alphabet_bits < 1 || p.alphabet_bits > 8)
    throw FormatError("coded sparse: alphabet of " + std::to_string(p.alphabet_bits) + " bits (1..8)");
  // A coded symbol costs at least 1/4096 bit for any coder here (Tunstall strings
  // are at most 255 symbols per >= 8-bit codeword, rANS/Huffman emit a table and
  // states); refuse bodies far beyond what the payload could hold before
  // allocating them.
  const uint64_t nsym = body_symbol_count(h.body_bytes, p.alphabet_bits);
  if (nsym > max_elements * 64 + 4096) throw FormatError("coded sparse: body of " + std::to_string(h.body_bytes) + " bytes exceeds the reader limit");
  std::vector<uint16_t> sym;
  try {
    sym = entropy::decode_symbols(id, coded.subspan(h.header_bytes), nsym, p);
  } catch (const UsageError& e) {
    throw FormatError(std::string("coded sparse: ") + e.what());
  }
  auto body = symbols_to_body(sym, p.alphabet_bits, h.body_bytes);
  std::vector<uint8_t> out(coded.begin(), coded.begin() + static_cast<std::ptrdiff_t>(h.header_bytes));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace squish::container
