// Sparse encodings: encode, validate/decode, serialize/deserialize, overheads.
// The bitstream layout is specified in docs/format.md ("Sparse payloads").
#include "squish/sparse/sparse.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "squish/error.hpp"
#include "squish/sparse/bits.hpp"

namespace squish::sparse {

namespace {

constexpr std::array<Format, 8> kFormats = {Format::Dense, Format::Coo,    Format::Coo1d, Format::Rlc,
                                            Format::Bitmap, Format::Csr,   Format::Csc,   Format::Nm};
constexpr uint64_t kMaxElementsAbs = uint64_t{1} << 31;

std::string where(Format f) { return std::string("sparse ") + std::string(to_string(f)) + ": "; }

// Returns an empty string if shape/params are acceptable for f, else the reason.
std::string params_problem(Format f, std::span<const uint32_t> shape, const Params& p) {
  if (static_cast<unsigned>(f) > 7) return "unknown format id " + std::to_string(static_cast<unsigned>(f));
  if (shape.empty() || shape.size() > kMaxDims)
    return "tensor has " + std::to_string(shape.size()) + " dims (1..8 supported)";
  uint64_t n = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) return "dim " + std::to_string(i) + " is 0 (empty tensors are not encoded)";
    n *= shape[i];
    if (n > kMaxElementsAbs) return "tensor has more than 2^31 elements";
  }
  if (p.value_bits < 1 || p.value_bits > 16) return "value_bits " + std::to_string(p.value_bits) + " out of 1..16";
  if (f == Format::Rlc && (p.rlc_run_bits < 1 || p.rlc_run_bits > 16))
    return "RLC run bits " + std::to_string(p.rlc_run_bits) + " out of 1..16";
  if (f == Format::Nm && !(p.nm_n >= 1 && p.nm_n <= p.nm_m && p.nm_m <= 16))
    return "N:M " + std::to_string(p.nm_n) + ":" + std::to_string(p.nm_m) + " needs 1 <= N <= M <= 16";
  if ((f == Format::Csr || f == Format::Csc) && shape.size() != 2)
    return std::string(to_string(f)) + " needs a 2-D tensor, got " + std::to_string(shape.size()) + " dims";
  return {};
}

bool value_fits(int64_t v, const Params& p) {
  if (p.value_signed) {
    const int64_t lo = -(int64_t{1} << (p.value_bits - 1));
    const int64_t hi = (int64_t{1} << (p.value_bits - 1)) - 1;
    return v >= lo && v <= hi;
  }
  return v >= 0 && v < (int64_t{1} << p.value_bits);
}

uint32_t value_field(int32_t v, const Params& p) {
  return static_cast<uint32_t>(v) & ((p.value_bits >= 32) ? ~0u : ((1u << p.value_bits) - 1));
}

int32_t field_value(uint32_t f, const Params& p) {
  if (p.value_signed && ((f >> (p.value_bits - 1)) & 1u)) return static_cast<int32_t>(f) - (int32_t{1} << p.value_bits);
  return static_cast<int32_t>(f);
}

uint64_t product(std::span<const uint32_t> shape) {
  uint64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// Filler positions of an N:M group: the smallest positions without a nonzero.
std::vector<uint32_t> nm_slots(std::span<const uint32_t> nz_pos, unsigned group_size, unsigned slots) {
  std::vector<uint32_t> pos(nz_pos.begin(), nz_pos.end());
  for (uint32_t q = 0; q < group_size && pos.size() < slots; ++q)
    if (std::find(nz_pos.begin(), nz_pos.end(), q) == nz_pos.end()) pos.push_back(q);
  std::sort(pos.begin(), pos.end());
  return pos;
}

uint64_t nm_slot_count(const Matrix2d& m, const Params& p) {
  const uint64_t full = m.cols / p.nm_m, rest = m.cols % p.nm_m;
  return m.rows * (full * p.nm_n + std::min<uint64_t>(rest, p.nm_n));
}

}  // namespace

std::string_view to_string(Format f) {
  switch (f) {
    case Format::Dense: return "dense";
    case Format::Coo: return "coo";
    case Format::Coo1d: return "coo1d";
    case Format::Rlc: return "rlc";
    case Format::Bitmap: return "bitmap";
    case Format::Csr: return "csr";
    case Format::Csc: return "csc";
    case Format::Nm: return "nm";
  }
  return "unknown";
}

