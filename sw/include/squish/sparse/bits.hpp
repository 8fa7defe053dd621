// LSB-first bit packing shared by the sparse serializers (and their RTL
// decoders): field k of width w occupies the next w bits of the stream, least
// significant bit first; bit i of the stream is bit (i % 8) of byte i / 8, so a
// stream read as little-endian 32-bit words has bit i at bit (i % 32) of word
// i / 32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace squish::sparse {

/// Appends fields of 0..32 bits to a byte vector.
class BitWriter {
 public:
  explicit BitWriter(std::vector<uint8_t>& out) : out_(out), bit_(out.size() * 8) {}
  void put(uint32_t value, unsigned width);
  /// Pads with zero bits to the next multiple of `bits` (relative to stream start).
  void align(unsigned bits);
  uint64_t bit_position() const { return bit_; }

 private:
  std::vector<uint8_t>& out_;
  uint64_t bit_;
};

/// Reads fields of 0..32 bits; throws FormatError (naming `what` and the bit
/// offset) instead of reading past the end.
class BitReader {
 public:
  BitReader(std::span<const uint8_t> in, uint64_t start_bit = 0) : in_(in), bit_(start_bit) {}
  uint32_t get(unsigned width, const char* what);
  uint64_t bit_position() const { return bit_; }
  uint64_t bits_left() const { return in_.size() * 8 - bit_; }

 private:
  std::span<const uint8_t> in_;
  uint64_t bit_;
};

/// ceil(log2(x)) for x >= 1 (0 for x = 1): bits of an index below x.
unsigned ceil_log2(uint64_t x);
/// floor(log2(x)) + 1 for x >= 1, 0 for x = 0: bits to hold the value x.
unsigned bit_width_of(uint64_t x);

/// Little-endian 32-bit words of a byte stream whose size is a multiple of 4.
std::vector<uint32_t> to_words(std::span<const uint8_t> bytes);

}  // namespace squish::sparse
