#include "squish/io/npy.hpp"

#include <cstring>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "squish/error.hpp"
#include "squish/io/crc32.hpp"
#include "squish/io/inflate.hpp"
#include "squish/io/safe_write.hpp"

namespace squish::io {

namespace {

uint16_t rd16(std::span<const uint8_t> b, size_t o) { return static_cast<uint16_t>(b[o] | (b[o + 1] << 8)); }
uint32_t rd32(std::span<const uint8_t> b, size_t o) {
  return static_cast<uint32_t>(b[o]) | (static_cast<uint32_t>(b[o + 1]) << 8) | (static_cast<uint32_t>(b[o + 2]) << 16) |
         (static_cast<uint32_t>(b[o + 3]) << 24);
}
uint64_t rd64(std::span<const uint8_t> b, size_t o) { return rd32(b, o) | (static_cast<uint64_t>(rd32(b, o + 4)) << 32); }
void wr16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x));
  v.push_back(static_cast<uint8_t>(x >> 8));
}
void wr32(std::vector<uint8_t>& v, uint32_t x) {
  wr16(v, static_cast<uint16_t>(x));
  wr16(v, static_cast<uint16_t>(x >> 16));
}

// Finds the value text of 'key' in the header dict (up to the next top-level ',' or '}').
std::string dict_value(const std::string& h, const std::string& key, const std::string& name) {
  const std::string k1 = "'" + key + "'", k2 = "\"" + key + "\"";
  size_t p = h.find(k1);
  size_t klen = k1.size();
  if (p == std::string::npos) {
    p = h.find(k2);
    klen = k2.size();
  }
  if (p == std::string::npos) throw FormatError(name + ": .npy header has no '" + key + "'");
  p = h.find(':', p + klen);
  if (p == std::string::npos) throw FormatError(name + ": .npy header: no value for '" + key + "'");
  ++p;
  int depth = 0;
  size_t e = p;
  for (; e < h.size(); ++e) {
    const char c = h[e];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth < 0 || (depth == 0 && (c == ',' || c == '}'))) break;
  }
  std::string v = h.substr(p, e - p);
  while (!v.empty() && (v.front() == ' ')) v.erase(v.begin());
  while (!v.empty() && (v.back() == ' ')) v.pop_back();
  return v;
}

DType parse_descr(std::string d, const std::string& name) {
  if (d.size() >= 2 && (d.front() == '\'' || d.front() == '"')) d = d.substr(1, d.size() - 2);
  if (d == "<f4") return DType::F32;
  if (d == "<f2") return DType::F16;
  if (d == "|i1" || d == "<i1" || d == "i1") return DType::I8;
  if (d == "|u1" || d == "<u1" || d == "u1") return DType::U8;
  if (d == "<i2") return DType::I16;
  if (d == "<i4") return DType::I32;
  if (!d.empty() && d[0] == '>')
    throw FormatError(name + ": big-endian dtype '" + d + "' is not supported (convert with astype('<...'))");
  throw FormatError(name + ": dtype '" + d + "' is not supported (float32, float16, int8, uint8, int16, int32)");
}

}  // namespace

void check_tensor_name(const std::string& name, const std::string& what) {
  auto bad = [&](const std::string& why) { throw FormatError(what + " name '" + printable(name) + "' " + why); };
  if (name.empty()) bad("is empty");
  if (name.size() > 4096) bad("is longer than 4096 bytes");
  if (name.find('\0') != std::string::npos) bad("contains a NUL byte");
  if (!valid_utf8(name)) bad("is not valid UTF-8");
  if (name[0] == '/' || name.find('\\') != std::string::npos) bad("is an absolute path or contains a backslash");
  size_t a = 0;
  for (;;) {
    const size_t e = name.find('/', a);
    const std::string part = name.substr(a, e == std::string::npos ? std::string::npos : e - a);
    if (part.empty() || part == "." || part == "..") bad("has an empty, '.' or '..' path component");
    if (e == std::string::npos) break;
    a = e + 1;
  }
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) bad("contains a control character");
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; }
    else return false;
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