Format format_from_string(std::string_view name) {
  for (auto f : kFormats)
    if (to_string(f) == name) return f;
  throw UsageError("unknown sparse format '" + std::string(name) + "' (dense, coo, coo1d, rlc, bitmap, csr, csc, nm)");
}

std::span<const Format> all_formats() { return kFormats; }

Matrix2d as_matrix(std::span<const uint32_t> shape) {
  if (shape.empty()) return {0, 0};
  const uint64_t cols = shape.back();
  return {product(shape.first(shape.size() - 1)), cols};
}

void check_params(Format f, std::span<const uint32_t> shape, const Params& p) {
  if (auto s = params_problem(f, shape, p); !s.empty()) throw UsageError(where(f) + s);
}

uint64_t Encoding::elements() const { return product(shape); }

uint64_t Encoding::nnz() const {
  return static_cast<uint64_t>(std::count_if(values.begin(), values.end(), [](int32_t v) { return v != 0; }));
}

namespace {
uint64_t overhead_for(Format format, std::span<const uint32_t> shape, const Params& params, uint64_t n) {
  switch (format) {
    case Format::Dense: return 0;
    case Format::Coo: {
      uint64_t per = 0;
      for (auto d : shape) per += ceil_log2(d);
      return n * per;
    }
    case Format::Coo1d: return n * ceil_log2(product(shape));
    case Format::Rlc: return n * params.rlc_run_bits;
    case Format::Bitmap: return product(shape);
    case Format::Csr: return n * ceil_log2(shape[1]) + (uint64_t{shape[0]} + 1) * bit_width_of(n);
    case Format::Csc: return n * ceil_log2(shape[0]) + (uint64_t{shape[1]} + 1) * bit_width_of(n);
    case Format::Nm: return n * ceil_log2(params.nm_m);
  }
  return 0;
}
}  // namespace

uint64_t Encoding::overhead_bits() const {
  if ((format == Format::Csr || format == Format::Csc) && shape.size() < 2) (void)shape.at(1);  // throws like before
  return overhead_for(format, shape, params, entries());
}

uint64_t body_bits(Format f, std::span<const uint32_t> shape, const Params& p, uint64_t entries) {
  if ((f == Format::Csr || f == Format::Csc) && shape.size() != 2) throw UsageError(where(f) + "needs a 2-D shape");
  return overhead_for(f, shape, p, entries) + entries * p.value_bits;
}

uint64_t Encoding::serialized_bytes() const {
  const uint64_t body = overhead_bits() + value_bits_total();
  return 4 * (kHeaderFixedWords + shape.size()) + 4 * ((body + 31) / 32);
}

bool fits_nm(std::span<const int32_t> codes, std::span<const uint32_t> shape, unsigned n, unsigned m) {
  if (m == 0 || codes.size() != product(shape)) return false;
  const auto mat = as_matrix(shape);
  for (uint64_t r = 0; r < mat.rows; ++r)
    for (uint64_t g = 0; g < mat.cols; g += m) {
      unsigned cnt = 0;
      for (uint64_t c = g; c < std::min<uint64_t>(g + m, mat.cols); ++c) cnt += codes[r * mat.cols + c] != 0;
      if (cnt > n) return false;
    }
  return true;
}

