#include "squish/io/crc32.hpp"

#include <zlib.h>

#include <climits>

namespace squish::io {

// zlib's crc32 (zlib1g-dev) is this exact CRC; it takes uInt lengths, so long
// spans go in pieces.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc) {
  uLong c = crc;
  size_t off = 0;
  do {
    const size_t n = std::min<size_t>(data.size() - off, UINT_MAX);
    c = ::crc32(c, data.data() + off, static_cast<uInt>(n));
    off += n;
  } while (off < data.size());
  return static_cast<uint32_t>(c);
}

}  // namespace squish::io
