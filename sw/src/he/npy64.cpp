// int64 .npy (see squish/he/npy64.hpp).
#include "squish/he/npy64.hpp"

#include <cstring>

#include "squish/error.hpp"
#include "squish/io/npy.hpp"
#include "squish/tensor.hpp"

namespace squish::he {

I64Array read_npy_i64(std::span<const uint8_t> bytes, const std::string& name) {
  I64Array out;
  // '<i8' is parsed here; the other integer dtypes go through squish::io.
  if (bytes.size() >= 10 && bytes[0] == 0x93 && std::memcmp(bytes.data() + 1, "NUMPY", 5) == 0) {
    const unsigned major = bytes[6];
    const size_t hl_size = major >= 2 ? 4 : 2;
    if (bytes.size() < 8 + hl_size) throw FormatError(name + ": truncated .npy header");
    size_t hlen = bytes[8] | (bytes[9] << 8);
    if (hl_size == 4) hlen |= (static_cast<size_t>(bytes[10]) << 16) | (static_cast<size_t>(bytes[11]) << 24);
    const size_t off = 8 + hl_size;
    if (bytes.size() < off + hlen) throw FormatError(name + ": truncated .npy header");
    const std::string h(reinterpret_cast<const char*>(bytes.data() + off), hlen);
    if (h.find("'<i8'") != std::string::npos) {
      if (h.find("'fortran_order': True") != std::string::npos) throw FormatError(name + ": Fortran order is not supported");
      const size_t a = h.find('('), b = h.find(')');
      if (a == std::string::npos || b == std::string::npos || b < a) throw FormatError(name + ": no shape in the .npy header");
      std::string dims = h.substr(a + 1, b - a - 1);
      size_t numel = 1;
      size_t p = 0;
      while (p < dims.size()) {
        while (p < dims.size() && (dims[p] == ' ' || dims[p] == ',')) ++p;
        if (p >= dims.size()) break;
        size_t used = 0;
        unsigned long long d = 0;
        try {
          d = std::stoull(dims.substr(p), &used);
        } catch (...) {
          throw FormatError(name + ": bad shape '" + dims + "'");
        }
        out.shape.push_back(d);
        if (d != 0 && numel > (1ull << 40) / d) throw FormatError(name + ": shape too large");
        numel *= d;
        p += used;
      }
      const size_t data_off = off + hlen;
      if (bytes.size() - data_off != numel * 8)
        throw FormatError(name + ": expected " + std::to_string(numel * 8) + " data bytes at offset " + std::to_string(data_off) +
                          ", found " + std::to_string(bytes.size() - data_off));
      out.values.resize(numel);
      for (size_t i = 0; i < numel; ++i) {
        uint64_t v = 0;
        for (int k = 7; k >= 0; --k) v = (v << 8) | bytes[data_off + 8 * i + static_cast<size_t>(k)];
        out.values[i] = static_cast<int64_t>(v);
      }
      return out;
    }
  }
  const Tensor t = io::read_npy(bytes, name);
  out.shape = t.shape;
  const size_t n = t.numel();
  out.values.resize(n);
  for (size_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case DType::I8: out.values[i] = static_cast<int8_t>(t.data[i]); break;
      case DType::U8: out.values[i] = t.data[i]; break;
      case DType::I16: out.values[i] = static_cast<int16_t>(t.data[2 * i] | (t.data[2 * i + 1] << 8)); break;
      case DType::I32: {
        uint32_t v = 0;
        for (int k = 3; k >= 0; --k) v = (v << 8) | t.data[4 * i + static_cast<size_t>(k)];
        out.values[i] = static_cast<int32_t>(v);
        break;
      }
      default: throw FormatError(name + ": dtype " + std::string(dtype_name(t.dtype)) + " is not an integer type");
    }
  }
  return out;
}

std::vector<uint8_t> write_npy_i64(const std::vector<size_t>& shape, std::span<const int64_t> values) {
  std::string dims;
  for (size_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() == 1) dims.pop_back();
  else if (!dims.empty()) dims.resize(dims.size() - 2);
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  for (int64_t v : values)
    for (int k = 0; k < 8; ++k) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * k)));
  return out;
}

}  // namespace squish::he
