// A DEFLATE (RFC 1951) decoder for .npz members written by numpy's
// savez_compressed. Written for hostile input: every read is bounds-checked and
// the output is capped, so a malformed stream is a FormatError, never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace squish::io {

/// Inflates a raw DEFLATE stream (no zlib/gzip wrapper). Throws FormatError if
/// the stream is malformed or would produce more than `max_out` bytes.
std::vector<uint8_t> inflate(std::span<const uint8_t> in, size_t max_out);

}  // namespace squish::io