Encoding encode(Format f, std::span<const int32_t> codes, std::span<const uint32_t> shape, const Params& p) {
  check_params(f, shape, p);
  const uint64_t n = product(shape);
  if (codes.size() != n)
    throw UsageError(where(f) + std::to_string(codes.size()) + " codes for a shape of " + std::to_string(n) + " elements");
  for (uint64_t i = 0; i < n; ++i)
    if (!value_fits(codes[i], p))
      throw UsageError(where(f) + "code " + std::to_string(codes[i]) + " at element " + std::to_string(i) +
                       " does not fit " + std::to_string(p.value_bits) + "-bit " + (p.value_signed ? "signed" : "unsigned"));
  Encoding e;
  e.format = f;
  e.shape.assign(shape.begin(), shape.end());
  e.params = p;
  // Parameters a format does not use keep their defaults, so that equal
  // tensors give equal Encodings (and deserialize(serialize(e)) == e).
  if (f != Format::Rlc) e.params.rlc_run_bits = Params{}.rlc_run_bits;
  if (f != Format::Nm) {
    e.params.nm_n = Params{}.nm_n;
    e.params.nm_m = Params{}.nm_m;
  }
  const auto mat = as_matrix(shape);
  switch (f) {
    case Format::Dense: e.values.assign(codes.begin(), codes.end()); break;
    case Format::Coo:
      for (uint64_t i = 0; i < n; ++i) {
        if (codes[i] == 0) continue;
        const size_t base = e.index.size();
        e.index.resize(base + shape.size());
        uint64_t rem = i;
        for (size_t d = shape.size(); d-- > 0;) {
          e.index[base + d] = static_cast<uint32_t>(rem % shape[d]);
          rem /= shape[d];
        }
        e.values.push_back(codes[i]);
      }
      break;
    case Format::Coo1d:
      for (uint64_t i = 0; i < n; ++i)
        if (codes[i] != 0) {
          e.index.push_back(static_cast<uint32_t>(i));
          e.values.push_back(codes[i]);
        }
      break;
    case Format::Rlc: {
      const uint64_t max_run = (uint64_t{1} << p.rlc_run_bits) - 1;
      uint64_t run = 0;
      for (uint64_t i = 0; i < n; ++i) {
        if (codes[i] == 0) {
          ++run;
          continue;
        }
        while (run > max_run) {  // padding entry: max_run zeros, then a stored zero
          e.index.push_back(static_cast<uint32_t>(max_run));
          e.values.push_back(0);
          run -= max_run + 1;
        }
        e.index.push_back(static_cast<uint32_t>(run));
        e.values.push_back(codes[i]);
        run = 0;
      }
      break;
    }
    case Format::Bitmap:
      e.mask.resize(n);
      for (uint64_t i = 0; i < n; ++i) {
        e.mask[i] = codes[i] != 0;
        if (codes[i] != 0) e.values.push_back(codes[i]);
      }
      break;
    case Format::Csr:
    case Format::Csc: {
      const bool csr = f == Format::Csr;
      const uint64_t outer = csr ? shape[0] : shape[1], inner = csr ? shape[1] : shape[0];
      e.ptr.push_back(0);
      for (uint64_t o = 0; o < outer; ++o) {
        for (uint64_t k = 0; k < inner; ++k) {
          const int32_t v = csr ? codes[o * shape[1] + k] : codes[k * shape[1] + o];
          if (v == 0) continue;
          e.index.push_back(static_cast<uint32_t>(k));
          e.values.push_back(v);
        }
        e.ptr.push_back(static_cast<uint32_t>(e.values.size()));
      }
      break;
    }
    case Format::Nm:
      for (uint64_t r = 0; r < mat.rows; ++r)
        for (uint64_t g = 0; g < mat.cols; g += p.nm_m) {
          const unsigned gs = static_cast<unsigned>(std::min<uint64_t>(p.nm_m, mat.cols - g));
          std::vector<uint32_t> nz;
          for (unsigned q = 0; q < gs; ++q)
            if (codes[r * mat.cols + g + q] != 0) nz.push_back(q);
          if (nz.size() > p.nm_n)
            throw UsageError(where(f) + "row " + std::to_string(r) + ", columns " + std::to_string(g) + ".." +
                             std::to_string(g + gs - 1) + " hold " + std::to_string(nz.size()) + " nonzeros, more than N=" +
                             std::to_string(p.nm_n) + " (prune to " + std::to_string(p.nm_n) + ":" +
                             std::to_string(p.nm_m) + " first)");
          for (uint32_t q : nm_slots(nz, gs, std::min(p.nm_n, gs))) {
            e.index.push_back(q);
            e.values.push_back(codes[r * mat.cols + g + q]);
          }
        }
      break;
  }
  return e;
}

