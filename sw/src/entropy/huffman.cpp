// Canonical, length-limited Huffman: code lengths from a heap-built Huffman
// tree, limited with the JPEG (ITU T.81 Annex K.3) count adjustment, codes
// assigned canonically; a single-level 2^L lookup table decodes.
#include "squish/entropy/huffman.hpp"

#include <algorithm>
#include <numeric>
#include <queue>
#include <string>

#include "squish/entropy/bitio.hpp"
#include "squish/entropy/freq_table.hpp"
#include "squish/error.hpp"

namespace squish::entropy {

std::vector<uint8_t> huffman_code_lengths(std::span<const uint64_t> hist, unsigned max_len) {
  std::vector<uint8_t> len(hist.size(), 0);
  std::vector<size_t> used;
  for (size_t s = 0; s < hist.size(); ++s)
    if (hist[s]) used.push_back(s);
  if (used.size() < 2) return len;  // 0 or 1 symbol: no code bits
  if (max_len < 1 || max_len > kHuffmanMaxLen || (size_t{1} << max_len) < used.size())
    throw UsageError("Huffman length limit " + std::to_string(max_len) + " cannot code " +
                     std::to_string(used.size()) + " symbols (1.." + std::to_string(kHuffmanMaxLen) + ")");
  // Plain Huffman tree; ties broken by node id so results are deterministic.
  struct Node {
    uint64_t w;
    size_t id;
    bool operator>(const Node& o) const { return w != o.w ? w > o.w : id > o.id; }
  };
  std::vector<int64_t> parent(2 * used.size(), -1);
  std::priority_queue<Node, std::vector<Node>, std::greater<>> heap;
  for (size_t i = 0; i < used.size(); ++i) heap.push({hist[used[i]], i});
  size_t next = used.size();
  while (heap.size() > 1) {
    const Node a = heap.top();
    heap.pop();
    const Node b = heap.top();
    heap.pop();
    parent[a.id] = static_cast<int64_t>(next);
    parent[b.id] = static_cast<int64_t>(next);
    heap.push({a.w + b.w, next++});
  }
  std::vector<unsigned> depth(next, 0);
  for (size_t i = next - 1; i-- > 0;) depth[i] = depth[static_cast<size_t>(parent[i])] + 1;
  unsigned deepest = 0;
  for (size_t i = 0; i < used.size(); ++i) deepest = std::max(deepest, depth[i]);
  std::vector<uint64_t> bits(std::max(deepest, max_len) + 1, 0);
  for (size_t i = 0; i < used.size(); ++i) ++bits[depth[i]];
  // Annex K.3: move pairs of over-long codes up while keeping the Kraft sum 1.
  for (unsigned i = deepest; i > max_len; --i) {
    while (bits[i] > 0) {
      unsigned j = i - 2;
      while (bits[j] == 0) --j;
      bits[i] -= 2;
      bits[i - 1] += 1;
      bits[j + 1] += 2;
      bits[j] -= 1;
    }
  }
  // Shortest codes to the most frequent symbols (ties: smaller value first).
  std::vector<size_t> order = used;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return hist[a] > hist[b]; });
  size_t k = 0;
  for (unsigned l = 1; l <= max_len; ++l)
    for (uint64_t c = 0; c < bits[l]; ++c) len[order[k++]] = static_cast<uint8_t>(l);
  return len;
}

std::vector<uint8_t> huffman_encode(std::span<const uint16_t> symbols, const CoderParams& p) {
  const auto hist = histogram(symbols, p.alphabet_bits);
  const auto len = huffman_code_lengths(hist, p.huffman_max_len);
  std::vector<uint8_t> out;
  BitWriter w(out);
  unsigned max_len = 0;
  for (auto l : len) max_len = std::max<unsigned>(max_len, l);
  if (max_len == 0) {  // single-symbol (or empty) tensor: the symbol, no bits
    size_t s = 0;
    while (s < hist.size() && !hist[s]) ++s;
    w.put(max_len, 8);
    w.put(s == hist.size() ? 0u : static_cast<uint32_t>(s), 8);
    return out;
  }
  // Canonical order and codes.
  std::vector<uint16_t> canon;
  for (unsigned l = 1; l <= max_len; ++l)
    for (size_t s = 0; s < len.size(); ++s)
      if (len[s] == l) canon.push_back(static_cast<uint16_t>(s));
  std::vector<uint32_t> code(len.size(), 0);
  uint32_t c = 0;
  for (size_t i = 0; i < canon.size(); ++i) {
    if (i > 0) c = (c + 1) << (len[canon[i]] - len[canon[i - 1]]);
    code[canon[i]] = c;
  }
  w.put(max_len, 8);
  w.put(static_cast<uint32_t>(canon.size() - 1), 8);
  std::vector<uint32_t> bl(max_len + 1, 0);
  for (auto s : canon) ++bl[len[s]];
  for (unsigned l = 1; l < max_len; ++l) w.put(bl[l], 8);
  for (auto s : canon) w.put(s, 8);
  for (auto s : symbols) w.put(code[s], len[s]);
  return out;
}

