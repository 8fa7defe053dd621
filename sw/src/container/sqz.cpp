#include "squish/container/sqz.hpp"

#include <cmath>
#include <cstring>
#include <unordered_set>

#include "squish/error.hpp"
#include "squish/io/crc32.hpp"
#include "squish/io/npy.hpp"

namespace squish::container {

namespace {

struct Writer {
  std::vector<uint8_t> b;
  void u8(uint64_t x) { b.push_back(static_cast<uint8_t>(x)); }
  void u16(uint64_t x) {
    for (int k = 0; k < 2; ++k) u8(x >> (8 * k));
  }
  void u32(uint64_t x) {
    for (int k = 0; k < 4; ++k) u8(x >> (8 * k));
  }
  void u64(uint64_t x) {
    for (int k = 0; k < 8; ++k) u8(x >> (8 * k));
  }
  void f64(double d) {
    uint64_t x;
    std::memcpy(&x, &d, 8);
    u64(x);
  }
  void f32(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    u32(x);
  }
  void str(const std::string& s) {
    if (s.size() > 0xffff) throw UsageError("name '" + s.substr(0, 40) + "...' longer than 65535 bytes");
    u16(s.size());
    b.insert(b.end(), s.begin(), s.end());
  }
  void bytes(std::span<const uint8_t> v) { b.insert(b.end(), v.begin(), v.end()); }
};

// Bounds-checked little-endian reader; every error names the context and the
// absolute file offset.
struct Reader {
  std::span<const uint8_t> b;
  size_t pos;
  size_t end;
  std::string ctx;
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(ctx + " at byte " + std::to_string(pos) + ": " + what);
  }
  void need(size_t n, const char* field) {
    if (n > end - pos) fail(std::string("truncated reading ") + field + " (" + std::to_string(n) + " bytes, " + std::to_string(end - pos) + " left)");
  }
  uint64_t le(size_t n, const char* field) {
    need(n, field);
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(b[pos + k]) << (8 * k);
    pos += n;
    return v;
  }
  uint8_t u8(const char* f) { return static_cast<uint8_t>(le(1, f)); }
  uint16_t u16(const char* f) { return static_cast<uint16_t>(le(2, f)); }
  uint32_t u32(const char* f) { return static_cast<uint32_t>(le(4, f)); }
  uint64_t u64(const char* f) { return le(8, f); }
  double f64(const char* f) {
    const uint64_t x = u64(f);
    double d;
    std::memcpy(&d, &x, 8);
    return d;
  }
  float f32(const char* f) {
    const uint32_t x = u32(f);
    float d;
    std::memcpy(&d, &x, 4);
    return d;
  }
  std::string str(const char* f) {
    const size_t n = u16(f);
    need(n, f);
    std::string s(reinterpret_cast<const char*>(b.data() + pos), n);
    pos += n;
    return s;
  }
};

constexpr size_t kChannelBytes = 8 + 8 + 4 + 4 + 1;

void write_section_body(Writer& w, const Section& s) {
  w.u32(kSectionMagic);
  w.str(s.name);
  w.u8(static_cast<uint8_t>(s.dtype));
  w.u8(s.shape.size());
  for (size_t d : s.shape) w.u64(d);
  const auto& q = s.quant;
  w.u8(static_cast<uint8_t>(q.scheme));
  w.u8(q.bits);
  w.u8((q.is_signed ? 1u : 0u) | (q.narrow ? 2u : 0u) | (q.symmetric ? 4u : 0u) | (q.zero_reserved ? 8u : 0u));
  w.u8(static_cast<uint8_t>(q.rounding));
  w.u8(static_cast<uint8_t>(static_cast<int8_t>(q.channel_axis)));
  w.u32(q.channels.size());
  for (const auto& c : q.channels) {
    w.f64(c.scale);
    w.f64(c.offset);
    w.u32(static_cast<uint32_t>(c.zero_point));
    w.u32(static_cast<uint32_t>(c.multiplier));
    w.u8(static_cast<uint8_t>(c.shift));
  }
  w.u16(q.codebook.size());
  for (float f : q.codebook) w.f32(f);
  w.u8(static_cast<uint8_t>(s.prune.method));
  w.u8(s.prune.n);
  w.u8(s.prune.m);
  w.u8(s.prune.block_rows);
  w.u8(s.prune.block_cols);
  w.u8(s.prune.norm);
  w.f64(s.prune.sparsity);
  w.u64(s.nonzero);
  w.f64(s.signal_energy);
  w.f64(s.error_energy);
  w.u8(static_cast<uint8_t>(s.sparse_format));
  w.u8(s.sparse_params.value_bits);
  w.u8(s.sparse_params.value_signed ? 1 : 0);
  w.u8(s.sparse_params.rlc_run_bits);
  w.u8(s.sparse_params.nm_n);
  w.u8(s.sparse_params.nm_m);
  const auto& cp = s.coder_params;
  w.u8(static_cast<uint8_t>(s.coder));
  w.u8(cp.alphabet_bits);
  w.u16(cp.zero_symbol);
  w.u8(cp.huffman_max_len);
  w.u8(cp.tunstall_k);
  w.u8(cp.rans_lanes);
  w.u8(cp.rans_prob_bits);
  w.u8(cp.rans_significance_split ? 1 : 0);
  w.u32(s.entries.size());
  for (const auto& e : s.entries) {
    w.u64(e.symbol);
    w.u64(e.byte);
  }
  w.u64(s.payload.size());
  w.bytes(s.payload);
}

Section read_section_body(Reader& r, uint64_t max_elements) {
  Section s;
  if (r.u32("section magic") != kSectionMagic) {
    r.pos -= 4;
    r.fail("bad section magic");
  }
  s.name = r.str("tensor name");
  try {
    io::check_tensor_name(s.name, "tensor");  // UTF-8, no NUL/control, no '..', not absolute
  } catch (const FormatError& e) {
    r.fail(e.what());
  }
  r.ctx += " ('" + s.name + "')";
  const uint8_t dt = r.u8("dtype");
  if (dt > static_cast<uint8_t>(DType::I32)) r.fail("unknown dtype " + std::to_string(dt));
  s.dtype = static_cast<DType>(dt);
  const unsigned rank = r.u8("rank");
  if (rank > 16) r.fail("rank " + std::to_string(rank) + " above 16");
  uint64_t numel = 1;
  for (unsigned k = 0; k < rank; ++k) {
    const uint64_t d = r.u64("dimension");
    if (d > (uint64_t{1} << 40) || (d && numel > (uint64_t{1} << 40) / d)) r.fail("shape too large");
    numel *= d;
    s.shape.push_back(static_cast<size_t>(d));
  }
  if (numel > max_elements) r.fail("tensor of " + std::to_string(numel) + " elements exceeds the reader limit " + std::to_string(max_elements));
  auto& q = s.quant;
  const uint8_t scheme = r.u8("quant scheme");
  if (scheme > static_cast<uint8_t>(quant::Scheme::Apot)) r.fail("unknown quantization scheme " + std::to_string(scheme));
  q.scheme = static_cast<quant::Scheme>(scheme);
  q.bits = r.u8("bits");
  const uint8_t fl = r.u8("quant flags");
  if (fl & 0xf0) r.fail("reserved quant flag bits set (0x" + std::to_string(fl) + ")");
  q.is_signed = fl & 1;
  q.narrow = fl & 2;
  q.symmetric = fl & 4;
  q.zero_reserved = fl & 8;
  const uint8_t rnd = r.u8("rounding");
  if (rnd > 1) r.fail("unknown rounding " + std::to_string(rnd));
  q.rounding = static_cast<quant::Rounding>(rnd);
  q.channel_axis = static_cast<int8_t>(r.u8("channel axis"));
  if (q.channel_axis < -1 || q.channel_axis >= static_cast<int>(rank)) r.fail("channel axis " + std::to_string(q.channel_axis) + " out of range");
  const uint32_t nch = r.u32("channel count");
  const size_t want_ch = q.channel_axis < 0 ? 1 : s.shape[static_cast<size_t>(q.channel_axis)];
  if (nch != want_ch) r.fail(std::to_string(nch) + " channel entries, expected " + std::to_string(want_ch));
  r.need(static_cast<size_t>(nch) * kChannelBytes, "channel parameters");
  q.channels.resize(nch);
  for (auto& c : q.channels) {
    c.scale = r.f64("scale");
    c.offset = r.f64("offset");
    c.zero_point = static_cast<int32_t>(r.u32("zero point"));
    c.multiplier = static_cast<int32_t>(r.u32("multiplier"));
    c.shift = static_cast<int8_t>(r.u8("shift"));
  }
  const uint16_t ncb = r.u16("codebook size");
  if (ncb > 256) r.fail("codebook of " + std::to_string(ncb) + " entries");
  for (unsigned k = 0; k < ncb; ++k) q.codebook.push_back(r.f32("codebook entry"));
  if (q.scheme == quant::Scheme::Raw) {
    if (q.bits != 8 * dtype_size(s.dtype)) r.fail("raw section bits " + std::to_string(q.bits) + " do not match its dtype");
  } else {
    try {
      quant::validate(q, want_ch);
    } catch (const FormatError& e) {
      r.fail(e.what());
    }
  }
  const uint8_t pm = r.u8("prune method");
  if (pm > static_cast<uint8_t>(prune::Method::Blocks)) r.fail("unknown prune method " + std::to_string(pm));
  s.prune.method = static_cast<prune::Method>(pm);
  s.prune.n = r.u8("prune n");
  s.prune.m = r.u8("prune m");
  s.prune.block_rows = r.u8("block rows");
  s.prune.block_cols = r.u8("block cols");
  s.prune.norm = r.u8("prune norm");
  s.prune.sparsity = r.f64("prune sparsity");
  s.nonzero = r.u64("nonzero count");
  if (s.nonzero > numel) r.fail("nonzero count above the element count");
  s.signal_energy = r.f64("signal energy");
  s.error_energy = r.f64("error energy");
  const uint8_t sf = r.u8("sparse format");
  if (sf > static_cast<uint8_t>(sparse::Format::Nm)) r.fail("unknown sparse format " + std::to_string(sf));
  s.sparse_format = static_cast<sparse::Format>(sf);
  s.sparse_params.value_bits = r.u8("sparse value bits");
  s.sparse_params.value_signed = r.u8("sparse signed") != 0;
  s.sparse_params.rlc_run_bits = r.u8("rlc run bits");
  s.sparse_params.nm_n = r.u8("nm n");
  s.sparse_params.nm_m = r.u8("nm m");
  const uint8_t cid = r.u8("coder id");
  if (cid > static_cast<uint8_t>(entropy::CoderId::Rans)) r.fail("unknown coder id " + std::to_string(cid));
  s.coder = static_cast<entropy::CoderId>(cid);
  auto& cp = s.coder_params;
  cp.alphabet_bits = r.u8("alphabet bits");
  cp.zero_symbol = r.u16("zero symbol");
  cp.huffman_max_len = r.u8("huffman max len");
  cp.tunstall_k = r.u8("tunstall k");
  cp.rans_lanes = r.u8("rans lanes");
  cp.rans_prob_bits = r.u8("rans prob bits");
  const uint8_t cfl = r.u8("rans flags");
  if (cfl & 0xfe) r.fail("reserved coder flag bits set");
  cp.rans_significance_split = cfl & 1;
  if (s.coder != entropy::CoderId::None && (cp.alphabet_bits == 0 || cp.alphabet_bits > 16 || cp.zero_symbol >> cp.alphabet_bits))
    r.fail("zero symbol " + std::to_string(cp.zero_symbol) + " outside the " + std::to_string(cp.alphabet_bits) + "-bit alphabet");
  const uint32_t ne = r.u32("entry count");
  r.need(static_cast<size_t>(ne) * 16, "entry points");
  for (uint32_t k = 0; k < ne; ++k) {
    EntryPoint e;
    e.symbol = r.u64("entry symbol");
    e.byte = r.u64("entry byte");
    if (e.symbol > numel || (k && e.symbol <= s.entries.back().symbol)) r.fail("entry point " + std::to_string(k) + " out of order or range");
    s.entries.push_back(e);
  }
  const uint64_t plen = r.u64("payload size");
  r.need(plen, "payload");
  s.payload.assign(r.b.begin() + static_cast<std::ptrdiff_t>(r.pos), r.b.begin() + static_cast<std::ptrdiff_t>(r.pos + plen));
  r.pos += plen;
  for (const auto& e : s.entries)
    if (e.byte > plen) r.fail("entry point byte offset beyond the payload");
  if (r.pos != r.end) r.fail(std::to_string(r.end - r.pos) + " unexpected bytes after the payload");
  if (s.quant.scheme == quant::Scheme::Raw) {
    if (s.sparse_format != sparse::Format::Dense || s.coder != entropy::CoderId::None) r.fail("raw sections must be dense and uncoded");
    if (plen != numel * dtype_size(s.dtype)) r.fail("raw payload of " + std::to_string(plen) + " bytes, shape needs " + std::to_string(numel * dtype_size(s.dtype)));
  }
  return s;
}

uint32_t mask_of(unsigned bits) { return bits >= 32 ? 0xffffffffu : (1u << bits) - 1; }

std::vector<uint32_t> shape32(const std::vector<size_t>& shape, bool matrix) {
  std::vector<uint32_t> s;
  if (matrix) {
    size_t rows = 1;
    for (size_t k = 0; k + 1 < shape.size(); ++k) rows *= shape[k];
    s = {static_cast<uint32_t>(rows), static_cast<uint32_t>(shape.empty() ? 1 : shape.back())};
  } else if (shape.empty()) {
    s = {1};
  } else {
    for (size_t d : shape) s.push_back(static_cast<uint32_t>(d));
  }
  return s;
}

bool sparse_eligible(const std::vector<size_t>& shape, size_t numel) {
  if (numel == 0 || numel >= (size_t{1} << 31) || shape.size() > sparse::kMaxDims) return false;
  for (size_t d : shape)
    if (d == 0 || d >= (size_t{1} << 31)) return false;
  return true;
}

}  // namespace

