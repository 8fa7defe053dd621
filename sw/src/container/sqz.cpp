#include "squish/container/sqz.hpp"

#include <algorithm>
#include <cmath>
#include <climits>
#include <cstring>
#include <tuple>
#include <unordered_set>

#include "squish/container/coded_sparse.hpp"
#include "squish/error.hpp"
#include "squish/io/crc32.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/requant/requant.hpp"
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
  if (s.table_section >= 0) throw UsageError("section '" + s.name + "' shares a rANS table: needs .sqz version 2");
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

// The start of a section body, alike in both versions but for the integer
// encodings (v1: u8 rank, u64 dimensions, u32-length name; v2: varints):
// name, dtype, shape (with the element cap), quantization scheme and bits.
// Returns the element count.
template <class R, class Str, class Rank, class Dim>
uint64_t read_section_head(R& r, Section& s, uint64_t max_elements, Str str, Rank rank_of, Dim dim_of) {
  s.name = str(r, "tensor name");
  try {
    io::check_tensor_name(s.name, "tensor");  // UTF-8, no NUL/control, no '..', not absolute
  } catch (const FormatError& e) {
    r.fail(e.what());
  }
  r.ctx += " ('" + s.name + "')";
  const uint8_t dt = r.u8("dtype");
  if (dt > static_cast<uint8_t>(DType::I32)) r.fail("unknown dtype " + std::to_string(dt));
  s.dtype = static_cast<DType>(dt);
  const uint64_t rank = rank_of(r);
  if (rank > 16) r.fail("rank " + std::to_string(rank) + " above 16");
  uint64_t numel = 1;
  for (unsigned k = 0; k < rank; ++k) {
    const uint64_t d = dim_of(r);
    if (d > (uint64_t{1} << 40) || (d && numel > (uint64_t{1} << 40) / d)) r.fail("shape too large");
    numel *= d;
    s.shape.push_back(static_cast<size_t>(d));
  }
  if (numel > max_elements) r.fail("tensor of " + std::to_string(numel) + " elements exceeds the reader limit " + std::to_string(max_elements));
  const uint8_t scheme = r.u8("quant scheme");
  if (scheme > static_cast<uint8_t>(quant::Scheme::Apot)) r.fail("unknown quantization scheme " + std::to_string(scheme));
  s.quant.scheme = static_cast<quant::Scheme>(scheme);
  s.quant.bits = r.u8("bits");
  return numel;
}