HuffmanTable huffman_read_header(std::span<const uint8_t> payload, const CoderParams& p) {
  HuffmanTable t;
  t.count.assign(kHuffmanMaxLen + 1, 0);
  if (payload.size() < 2) throw FormatError("huffman: payload of " + std::to_string(payload.size()) + " bytes has no header");
  t.max_len = payload[0];
  if (t.max_len > kHuffmanMaxLen)
    throw FormatError("huffman: code length limit " + std::to_string(t.max_len) + " exceeds " +
                      std::to_string(kHuffmanMaxLen) + " (byte 0)");
  if (t.max_len == 0) {
    if (payload[1] >> p.alphabet_bits)
      throw FormatError("huffman: single symbol " + std::to_string(payload[1]) + " outside the alphabet (byte 1)");
    t.count[0] = 1;
    t.symbols = {payload[1]};
    t.body_offset = 2;
    return t;
  }
  const unsigned nsym = payload[1] + 1u;
  if (nsym < 2) throw FormatError("huffman: a code needs at least 2 symbols (byte 1)");
  size_t pos = 2;
  if (payload.size() < pos + (t.max_len - 1) + nsym)
    throw FormatError("huffman: header truncated (" + std::to_string(payload.size()) + " bytes)");
  unsigned sum = 0;
  for (unsigned l = 1; l < t.max_len; ++l) {
    t.count[l] = payload[pos++];
    sum += t.count[l];
  }
  if (sum >= nsym)
    throw FormatError("huffman: length counts (" + std::to_string(sum) + ") leave none of " + std::to_string(nsym) +
                      " symbols for length " + std::to_string(t.max_len));
  t.count[t.max_len] = static_cast<uint16_t>(nsym - sum);
  // The code must be complete: Kraft sum exactly 1.
  uint64_t kraft = 0;
  for (unsigned l = 1; l <= t.max_len; ++l) kraft += uint64_t{t.count[l]} << (t.max_len - l);
  if (kraft != (uint64_t{1} << t.max_len))
    throw FormatError("huffman: length counts do not form a complete prefix code (Kraft sum " + std::to_string(kraft) +
                      "/2^" + std::to_string(t.max_len) + ")");
  std::vector<bool> seen(256, false);
  for (unsigned i = 0; i < nsym; ++i, ++pos) {
    const uint8_t s = payload[pos];
    if ((s >> p.alphabet_bits) || seen[s])
      throw FormatError("huffman: symbol " + std::to_string(s) + " at byte " + std::to_string(pos) +
                        (seen[s] ? " repeated" : " outside the alphabet"));
    seen[s] = true;
    t.symbols.push_back(s);
  }
  t.body_offset = pos;
  return t;
}

std::vector<uint16_t> huffman_decode(std::span<const uint8_t> payload, size_t count, const CoderParams& p) {
  const HuffmanTable t = huffman_read_header(payload, p);
  if (t.max_len == 0) {
    if (payload.size() != t.body_offset)
      throw FormatError("huffman: " + std::to_string(payload.size() - t.body_offset) +
                        " bytes after a single-symbol header");
    return std::vector<uint16_t>(count, t.symbols[0]);
  }
  // Single-level table: every L-bit window -> (symbol, length).
  const unsigned L = t.max_len;
  std::vector<uint16_t> lut(size_t{1} << L);
  uint32_t code = 0;
  size_t idx = 0;
  for (unsigned l = 1; l <= L; ++l) {
    for (unsigned i = 0; i < t.count[l]; ++i, ++idx, ++code) {
      const size_t first = size_t{code} << (L - l), n = size_t{1} << (L - l);
      for (size_t j = 0; j < n; ++j) lut[first + j] = static_cast<uint16_t>((t.symbols[idx] << 4) | l);
    }
    code <<= 1;
  }
  // 64-bit bit buffer, MSB-aligned: the next code bit is bit 63.
  std::vector<uint16_t> out(count);
  uint64_t buf = 0;
  unsigned nbits = 0;  // valid bits in buf
  size_t pos = t.body_offset;
  uint64_t consumed = 0;  // code bits taken
  const uint64_t body_bits = (payload.size() - t.body_offset) * 8;
  for (size_t i = 0; i < count; ++i) {
    refill(buf, nbits, payload.data(), pos, payload.size());
    const uint16_t e = lut[buf >> (64 - L)];
    const unsigned l = e & 15u;
    if (consumed + l > body_bits)
      throw FormatError("huffman: payload ends inside the code of symbol " + std::to_string(i) + " of " +
                        std::to_string(count) + " (byte " + std::to_string(t.body_offset + consumed / 8) + ")");
    buf <<= l;
    nbits -= l;
    consumed += l;
    out[i] = static_cast<uint16_t>(e >> 4);
  }
  const size_t used = t.body_offset + (consumed + 7) / 8;
  if (used != payload.size())
    throw FormatError("huffman: " + std::to_string(payload.size() - used) + " bytes left after " +
                      std::to_string(count) + " symbols (payload " + std::to_string(payload.size()) + " bytes)");
  return out;
}

}  // namespace squish::entropy