std::vector<uint8_t> serialize(const Container& c) {
  std::vector<std::vector<uint8_t>> bodies;
  for (const auto& s : c.sections) {
    Writer w;
    write_section_body(w, s);
    const uint32_t crc = io::crc32(w.b);
    w.u32(crc);
    bodies.push_back(std::move(w.b));
  }
  Writer h;
  h.bytes(kMagic);
  h.u16(kVersionMajor);
  h.u16(c.version_minor);
  h.u32(0);  // flags
  h.str(c.source);
  h.u32(c.sections.size());
  uint64_t off = h.b.size() + 16 * c.sections.size() + 4;
  for (const auto& b : bodies) {
    h.u64(off);
    h.u64(b.size());
    off += b.size();
  }
  h.u32(io::crc32(h.b));
  for (const auto& b : bodies) h.bytes(b);
  return std::move(h.b);
}

Container parse(std::span<const uint8_t> bytes, uint64_t max_elements, bool check_crc) {
  Container c;
  Reader r{bytes, 0, bytes.size(), "header"};
  r.need(8, "magic");
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) r.fail("bad magic (not a .sqz file)");
  r.pos = 8;
  const uint16_t major = r.u16("version");
  c.version_minor = r.u16("minor version");
  if (major != kVersionMajor) {
    r.pos -= 4;
    r.fail("unsupported format version " + std::to_string(major) + "." + std::to_string(c.version_minor) + " (this reader knows " + std::to_string(kVersionMajor) + ".x)");
  }
  if (r.u32("flags") != 0) {
    r.pos -= 4;
    r.fail("header flags must be 0 (reserved)");
  }
  c.source = r.str("source");
  const uint32_t count = r.u32("section count");
  if (count > (bytes.size() - r.pos) / 16) r.fail("section count " + std::to_string(count) + " does not fit the file");
  std::vector<std::pair<uint64_t, uint64_t>> table(count);
  for (auto& [o, n] : table) {
    o = r.u64("section offset");
    n = r.u64("section size");
  }
  const size_t crc_at = r.pos;
  const uint32_t stored = r.u32("header CRC");
  const uint32_t calc = io::crc32(bytes.first(crc_at));
  if (check_crc && stored != calc) {
    r.pos = crc_at;
    char buf[64];
    std::snprintf(buf, sizeof buf, "CRC mismatch (stored %08x, computed %08x)", stored, calc);
    r.fail(buf);
  }
  c.header_bytes = r.pos;
  uint64_t expect = r.pos;
  std::unordered_set<std::string> names;
  for (uint32_t k = 0; k < count; ++k) {
    const auto [off, n] = table[k];
    const std::string ctx = "section " + std::to_string(k);
    if (off != expect) throw FormatError(ctx + ": table says byte " + std::to_string(off) + ", expected " + std::to_string(expect));
    if (n < 8 || off > bytes.size() || n > bytes.size() - off)
      throw FormatError(ctx + " at byte " + std::to_string(off) + ": truncated (needs " + std::to_string(n) + " bytes, file has " + std::to_string(bytes.size() > off ? bytes.size() - off : 0) + ")");
    const uint32_t crc_stored = static_cast<uint32_t>(bytes[off + n - 4] | (bytes[off + n - 3] << 8) | (bytes[off + n - 2] << 16)) | (static_cast<uint32_t>(bytes[off + n - 1]) << 24);
    const uint32_t crc_calc = io::crc32(bytes.subspan(off, n - 4));
    if (check_crc && crc_stored != crc_calc) {
      char buf[96];
      std::snprintf(buf, sizeof buf, ": CRC mismatch (stored %08x, computed %08x)", crc_stored, crc_calc);
      throw FormatError(ctx + " at byte " + std::to_string(off + n - 4) + buf);
    }
    Reader sr{bytes, static_cast<size_t>(off), static_cast<size_t>(off + n - 4), ctx};
    Section s = read_section_body(sr, max_elements);
    if (!names.insert(s.name).second) throw FormatError(ctx + " at byte " + std::to_string(off) + ": duplicate tensor name '" + s.name + "'");
    s.file_offset = off;
    s.file_bytes = n;
    c.sections.push_back(std::move(s));
    expect = off + n;
  }
  if (expect != bytes.size())
    throw FormatError("file: " + std::to_string(bytes.size() - expect) + " unexpected bytes after the last section at byte " + std::to_string(expect));
  return c;
}

