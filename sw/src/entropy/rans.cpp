// Interleaved rANS with 32-bit states, 16-bit words and N lanes.
//
// Encoder: symbols are coded last to first; before coding symbol i, lane
// (i mod N) flushes one 16-bit word if its state would leave [2^16, 2^32).
// The word list is then reversed, so a decoder that, step by step, decodes one
// symbol per lane and refills each lane below 2^16 with the next word (in lane
// order) reads the words front to back.
#include "squish/entropy/rans.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "squish/entropy/bitio.hpp"
#include "squish/error.hpp"

namespace squish::entropy {

namespace {
constexpr const char* kWhat = "rans";

void check_params(const CoderParams& p) {
  if (p.rans_lanes != 4 && p.rans_lanes != 8 && p.rans_lanes != 16)
    throw UsageError("rans_lanes " + std::to_string(p.rans_lanes) + " must be 4, 8 or 16");
  if (p.rans_prob_bits < 1 || p.rans_prob_bits > kMaxProbBits)
    throw UsageError("rans_prob_bits " + std::to_string(p.rans_prob_bits) + " out of range 1..12");
}

void put_le(std::vector<uint8_t>& out, uint32_t v, unsigned bytes) {
  for (unsigned b = 0; b < bytes; ++b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}
uint32_t get_le(std::span<const uint8_t> in, size_t pos, unsigned bytes) {
  uint32_t v = 0;
  for (unsigned b = 0; b < bytes; ++b) v |= uint32_t{in[pos + b]} << (8 * b);
  return v;
}

std::vector<uint8_t> encode_with(std::span<const uint16_t> symbols, std::span<const uint64_t> hist, unsigned lanes,
                                 unsigned pb);

std::vector<uint8_t> encode_plain(std::span<const uint16_t> symbols, unsigned alphabet_bits, unsigned lanes,
                                  unsigned max_prob_bits, bool search) {
  // rans_lanes is the maximum: a tensor of fewer than 256 symbols per lane
  // uses fewer lanes (down to 4), saving 4 bytes of state per idle lane.
  while (lanes > 4 && symbols.size() < 256u * lanes) lanes /= 2;
  const auto hist = histogram(symbols, alphabet_bits);
  unsigned used = 0;
  for (auto c : hist) used += c ? 1 : 0;
  const unsigned pb = choose_prob_bits(max_prob_bits, symbols.size(), used);
  // Table precision by exact size (rans_precision_search): a coarser grid
  // costs fewer table bits and more coded bits. Tensors up to 4096 symbols try
  // every precision down to the number of used symbols, larger ones four steps
  // down; the smallest payload wins.
  unsigned lo = 1;
  while ((1u << lo) < used) ++lo;
  if (!search) lo = pb;
  else if (symbols.size() > 4096 && pb > lo + 4) lo = pb - 4;
  std::vector<uint8_t> best = encode_with(symbols, hist, lanes, pb);
  for (unsigned q = pb; q-- > lo;) {
    auto out = encode_with(symbols, hist, lanes, q);
    if (out.size() < best.size()) best = std::move(out);
  }
  return best;
}

std::vector<uint8_t> encode_table(std::span<const uint16_t> symbols, std::span<const uint32_t> freq, unsigned lanes,
                                  unsigned pb, bool shared);

std::vector<uint8_t> encode_with(std::span<const uint16_t> symbols, std::span<const uint64_t> hist, unsigned lanes,
                                 unsigned pb) {
  const auto freq = normalize_freqs(hist, pb);
  return encode_table(symbols, freq, lanes, pb, false);
}

std::vector<uint8_t> encode_table(std::span<const uint16_t> symbols, std::span<const uint32_t> freq, unsigned lanes,
                                  unsigned pb, bool shared) {
  std::vector<uint32_t> cum(freq.size() + 1, 0);
  for (size_t s = 0; s < freq.size(); ++s) cum[s + 1] = cum[s] + freq[s];

  std::vector<uint32_t> x(lanes, kRansLow);
  std::vector<uint16_t> words;
  for (size_t i = symbols.size(); i-- > 0;) {
    uint32_t& st = x[i % lanes];
    const uint32_t f = freq[symbols[i]];
    const uint64_t x_max = uint64_t{f} << (32 - pb);
    if (st >= x_max) {
      words.push_back(static_cast<uint16_t>(st & 0xffff));
      st >>= 16;
    }
    st = ((st / f) << pb) + (st % f) + cum[symbols[i]];
  }
  std::reverse(words.begin(), words.end());

  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(lanes | (shared ? kRansSharedTable : 0)));
  if (!shared) {
    BitWriter w(out);
    write_freq_table(w, freq, pb);
    w.align();
  }
  for (auto st : x) put_le(out, st, 4);
  for (auto wd : words) put_le(out, wd, 2);
  return out;
}

RansHeader read_plain_header(std::span<const uint8_t> payload, unsigned alphabet_bits, const FreqTable* shared = nullptr) {
  RansHeader h;
  if (payload.empty()) throw FormatError("rans: empty payload");
  h.lanes = payload[0];
  if (shared) {
    if (!(h.lanes & kRansSharedTable)) throw FormatError("rans: payload has its own table where a shared one is expected (byte 0)");
    h.lanes &= ~kRansSharedTable;
  } else if (h.lanes & kRansSharedTable) {
    throw FormatError("rans: payload uses a shared table that was not given (byte 0)");
  }
  if (h.lanes != 4 && h.lanes != 8 && h.lanes != 16)
    throw FormatError("rans: lane count " + std::to_string(h.lanes) + " is not 4, 8 or 16 (byte 0)");
  size_t pos = 1;
  if (shared) {
    h.table = *shared;
  } else {
    BitReader r(payload, kWhat, 8);
    h.table = read_freq_table(r, alphabet_bits, kMaxProbBits, kWhat);
    pos = r.byte_pos();
  }
  if (payload.size() < pos + 4 * h.lanes)
    throw FormatError("rans: payload of " + std::to_string(payload.size()) + " bytes ends inside the lane states");
  for (unsigned j = 0; j < h.lanes; ++j, pos += 4) {
    h.states.push_back(get_le(payload, pos, 4));
    if (h.states.back() < kRansLow)
      throw FormatError("rans: lane " + std::to_string(j) + " state " + std::to_string(h.states.back()) +
                        " below 2^16 (byte " + std::to_string(pos) + ")");
  }
  h.words_offset = pos;
  h.words_end = payload.size();
  if ((h.words_end - h.words_offset) % 2)
    throw FormatError("rans: odd number of bytes (" + std::to_string(h.words_end - h.words_offset) +
                      ") after the lane states");
  return h;
}

std::vector<uint16_t> decode_plain(std::span<const uint8_t> payload, size_t count, unsigned alphabet_bits,
                                   const FreqTable* shared = nullptr) {
  const RansHeader h = read_plain_header(payload, alphabet_bits, shared);
  const unsigned pb = h.table.prob_bits;
  const uint32_t mask = (1u << pb) - 1;
  // One entry per slot, as in the RTL: symbol, frequency, slot - cumulative.
  struct Slot {
    uint16_t freq, bias;
    uint8_t sym;
  };
  std::vector<Slot> slots(size_t{1} << pb);
  uint32_t cum = 0;
  for (size_t s = 0; s < h.table.freq.size(); ++s) {
    for (uint32_t k = 0; k < h.table.freq[s]; ++k)
      slots[cum + k] = {static_cast<uint16_t>(h.table.freq[s]), static_cast<uint16_t>(k), static_cast<uint8_t>(s)};
    cum += h.table.freq[s];
  }
  // (freq can be 2^12 = 4096 only for a single-symbol table, which fits uint16_t.)
  std::vector<uint32_t> x = h.states;
  std::vector<uint16_t> out(count);
  size_t pos = h.words_offset;
  const unsigned n = h.lanes;
  const uint8_t* data = payload.data();
  for (size_t i = 0; i < count; i += n) {
    const unsigned active = static_cast<unsigned>(std::min<size_t>(n, count - i));
    for (unsigned j = 0; j < active; ++j) {
      uint32_t st = x[j];
      const Slot e = slots[st & mask];
      st = e.freq * (st >> pb) + e.bias;
      if (st < kRansLow) {
        if (pos + 2 > h.words_end)
          throw FormatError("rans: out of words at symbol " + std::to_string(i + j) + " of " + std::to_string(count) +
                            " (lane " + std::to_string(j) + ", byte " + std::to_string(pos) + ")");
        st = (st << 16) | data[pos] | (uint32_t{data[pos + 1]} << 8);
        pos += 2;
      }
      x[j] = st;
      out[i + j] = e.sym;
    }
  }
  if (pos != h.words_end)
    throw FormatError("rans: " + std::to_string((h.words_end - pos) / 2) + " words left after " +
                      std::to_string(count) + " symbols");
  for (unsigned j = 0; j < n; ++j)
    if (x[j] != kRansLow)
      throw FormatError("rans: lane " + std::to_string(j) + " ends in state " + std::to_string(x[j]) +
                        ", not 2^16 (corrupt stream)");
  return out;
}
}  // namespace

RansHeader rans_read_header(std::span<const uint8_t> payload, const CoderParams& p) {
  if (!payload.empty() && (payload[0] & 0x80))
    throw FormatError("rans: significance-split stream has no single lane header");
  return read_plain_header(payload, p.alphabet_bits);
}

std::vector<uint8_t> rans_encode(std::span<const uint16_t> symbols, const CoderParams& p) {
  check_params(p);
  if (!p.rans_significance_split) return encode_plain(symbols, p.alphabet_bits, p.rans_lanes, p.rans_prob_bits, p.rans_precision_search);
  // Split: a 1-bit stream of (symbol != zero_symbol), then the other symbols.
  std::vector<uint16_t> map(symbols.size()), values;
  for (size_t i = 0; i < symbols.size(); ++i) {
    map[i] = symbols[i] != p.zero_symbol;
    if (map[i]) values.push_back(symbols[i]);
  }
  const auto a = encode_plain(map, 1, p.rans_lanes, p.rans_prob_bits, p.rans_precision_search);
  const auto b = encode_plain(values, p.alphabet_bits, p.rans_lanes, p.rans_prob_bits, p.rans_precision_search);
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(0x80 | p.rans_lanes));
  put_le(out, static_cast<uint32_t>(a.size()), 4);
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<uint16_t> rans_decode(std::span<const uint8_t> payload, size_t count, const CoderParams& p) {
  if (payload.empty()) throw FormatError("rans: empty payload");
  if (!(payload[0] & 0x80)) return decode_plain(payload, count, p.alphabet_bits);
  if (payload.size() < 5) throw FormatError("rans: split header truncated");
  const size_t na = get_le(payload, 1, 4);
  if (na > payload.size() - 5)
    throw FormatError("rans: zero-map stream of " + std::to_string(na) + " bytes overruns the " +
                      std::to_string(payload.size()) + "-byte payload");
  const auto map = decode_plain(payload.subspan(5, na), count, 1);
  size_t nz = 0;
  for (auto m : map) nz += m;
  const auto values = decode_plain(payload.subspan(5 + na), nz, p.alphabet_bits);
  std::vector<uint16_t> out(count);
  for (size_t i = 0, k = 0; i < count; ++i) {
    if (map[i]) {
      if (values[k] == p.zero_symbol)
        throw FormatError("rans: value stream holds the zero symbol at non-zero " + std::to_string(k));
      out[i] = values[k++];
    } else {
      out[i] = p.zero_symbol;
    }
  }
  return out;
}


namespace {
void check_shared(const FreqTable& t, unsigned alphabet_bits) {
  if (t.prob_bits < 1 || t.prob_bits > kMaxProbBits || t.freq.size() != (size_t{1} << alphabet_bits))
    throw FormatError("rans: shared table does not fit a " + std::to_string(alphabet_bits) + "-bit alphabet");
  uint64_t sum = 0;
  for (auto f : t.freq) sum += f;
  if (sum != (uint64_t{1} << t.prob_bits)) throw FormatError("rans: shared table does not sum to 2^P");
}
}  // namespace

std::vector<uint8_t> rans_encode_shared(std::span<const uint16_t> symbols, const CoderParams& p, const FreqTable& t) {
  check_params(p);
  check_shared(t, p.alphabet_bits);
  for (uint16_t s : symbols)
    if (s >= t.freq.size() || t.freq[s] == 0) return {};
  unsigned lanes = p.rans_lanes;
  while (lanes > 4 && symbols.size() < 256u * lanes) lanes /= 2;
  return encode_table(symbols, t.freq, lanes, t.prob_bits, true);
}

std::vector<uint16_t> rans_decode_shared(std::span<const uint8_t> payload, size_t count, const CoderParams& p,
                                         const FreqTable& t) {
  check_shared(t, p.alphabet_bits);
  if (t.prob_bits > p.rans_prob_bits)
    throw FormatError("rans: shared table precision " + std::to_string(t.prob_bits) + " above the section's " +
                      std::to_string(p.rans_prob_bits));
  return decode_plain(payload, count, p.alphabet_bits, &t);
}

std::vector<uint8_t> rans_with_table(std::span<const uint8_t> payload, const FreqTable& t) {
  if (payload.empty() || !(payload[0] & kRansSharedTable)) throw FormatError("rans: not a shared-table payload");
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(payload[0] & ~kRansSharedTable));
  BitWriter w(out);
  write_freq_table(w, t.freq, t.prob_bits);
  w.align();
  out.insert(out.end(), payload.begin() + 1, payload.end());
  return out;
}

double rans_cost_bits(std::span<const uint64_t> hist, const FreqTable& t) {
  double bits = 0;
  for (size_t s = 0; s < hist.size(); ++s) {
    if (!hist[s]) continue;
    if (s >= t.freq.size() || !t.freq[s]) return std::numeric_limits<double>::infinity();
    bits += static_cast<double>(hist[s]) * (t.prob_bits - std::log2(static_cast<double>(t.freq[s])));
  }
  return bits;
}

}  // namespace squish::entropy
