// numpy .npy (format versions 1.0, 2.0, 3.0) and .npz (zip of .npy members,
// stored as by numpy.savez or deflated as by numpy.savez_compressed).
// Supported dtypes: float32, float16, int8, uint8, int16, int32, little-endian,
// C order. Fortran order, other dtypes and big-endian data are FormatErrors.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "squish/tensor.hpp"

namespace squish::io {

/// Parses one .npy image; `name` becomes the tensor name and labels errors.
Tensor read_npy(std::span<const uint8_t> bytes, const std::string& name);
/// Serializes a tensor as .npy version 1.0 (64-byte aligned header, as numpy).
std::vector<uint8_t> write_npy(const Tensor& t);

/// Parses a .npz archive; member "x.npy" becomes tensor "x", in archive order.
std::vector<Tensor> read_npz(std::span<const uint8_t> bytes);
/// Serializes tensors as a .npz (stored members, loadable by numpy.load).
std::vector<uint8_t> write_npz(std::span<const Tensor> tensors);

/// Whole-file helpers; throw IoError when the file cannot be read or written.
std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace squish::io