std::vector<uint16_t> symbols_of(const quant::QuantParams& q, std::span<const int32_t> codes) {
  const uint32_t m = mask_of(q.bits);
  std::vector<uint16_t> s(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) s[i] = static_cast<uint16_t>(static_cast<uint32_t>(codes[i]) & m);
  return s;
}

namespace {
int32_t code_of_symbol(const quant::QuantParams& q, uint16_t sym) {
  if (q.is_signed && q.bits < 32 && (sym >> (q.bits - 1)) & 1u) return static_cast<int32_t>(sym) - (1 << q.bits);
  return sym;
}
bool any_zero_point(const quant::QuantParams& q) {
  for (const auto& c : q.channels)
    if (c.zero_point != 0) return true;
  return false;
}
}  // namespace

void encode_codes(Section& s, std::span<const int32_t> codes, bool sparse_auto) {
  const auto& q = s.quant;
  const size_t n = shape_numel(s.shape);
  if (codes.size() != n) throw UsageError("encode_codes: " + std::to_string(codes.size()) + " codes for " + std::to_string(n) + " elements");
  if (q.scheme == quant::Scheme::Raw) throw UsageError("encode_codes: raw sections have no codes");
  s.entries.clear();
  s.payload.clear();
  const auto ch = quant::channel_of(s.shape, q.channel_axis);
  s.coder_params.alphabet_bits = q.bits;
  s.coder_params.zero_symbol = static_cast<uint16_t>(static_cast<uint32_t>(q.channels.empty() ? 0 : q.channels[0].zero_point) & mask_of(q.bits));
  if (s.coder != entropy::CoderId::None) {
    // Entropy-coded sections store the dense symbol stream; sparsity is left to
    // the coder (its zero symbol), so the sparse format is forced to dense.
    s.sparse_format = sparse::Format::Dense;
    s.payload = entropy::encode_symbols(s.coder, symbols_of(q, codes), s.coder_params);
    return;
  }
  auto pack_dense = [&] {
    s.sparse_format = sparse::Format::Dense;
    entropy::CoderParams p = s.coder_params;
    s.payload = entropy::encode_symbols(entropy::CoderId::None, symbols_of(q, codes), p);
    for (uint64_t k = kEntryInterval; k < n; k += kEntryInterval) s.entries.push_back({k, k * q.bits / 8});
  };
  const bool want_auto = sparse_auto;
  if ((s.sparse_format == sparse::Format::Dense && !want_auto) || !sparse_eligible(s.shape, n) || q.bits > 15) {
    pack_dense();
    return;
  }
  // Sparse formats code (q - zero point) so that real zero is value 0.
  std::vector<int32_t> v(n);
  const bool zp = any_zero_point(q);
  for (size_t i = 0; i < n; ++i) v[i] = codes[i] - q.channels[ch[i]].zero_point;
  sparse::Params p = s.sparse_params;
  p.value_signed = q.is_signed || zp;
  p.value_bits = q.bits + (!q.is_signed && zp ? 1 : 0);
  if (want_auto) {
    if (p.nm_n == 0) p.nm_n = 2;
    if (p.nm_m == 0) p.nm_m = 4;
    std::vector<uint8_t> best_payload;
    sparse::Format best = sparse::Format::Dense;
    const uint64_t dense_bytes = (n * q.bits + 7) / 8;
    uint64_t best_bytes = dense_bytes;
    for (sparse::Format f : sparse::all_formats()) {
      if (f == sparse::Format::Dense) continue;
      const bool matrix = f == sparse::Format::Csr || f == sparse::Format::Csc;
      const auto sh = shape32(s.shape, matrix);
      if (f == sparse::Format::Nm && !sparse::fits_nm(v, sh, p.nm_n, p.nm_m)) continue;
      auto bytes = sparse::serialize(sparse::encode(f, v, sh, p));
      if (bytes.size() < best_bytes) {
        best_bytes = bytes.size();
        best = f;
        best_payload = std::move(bytes);
      }
    }
    if (best == sparse::Format::Dense) {
      pack_dense();
      return;
    }
    s.sparse_format = best;
    s.sparse_params = p;
    s.payload = std::move(best_payload);
    return;
  }
  const sparse::Format f = s.sparse_format;
  const bool matrix = f == sparse::Format::Csr || f == sparse::Format::Csc;
  const auto sh = shape32(s.shape, matrix);
  if (f == sparse::Format::Nm) {
    if (p.nm_n == 0) p.nm_n = 2;
    if (p.nm_m == 0) p.nm_m = 4;
    if (!sparse::fits_nm(v, sh, p.nm_n, p.nm_m)) {
      pack_dense();
      return;
    }
  }
  s.sparse_params = p;
  s.payload = sparse::serialize(sparse::encode(f, v, sh, p));
}