void validate(const Encoding& e, uint64_t max_elements) {
  const Format f = e.format;
  if (auto s = params_problem(f, e.shape, e.params); !s.empty()) throw FormatError(where(f) + s);
  const uint64_t n = e.elements();
  if (n > max_elements)
    throw FormatError(where(f) + "tensor of " + std::to_string(n) + " elements exceeds the limit of " +
                      std::to_string(max_elements));
  const Params& p = e.params;
  const uint64_t cnt = e.entries();
  auto bad = [&](uint64_t i, const std::string& what) {
    return FormatError(where(f) + "entry " + std::to_string(i) + ": " + what);
  };
  for (uint64_t i = 0; i < cnt; ++i)
    if (!value_fits(e.values[i], p)) throw bad(i, "value " + std::to_string(e.values[i]) + " out of range");
  auto need_index = [&](uint64_t size) {
    if (e.index.size() != size)
      throw FormatError(where(f) + "index array has " + std::to_string(e.index.size()) + " entries, expected " +
                        std::to_string(size));
  };
  auto nonzero = [&](uint64_t i) {
    if (e.values[i] == 0) throw bad(i, "stored value is 0 (zeros are not stored in this format)");
  };
  const auto mat = as_matrix(e.shape);
  switch (f) {
    case Format::Dense:
      if (cnt != n) throw FormatError(where(f) + std::to_string(cnt) + " values for " + std::to_string(n) + " elements");
      need_index(0);
      break;
    case Format::Coo: {
      const size_t nd = e.shape.size();
      need_index(cnt * nd);
      uint64_t prev = 0;
      for (uint64_t i = 0; i < cnt; ++i) {
        nonzero(i);
        uint64_t flat = 0;
        for (size_t d = 0; d < nd; ++d) {
          const uint32_t c = e.index[i * nd + d];
          if (c >= e.shape[d])
            throw bad(i, "coordinate " + std::to_string(c) + " of dim " + std::to_string(d) + " >= " + std::to_string(e.shape[d]));
          flat = flat * e.shape[d] + c;
        }
        if (i > 0 && flat <= prev) throw bad(i, "coordinates not in strictly increasing C order");
        prev = flat;
      }
      break;
    }
    case Format::Coo1d:
      need_index(cnt);
      for (uint64_t i = 0; i < cnt; ++i) {
        nonzero(i);
        if (e.index[i] >= n) throw bad(i, "flat index " + std::to_string(e.index[i]) + " >= " + std::to_string(n));
        if (i > 0 && e.index[i] <= e.index[i - 1]) throw bad(i, "flat indices not strictly increasing");
      }
      break;
    case Format::Rlc: {
      need_index(cnt);
      const uint64_t max_run = (uint64_t{1} << p.rlc_run_bits) - 1;
      uint64_t pos = 0;
      for (uint64_t i = 0; i < cnt; ++i) {
        if (e.index[i] > max_run) throw bad(i, "run " + std::to_string(e.index[i]) + " exceeds " + std::to_string(max_run));
        if (e.values[i] == 0) {
          if (e.index[i] != max_run) throw bad(i, "padding zero with a run shorter than the maximum " + std::to_string(max_run));
          if (i + 1 == cnt) throw bad(i, "padding zero at the end (trailing zeros are implicit)");
        }
        pos += e.index[i];
        if (pos >= n) throw bad(i, "run reaches position " + std::to_string(pos) + ", beyond the " + std::to_string(n) + " elements");
        ++pos;
      }
      break;
    }
    case Format::Bitmap: {
      need_index(0);
      if (e.mask.size() != n)
        throw FormatError(where(f) + "mask has " + std::to_string(e.mask.size()) + " bits for " + std::to_string(n) + " elements");
      uint64_t ones = 0;
      for (uint64_t i = 0; i < n; ++i) {
        if (e.mask[i] > 1) throw FormatError(where(f) + "mask element " + std::to_string(i) + " is not 0/1");
        ones += e.mask[i];
      }
      if (ones != cnt)
        throw FormatError(where(f) + "mask has " + std::to_string(ones) + " ones but " + std::to_string(cnt) + " values");
      for (uint64_t i = 0; i < cnt; ++i) nonzero(i);
      break;
    }
    case Format::Csr:
    case Format::Csc: {
      const bool csr = f == Format::Csr;
      const uint64_t outer = csr ? e.shape[0] : e.shape[1], inner = csr ? e.shape[1] : e.shape[0];
      need_index(cnt);
      if (e.ptr.size() != outer + 1)
        throw FormatError(where(f) + "indptr has " + std::to_string(e.ptr.size()) + " entries, expected " + std::to_string(outer + 1));
      if (e.ptr[0] != 0) throw FormatError(where(f) + "indptr[0] is " + std::to_string(e.ptr[0]) + ", not 0");
      if (e.ptr[outer] != cnt)
        throw FormatError(where(f) + "indptr[last] is " + std::to_string(e.ptr[outer]) + ", not the entry count " + std::to_string(cnt));
      for (uint64_t o = 0; o < outer; ++o) {
        if (e.ptr[o + 1] < e.ptr[o])
          throw FormatError(where(f) + "indptr decreases at " + std::to_string(o + 1));
        for (uint64_t i = e.ptr[o]; i < e.ptr[o + 1]; ++i) {
          nonzero(i);
          if (e.index[i] >= inner) throw bad(i, "index " + std::to_string(e.index[i]) + " >= " + std::to_string(inner));
          if (i > e.ptr[o] && e.index[i] <= e.index[i - 1]) throw bad(i, "indices of a row/column not strictly increasing");
        }
      }
      break;
    }
    case Format::Nm: {
      need_index(cnt);
      if (cnt != nm_slot_count(mat, p))
        throw FormatError(where(f) + std::to_string(cnt) + " slots, the shape needs " + std::to_string(nm_slot_count(mat, p)));
      uint64_t i = 0;
      for (uint64_t r = 0; r < mat.rows; ++r)
        for (uint64_t g = 0; g < mat.cols; g += p.nm_m) {
          const unsigned gs = static_cast<unsigned>(std::min<uint64_t>(p.nm_m, mat.cols - g));
          const unsigned slots = std::min(p.nm_n, gs);
          std::vector<uint32_t> nz, all;
          for (unsigned s = 0; s < slots; ++s, ++i) {
            if (e.index[i] >= gs) throw bad(i, "position " + std::to_string(e.index[i]) + " >= group size " + std::to_string(gs));
            if (s > 0 && e.index[i] <= e.index[i - 1]) throw bad(i, "positions in a group not strictly increasing");
            all.push_back(e.index[i]);
            if (e.values[i] != 0) nz.push_back(e.index[i]);
          }
          if (nm_slots(nz, gs, slots) != all) throw bad(i - 1, "filler slots are not the lowest free positions");
        }
      break;
    }
  }
}

