// DEFLATE (RFC 1951) for .npz members, on zlib (zlib1g-dev). The output is
// capped by the caller (the member's declared size, itself checked against the
// limits before this is called), so a deflate bomb is a FormatError, never an
// allocation past the cap.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace squish::io {

/// Inflates a raw DEFLATE stream (no zlib/gzip wrapper). Throws FormatError if
/// the stream is malformed, truncated or would produce more than `max_out` bytes.
std::vector<uint8_t> inflate(std::span<const uint8_t> in, size_t max_out);

/// Compresses `in` as a raw DEFLATE stream (zlib level 0..9).
std::vector<uint8_t> deflate_raw(std::span<const uint8_t> in, int level = 6);

}  // namespace squish::io
