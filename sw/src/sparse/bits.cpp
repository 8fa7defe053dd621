#include "squish/sparse/bits.hpp"

#include <bit>

#include "squish/error.hpp"

namespace squish::sparse {

void BitWriter::put(uint32_t value, unsigned width) {
  if (width > 32) throw UsageError("BitWriter: field width " + std::to_string(width) + " > 32");
  if (width < 32 && (value >> width) != 0)
    throw UsageError("BitWriter: value " + std::to_string(value) + " does not fit " + std::to_string(width) + " bits");
  for (unsigned b = 0; b < width; ++b, ++bit_) {
    if (bit_ / 8 >= out_.size()) out_.push_back(0);
    if ((value >> b) & 1u) out_[bit_ / 8] = static_cast<uint8_t>(out_[bit_ / 8] | (1u << (bit_ % 8)));
  }
}

void BitWriter::align(unsigned bits) {
  while (bit_ % bits != 0) put(0, 1);
}

uint32_t BitReader::get(unsigned width, const char* what) {
  if (width > 32) throw FormatError(std::string("field width > 32 reading ") + what);
  if (width > bits_left())
    throw FormatError(std::string("truncated stream: ") + what + " needs " + std::to_string(width) +
                      " bits at bit offset " + std::to_string(bit_) + " (byte " + std::to_string(bit_ / 8) +
                      "), only " + std::to_string(bits_left()) + " left");
  uint32_t v = 0;
  for (unsigned b = 0; b < width; ++b, ++bit_)
    if ((in_[bit_ / 8] >> (bit_ % 8)) & 1u) v |= 1u << b;
  return v;
}

unsigned ceil_log2(uint64_t x) { return x <= 1 ? 0u : static_cast<unsigned>(std::bit_width(x - 1)); }
unsigned bit_width_of(uint64_t x) { return static_cast<unsigned>(std::bit_width(x)); }

std::vector<uint32_t> to_words(std::span<const uint8_t> bytes) {
  if (bytes.size() % 4 != 0) throw UsageError("to_words: byte count " + std::to_string(bytes.size()) + " not a multiple of 4");
  std::vector<uint32_t> w(bytes.size() / 4);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = uint32_t{bytes[4 * i]} | uint32_t{bytes[4 * i + 1]} << 8 | uint32_t{bytes[4 * i + 2]} << 16 |
           uint32_t{bytes[4 * i + 3]} << 24;
  return w;
}

}  // namespace squish::sparse
