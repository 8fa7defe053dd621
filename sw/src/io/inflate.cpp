// DEFLATE decoder: stored, fixed-Huffman and dynamic-Huffman blocks, canonical
// codes decoded by counting (one bit at a time; simple and bounded).
#include "squish/io/inflate.hpp"

#include <array>
#include <string>

#include "squish/error.hpp"

namespace squish::io {
namespace {

struct BitReader {
  std::span<const uint8_t> in;
  size_t pos = 0;  // byte
  uint32_t bitbuf = 0;
  unsigned bitcnt = 0;
  unsigned bits(unsigned n) {
    uint32_t v = bitbuf;
    while (bitcnt < n) {
      if (pos >= in.size()) throw FormatError("deflate: stream truncated at byte " + std::to_string(pos));
      v |= static_cast<uint32_t>(in[pos++]) << bitcnt;
      bitcnt += 8;
    }
    bitbuf = v >> n;
    bitcnt -= n;
    return v & ((n == 32) ? 0xffffffffu : ((1u << n) - 1));
  }
};

struct Huffman {
  std::array<uint16_t, 16> count{};
  std::array<uint16_t, 320> symbol{};
};

// Builds canonical tables; returns false if the code is over-subscribed.
bool build(Huffman& h, const uint16_t* lengths, unsigned n) {
  h.count.fill(0);
  for (unsigned s = 0; s < n; ++s) h.count[lengths[s]]++;
  if (h.count[0] == n) return true;  // no codes: only an error if used
  int left = 1;
  for (unsigned len = 1; len < 16; ++len) {
    left <<= 1;
    left -= h.count[len];
    if (left < 0) return false;
  }
  std::array<uint16_t, 16> offs{};
  for (unsigned len = 1; len < 15; ++len) offs[len + 1] = static_cast<uint16_t>(offs[len] + h.count[len]);
  for (unsigned s = 0; s < n; ++s)
    if (lengths[s]) h.symbol[offs[lengths[s]]++] = static_cast<uint16_t>(s);
  return true;
}

int decode(BitReader& br, const Huffman& h) {
  int code = 0, first = 0, index = 0;
  for (unsigned len = 1; len < 16; ++len) {
    code |= static_cast<int>(br.bits(1));
    const int count = h.count[len];
    if (code - count < first) return h.symbol[static_cast<size_t>(index + (code - first))];
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  throw FormatError("deflate: invalid Huffman code at byte " + std::to_string(br.pos));
}

constexpr uint16_t kLenBase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                   35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint16_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
                                    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint16_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

void codes(BitReader& br, std::vector<uint8_t>& out, size_t max_out, const Huffman& lit, const Huffman& dist) {
  for (;;) {
    const int sym = decode(br, lit);
    if (sym < 256) {
      if (out.size() >= max_out) throw FormatError("deflate: output exceeds the expected " + std::to_string(max_out) + " bytes");
      out.push_back(static_cast<uint8_t>(sym));
    } else if (sym == 256) {
      return;
    } else {
      const int li = sym - 257;
      if (li >= 29) throw FormatError("deflate: bad length symbol " + std::to_string(sym));
      const size_t len = kLenBase[li] + br.bits(kLenExtra[li]);
      const int di = decode(br, dist);
      if (di >= 30) throw FormatError("deflate: bad distance symbol " + std::to_string(di));
      const size_t d = kDistBase[di] + br.bits(kDistExtra[di]);
      if (d > out.size()) throw FormatError("deflate: distance " + std::to_string(d) + " reaches before the start of the output");
      if (out.size() + len > max_out) throw FormatError("deflate: output exceeds the expected " + std::to_string(max_out) + " bytes");
      const size_t from = out.size() - d;
      for (size_t k = 0; k < len; ++k) out.push_back(out[from + k]);
    }
  }
}

}  // namespace

std::vector<uint8_t> inflate(std::span<const uint8_t> in, size_t max_out) {
  BitReader br{in};
  std::vector<uint8_t> out;
  out.reserve(std::min<size_t>(max_out, size_t{1} << 26));
  unsigned last = 0;
  do {
    last = br.bits(1);
    const unsigned type = br.bits(2);
    if (type == 0) {
      br.bitbuf = 0;
      br.bitcnt = 0;
      if (br.pos + 4 > in.size()) throw FormatError("deflate: stored block header truncated");
      const unsigned len = in[br.pos] | (in[br.pos + 1] << 8);
      const unsigned nlen = in[br.pos + 2] | (in[br.pos + 3] << 8);
      br.pos += 4;
      if (len != (~nlen & 0xffffu)) throw FormatError("deflate: stored block length check failed");
      if (br.pos + len > in.size()) throw FormatError("deflate: stored block truncated");
      if (out.size() + len > max_out) throw FormatError("deflate: output exceeds the expected " + std::to_string(max_out) + " bytes");
      out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(br.pos), in.begin() + static_cast<std::ptrdiff_t>(br.pos + len));
      br.pos += len;
    } else if (type == 1) {
      static const auto fixed = [] {
        std::pair<Huffman, Huffman> f;
        uint16_t l[288];
        for (int s = 0; s < 144; ++s) l[s] = 8;
        for (int s = 144; s < 256; ++s) l[s] = 9;
        for (int s = 256; s < 280; ++s) l[s] = 7;
        for (int s = 280; s < 288; ++s) l[s] = 8;
        build(f.first, l, 288);
        uint16_t d[30];
        for (auto& x : d) x = 5;
        build(f.second, d, 30);
        return f;
      }();
      codes(br, out, max_out, fixed.first, fixed.second);
    } else if (type == 2) {
      const unsigned nlen = br.bits(5) + 257, ndist = br.bits(5) + 1, ncode = br.bits(4) + 4;
      if (nlen > 286 || ndist > 30) throw FormatError("deflate: bad dynamic block counts");
      static constexpr uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
      uint16_t lengths[320] = {};
      for (unsigned i = 0; i < ncode; ++i) lengths[order[i]] = static_cast<uint16_t>(br.bits(3));
      Huffman lencode, lit, dist;
      if (!build(lencode, lengths, 19)) throw FormatError("deflate: bad code-length code");
      unsigned idx = 0;
      while (idx < nlen + ndist) {
        int sym = decode(br, lencode);
        if (sym < 16) {
          lengths[idx++] = static_cast<uint16_t>(sym);
        } else {
          uint16_t len = 0;
          unsigned rep;
          if (sym == 16) {
            if (idx == 0) throw FormatError("deflate: repeat with no previous length");
            len = lengths[idx - 1];
            rep = 3 + br.bits(2);
          } else if (sym == 17) {
            rep = 3 + br.bits(3);
          } else {
            rep = 11 + br.bits(7);
          }
          if (idx + rep > nlen + ndist) throw FormatError("deflate: too many code lengths");
          while (rep--) lengths[idx++] = len;
        }
      }
      if (lengths[256] == 0) throw FormatError("deflate: no end-of-block code");
      if (!build(lit, lengths, nlen) || !build(dist, lengths + nlen, ndist))
        throw FormatError("deflate: over-subscribed literal or distance code");
      codes(br, out, max_out, lit, dist);
    } else {
      throw FormatError("deflate: reserved block type 3");
    }
  } while (!last);
  return out;
}

}  // namespace squish::io
