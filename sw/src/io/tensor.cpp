#include "squish/tensor.hpp"

#include <cmath>
#include <cstring>

#include "squish/error.hpp"

namespace squish {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::F16: return 2;
    case DType::I8: return 1;
    case DType::U8: return 1;
    case DType::I16: return 2;
    case DType::I32: return 4;
  }
  throw FormatError("unknown dtype " + std::to_string(static_cast<int>(t)));
}

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "float32";
    case DType::F16: return "float16";
    case DType::I8: return "int8";
    case DType::U8: return "uint8";
    case DType::I16: return "int16";
    case DType::I32: return "int32";
  }
  return "unknown";
}

std::string_view dtype_npy_descr(DType t) {
  switch (t) {
    case DType::F32: return "<f4";
    case DType::F16: return "<f2";
    case DType::I8: return "|i1";
    case DType::U8: return "|u1";
    case DType::I16: return "<i2";
    case DType::I32: return "<i4";
  }
  return "";
}

bool dtype_is_float(DType t) { return t == DType::F32 || t == DType::F16; }

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t exp = (x >> 23) & 0xff;
  uint32_t mant = x & 0x7fffffu;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
  int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) {  // subnormal or zero in half
    if (e < -10) return sign;
    mant |= 0x800000u;
    const unsigned shift = static_cast<unsigned>(14 - e);
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint32_t h = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // may carry into exponent: correct
  return static_cast<uint16_t>(sign | h);
}

size_t shape_numel(std::span<const size_t> shape) {
  size_t n = 1;
  for (size_t d : shape) {
    if (d != 0 && n > (size_t{1} << 40) / d) throw FormatError("shape " + shape_string(shape) + " has more than 2^40 elements");
    n *= d;
  }
  return n;
}

std::string shape_string(std::span<const size_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

size_t Tensor::numel() const { return shape_numel(shape); }

void Tensor::validate() const {
  const size_t want = numel() * dtype_size(dtype);
  if (data.size() != want)
    throw FormatError("tensor '" + name + "' " + shape_string(shape) + " " + std::string(dtype_name(dtype)) + " needs " +
                      std::to_string(want) + " bytes, has " + std::to_string(data.size()));
}

std::vector<float> Tensor::to_float() const {
  validate();
  const size_t n = numel();
  std::vector<float> out(n);
  const uint8_t* p = data.data();
  for (size_t i = 0; i < n; ++i) {
    switch (dtype) {
      case DType::F32: std::memcpy(&out[i], p + 4 * i, 4); break;
      case DType::F16: out[i] = half_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8))); break;
      case DType::I8: out[i] = static_cast<float>(static_cast<int8_t>(p[i])); break;
      case DType::U8: out[i] = static_cast<float>(p[i]); break;
      case DType::I16: out[i] = static_cast<float>(static_cast<int16_t>(p[2 * i] | (p[2 * i + 1] << 8))); break;
      case DType::I32: {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        out[i] = static_cast<float>(v);
        break;
      }
    }
  }
  return out;
}

Tensor Tensor::from_float(std::string name, std::vector<size_t> shape, std::span<const float> values) {
  Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.dtype = DType::F32;
  if (values.size() != t.numel())
    throw UsageError("tensor '" + t.name + "': " + std::to_string(values.size()) + " values for shape " + shape_string(t.shape));
  t.data.resize(values.size() * 4);
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  t.source_dtype = "float32";
  return t;
}

}  // namespace squish