Section read_section_body(Reader& r, uint64_t max_elements) {
  Section s;
  if (r.u32("section magic") != kSectionMagic) {
    r.pos -= 4;
    r.fail("bad section magic");
  }
  const uint64_t numel = read_section_head(
      r, s, max_elements, [](Reader& rr, const char* f) { return rr.str(f); },
      [](Reader& rr) -> uint64_t { return rr.u8("rank"); }, [](Reader& rr) { return rr.u64("dimension"); });
  const size_t rank = s.shape.size();
  auto& q = s.quant;
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

std::vector<uint8_t> serialize_v2(const Container& c);
Container parse_v2(std::span<const uint8_t> bytes, uint64_t max_elements, bool check_crc);

std::vector<uint8_t> serialize(const Container& c) {
  if (c.version_major == kVersionMajor) return serialize_v2(c);
  if (c.version_major != kVersionMajorV1) throw UsageError("cannot write .sqz version " + std::to_string(c.version_major));
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
  h.u16(kVersionMajorV1);
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

namespace {
// The header CRC at r.pos (over every byte before it); returns the header size.
size_t read_header_crc(Reader& r, bool check_crc) {
  const size_t crc_at = r.pos;
  const uint32_t stored = r.u32("header CRC");
  const uint32_t calc = io::crc32(r.b.first(crc_at));
  if (check_crc && stored != calc) {
    r.pos = crc_at;
    char buf[64];
    std::snprintf(buf, sizeof buf, "CRC mismatch (stored %08x, computed %08x)", stored, calc);
    r.fail(buf);
  }
  return r.pos;
}

// A section of n bytes at off (at least min_bytes, ending in the CRC-32 of the
// rest) lies inside the file and, with check_crc, its CRC matches.
void check_section_frame(std::span<const uint8_t> bytes, uint64_t off, uint64_t n, uint64_t min_bytes, const std::string& ctx,
                         bool check_crc) {
  if (n < min_bytes || off > bytes.size() || n > bytes.size() - off)
    throw FormatError(ctx + " at byte " + std::to_string(off) + ": truncated (needs " + std::to_string(n) + " bytes, file has " + std::to_string(bytes.size() > off ? bytes.size() - off : 0) + ")");
  const uint32_t crc_stored = static_cast<uint32_t>(bytes[off + n - 4] | (bytes[off + n - 3] << 8) | (bytes[off + n - 2] << 16)) | (static_cast<uint32_t>(bytes[off + n - 1]) << 24);
  const uint32_t crc_calc = io::crc32(bytes.subspan(off, n - 4));
  if (check_crc && crc_stored != crc_calc) {
    char buf[96];
    std::snprintf(buf, sizeof buf, ": CRC mismatch (stored %08x, computed %08x)", crc_stored, crc_calc);
    throw FormatError(ctx + " at byte " + std::to_string(off + n - 4) + buf);
  }
}
}  // namespace

Container parse(std::span<const uint8_t> bytes, uint64_t max_elements, bool check_crc) {
  Container c;
  Reader r{bytes, 0, bytes.size(), "header"};
  r.need(8, "magic");
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) r.fail("bad magic (not a .sqz file)");
  r.pos = 8;
  const uint16_t major = r.u16("version");
  c.version_minor = r.u16("minor version");
  if (major == kVersionMajor) return parse_v2(bytes, max_elements, check_crc);
  c.version_major = major;
  if (major != kVersionMajorV1) {
    r.pos -= 4;
    r.fail("unsupported format version " + std::to_string(major) + "." + std::to_string(c.version_minor) + " (this reader knows 1.x and " + std::to_string(kVersionMajor) + ".x)");
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
  c.header_bytes = read_header_crc(r, check_crc);
  uint64_t expect = r.pos;
  std::unordered_set<std::string> names;
  for (uint32_t k = 0; k < count; ++k) {
    const auto [off, n] = table[k];
    const std::string ctx = "section " + std::to_string(k);
    if (off != expect) throw FormatError(ctx + ": table says byte " + std::to_string(off) + ", expected " + std::to_string(expect));
    check_section_frame(bytes, off, n, 8, ctx, check_crc);
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

namespace {
// The coded dense symbol stream at the coder parameters that give the fewest
// bytes (Tunstall: every k up to the requested one for tensors up to 2^16
// weights; rANS picks its table precision itself).
std::vector<uint8_t> code_dense_best(Section& s, std::span<const uint16_t> sym) {
  auto out = entropy::encode_symbols(s.coder, sym, s.coder_params);
  if (s.coder == entropy::CoderId::Tunstall && sym.size() <= 65536) {
    const unsigned kmax = s.coder_params.tunstall_k;
    for (unsigned k = 8; k < kmax; ++k) {
      entropy::CoderParams p = s.coder_params;
      p.tunstall_k = k;
      auto o = entropy::encode_symbols(s.coder, sym, p);
      if (o.size() < out.size()) out = std::move(o);
    }
  }
  return out;
}
}  // namespace

static void encode_codes_impl(Section& s, std::span<const int32_t> codes, bool sparse_auto, bool top);

// A section with a coder: the coded dense stream, or (explicit format or auto)
// a coded sparse payload; then, by exact byte count, the uncoded form when no
// coded form pays for its tables (the section then says coder none).
static void encode_coded(Section& s, std::span<const int32_t> codes, bool sparse_auto) {
  const auto& q = s.quant;
  const size_t n = codes.size();
  const entropy::CoderParams cp0 = s.coder_params;
  const sparse::Format asked = s.sparse_format;
  if ((asked == sparse::Format::Dense && !sparse_auto) || !sparse_eligible(s.shape, n) || q.bits > 8) {
    s.sparse_format = sparse::Format::Dense;
    s.payload = code_dense_best(s, symbols_of(q, codes));
  } else {
    // Coded sparse (or auto over coded forms): the v1 path below with the coder set.
    encode_codes_impl(s, codes, sparse_auto, false);
  }
  // Fallback: the same request without a coder.
  Section plain = s;
  plain.coder = entropy::CoderId::None;
  plain.coder_params = cp0;
  plain.sparse_format = asked;
  encode_codes_impl(plain, codes, sparse_auto, true);
  if (plain.payload.size() <= s.payload.size()) {
    s.coder = entropy::CoderId::None;
    s.coder_params = plain.coder_params;
    s.sparse_format = plain.sparse_format;
    s.sparse_params = plain.sparse_params;
    s.entries = plain.entries;
    s.payload = std::move(plain.payload);
  }
}

void encode_codes(Section& s, std::span<const int32_t> codes, bool sparse_auto) {
  encode_codes_impl(s, codes, sparse_auto, true);
}

static void encode_codes_impl(Section& s, std::span<const int32_t> codes, bool sparse_auto, bool top) {
  const auto& q = s.quant;
  const size_t n = shape_numel(s.shape);
  if (codes.size() != n) throw UsageError("encode_codes: " + std::to_string(codes.size()) + " codes for " + std::to_string(n) + " elements");
  if (q.scheme == quant::Scheme::Raw) throw UsageError("encode_codes: raw sections have no codes");
  s.entries.clear();
  s.payload.clear();
  const auto ch = quant::channel_of(s.shape, q.channel_axis);
  s.coder_params.alphabet_bits = q.bits;
  s.coder_params.zero_symbol = static_cast<uint16_t>(static_cast<uint32_t>(q.channels.empty() ? 0 : q.channels[0].zero_point) & mask_of(q.bits));
  const bool coded = s.coder != entropy::CoderId::None;
  if (coded && top) {
    encode_coded(s, codes, sparse_auto);
    return;
  }
  const entropy::CoderParams dense_cp = s.coder_params;
  auto pack_dense = [&] {
    s.entries.clear();
    s.sparse_format = sparse::Format::Dense;
    s.coder_params = dense_cp;
    s.payload = coded ? code_dense_best(s, symbols_of(q, codes)) : entropy::encode_symbols(s.coder, symbols_of(q, codes), s.coder_params);
    if (!coded)
      for (uint64_t k = kEntryInterval; k < n; k += kEntryInterval) s.entries.push_back({k, k * q.bits / 8});
  };
  // A sparse payload, entropy-coded over its body when a coder is set (the
  // symbol width chosen by exact size, docs/format.md).
  auto finish = [&](std::vector<uint8_t> sparse_bytes) {
    if (!coded) return sparse_bytes;
    entropy::CoderParams cp = dense_cp;
    auto out = code_sparse_best(sparse_bytes, s.coder, cp);
    s.coder_params = cp;
    return out;
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
    entropy::CoderParams best_cp = dense_cp;
    sparse::Format best = sparse::Format::Dense;
    pack_dense();
    uint64_t best_bytes = s.payload.size();
    for (sparse::Format f : sparse::all_formats()) {
      if (f == sparse::Format::Dense) continue;
      const bool matrix = f == sparse::Format::Csr || f == sparse::Format::Csc;
      const auto sh = shape32(s.shape, matrix);
      if (f == sparse::Format::Nm && !sparse::fits_nm(v, sh, p.nm_n, p.nm_m)) continue;
      auto bytes = finish(sparse::serialize(sparse::encode(f, v, sh, p)));
      if (bytes.size() < best_bytes) {
        best_bytes = bytes.size();
        best = f;
        best_payload = std::move(bytes);
        best_cp = s.coder_params;
      }
    }
    if (best == sparse::Format::Dense) {
      pack_dense();
      return;
    }
    s.entries.clear();
    s.sparse_format = best;
    s.sparse_params = p;
    s.coder_params = best_cp;
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
  s.payload = finish(sparse::serialize(sparse::encode(f, v, sh, p)));
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
    if (s.table_section >= 0 && !s.shared_table) throw FormatError("section '" + s.name + "': shared rANS table not resolved");
    try {
      sym = s.table_section >= 0 ? entropy::rans_decode_shared(s.payload, n, p, *s.shared_table)
                                 : entropy::decode_symbols(s.coder, s.payload, n, p);
    } catch (const UsageError& e) {
      throw FormatError("section '" + s.name + "': " + e.what());
    }
    if (sym.size() != n) throw FormatError("section '" + s.name + "': coder returned " + std::to_string(sym.size()) + " symbols, expected " + std::to_string(n));
    for (size_t i = 0; i < n; ++i) codes[i] = code_of_symbol(q, sym[i]);
  } else {
    std::vector<uint8_t> plain;
    if (s.coder != entropy::CoderId::None) {
      try {
        plain = uncode_sparse(s.payload, s.coder, s.coder_params, max_elements);
      } catch (const Error& err) {
        throw FormatError("section '" + s.name + "': " + err.what());
      }
    }
    sparse::Encoding e;
    try {
      e = sparse::deserialize(s.coder != entropy::CoderId::None ? std::span<const uint8_t>(plain) : std::span<const uint8_t>(s.payload), max_elements);
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

// ---------------------------------------------------------------------------
// Version 2: compact metadata (docs/format.md, "Version 2"). Separate writer and
// reader so the v1 code above stays as it is.

namespace {

struct Writer2 : Writer {
  void var(uint64_t x) {
    while (x >= 0x80) {
      u8((x & 0x7f) | 0x80);
      x >>= 7;
    }
    u8(x);
  }
  void zz(int64_t x) { var((static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63)); }
  void str2(const std::string& s) {
    var(s.size());
    b.insert(b.end(), s.begin(), s.end());
  }
};

struct Reader2 : Reader {
  uint64_t var(const char* f) {
    uint64_t v = 0;
    for (unsigned sh = 0;; sh += 7) {
      const uint8_t x = u8(f);
      if (sh == 63 && x > 1) fail(std::string("varint ") + f + " overflows 64 bits");
      v |= static_cast<uint64_t>(x & 0x7f) << sh;
      if (!(x & 0x80)) {
        if (x == 0 && sh) fail(std::string("varint ") + f + " is not minimal");
        return v;
      }
      if (sh == 63) fail(std::string("varint ") + f + " overflows 64 bits");
    }
  }
  int64_t zz(const char* f) {
    const uint64_t v = var(f);
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  std::string str2(const char* f) {
    const uint64_t n = var(f);
    need(n, f);
    std::string s(reinterpret_cast<const char*>(b.data() + pos), n);
    pos += n;
    return s;
  }
};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, 8) == 0; }
bool f32_exact(double d) { return same_bits(static_cast<double>(static_cast<float>(d)), d); }

// multiplier/shift as quant derives them from a scale (0/0 out of range).
std::pair<int32_t, int8_t> derived_multiplier(double scale) {
  if (std::isfinite(scale) && scale >= 0 && scale < 1073741824.0) {
    const auto m = requant::quantize_multiplier(scale);
    if (m.shift >= requant::kMinShift && m.shift <= requant::kMaxShift) return {m.multiplier, static_cast<int8_t>(m.shift)};
  }
  return {0, 0};
}

enum : uint8_t {
  kChScaleF32 = 1, kChScaleOne = 2, kChOffsetZero = 4, kChOffsetF32 = 8, kChZpOne = 16, kChMulDerived = 32, kChOffsetOne = 64,
};
enum : uint8_t { kEntryNone = 0, kEntryGrid = 1, kEntryList = 2 };

bool grid_entries(const Section& s) {
  if (s.coder != entropy::CoderId::None || s.sparse_format != sparse::Format::Dense || s.quant.scheme == quant::Scheme::Raw) return false;
  const uint64_t n = shape_numel(s.shape);
  std::vector<EntryPoint> g;
  for (uint64_t k = kEntryInterval; k < n; k += kEntryInterval) g.push_back({k, k * s.quant.bits / 8});
  return g == s.entries && !g.empty();
}

void write_channels(Writer2& w, const std::vector<quant::ChannelParams>& ch) {
  uint8_t fl = kChScaleF32 | kChScaleOne | kChOffsetZero | kChOffsetF32 | kChZpOne | kChMulDerived | kChOffsetOne;
  for (const auto& c : ch) {
    if (!f32_exact(c.scale)) fl &= ~kChScaleF32;
    if (!same_bits(c.scale, ch[0].scale)) fl &= ~kChScaleOne;
    if (!same_bits(c.offset, 0.0)) fl &= ~kChOffsetZero;
    if (!f32_exact(c.offset)) fl &= ~kChOffsetF32;
    if (!same_bits(c.offset, ch[0].offset)) fl &= ~kChOffsetOne;
    if (c.zero_point != ch[0].zero_point) fl &= ~kChZpOne;
    if (derived_multiplier(c.scale) != std::pair<int32_t, int8_t>{c.multiplier, c.shift}) fl &= ~kChMulDerived;
  }
  if (fl & kChOffsetZero) fl &= ~(kChOffsetF32 | kChOffsetOne);
  if (ch.empty()) fl = kChOffsetZero | kChMulDerived;  // a zero-size channel axis: nothing to share
  w.u8(fl);
  auto real = [&](double d, bool as32) {
    if (as32) w.f32(static_cast<float>(d));
    else w.f64(d);
  };
  for (size_t k = 0; k < ((fl & kChScaleOne) ? 1 : ch.size()); ++k) real(ch[k].scale, fl & kChScaleF32);
  if (!(fl & kChOffsetZero))
    for (size_t k = 0; k < ((fl & kChOffsetOne) ? 1 : ch.size()); ++k) real(ch[k].offset, fl & kChOffsetF32);
  for (size_t k = 0; k < ((fl & kChZpOne) ? 1 : ch.size()); ++k) w.zz(ch[k].zero_point);
  if (!(fl & kChMulDerived))
    for (const auto& c : ch) {
      w.zz(c.multiplier);
      w.u8(static_cast<uint8_t>(c.shift));
    }
}

void read_channels(Reader2& r, std::vector<quant::ChannelParams>& ch, size_t n) {
  const uint8_t fl = r.u8("channel flags");
  if (fl & 0x80) r.fail("reserved channel flag bit 7 set");
  if ((fl & kChOffsetZero) && (fl & (kChOffsetF32 | kChOffsetOne))) r.fail("channel flags: zero offsets with an offset encoding");
  // Every channel costs at least one byte unless shared: refuse counts the
  // section cannot hold before allocating.
  if (!((fl & kChScaleOne) && (fl & kChZpOne))) r.need(n, "channel parameters");
  if (n == 0 && (fl & (kChScaleOne | kChZpOne | kChOffsetOne))) r.fail("shared channel values for zero channels");
  // Reader limit: shared values make channels free; refuse more channels than
  // 8 per remaining section byte (+4096) before allocating them.
  if (n > 8 * uint64_t{r.end - r.pos} + 4096) r.fail(std::to_string(n) + " channels exceed the reader limit for this section");
  ch.assign(n, {});
  auto real = [&](bool as32, const char* f) { return as32 ? static_cast<double>(r.f32(f)) : r.f64(f); };
  for (size_t k = 0; k < ((fl & kChScaleOne) ? 1 : n); ++k) ch[k].scale = real(fl & kChScaleF32, "scale");
  if (!(fl & kChOffsetZero))
    for (size_t k = 0; k < ((fl & kChOffsetOne) ? 1 : n); ++k) ch[k].offset = real(fl & kChOffsetF32, "offset");
  for (size_t k = 0; k < ((fl & kChZpOne) ? 1 : n); ++k) {
    const int64_t z = r.zz("zero point");
    if (z < INT32_MIN || z > INT32_MAX) r.fail("zero point out of int32 range");
    ch[k].zero_point = static_cast<int32_t>(z);
  }
  for (size_t k = 1; k < n; ++k) {
    if (fl & kChScaleOne) ch[k].scale = ch[0].scale;
    if (fl & kChOffsetOne) ch[k].offset = ch[0].offset;
    if (fl & kChZpOne) ch[k].zero_point = ch[0].zero_point;
  }
  for (auto& c : ch) {
    if (fl & kChMulDerived) {
      std::tie(c.multiplier, c.shift) = derived_multiplier(c.scale);
    } else {
      const int64_t m = r.zz("multiplier");
      if (m < INT32_MIN || m > INT32_MAX) r.fail("multiplier out of int32 range");
      c.multiplier = static_cast<int32_t>(m);
      c.shift = static_cast<int8_t>(r.u8("shift"));
    }
  }
}

bool same_prune(const PruneRecord& a, const PruneRecord& b) {
  return a.method == b.method && a.n == b.n && a.m == b.m && a.block_rows == b.block_rows && a.block_cols == b.block_cols &&
         a.norm == b.norm && same_bits(a.sparsity, b.sparsity);
}

void write_prune(Writer2& w, const PruneRecord& p) {
  w.u8(static_cast<uint8_t>(p.method));
  if (p.method != prune::Method::None) {
    w.u8(p.n);
    w.u8(p.m);
    w.u8(p.block_rows);
    w.u8(p.block_cols);
    w.u8(p.norm);
    w.f64(p.sparsity);
  }
}

void read_prune(Reader2& r, PruneRecord& p) {
  const uint8_t pm = r.u8("prune method");
  if (pm > static_cast<uint8_t>(prune::Method::Blocks)) r.fail("unknown prune method " + std::to_string(pm));
  p.method = static_cast<prune::Method>(pm);
  if (pm) {
    p.n = r.u8("prune n");
    p.m = r.u8("prune m");
    p.block_rows = r.u8("block rows");
    p.block_cols = r.u8("block cols");
    p.norm = r.u8("prune norm");
    p.sparsity = r.f64("prune sparsity");
  }
}

constexpr uint8_t kPruneDefault = 0x80;  // section prune byte: the header's record

void write_section_body_v2(Writer2& w, const Section& s, const PruneRecord* def) {
  w.str2(s.name);
  w.u8(static_cast<uint8_t>(s.dtype));
  w.var(s.shape.size());
  for (size_t d : s.shape) w.var(d);
  const auto& q = s.quant;
  w.u8(static_cast<uint8_t>(q.scheme));
  w.u8(q.bits);
  w.u8((q.is_signed ? 1u : 0u) | (q.narrow ? 2u : 0u) | (q.symmetric ? 4u : 0u) | (q.zero_reserved ? 8u : 0u) |
       (q.rounding == quant::Rounding::HalfAway ? 16u : 0u));
  w.u8(static_cast<uint8_t>(q.channel_axis + 1));
  write_channels(w, q.channels);
  w.var(q.codebook.size());
  for (float f : q.codebook) w.f32(f);
  if (def && s.prune.method != prune::Method::None && same_prune(s.prune, *def)) w.u8(kPruneDefault);
  else write_prune(w, s.prune);
  w.var(s.nonzero);
  w.f32(static_cast<float>(s.signal_energy));
  w.f32(static_cast<float>(s.error_energy));
  w.u8(static_cast<uint8_t>(s.sparse_format));
  if (s.sparse_format != sparse::Format::Dense) {
    w.u8(s.sparse_params.value_bits | (s.sparse_params.value_signed ? 0x80u : 0u));
    w.u8(s.sparse_params.rlc_run_bits);
    w.u8(s.sparse_params.nm_n);
    w.u8(s.sparse_params.nm_m);
  }
  const auto& cp = s.coder_params;
  w.u8(static_cast<uint8_t>(s.coder));
  if (s.coder != entropy::CoderId::None) {
    w.u8(cp.alphabet_bits);
    w.var(cp.zero_symbol);
    switch (s.coder) {
      case entropy::CoderId::Huffman: w.u8(cp.huffman_max_len); break;
      case entropy::CoderId::Tunstall: w.u8(cp.tunstall_k); break;
      case entropy::CoderId::Rans:
        w.u8(cp.rans_lanes | (cp.rans_significance_split ? 0x80u : 0u) | (s.table_section >= 0 ? 0x40u : 0u));
        w.u8(cp.rans_prob_bits);
        if (s.table_section >= 0) w.var(static_cast<uint64_t>(s.table_section));
        break;
      case entropy::CoderId::None: break;
    }
  }
  if (s.entries.empty()) {
    w.u8(kEntryNone);
  } else if (grid_entries(s)) {
    w.u8(kEntryGrid);
  } else {
    w.u8(kEntryList);
    w.var(s.entries.size());
    uint64_t ps = 0, pb = 0;
    for (const auto& e : s.entries) {
      if (e.symbol < ps || e.byte < pb) throw UsageError("section '" + s.name + "': entry points out of order");
      w.var(e.symbol - ps);
      w.var(e.byte - pb);
      ps = e.symbol;
      pb = e.byte;
    }
  }
  w.var(s.payload.size());
  w.bytes(s.payload);
}

Section read_section_body_v2(Reader2& r, uint64_t max_elements, const std::optional<PruneRecord>& def) {
  Section s;
  const uint64_t numel = read_section_head(
      r, s, max_elements, [](Reader2& rr, const char* f) { return rr.str2(f); },
      [](Reader2& rr) { return rr.var("rank"); }, [](Reader2& rr) { return rr.var("dimension"); });
  const size_t rank = s.shape.size();
  auto& q = s.quant;
  const uint8_t fl = r.u8("quant flags");
  if (fl & 0xe0) r.fail("reserved quant flag bits set");
  q.is_signed = fl & 1;
  q.narrow = fl & 2;
  q.symmetric = fl & 4;
  q.zero_reserved = fl & 8;
  q.rounding = (fl & 16) ? quant::Rounding::HalfAway : quant::Rounding::HalfEven;
  const uint8_t ax = r.u8("channel axis");
  if (ax > rank) r.fail("channel axis " + std::to_string(static_cast<int>(ax) - 1) + " out of range");
  q.channel_axis = static_cast<int>(ax) - 1;
  const size_t want_ch = q.channel_axis < 0 ? 1 : s.shape[static_cast<size_t>(q.channel_axis)];
  read_channels(r, q.channels, want_ch);
  const uint64_t ncb = r.var("codebook size");
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
  if (r.pos < r.end && r.b[r.pos] == kPruneDefault) {
    if (!def) r.fail("section refers to a default prune record the header does not have");
    r.pos += 1;
    s.prune = *def;
  } else {
    read_prune(r, s.prune);
  }
  s.nonzero = r.var("nonzero count");
  if (s.nonzero > numel) r.fail("nonzero count above the element count");
  s.signal_energy = r.f32("signal energy");
  s.error_energy = r.f32("error energy");
  const uint8_t sf = r.u8("sparse format");
  if (sf > static_cast<uint8_t>(sparse::Format::Nm)) r.fail("unknown sparse format " + std::to_string(sf));
  s.sparse_format = static_cast<sparse::Format>(sf);
  if (sf) {
    const uint8_t vb = r.u8("sparse value bits");
    s.sparse_params.value_bits = vb & 0x7f;
    s.sparse_params.value_signed = vb & 0x80;
    s.sparse_params.rlc_run_bits = r.u8("rlc run bits");
    s.sparse_params.nm_n = r.u8("nm n");
    s.sparse_params.nm_m = r.u8("nm m");
  }
  const uint8_t cid = r.u8("coder id");
  if (cid > static_cast<uint8_t>(entropy::CoderId::Rans)) r.fail("unknown coder id " + std::to_string(cid));
  s.coder = static_cast<entropy::CoderId>(cid);
  auto& cp = s.coder_params;
  cp.alphabet_bits = q.bits;
  if (s.coder != entropy::CoderId::None) {
    cp.alphabet_bits = r.u8("alphabet bits");
    const uint64_t z = r.var("zero symbol");
    if (z > 0xffff) r.fail("zero symbol out of range");
    cp.zero_symbol = static_cast<uint16_t>(z);
    if (cp.alphabet_bits == 0 || cp.alphabet_bits > 16 || cp.zero_symbol >> cp.alphabet_bits)
      r.fail("zero symbol " + std::to_string(cp.zero_symbol) + " outside the " + std::to_string(cp.alphabet_bits) + "-bit alphabet");
    switch (s.coder) {
      case entropy::CoderId::Huffman: cp.huffman_max_len = r.u8("huffman max len"); break;
      case entropy::CoderId::Tunstall: cp.tunstall_k = r.u8("tunstall k"); break;
      case entropy::CoderId::Rans: {
        const uint8_t l = r.u8("rans lanes");
        cp.rans_lanes = l & 0x3f;
        cp.rans_significance_split = l & 0x80;
        cp.rans_prob_bits = r.u8("rans prob bits");
        if (l & 0x40) {
          const uint64_t t = r.var("shared table section");
          if (t >= (uint64_t{1} << 31)) r.fail("shared table section out of range");
          s.table_section = static_cast<int64_t>(t);
        }
        break;
      }
      case entropy::CoderId::None: break;
    }
  }
  const uint8_t em = r.u8("entry mode");
  if (em == kEntryGrid) {
    if (s.coder != entropy::CoderId::None || s.sparse_format != sparse::Format::Dense || q.scheme == quant::Scheme::Raw)
      r.fail("regular entry points on a section that is not dense coder-none");
    for (uint64_t k = kEntryInterval; k < numel; k += kEntryInterval) s.entries.push_back({k, k * q.bits / 8});
  } else if (em == kEntryList) {
    const uint64_t ne = r.var("entry count");
    r.need(2 * ne, "entry points");
    uint64_t ps = 0, pb = 0;
    for (uint64_t k = 0; k < ne; ++k) {
      const uint64_t ds = r.var("entry symbol"), db = r.var("entry byte");
      if (ds > numel - ps || (k && ds == 0)) r.fail("entry point " + std::to_string(k) + " out of order or range");
      ps += ds;
      if (db > (uint64_t{1} << 62) - pb) r.fail("entry point byte out of range");
      pb += db;
      s.entries.push_back({ps, pb});
    }
  } else if (em != kEntryNone) {
    r.fail("unknown entry mode " + std::to_string(em));
  }
  const uint64_t plen = r.var("payload size");
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

std::vector<uint8_t> section_bytes_v2(const Section& s, const PruneRecord* def = nullptr) {
  Writer2 w;
  write_section_body_v2(w, s, def);
  const uint32_t crc = io::crc32(w.b);
  w.u32(crc);
  return std::move(w.b);
}

size_t varint_size(uint64_t x) {
  size_t n = 1;
  while (x >= 0x80) {
    x >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

// The prune record most sections share (none if no section is pruned).
std::optional<PruneRecord> common_prune(const Container& c) {
  std::optional<PruneRecord> best;
  size_t best_n = 0;
  for (const auto& s : c.sections) {
    if (s.prune.method == prune::Method::None) continue;
    size_t n = 0;
    for (const auto& t : c.sections) n += same_prune(s.prune, t.prune);
    if (n > best_n) {
      best_n = n;
      best = s.prune;
    }
  }
  return best_n >= 2 ? best : std::nullopt;
}

std::vector<uint8_t> serialize_v2(const Container& c) {
  const auto def = common_prune(c);
  std::vector<std::vector<uint8_t>> bodies;
  for (const auto& s : c.sections) bodies.push_back(section_bytes_v2(s, def ? &*def : nullptr));
  Writer2 h;
  h.bytes(kMagic);
  h.u16(kVersionMajor);
  h.u16(c.version_minor);
  h.var(def ? 1 : 0);  // flags: bit 0 = a default prune record follows the source
  h.str2(c.source);
  if (def) write_prune(h, *def);
  h.var(c.sections.size());
  for (const auto& b : bodies) h.var(b.size());
  h.u32(io::crc32(h.b));
  for (const auto& b : bodies) h.bytes(b);
  return std::move(h.b);
}

Container parse_v2(std::span<const uint8_t> bytes, uint64_t max_elements, bool check_crc) {
  Container c;
  c.version_major = kVersionMajor;
  Reader2 r{{bytes, 10, bytes.size(), "header"}};
  c.version_minor = r.u16("minor version");
  const uint64_t flags = r.var("flags");
  if (flags & ~uint64_t{1}) {
    r.pos -= 1;
    r.fail("unknown header flags");
  }
  c.source = r.str2("source");
  std::optional<PruneRecord> def;
  if (flags & 1) {
    def.emplace();
    read_prune(r, *def);
    if (def->method == prune::Method::None) r.fail("default prune record of method none");
  }
  const uint64_t count = r.var("section count");
  if (count > bytes.size() - r.pos) r.fail("section count " + std::to_string(count) + " does not fit the file");
  std::vector<uint64_t> sizes(count);
  for (auto& n : sizes) n = r.var("section size");
  c.header_bytes = read_header_crc(r, check_crc);
  uint64_t off = r.pos;
  std::unordered_set<std::string> names;
  for (uint64_t k = 0; k < count; ++k) {
    const uint64_t n = sizes[k];
    const std::string ctx = "section " + std::to_string(k);
    check_section_frame(bytes, off, n, 4, ctx, check_crc);
    Reader2 sr{{bytes, static_cast<size_t>(off), static_cast<size_t>(off + n - 4), ctx}};
    Section s = read_section_body_v2(sr, max_elements, def);
    if (!names.insert(s.name).second) throw FormatError(ctx + " at byte " + std::to_string(off) + ": duplicate tensor name '" + s.name + "'");
    if (s.table_section >= 0) {
      const int64_t t = s.table_section;
      auto bad = [&](const std::string& m) { throw FormatError(ctx + " ('" + s.name + "'): shared table of section " + std::to_string(t) + ": " + m); };
      if (t >= static_cast<int64_t>(k)) bad("not an earlier section");
      const Section& o = c.sections[static_cast<size_t>(t)];
      if (o.coder != entropy::CoderId::Rans || o.table_section >= 0 || o.sparse_format != sparse::Format::Dense ||
          o.payload.empty() || (o.payload[0] & 0xc0) || o.coder_params.alphabet_bits != s.coder_params.alphabet_bits)
        bad("not a dense rANS section with its own table and the same alphabet");
      if (s.sparse_format != sparse::Format::Dense || s.coder_params.rans_significance_split) bad("only dense plain rANS sections share tables");
      try {
        s.shared_table = entropy::rans_read_header(o.payload, o.coder_params).table;
      } catch (const FormatError& e) {
        bad(e.what());
      }
    }
    s.file_offset = off;
    s.file_bytes = n;
    c.sections.push_back(std::move(s));
    off += n;
  }
  if (off != bytes.size())
    throw FormatError("file: " + std::to_string(bytes.size() - off) + " unexpected bytes after the last section at byte " + std::to_string(off));
  return c;
}

uint64_t section_metadata_bytes(const Section& s, uint16_t version_major) {
  if (version_major == kVersionMajor) {
    const auto b = section_bytes_v2(s);
    return b.size() + varint_size(b.size()) - s.payload.size() - s.name.size();
  }
  // Version 1 has no shared tables: the metadata of the same section with its
  // own table (the payload difference is not metadata).
  Section own = s;
  own.table_section = -1;
  Writer w;
  write_section_body(w, own);
  return w.b.size() + 4 + 16 - s.payload.size() - s.name.size();
}


void share_tables(Container& c, unsigned tries) {
  struct Cand {
    size_t section;
    entropy::FreqTable table;
    unsigned bits;
  };
  std::vector<Cand> cands;
  for (size_t i = 0; i < c.sections.size(); ++i) {
    Section& s = c.sections[i];
    const bool dense_rans = s.coder == entropy::CoderId::Rans && s.sparse_format == sparse::Format::Dense &&
                            s.table_section < 0 && !s.payload.empty() && !(s.payload[0] & 0xc0);
    const bool plain = s.coder == entropy::CoderId::None && s.sparse_format == sparse::Format::Dense &&
                       s.quant.scheme != quant::Scheme::Raw && s.quant.bits <= 8;
    if (!dense_rans && !plain) continue;
    const auto codes = decode_codes(s);
    const auto sym = symbols_of(s.quant, codes);
    const auto hist = entropy::histogram(sym, s.quant.bits);
    std::vector<std::pair<double, size_t>> ranked;
    for (size_t k = 0; k < cands.size(); ++k)
      if (cands[k].bits == s.quant.bits) {
        const double b = entropy::rans_cost_bits(hist, cands[k].table);
        if (std::isfinite(b)) ranked.push_back({b, k});
      }
    std::sort(ranked.begin(), ranked.end());
    entropy::CoderParams cp = s.coder_params;
    cp.alphabet_bits = s.quant.bits;
    cp.rans_significance_split = false;
    size_t best = SIZE_MAX;
    std::vector<uint8_t> best_payload;
    for (size_t r = 0; r < ranked.size() && r < tries; ++r) {
      const auto& cand = cands[ranked[r].second];
      if (cand.table.prob_bits > cp.rans_prob_bits) continue;
      auto out = entropy::rans_encode_shared(sym, cp, cand.table);
      if (!out.empty() && out.size() < s.payload.size() && (best == SIZE_MAX || out.size() < best_payload.size())) {
        best = ranked[r].second;
        best_payload = std::move(out);
      }
    }
    if (best != SIZE_MAX) {
      s.coder = entropy::CoderId::Rans;
      s.coder_params = cp;
      s.entries.clear();
      s.payload = std::move(best_payload);
      s.table_section = static_cast<int64_t>(cands[best].section);
      s.shared_table = cands[best].table;
    } else if (dense_rans) {
      cands.push_back({i, entropy::rans_read_header(s.payload, s.coder_params).table, s.quant.bits});
    }
  }
}

}  // namespace squish::container