std::vector<int32_t> decode_codes(const Section& s, uint64_t max_elements) {
  const auto& q = s.quant;
  const size_t n = shape_numel(s.shape);
  if (n > max_elements) throw FormatError("section '" + s.name + "': " + std::to_string(n) + " elements exceed the reader limit");
  if (q.scheme == quant::Scheme::Raw) throw FormatError("section '" + s.name + "': raw sections have no codes");
  std::vector<int32_t> codes(n);
  if (s.sparse_format == sparse::Format::Dense) {
    entropy::CoderParams p = s.coder_params;
    if (p.alphabet_bits != q.bits) throw FormatError("section '" + s.name + "': coder alphabet of " + std::to_string(p.alphabet_bits) + " bits for " + std::to_string(q.bits) + "-bit codes");
    std::vector<uint16_t> sym;
    try {
      sym = entropy::decode_symbols(s.coder, s.payload, n, p);
    } catch (const UsageError& e) {
      throw FormatError("section '" + s.name + "': " + e.what());
    }
    if (sym.size() != n) throw FormatError("section '" + s.name + "': coder returned " + std::to_string(sym.size()) + " symbols, expected " + std::to_string(n));
    for (size_t i = 0; i < n; ++i) codes[i] = code_of_symbol(q, sym[i]);
  } else {
    if (s.coder != entropy::CoderId::None) throw FormatError("section '" + s.name + "': entropy-coded sections must be dense");
    sparse::Encoding e;
    try {
      e = sparse::deserialize(s.payload, max_elements);
    } catch (const UsageError& err) {
      throw FormatError("section '" + s.name + "': " + err.what());
    }
    const bool matrix = e.format == sparse::Format::Csr || e.format == sparse::Format::Csc;
    if (e.format != s.sparse_format || e.shape != shape32(s.shape, matrix))
      throw FormatError("section '" + s.name + "': sparse payload's format or shape does not match the section");
    const auto v = sparse::decode(e, max_elements);
    if (v.size() != n) throw FormatError("section '" + s.name + "': sparse payload decodes to " + std::to_string(v.size()) + " values");
    const auto ch = quant::channel_of(s.shape, q.channel_axis);
    for (size_t i = 0; i < n; ++i) codes[i] = static_cast<int32_t>(static_cast<int64_t>(v[i]) + q.channels[ch[i]].zero_point);
  }
  for (size_t i = 0; i < n; ++i)
    if (codes[i] < q.qmin() || codes[i] > q.qmax())
      throw FormatError("section '" + s.name + "': code " + std::to_string(codes[i]) + " at element " + std::to_string(i) + " outside [" + std::to_string(q.qmin()) + ", " + std::to_string(q.qmax()) + "]");
  return codes;
}

Tensor decode_tensor(const Section& s, uint64_t max_elements) {
  Tensor t;
  t.name = s.name;
  t.shape = s.shape;
  if (s.quant.scheme == quant::Scheme::Raw) {
    t.dtype = s.dtype;
    t.data = s.payload;
    t.validate();
    return t;
  }
  const auto codes = decode_codes(s, max_elements);
  const auto x = quant::dequantize(s.quant, codes, s.shape);
  return Tensor::from_float(s.name, s.shape, x);
}

}  // namespace squish::container