std::string printable(std::string_view s) {
  std::string o;
  for (unsigned char c : s.substr(0, 200)) {
    if (c < 0x20 || c == 0x7f || c >= 0x80) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  if (s.size() > 200) o += "...";
  return o;
}

Tensor read_npy(std::span<const uint8_t> b, const std::string& name) {
  static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (b.size() < 10 || std::memcmp(b.data(), magic, 6) != 0) throw FormatError(name + ": not a .npy file (bad magic at byte 0)");
  const unsigned major = b[6];
  size_t hlen, hoff;
  if (major == 1) {
    hlen = rd16(b, 8);
    hoff = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) throw FormatError(name + ": .npy header truncated at byte " + std::to_string(b.size()));
    hlen = rd32(b, 8);
    hoff = 12;
  } else {
    throw FormatError(name + ": .npy format version " + std::to_string(major) + " is not supported (1, 2, 3)");
  }
  if (hlen > b.size() - hoff) throw FormatError(name + ": .npy header of " + std::to_string(hlen) + " bytes truncated at byte " + std::to_string(b.size()));
  const std::string h(reinterpret_cast<const char*>(b.data() + hoff), hlen);
  Tensor t;
  t.name = name;
  t.dtype = parse_descr(dict_value(h, "descr", name), name);
  const std::string fo = dict_value(h, "fortran_order", name);
  if (fo == "True") throw FormatError(name + ": Fortran-order arrays are not supported (save with np.ascontiguousarray)");
  if (fo != "False") throw FormatError(name + ": bad fortran_order value '" + fo + "'");
  std::string sh = dict_value(h, "shape", name);
  if (sh.size() < 2 || sh.front() != '(' || sh.back() != ')') throw FormatError(name + ": bad shape '" + sh + "'");
  sh = sh.substr(1, sh.size() - 2);
  size_t p = 0;
  while (p < sh.size()) {
    while (p < sh.size() && (sh[p] == ' ' || sh[p] == ',')) ++p;
    if (p >= sh.size()) break;
    size_t e = p;
    uint64_t v = 0;
    while (e < sh.size() && sh[e] >= '0' && sh[e] <= '9') {
      v = v * 10 + static_cast<uint64_t>(sh[e] - '0');
      if (v > (uint64_t{1} << 40)) throw FormatError(name + ": shape dimension too large");
      ++e;
    }
    if (e == p) throw FormatError(name + ": bad shape '(" + sh + ")'");
    if (t.shape.size() >= 16) throw FormatError(name + ": more than 16 dimensions");
    t.shape.push_back(static_cast<size_t>(v));
    p = e;
  }
  const size_t need = t.numel() * dtype_size(t.dtype);
  const size_t off = hoff + hlen;
  if (b.size() - off < need)
    throw FormatError(name + ": data truncated: needs " + std::to_string(need) + " bytes at byte " + std::to_string(off) + ", file has " + std::to_string(b.size() - off));
  t.data.assign(b.begin() + static_cast<std::ptrdiff_t>(off), b.begin() + static_cast<std::ptrdiff_t>(off + need));
  t.source_dtype = std::string(dtype_name(t.dtype));
  return t;
}

std::vector<uint8_t> write_npy(const Tensor& t) {
  t.validate();
  std::string h = "{'descr': '" + std::string(dtype_npy_descr(t.dtype)) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape.size(); ++i) h += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : (i + 1 < t.shape.size() ? ", " : ""));
  h += "), }";
  const size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  wr16(out, static_cast<uint16_t>(h.size()));
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