std::vector<int32_t> decode(const Encoding& e, uint64_t max_elements) {
  validate(e, max_elements);
  const uint64_t n = e.elements();
  std::vector<int32_t> out(n, 0);
  const uint64_t cnt = e.entries();
  switch (e.format) {
    case Format::Dense: out = e.values; break;
    case Format::Coo: {
      const size_t nd = e.shape.size();
      for (uint64_t i = 0; i < cnt; ++i) {
        uint64_t flat = 0;
        for (size_t d = 0; d < nd; ++d) flat = flat * e.shape[d] + e.index[i * nd + d];
        out[flat] = e.values[i];
      }
      break;
    }
    case Format::Coo1d:
      for (uint64_t i = 0; i < cnt; ++i) out[e.index[i]] = e.values[i];
      break;
    case Format::Rlc: {
      uint64_t pos = 0;
      for (uint64_t i = 0; i < cnt; ++i) {
        pos += e.index[i];
        out[pos++] = e.values[i];
      }
      break;
    }
    case Format::Bitmap: {
      uint64_t k = 0;
      for (uint64_t i = 0; i < n; ++i)
        if (e.mask[i]) out[i] = e.values[k++];
      break;
    }
    case Format::Csr:
    case Format::Csc: {
      const bool csr = e.format == Format::Csr;
      const uint64_t outer = csr ? e.shape[0] : e.shape[1];
      for (uint64_t o = 0; o < outer; ++o)
        for (uint64_t i = e.ptr[o]; i < e.ptr[o + 1]; ++i)
          out[csr ? o * e.shape[1] + e.index[i] : uint64_t{e.index[i]} * e.shape[1] + o] = e.values[i];
      break;
    }
    case Format::Nm: {
      const auto mat = as_matrix(e.shape);
      uint64_t i = 0;
      for (uint64_t r = 0; r < mat.rows; ++r)
        for (uint64_t g = 0; g < mat.cols; g += e.params.nm_m) {
          const unsigned gs = static_cast<unsigned>(std::min<uint64_t>(e.params.nm_m, mat.cols - g));
          for (unsigned s = 0; s < std::min(e.params.nm_n, gs); ++s, ++i) out[r * mat.cols + g + e.index[i]] = e.values[i];
        }
      break;
    }
  }
  return out;
}

// ---- bitstream -------------------------------------------------------------

namespace {

uint32_t header_word0(const Encoding& e) {
  uint32_t a = 0, b = 0;
  if (e.format == Format::Rlc) a = e.params.rlc_run_bits;
  if (e.format == Format::Nm) {
    a = e.params.nm_n;
    b = e.params.nm_m;
  }
  return static_cast<uint32_t>(e.format) | e.params.value_bits << 4 | uint32_t{e.params.value_signed} << 9 |
         static_cast<uint32_t>(e.shape.size()) << 11 | a << 15 | b << 20 | kMagic << 25;
}

}  // namespace

