// Raw DEFLATE decoding on zlib (zlib1g-dev), output capped before allocation.
#include "squish/io/inflate.hpp"

#include <zlib.h>

#include <climits>
#include <string>

#include "squish/error.hpp"

namespace squish::io {

std::vector<uint8_t> inflate(std::span<const uint8_t> in, size_t max_out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw FormatError("deflate: zlib initialization failed");
  std::vector<uint8_t> out;
  // The caller's cap is the member's declared size: the buffer grows in steps
  // up to it, never past it, so a bomb stops at the cap.
  out.resize(std::min<size_t>(max_out, std::max<size_t>(in.size() * 4, 1 << 16)));
  z.next_in = const_cast<Bytef*>(in.data());
  size_t in_left = in.size();
  size_t produced = 0;
  int rc = Z_OK;
  for (;;) {
    if (z.avail_in == 0 && in_left) {
      z.avail_in = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
      in_left -= z.avail_in;
    }
    if (produced == out.size()) {
      if (out.size() >= max_out) {
        // Output full: the stream must end here (probe one more byte).
        uint8_t probe;
        z.next_out = &probe;
        z.avail_out = 1;
        rc = ::inflate(&z, Z_NO_FLUSH);
        inflateEnd(&z);
        if (rc == Z_STREAM_END && z.avail_out == 1) break;
        throw FormatError("deflate: stream inflates to more than " + std::to_string(max_out) + " bytes");
      }
      out.resize(std::min<size_t>(max_out, out.size() * 2));
    }
    z.next_out = out.data() + produced;
    z.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, UINT_MAX));
    const uInt before = z.avail_out;
    rc = ::inflate(&z, Z_NO_FLUSH);
    produced += before - z.avail_out;
    if (rc == Z_STREAM_END) {
      inflateEnd(&z);
      break;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && in_left == 0) {
      inflateEnd(&z);
      throw FormatError("deflate: stream truncated after " + std::to_string(in.size()) + " input bytes");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      const std::string msg = z.msg ? z.msg : "error " + std::to_string(rc);
      const size_t at = in.size() - in_left - z.avail_in;
      inflateEnd(&z);
      throw FormatError("deflate: " + msg + " at input byte " + std::to_string(at));
    }
  }
  out.resize(produced);
  return out;
}

std::vector<uint8_t> deflate_raw(std::span<const uint8_t> in, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw Error("deflate: zlib initialization failed");
  std::vector<uint8_t> out(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = ::deflate(&z, Z_FINISH);
  const size_t n = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw Error("deflate: zlib failed (" + std::to_string(rc) + ")");
  out.resize(n);
  return out;
}

}  // namespace squish::io
