// numpy .npy (format versions 1.0, 2.0, 3.0) and .npz (zip of .npy members,
// stored as by numpy.savez or deflated as by numpy.savez_compressed).
// Supported dtypes: float32, float16, int8, uint8, int16, int32, little-endian,
// C order. Fortran order, other dtypes and big-endian data are FormatErrors.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "squish/tensor.hpp"

namespace squish::io {

/// Parses one .npy image; `name` becomes the tensor name and labels errors.
Tensor read_npy(std::span<const uint8_t> bytes, const std::string& name);
/// Serializes a tensor as .npy version 1.0 (64-byte aligned header, as numpy).
std::vector<uint8_t> write_npy(const Tensor& t);

/// Parses a .npz archive; member "x.npy" becomes tensor "x", in archive order.
/// Every member's declared size is checked against a budget of 4 bytes per
/// element of `max_elements` (plus 1 MiB of headers) before it is inflated, so
/// a deflate bomb is a FormatError; an empty archive, duplicate or unsafe
/// member names (check_tensor_name) too.
std::vector<Tensor> read_npz(std::span<const uint8_t> bytes, uint64_t max_elements = uint64_t{1} << 27);
/// Serializes tensors as a .npz loadable by numpy.load: stored members, or
/// deflated ones (as numpy.savez_compressed) with `compress`.
std::vector<uint8_t> write_npz(std::span<const Tensor> tensors, bool compress = false);

/// Throws FormatError unless `name` is usable as a tensor, zip member and
/// relative file name: non-empty, valid UTF-8, no NUL or control character, no
/// backslash, not absolute, no empty, '.' or '..' component. `what` starts the message.
void check_tensor_name(const std::string& name, const std::string& what);
/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool valid_utf8(std::string_view s);
/// `s` with control and non-ASCII bytes as \xNN (for error messages), cut at 200.
std::string printable(std::string_view s);

/// Whole-file helpers; throw IoError when the file cannot be read or written.
/// write_file is write_file_atomic (squish/io/safe_write.hpp): temp + fsync + rename.
std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace squish::io