std::vector<uint8_t> serialize(const Encoding& e) {
  validate(e, kMaxElementsAbs);
  std::vector<uint8_t> out;
  BitWriter w(out);
  w.put(header_word0(e), 32);
  w.put(static_cast<uint32_t>(e.entries()), 32);
  for (auto d : e.shape) w.put(d, 32);
  const Params& p = e.params;
  const unsigned vb = p.value_bits;
  auto val = [&](uint64_t i) { w.put(value_field(e.values[i], p), vb); };
  const uint64_t cnt = e.entries();
  switch (e.format) {
    case Format::Dense:
      for (uint64_t i = 0; i < cnt; ++i) val(i);
      break;
    case Format::Coo: {
      const size_t nd = e.shape.size();
      for (uint64_t i = 0; i < cnt; ++i) {
        for (size_t d = 0; d < nd; ++d) w.put(e.index[i * nd + d], ceil_log2(e.shape[d]));
        val(i);
      }
      break;
    }
    case Format::Coo1d:
    case Format::Rlc:
    case Format::Nm: {
      const unsigned ib = e.format == Format::Coo1d ? ceil_log2(e.elements())
                          : e.format == Format::Rlc ? p.rlc_run_bits
                                                    : ceil_log2(p.nm_m);
      for (uint64_t i = 0; i < cnt; ++i) {
        w.put(e.index[i], ib);
        val(i);
      }
      break;
    }
    case Format::Bitmap: {
      const auto mat = as_matrix(e.shape);
      uint64_t k = 0;
      for (uint64_t r = 0; r < mat.rows; ++r)
        for (uint64_t c0 = 0; c0 < mat.cols; c0 += kBitmapChunk) {
          const uint64_t c1 = std::min<uint64_t>(c0 + kBitmapChunk, mat.cols);
          for (uint64_t c = c0; c < c1; ++c) w.put(e.mask[r * mat.cols + c], 1);
          for (uint64_t c = c0; c < c1; ++c)
            if (e.mask[r * mat.cols + c]) val(k++);
        }
      break;
    }
    case Format::Csr:
    case Format::Csc: {
      const bool csr = e.format == Format::Csr;
      const uint64_t outer = csr ? e.shape[0] : e.shape[1], inner = csr ? e.shape[1] : e.shape[0];
      const unsigned pb = bit_width_of(cnt), ib = ceil_log2(inner);
      w.put(e.ptr[0], pb);
      for (uint64_t o = 0; o < outer; ++o) {
        w.put(e.ptr[o + 1], pb);
        for (uint64_t i = e.ptr[o]; i < e.ptr[o + 1]; ++i) {
          w.put(e.index[i], ib);
          val(i);
        }
      }
      break;
    }
  }
  w.align(32);
  return out;
}

