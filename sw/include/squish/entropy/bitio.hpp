// Bit-level readers and writers shared by the entropy coders.
//
// Bits are written and read MSB first: the first bit of a stream is bit 7 of
// its first byte. Readers never read outside their span; running past the end
// throws FormatError naming the coder and the byte offset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "squish/error.hpp"

namespace squish::entropy {

/// Appends bits MSB first to a byte vector.
class BitWriter {
 public:
  explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
  /// Writes the low `n` bits of `v` (n <= 32), most significant first.
  void put(uint32_t v, unsigned n) {
    for (unsigned i = n; i-- > 0;) {
      if (fill_ == 0) out_.push_back(0);
      if ((v >> i) & 1u) out_.back() = static_cast<uint8_t>(out_.back() | (0x80u >> fill_));
      fill_ = (fill_ + 1) & 7u;
    }
  }
  /// Pads with zero bits to the next byte boundary.
  void align() { fill_ = 0; }

 private:
  std::vector<uint8_t>& out_;
  unsigned fill_ = 0;  // bits already used in out_.back() (0 = start a new byte)
};

/// Reads bits MSB first from a span.
class BitReader {
 public:
  BitReader(std::span<const uint8_t> in, const char* what, size_t bit_pos = 0)
      : in_(in), what_(what), pos_(bit_pos) {}
  /// Reads `n` bits (n <= 32).
  uint32_t get(unsigned n) {
    if (pos_ + n > in_.size() * 8)
      throw FormatError(std::string(what_) + ": payload truncated at byte " + std::to_string(pos_ / 8) + " (needs " +
                        std::to_string(n) + " more bits, " + std::to_string(in_.size()) + " bytes in payload)");
    uint32_t v = 0;
    for (unsigned i = 0; i < n; ++i, ++pos_) v = (v << 1) | ((in_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1u);
    return v;
  }
  /// Peeks up to 32 bits, zero-filled past the end (for table lookups).
  uint32_t peek(unsigned n) const {
    uint32_t v = 0;
    size_t p = pos_;
    for (unsigned i = 0; i < n; ++i, ++p)
      v = (v << 1) | (p < in_.size() * 8 ? ((in_[p >> 3] >> (7 - (p & 7))) & 1u) : 0u);
    return v;
  }
  void skip(unsigned n) {
    if (pos_ + n > in_.size() * 8)
      throw FormatError(std::string(what_) + ": payload truncated at byte " + std::to_string(pos_ / 8));
    pos_ += n;
  }
  void align() { pos_ = (pos_ + 7) & ~size_t{7}; }
  size_t bit_pos() const { return pos_; }
  size_t byte_pos() const { return (pos_ + 7) / 8; }
  size_t bits_left() const { return in_.size() * 8 - pos_; }

 private:
  std::span<const uint8_t> in_;
  const char* what_;
  size_t pos_;
};

/// Tops up an MSB-aligned 64-bit bit buffer holding `nbits` valid bits (the
/// rest zero) from data[pos..size): whole bytes, eight at a time when they are
/// there. Never reads at or past `size`.
inline void refill(uint64_t& buf, unsigned& nbits, const uint8_t* data, size_t& pos, size_t size) {
  if (nbits > 56) return;
  const unsigned take = (64 - nbits) / 8;  // 1..8 whole bytes fit
  if (pos + 8 <= size) {
    uint64_t v = 0;
    for (unsigned b = 0; b < 8; ++b) v = (v << 8) | data[pos + b];
    if (take < 8) v &= ~uint64_t{0} << (64 - 8 * take);  // only the bytes accounted for
    buf |= v >> nbits;
    pos += take;
    nbits += 8 * take;
    return;
  }
  while (nbits <= 56 && pos < size) {
    buf |= uint64_t{data[pos++]} << (56 - nbits);
    nbits += 8;
  }
}

}  // namespace squish::entropy