std::vector<Tensor> read_npz(std::span<const uint8_t> b, uint64_t max_elements) {
  // Decoded bytes allowed over all members: 4 per element (float32) plus headers.
  const uint64_t budget = max_elements > (uint64_t{1} << 40) ? (uint64_t{1} << 42) : 4 * max_elements + (uint64_t{1} << 20);
  uint64_t used = 0;
  std::vector<std::string> names;
  // End of central directory: the last "PK\5\6" within 64 KiB + 22 of the end.
  if (b.size() < 22) throw FormatError("npz: file of " + std::to_string(b.size()) + " bytes is too short for a zip archive");
  size_t eocd = std::string::npos;
  const size_t lo = b.size() > 65557 ? b.size() - 65557 : 0;
  for (size_t p = b.size() - 22 + 1; p-- > lo;)
    if (rd32(b, p) == 0x06054b50u) {
      eocd = p;
      break;
    }
  if (eocd == std::string::npos) throw FormatError("npz: no zip end-of-central-directory record (not a .npz?)");
  uint64_t count = rd16(b, eocd + 10);
  uint64_t cd_off = rd32(b, eocd + 16);
  if ((cd_off == 0xffffffffu || count == 0xffff) && eocd >= 20 && rd32(b, eocd - 20) == 0x07064b50u) {
    const uint64_t z64 = rd64(b, eocd - 20 + 8);
    if (z64 > b.size() - 56) throw FormatError("npz: zip64 end record offset out of range");
    if (rd32(b, z64) != 0x06064b50u) throw FormatError("npz: bad zip64 end record at byte " + std::to_string(z64));
    count = rd64(b, z64 + 32);
    cd_off = rd64(b, z64 + 48);
  }
  std::vector<Tensor> out;
  size_t p = cd_off;
  for (uint64_t k = 0; k < count; ++k) {
    if (p > b.size() || b.size() - p < 46 || rd32(b, p) != 0x02014b50u)
      throw FormatError("npz: bad central directory entry " + std::to_string(k) + " at byte " + std::to_string(p));
    const unsigned method = rd16(b, p + 10);
    const uint32_t crc = rd32(b, p + 16);
    uint64_t csize = rd32(b, p + 20), usize = rd32(b, p + 24);
    const size_t nlen = rd16(b, p + 28), xlen = rd16(b, p + 30), clen = rd16(b, p + 32);
    uint64_t loff = rd32(b, p + 42);
    if (b.size() - p - 46 < nlen + xlen + clen) throw FormatError("npz: central directory entry " + std::to_string(k) + " truncated");
    std::string fname(reinterpret_cast<const char*>(b.data() + p + 46), nlen);
    // zip64 extra field: present values replace the 0xffffffff ones, in order.
    size_t x = p + 46 + nlen;
    const size_t xend = x + xlen;
    while (x + 4 <= xend) {
      const unsigned id = rd16(b, x), sz = rd16(b, x + 2);
      if (x + 4 + sz > xend) break;
      if (id == 0x0001) {
        size_t q = x + 4;
        auto take = [&](uint64_t& f) {
          if (f == 0xffffffffu && q + 8 <= x + 4 + sz) {
            f = rd64(b, q);
            q += 8;
          }
        };
        take(usize);
        take(csize);
        take(loff);
      }
      x += 4 + sz;
    }
    p = xend + clen;
    if (loff > b.size() || b.size() - loff < 30 || rd32(b, loff) != 0x04034b50u)
      throw FormatError("npz: member '" + fname + "': bad local header at byte " + std::to_string(loff));
    const size_t data_off = loff + 30 + rd16(b, loff + 26) + rd16(b, loff + 28);
    if (data_off > b.size() || b.size() - data_off < csize)
      throw FormatError("npz: member '" + fname + "' truncated (needs " + std::to_string(csize) + " bytes at byte " + std::to_string(data_off) + ")");
    if (usize > budget - used)
      throw FormatError("npz: member '" + fname + "' declares " + std::to_string(usize) + " bytes; with the members before it that is above the limit of " +
                        std::to_string(budget) + " bytes (--max-elements " + std::to_string(max_elements) + ")");
    if (method == 0 && csize != usize) throw FormatError("npz: stored member '" + fname + "': compressed size " + std::to_string(csize) + " != size " + std::to_string(usize));
    used += usize;
    auto comp = b.subspan(data_off, csize);
    std::vector<uint8_t> raw;
    if (method == 0) {
      raw.assign(comp.begin(), comp.end());
    } else if (method == 8) {
      raw = inflate(comp, usize);
    } else {
      throw FormatError("npz: member '" + fname + "' uses zip method " + std::to_string(method) + " (only stored and deflate)");
    }
    if (raw.size() != usize) throw FormatError("npz: member '" + fname + "' inflated to " + std::to_string(raw.size()) + " bytes, expected " + std::to_string(usize));
    if (crc32(raw) != crc) throw FormatError("npz: member '" + fname + "' CRC mismatch");
    std::string tname = fname;
    if (tname.size() > 4 && tname.substr(tname.size() - 4) == ".npy") tname.resize(tname.size() - 4);
    check_tensor_name(tname, "npz: member '" + fname + "'");
    for (const auto& n : names)
      if (n == tname) throw FormatError("npz: two members named '" + fname + "'");
    names.push_back(tname);
    out.push_back(read_npy(raw, tname));
  }
  if (out.empty()) throw FormatError("npz: the archive holds no arrays");
  return out;
}

