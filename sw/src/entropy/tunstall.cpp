// Tunstall-style V2F coding with a prefix-closed dictionary grown one entry at
// a time ("partial expansion"): the next entry is always the not-yet-present
// one-symbol extension of an entry with the highest path probability. Path
// probabilities are Q48 integers, so encoder, decoder and the RTL engine build
// bit-identical dictionaries on every platform.
#include "squish/entropy/tunstall.hpp"

#include <algorithm>
#include <queue>
#include <string>

#include "squish/entropy/bitio.hpp"
#include "squish/error.hpp"

namespace squish::entropy {

namespace {
constexpr const char* kWhat = "tunstall";

void check_params(const CoderParams& p) {
  if (p.tunstall_k < 8 || p.tunstall_k > 12)
    throw UsageError("tunstall_k " + std::to_string(p.tunstall_k) + " out of range 8..12");
  if (p.tunstall_max_len < 1 || p.tunstall_max_len > 255)
    throw UsageError("tunstall_max_len " + std::to_string(p.tunstall_max_len) + " out of range 1..255");
}
}  // namespace

std::vector<uint8_t> TunstallDict::string(size_t c) const {
  std::vector<uint8_t> s(length[c]);
  int64_t e = static_cast<int64_t>(c);
  for (size_t i = s.size(); i-- > 0; e = parent[static_cast<size_t>(e)]) s[i] = last[static_cast<size_t>(e)];
  return s;
}

TunstallDict tunstall_build(std::span<const uint32_t> freq, unsigned prob_bits, unsigned k, unsigned max_len) {
  TunstallDict d;
  d.k = k;
  d.max_len = max_len;
  const size_t cap = size_t{1} << k;
  // Symbols by falling frequency (ties: smaller value first); unused ones never appear.
  std::vector<uint8_t> order;
  for (size_t s = 0; s < freq.size(); ++s)
    if (freq[s]) order.push_back(static_cast<uint8_t>(s));
  std::stable_sort(order.begin(), order.end(), [&](uint8_t a, uint8_t b) { return freq[a] > freq[b]; });
  if (order.size() > cap)
    throw UsageError("tunstall: " + std::to_string(order.size()) + " distinct symbols do not fit a 2^" +
                     std::to_string(k) + " dictionary");
  std::vector<uint64_t> prob;
  for (size_t s = 0; s < freq.size(); ++s)
    if (freq[s]) {
      d.parent.push_back(-1);
      d.last.push_back(static_cast<uint8_t>(s));
      d.length.push_back(1);
      prob.push_back(uint64_t{freq[s]} << (48 - prob_bits));
    }
  struct Cand {
    uint64_t prob;
    uint32_t node;
    uint32_t rank;  // index into `order` of the extension symbol
    bool operator<(const Cand& o) const {  // max-heap: higher prob, then older node, then lower rank
      if (prob != o.prob) return prob < o.prob;
      if (node != o.node) return node > o.node;
      return rank > o.rank;
    }
  };
  auto child_prob = [&](uint32_t node, uint32_t rank) { return (prob[node] * freq[order[rank]]) >> prob_bits; };
  std::priority_queue<Cand> heap;
  if (max_len > 1)
    for (uint32_t n = 0; n < d.size(); ++n) heap.push({child_prob(n, 0), n, 0});
  while (d.size() < cap && !heap.empty()) {
    const Cand c = heap.top();
    heap.pop();
    const uint32_t id = static_cast<uint32_t>(d.size());
    d.parent.push_back(static_cast<int32_t>(c.node));
    d.last.push_back(order[c.rank]);
    d.length.push_back(static_cast<uint8_t>(d.length[c.node] + 1));
    prob.push_back(c.prob);
    if (c.rank + 1 < order.size()) heap.push({child_prob(c.node, c.rank + 1), c.node, c.rank + 1});
    if (d.length[id] < max_len) heap.push({child_prob(id, 0), id, 0});
  }
  return d;
}

TunstallHeader tunstall_read_header(std::span<const uint8_t> payload, const CoderParams& p) {
  TunstallHeader h;
  if (payload.size() < 3) throw FormatError("tunstall: payload of " + std::to_string(payload.size()) + " bytes has no header");
  h.k = payload[0];
  h.max_len = payload[1];
  if (h.k < 8 || h.k > 12) throw FormatError("tunstall: codeword size " + std::to_string(h.k) + " out of range 8..12 (byte 0)");
  if (h.max_len < 1) throw FormatError("tunstall: maximum string length 0 (byte 1)");
  BitReader r(payload, kWhat, 16);
  h.table = read_freq_table(r, p.alphabet_bits, kMaxProbBits, kWhat);
  size_t used = 0;
  for (auto f : h.table.freq) used += f ? 1 : 0;
  if (used > (size_t{1} << h.k))
    throw FormatError("tunstall: " + std::to_string(used) + " symbols do not fit 2^" + std::to_string(h.k) +
                      " codewords");
  h.body_offset = r.byte_pos();
  return h;
}

std::vector<uint8_t> tunstall_encode(std::span<const uint16_t> symbols, const CoderParams& p) {
  check_params(p);
  const auto hist = histogram(symbols, p.alphabet_bits);
  unsigned used = 0;
  for (auto c : hist) used += c ? 1 : 0;
  const unsigned pb = choose_prob_bits(kMaxProbBits, symbols.size(), used);
  const auto freq = normalize_freqs(hist, pb);
  // A small tensor gets a smaller dictionary (k >= 8): fewer table entries to
  // load, and a tensor of n symbols never needs more than ~n codewords.
  unsigned k = p.tunstall_k;
  while (k > 8 && (uint64_t{1} << (k - 1)) >= symbols.size()) --k;
  const TunstallDict d = tunstall_build(freq, pb, k, p.tunstall_max_len);
  const size_t a = hist.size();
  std::vector<int32_t> child(d.size() * a, -1), root(a, -1);
  for (size_t c = 0; c < d.size(); ++c) {
    if (d.parent[c] < 0) root[d.last[c]] = static_cast<int32_t>(c);
    else child[static_cast<size_t>(d.parent[c]) * a + d.last[c]] = static_cast<int32_t>(c);
  }
  std::vector<uint8_t> out;
  BitWriter w(out);
  w.put(k, 8);
  w.put(p.tunstall_max_len, 8);
  write_freq_table(w, freq, pb);
  w.align();
  // Greedy longest match; the last match simply ends with the tensor (every
  // entry has a codeword, so the tail needs no padding symbols).
  for (size_t i = 0; i < symbols.size();) {
    int32_t node = root[symbols[i++]];
    while (i < symbols.size()) {
      const int32_t nx = child[static_cast<size_t>(node) * a + symbols[i]];
      if (nx < 0) break;
      node = nx;
      ++i;
    }
    w.put(static_cast<uint32_t>(node), k);
  }
  return out;
}

std::vector<uint16_t> tunstall_decode(std::span<const uint8_t> payload, size_t count, const CoderParams& p) {
  const TunstallHeader h = tunstall_read_header(payload, p);
  const TunstallDict d = tunstall_build(h.table.freq, h.table.prob_bits, h.k, h.max_len);
  // Flattened strings: entry c occupies flat[start[c] .. start[c] + length[c]).
  std::vector<uint32_t> start(d.size());
  std::vector<uint8_t> flat;
  for (size_t c = 0; c < d.size(); ++c) {
    start[c] = static_cast<uint32_t>(flat.size());
    const auto s = d.string(c);
    flat.insert(flat.end(), s.begin(), s.end());
  }
  std::vector<uint16_t> out(count);
  uint64_t buf = 0;
  unsigned nbits = 0;
  size_t pos = h.body_offset;
  size_t i = 0, ncw = 0;
  while (i < count) {
    refill(buf, nbits, payload.data(), pos, payload.size());
    if (nbits < h.k)
      throw FormatError("tunstall: payload ends after " + std::to_string(ncw) + " codewords, " + std::to_string(i) +
                        " of " + std::to_string(count) + " symbols decoded");
    const uint32_t c = static_cast<uint32_t>(buf >> (64 - h.k));
    buf <<= h.k;
    nbits -= h.k;
    if (c >= d.size())
      throw FormatError("tunstall: codeword " + std::to_string(c) + " (number " + std::to_string(ncw) +
                        ") is not in the " + std::to_string(d.size()) + "-entry dictionary");
    if (i + d.length[c] > count)
      throw FormatError("tunstall: last codeword " + std::to_string(c) + " runs " +
                        std::to_string(i + d.length[c] - count) + " symbols past the tensor's " +
                        std::to_string(count));
    for (unsigned j = 0; j < d.length[c]; ++j) out[i + j] = flat[start[c] + j];
    i += d.length[c];
    ++ncw;
  }
  const size_t used = h.body_offset + (ncw * h.k + 7) / 8;
  if (used != payload.size())
    throw FormatError("tunstall: " + std::to_string(payload.size() - std::min(used, payload.size())) +
                      " bytes left after " + std::to_string(count) + " symbols (payload " +
                      std::to_string(payload.size()) + " bytes)");
  return out;
}

}  // namespace squish::entropy
