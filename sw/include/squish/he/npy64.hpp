// squish::he — int64 .npy for the HE commands (squish::io has no 64-bit dtype):
// reads '<i8' (and, through squish::io, int8/int16/int32/uint8) into int64,
// writes '<i8' version 1.0 (64-byte aligned header, as numpy).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace squish::he {

struct I64Array {
  std::vector<size_t> shape;
  std::vector<int64_t> values;
};

/// FormatError naming `name` on a malformed file or another dtype.
I64Array read_npy_i64(std::span<const uint8_t> bytes, const std::string& name);
std::vector<uint8_t> write_npy_i64(const std::vector<size_t>& shape, std::span<const int64_t> values);

}  // namespace squish::he