std::vector<uint8_t> write_npz(std::span<const Tensor> tensors, bool compress) {
  std::vector<uint8_t> out, cd;
  std::vector<std::string> names;
  for (const auto& t : tensors) {
    check_tensor_name(t.name, "npz writer: tensor");
    for (const auto& n : names)
      if (n == t.name) throw FormatError("npz writer: two tensors named '" + t.name + "'");
    names.push_back(t.name);
    const std::vector<uint8_t> raw = write_npy(t);
    const std::vector<uint8_t> body = compress ? deflate_raw(raw) : raw;
    if (body.size() >= 0xffffffffu || out.size() >= 0xffffffffu) throw UsageError("npz writer: members over 4 GiB need zip64 (not supported)");
    const std::string fname = t.name + ".npy";
    const uint32_t crc = crc32(raw);
    if (raw.size() >= 0xffffffffu) throw UsageError("npz writer: members over 4 GiB need zip64 (not supported)");
    const uint32_t loff = static_cast<uint32_t>(out.size());
    auto header = [&](std::vector<uint8_t>& v, bool central) {
      wr32(v, central ? 0x02014b50u : 0x04034b50u);
      if (central) wr16(v, 20);  // version made by
      wr16(v, 20);               // version needed
      wr16(v, 0);                // flags
      wr16(v, compress ? 8 : 0);  // deflate or stored
      wr16(v, 0);                // time
      wr16(v, 0x21);             // date 1980-01-01
      wr32(v, crc);
      wr32(v, static_cast<uint32_t>(body.size()));
      wr32(v, static_cast<uint32_t>(raw.size()));
      wr16(v, static_cast<uint16_t>(fname.size()));
      wr16(v, 0);  // extra
      if (central) {
        wr16(v, 0);  // comment
        wr16(v, 0);  // disk
        wr16(v, 0);  // internal attrs
        wr32(v, 0);  // external attrs
        wr32(v, loff);
      }
      v.insert(v.end(), fname.begin(), fname.end());
    };
    header(out, false);
    out.insert(out.end(), body.begin(), body.end());
    header(cd, true);
  }
  const uint32_t cd_off = static_cast<uint32_t>(out.size());
  out.insert(out.end(), cd.begin(), cd.end());
  wr32(out, 0x06054b50u);
  wr16(out, 0);
  wr16(out, 0);
  wr16(out, static_cast<uint16_t>(tensors.size()));
  wr16(out, static_cast<uint16_t>(tensors.size()));
  wr32(out, static_cast<uint32_t>(cd.size()));
  wr32(out, cd_off);
  wr16(out, 0);
  return out;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(st)) throw IoError("'" + path + "' is a folder, not a file");
  if (!std::filesystem::exists(st)) throw IoError("cannot open '" + path + "' for reading: no such file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw IoError("cannot open '" + path + "' for reading: " + std::strerror(errno));
  std::vector<uint8_t> v;
  if (std::filesystem::is_regular_file(st)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) v.reserve(size);
  }
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) v.insert(v.end(), buf, buf + n);
  const bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) throw IoError("error reading '" + path + "'");
  return v;
}

void write_file(const std::string& path, std::span<const uint8_t> bytes) { write_file_atomic(path, bytes); }

}  // namespace squish::io