Encoding deserialize(std::span<const uint8_t> bytes, uint64_t max_elements) {
  auto fail = [](const std::string& m) { return FormatError("sparse payload: " + m); };
  if (bytes.size() % 4 != 0) throw fail("size " + std::to_string(bytes.size()) + " bytes is not a multiple of 4");
  if (bytes.size() < 4 * kHeaderFixedWords) throw fail("truncated header (" + std::to_string(bytes.size()) + " bytes)");
  BitReader r(bytes);
  const uint32_t w0 = r.get(32, "header word 0");
  if ((w0 >> 25) != kMagic) throw fail("bad magic 0x" + std::to_string(w0 >> 25) + " in header word 0 (byte 0)");
  const unsigned fid = w0 & 0xf;
  if (fid > 7) throw fail("unknown format id " + std::to_string(fid) + " (byte 0)");
  Encoding e;
  e.format = static_cast<Format>(fid);
  Params& p = e.params;
  p.value_bits = (w0 >> 4) & 0x1f;
  p.value_signed = (w0 >> 9) & 1u;
  if ((w0 >> 10) & 1u) throw fail("reserved header bit 10 is set (byte 1)");
  const unsigned nd = (w0 >> 11) & 0xf;
  const unsigned a = (w0 >> 15) & 0x1f, b = (w0 >> 20) & 0x1f;
  if (e.format == Format::Rlc) p.rlc_run_bits = a;
  if (e.format == Format::Nm) {
    p.nm_n = a;
    p.nm_m = b;
  }
  if ((e.format != Format::Rlc && e.format != Format::Nm && a != 0) || (e.format != Format::Nm && b != 0))
    throw fail("format parameter fields set for format " + std::string(to_string(e.format)) + " (byte 1..3)");
  if (nd < 1 || nd > kMaxDims) throw fail("dims count " + std::to_string(nd) + " out of 1..8 (byte 1)");
  const uint32_t cnt = r.get(32, "entry count");
  if (bytes.size() < 4 * (kHeaderFixedWords + nd)) throw fail("truncated header: " + std::to_string(nd) + " dims need " +
                                                              std::to_string(4 * (kHeaderFixedWords + nd)) + " bytes");
  for (unsigned d = 0; d < nd; ++d) e.shape.push_back(r.get(32, "dim"));
  if (auto s = params_problem(e.format, e.shape, p); !s.empty()) throw fail(s + " (header)");
  const uint64_t n = e.elements();
  if (n > max_elements) throw fail("tensor of " + std::to_string(n) + " elements exceeds the limit " + std::to_string(max_elements));
  // Every entry takes at least value_bits; refuse counts the body cannot hold
  // before allocating anything.
  if (uint64_t{cnt} * p.value_bits > r.bits_left())
    throw fail(std::to_string(cnt) + " entries of at least " + std::to_string(p.value_bits) + " bits do not fit the " +
               std::to_string(r.bits_left()) + "-bit body (truncated?)");
  if (e.format != Format::Rlc && cnt > n)
    throw fail(std::to_string(cnt) + " entries for " + std::to_string(n) + " elements");
  const unsigned vb = p.value_bits;
  auto val = [&]() { e.values.push_back(field_value(r.get(vb, "value"), p)); };
  e.values.reserve(cnt);
  switch (e.format) {
    case Format::Dense:
      if (cnt != n) throw fail("dense payload with " + std::to_string(cnt) + " entries for " + std::to_string(n) + " elements");
      for (uint64_t i = 0; i < cnt; ++i) val();
      break;
    case Format::Coo:
      for (uint64_t i = 0; i < cnt; ++i) {
        for (unsigned d = 0; d < nd; ++d) e.index.push_back(r.get(ceil_log2(e.shape[d]), "COO coordinate"));
        val();
      }
      break;
    case Format::Coo1d:
    case Format::Rlc:
    case Format::Nm: {
      const unsigned ib = e.format == Format::Coo1d ? ceil_log2(n) : e.format == Format::Rlc ? p.rlc_run_bits : ceil_log2(p.nm_m);
      for (uint64_t i = 0; i < cnt; ++i) {
        e.index.push_back(r.get(ib, "index"));
        val();
      }
      break;
    }
    case Format::Bitmap: {
      const auto mat = as_matrix(e.shape);
      if (n > r.bits_left()) throw fail("bitmap of " + std::to_string(n) + " bits does not fit the body (truncated?)");
      e.mask.resize(n);
      uint64_t k = 0;
      for (uint64_t row = 0; row < mat.rows; ++row)
        for (uint64_t c0 = 0; c0 < mat.cols; c0 += kBitmapChunk) {
          const uint64_t c1 = std::min<uint64_t>(c0 + kBitmapChunk, mat.cols);
          for (uint64_t c = c0; c < c1; ++c) e.mask[row * mat.cols + c] = static_cast<uint8_t>(r.get(1, "bitmap mask"));
          for (uint64_t c = c0; c < c1; ++c)
            if (e.mask[row * mat.cols + c]) {
              if (++k > cnt) throw fail("bitmap has more ones than the " + std::to_string(cnt) + " entries in the header");
              val();
            }
        }
      break;
    }
    case Format::Csr:
    case Format::Csc: {
      const bool csr = e.format == Format::Csr;
      const uint64_t outer = csr ? e.shape[0] : e.shape[1], inner = csr ? e.shape[1] : e.shape[0];
      const unsigned pb = bit_width_of(cnt), ib = ceil_log2(inner);
      e.ptr.push_back(r.get(pb, "indptr"));
      if (e.ptr[0] != 0) throw fail("indptr[0] is " + std::to_string(e.ptr[0]) + ", not 0");
      for (uint64_t o = 0; o < outer; ++o) {
        const uint32_t next = r.get(pb, "indptr");
        if (next < e.ptr.back() || next > cnt)
          throw fail("indptr[" + std::to_string(o + 1) + "] = " + std::to_string(next) + " out of order or beyond " +
                     std::to_string(cnt) + " (bit offset " + std::to_string(r.bit_position()) + ")");
        for (uint64_t i = e.ptr.back(); i < next; ++i) {
          e.index.push_back(r.get(ib, "index"));
          val();
        }
        e.ptr.push_back(next);
      }
      break;
    }
  }
  if (e.values.size() != cnt)
    throw fail("body holds " + std::to_string(e.values.size()) + " entries, header says " + std::to_string(cnt));
  if (r.bits_left() >= 32)
    throw fail(std::to_string(r.bits_left() / 32) + " extra words after the body (byte " + std::to_string((r.bit_position() + 31) / 32 * 4) + ")");
  while (r.bits_left() > 0)
    if (r.get(1, "padding") != 0) throw fail("nonzero padding bit at bit offset " + std::to_string(r.bit_position() - 1));
  validate(e, max_elements);
  return e;
}

