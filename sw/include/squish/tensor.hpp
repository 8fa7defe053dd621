// Tensors as the golden stack sees them: a name, a C-order shape, an element
// type and little-endian bytes. Models loaded from tfjs also keep the codes of
// their 8/16-bit affine quantization so that `--bits 8` can be lossless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace squish {

/// Element types the loaders and the container know. Values are part of the
/// .sqz format (section field `dtype`).
enum class DType : uint8_t { F32 = 0, F16 = 1, I8 = 2, U8 = 3, I16 = 4, I32 = 5 };

size_t dtype_size(DType t);
std::string_view dtype_name(DType t);  ///< "float32", "float16", "int8", ...
/// numpy descriptor ("<f4", "<f2", "|i1", "|u1", "<i2", "<i4").
std::string_view dtype_npy_descr(DType t);
bool dtype_is_float(DType t);

/// IEEE 754 binary16 <-> binary32, round to nearest even (as numpy does).
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);

/// Affine 8/16-bit codes of a tfjs weight: value = float32(code * scale + min),
/// the product and sum evaluated in double as JavaScript does.
struct TfjsQuant {
  unsigned code_bits = 8;  ///< 8 (uint8) or 16 (uint16)
  double scale = 0;
  double min = 0;
  std::vector<uint16_t> codes;
};

struct Tensor {
  std::string name;
  std::vector<size_t> shape;  ///< C order; empty = scalar
  DType dtype = DType::F32;
  std::vector<uint8_t> data;  ///< numel * dtype_size bytes, little-endian
  std::optional<TfjsQuant> tfjs;  ///< set when loaded from a quantized tfjs weight
  std::string source_dtype;   ///< how the source stored it, e.g. "uint8-affine", "float16"

  size_t numel() const;
  /// Every element converted to float (ints exactly while |v| < 2^24).
  std::vector<float> to_float() const;
  /// A float32 tensor holding `values` (size must equal the shape's product).
  static Tensor from_float(std::string name, std::vector<size_t> shape, std::span<const float> values);
  /// Checks data.size() against shape and dtype; throws FormatError naming the tensor.
  void validate() const;
};

/// Product of dims; throws FormatError on overflow past 2^40 elements.
size_t shape_numel(std::span<const size_t> shape);
std::string shape_string(std::span<const size_t> shape);  ///< "[3, 3, 32, 64]"

}  // namespace squish