Header read_header(std::span<const uint8_t> bytes, uint64_t max_elements) {
  auto fail = [](const std::string& m) { return FormatError("sparse payload header: " + m); };
  if (bytes.size() < 4 * kHeaderFixedWords) throw fail("truncated (" + std::to_string(bytes.size()) + " bytes)");
  BitReader r(bytes);
  const uint32_t w0 = r.get(32, "header word 0");
  if ((w0 >> 25) != kMagic) throw fail("bad magic in header word 0 (byte 0)");
  const unsigned fid = w0 & 0xf;
  if (fid > 7) throw fail("unknown format id " + std::to_string(fid) + " (byte 0)");
  Header h;
  h.format = static_cast<Format>(fid);
  Params& p = h.params;
  p.value_bits = (w0 >> 4) & 0x1f;
  p.value_signed = (w0 >> 9) & 1u;
  if ((w0 >> 10) & 1u) throw fail("reserved header bit 10 is set (byte 1)");
  const unsigned nd = (w0 >> 11) & 0xf;
  const unsigned a = (w0 >> 15) & 0x1f, b = (w0 >> 20) & 0x1f;
  if (h.format == Format::Rlc) p.rlc_run_bits = a;
  if (h.format == Format::Nm) {
    p.nm_n = a;
    p.nm_m = b;
  }
  if ((h.format != Format::Rlc && h.format != Format::Nm && a != 0) || (h.format != Format::Nm && b != 0))
    throw fail("format parameter fields set for format " + std::string(to_string(h.format)) + " (byte 1..3)");
  if (nd < 1 || nd > kMaxDims) throw fail("dims count " + std::to_string(nd) + " out of 1..8 (byte 1)");
  h.entries = r.get(32, "entry count");
  if (bytes.size() < 4 * (kHeaderFixedWords + nd)) throw fail("truncated: " + std::to_string(nd) + " dims need " +
                                                              std::to_string(4 * (kHeaderFixedWords + nd)) + " bytes");
  for (unsigned d = 0; d < nd; ++d) h.shape.push_back(r.get(32, "dim"));
  if (auto s = params_problem(h.format, h.shape, p); !s.empty()) throw fail(s);
  const uint64_t n = product(h.shape);
  if (n > max_elements) throw fail("tensor of " + std::to_string(n) + " elements exceeds the limit " + std::to_string(max_elements));
  if (h.format != Format::Rlc && h.entries > n) throw fail(std::to_string(h.entries) + " entries for " + std::to_string(n) + " elements");
  if (h.format == Format::Dense && h.entries != n) throw fail("dense payload with " + std::to_string(h.entries) + " entries for " + std::to_string(n) + " elements");
  // RLC: every entry covers at least one position.
  if (h.format == Format::Rlc && h.entries > n) throw fail(std::to_string(h.entries) + " RLC entries for " + std::to_string(n) + " elements");
  h.header_bytes = 4 * (kHeaderFixedWords + nd);
  h.body_bytes = 4 * ((body_bits(h.format, h.shape, p, h.entries) + 31) / 32);
  return h;
}

Choice choose_auto(std::span<const int32_t> codes, std::span<const uint32_t> shape, const Params& p) {
  Choice best{Format::Dense, std::numeric_limits<uint64_t>::max()};
  for (auto f : kFormats) {
    if ((f == Format::Csr || f == Format::Csc) && shape.size() != 2) continue;
    if (f == Format::Nm && !fits_nm(codes, shape, p.nm_n, p.nm_m)) continue;
    const uint64_t bytes = encode(f, codes, shape, p).serialized_bytes();
    if (bytes < best.bytes) best = {f, bytes};
  }
  return best;
}

}  // namespace squish::sparse
