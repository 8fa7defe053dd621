// squish::sparse: round trips, Table XI overheads, exact serialized sizes and
// layout, RLC padding, N:M, the auto chooser, and rejection of malformed input.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "squish/error.hpp"
#include "squish/sparse/bits.hpp"
#include "squish/sparse/sparse.hpp"

using namespace squish::sparse;
using squish::FormatError;
using squish::UsageError;

namespace {

// Independent helpers (loops, not the library's bit tricks).
uint64_t clog2(uint64_t x) {
  uint64_t b = 0;
  while ((uint64_t{1} << b) < x) ++b;
  return b;
}
uint64_t floor_log2_plus1(uint64_t x) {  // floor(log2 x + 1) = floor(log2 x) + 1; 0 for x = 0
  uint64_t b = 0;
  while (x >> b) ++b;
  return b;
}

std::vector<int32_t> random_codes(std::mt19937_64& rng, uint64_t n, double density, const Params& p) {
  const int32_t lo = p.value_signed ? -(1 << (p.value_bits - 1)) : 0;
  const int32_t hi = p.value_signed ? (1 << (p.value_bits - 1)) - 1 : (1 << p.value_bits) - 1;
  std::uniform_int_distribution<int32_t> v(lo, hi);
  std::bernoulli_distribution keep(density);
  std::vector<int32_t> c(n, 0);
  for (auto& x : c)
    if (keep(rng)) {
      do x = v(rng);
      while (x == 0);
    }
  return c;
}

uint64_t count_nz(const std::vector<int32_t>& c) {
  return static_cast<uint64_t>(std::count_if(c.begin(), c.end(), [](int32_t v) { return v != 0; }));
}

// Prunes every group of M along the last dim to its N largest magnitudes.
void prune_nm(std::vector<int32_t>& c, const std::vector<uint32_t>& shape, unsigned n, unsigned m) {
  const uint64_t cols = shape.back(), rows = c.size() / cols;
  for (uint64_t r = 0; r < rows; ++r)
    for (uint64_t g = 0; g < cols; g += m) {
      std::vector<uint64_t> idx;
      for (uint64_t k = g; k < std::min<uint64_t>(g + m, cols); ++k) idx.push_back(r * cols + k);
      std::stable_sort(idx.begin(), idx.end(), [&](uint64_t a, uint64_t b) { return std::abs(c[a]) > std::abs(c[b]); });
      for (size_t k = n; k < idx.size(); ++k) c[idx[k]] = 0;
    }
}

// Table XI, written out independently of the library.
uint64_t expected_overhead(Format f, const std::vector<uint32_t>& shape, const std::vector<int32_t>& codes,
                           const Encoding& e) {
  const uint64_t nnz = count_nz(codes);
  uint64_t prod = 1;
  for (auto d : shape) prod *= d;
  switch (f) {
    case Format::Dense: return 0;
    case Format::Coo: {
      uint64_t s = 0;
      for (auto d : shape) s += clog2(d);
      return nnz * s;
    }
    case Format::Coo1d: return nnz * clog2(prod);
    case Format::Rlc: return e.entries() * e.params.rlc_run_bits;  // entries = NNZ + padding zeros
    case Format::Bitmap: return prod;
    case Format::Csr: return nnz * clog2(shape[1]) + (shape[0] + 1) * floor_log2_plus1(nnz);
    case Format::Csc: return nnz * clog2(shape[0]) + (shape[1] + 1) * floor_log2_plus1(nnz);
    case Format::Nm: return e.entries() * clog2(e.params.nm_m);
  }
  return ~0ull;
}

struct Case {
  std::vector<uint32_t> shape;
  double density;
  unsigned bits;
  bool is_signed;
};

std::vector<Case> cases() {
  std::vector<Case> v;
  const std::vector<std::vector<uint32_t>> shapes = {{1}, {1, 1}, {7}, {3, 5}, {1, 37}, {29, 1}, {16, 16}, {17, 33},
                                                     {64, 100}, {2, 3, 4}, {3, 1, 5, 7}, {5, 257}};
  for (auto& s : shapes)
    for (double d : {0.0, 0.01, 0.1, 0.5, 0.9, 1.0})
      for (unsigned b : {8u, 4u, 2u, 1u, 3u, 16u}) v.push_back({s, d, b, b != 3});
  return v;
}

}  // namespace

TEST(SparseBits, CeilLog2AndBitWidth) {
  for (uint64_t x = 1; x < 5000; ++x) EXPECT_EQ(ceil_log2(x), clog2(x)) << x;
  for (uint64_t x = 0; x < 5000; ++x) EXPECT_EQ(bit_width_of(x), floor_log2_plus1(x)) << x;
  EXPECT_EQ(ceil_log2(uint64_t{1} << 31), 31u);
  EXPECT_EQ(ceil_log2((uint64_t{1} << 31) + 1), 32u);
}

TEST(SparseBits, WriterReaderLsbFirst) {
  std::vector<uint8_t> buf;
  BitWriter w(buf);
  w.put(0x5, 3);
  w.put(0x1ff, 9);
  w.put(0, 0);
  w.put(0xdeadbeef, 32);
  w.align(32);
  ASSERT_EQ(buf.size(), 8u);
  const auto words = to_words(buf);
  // bits 0..2 = 101, bits 3..11 = 1..1, bits 12..43 = 0xdeadbeef
  EXPECT_EQ(words[0], 0x5u | 0x1ffu << 3 | (0xdeadbeefu << 12));
  EXPECT_EQ(words[1], 0xdeadbeefu >> 20);
  BitReader r(buf);
  EXPECT_EQ(r.get(3, "a"), 5u);
  EXPECT_EQ(r.get(9, "b"), 0x1ffu);
  EXPECT_EQ(r.get(32, "c"), 0xdeadbeefu);
  EXPECT_THROW(r.get(21, "d"), FormatError);
  EXPECT_THROW(w.put(4, 2), UsageError);
}

TEST(Sparse, RoundTripOverheadAndSizeEveryFormat) {
  std::mt19937_64 rng(7);
  size_t checked = 0;
  for (const auto& c : cases()) {
    Params p;
    p.value_bits = c.bits;
    p.value_signed = c.is_signed;
    p.rlc_run_bits = 1 + static_cast<unsigned>(rng() % 6);
    uint64_t n = 1;
    for (auto d : c.shape) n *= d;
    const auto codes = random_codes(rng, n, c.density, p);
    for (Format f : all_formats()) {
      if ((f == Format::Csr || f == Format::Csc) && c.shape.size() != 2) {
        EXPECT_THROW(encode(f, codes, c.shape, p), UsageError);
        continue;
      }
      auto codes_f = codes;
      if (f == Format::Nm) {
        p.nm_m = 1 + static_cast<unsigned>(rng() % 16);
        p.nm_n = 1 + static_cast<unsigned>(rng() % p.nm_m);
        prune_nm(codes_f, c.shape, p.nm_n, p.nm_m);
      }
      SCOPED_TRACE(std::string(to_string(f)) + " shape[0]=" + std::to_string(c.shape[0]) + " dims=" +
                   std::to_string(c.shape.size()) + " density=" + std::to_string(c.density) + " bits=" +
                   std::to_string(c.bits));
      const Encoding e = encode(f, codes_f, c.shape, p);
      EXPECT_EQ(decode(e), codes_f);
      EXPECT_EQ(e.nnz(), count_nz(codes_f));
      EXPECT_EQ(e.overhead_bits(), expected_overhead(f, c.shape, codes_f, e));
      const auto bytes = serialize(e);
      const uint64_t body_bits = e.overhead_bits() + e.entries() * c.bits;
      EXPECT_EQ(bytes.size(), 4 * (2 + c.shape.size()) + 4 * ((body_bits + 31) / 32));
      EXPECT_EQ(bytes.size(), e.serialized_bytes());
      const Encoding back = deserialize(bytes);
      EXPECT_EQ(back, e);
      EXPECT_EQ(serialize(back), bytes);
      ++checked;
    }
  }
  EXPECT_GT(checked, 2000u);
}

TEST(Sparse, EntriesPerFormat) {
  // NNZ-only formats store exactly the nonzeros; dense stores everything.
  std::mt19937_64 rng(11);
  Params p;
  const std::vector<uint32_t> shape = {40, 50};
  const auto codes = random_codes(rng, 2000, 0.2, p);
  for (Format f : {Format::Coo, Format::Coo1d, Format::Bitmap, Format::Csr, Format::Csc})
    EXPECT_EQ(encode(f, codes, shape, p).entries(), count_nz(codes)) << to_string(f);
  EXPECT_EQ(encode(Format::Dense, codes, shape, p).entries(), 2000u);
}

TEST(Sparse, RlcPaddingZerosForLongRuns) {
  for (unsigned b = 1; b <= 6; ++b) {
    Params p;
    p.rlc_run_bits = b;
    const uint64_t max_run = (uint64_t{1} << b) - 1;
    for (uint64_t run : {uint64_t{0}, uint64_t{1}, max_run, max_run + 1, 2 * max_run + 1, 2 * max_run + 2, uint64_t{100}, uint64_t{517}}) {
      std::vector<int32_t> codes(run + 1 + 9, 0);  // `run` zeros, a 3, then 9 trailing zeros
      codes[run] = 3;
      const std::vector<uint32_t> shape = {static_cast<uint32_t>(codes.size())};
      const Encoding e = encode(Format::Rlc, codes, shape, p);
      // Each padding entry covers max_run zeros plus one stored zero.
      const uint64_t pads = run > max_run ? (run - max_run + max_run) / (max_run + 1) : 0;
      EXPECT_EQ(e.entries(), pads + 1) << "B=" << b << " run=" << run;
      EXPECT_EQ(e.nnz(), 1u);
      EXPECT_EQ(e.overhead_bits(), (pads + 1) * b);
      for (uint64_t i = 0; i + 1 < e.entries(); ++i) {
        EXPECT_EQ(e.values[i], 0);
        EXPECT_EQ(e.index[i], max_run);
      }
      EXPECT_EQ(e.index.back(), run - pads * (max_run + 1));
      EXPECT_EQ(decode(e), codes);
    }
  }
}

TEST(Sparse, NmTwoFourOneFourAndGeneral) {
  std::mt19937_64 rng(5);
  Params p;
  const std::vector<uint32_t> shape = {12, 30};  // 30 = 7 groups of 4 + a group of 2
  for (auto [n, m] : std::vector<std::pair<unsigned, unsigned>>{{2, 4}, {1, 4}, {3, 8}, {4, 16}, {16, 16}, {1, 1}, {5, 7}}) {
    p.nm_n = n;
    p.nm_m = m;
    auto codes = random_codes(rng, 360, 0.8, p);
    EXPECT_EQ(fits_nm(codes, shape, n, m), n == m);
    if (n != m) {
      EXPECT_THROW(encode(Format::Nm, codes, shape, p), UsageError);
    }
    prune_nm(codes, shape, n, m);
    ASSERT_TRUE(fits_nm(codes, shape, n, m));
    const Encoding e = encode(Format::Nm, codes, shape, p);
    // Fixed rate: N slots per full group, min(N, size) for the last partial one.
    const uint64_t full = 30 / m, rest = 30 % m;
    EXPECT_EQ(e.entries(), 12 * (full * n + std::min<uint64_t>(rest, n))) << n << ":" << m;
    EXPECT_EQ(e.overhead_bits(), e.entries() * clog2(m));
    EXPECT_EQ(decode(e), codes);
    EXPECT_EQ(deserialize(serialize(e)), e);
  }
}

TEST(Sparse, PinnedLayoutCoo1d) {
  // 2x3 int8: [[0,5,0],[0,0,-1]] -> entries (1,5), (5,-1); index bits ceil(log2 6) = 3.
  const std::vector<int32_t> codes = {0, 5, 0, 0, 0, -1};
  const std::vector<uint32_t> shape = {2, 3};
  const auto words = to_words(serialize(encode(Format::Coo1d, codes, shape, Params{})));
  ASSERT_EQ(words.size(), 5u);
  EXPECT_EQ(words[0], 2u | 8u << 4 | 1u << 9 | 2u << 11 | 0x53u << 25);
  EXPECT_EQ(words[1], 2u);
  EXPECT_EQ(words[2], 2u);
  EXPECT_EQ(words[3], 3u);
  EXPECT_EQ(words[4], 1u | 5u << 3 | 5u << 11 | 0xffu << 14);
}

TEST(Sparse, PinnedLayoutCsrAndBitmap) {
  // 3x4 int4: [[0,0,0,0],[7,0,0,-8],[0,1,0,0]]; NNZ 3 -> pointer bits 2, column bits 2.
  const std::vector<int32_t> codes = {0, 0, 0, 0, 7, 0, 0, -8, 0, 1, 0, 0};
  const std::vector<uint32_t> shape = {3, 4};
  Params p;
  p.value_bits = 4;
  auto w = to_words(serialize(encode(Format::Csr, codes, shape, p)));
  ASSERT_EQ(w.size(), 5u);
  // ptr0=0 | ptr1=0 | ptr2=2, (0,7), (3,8) | ptr3=3, (1,1)
  uint64_t bits = 0, pos = 0;
  auto put = [&](uint64_t v, unsigned width) { bits |= v << pos; pos += width; };
  put(0, 2); put(0, 2); put(2, 2); put(0, 2); put(7, 4); put(3, 2); put(8, 4); put(3, 2); put(1, 2); put(1, 4);
  EXPECT_EQ(w[4], static_cast<uint32_t>(bits));
  // Bitmap: per row one chunk of 4 mask bits, then that row's values.
  w = to_words(serialize(encode(Format::Bitmap, codes, shape, p)));
  ASSERT_EQ(w.size(), 5u);
  bits = 0;
  pos = 0;
  put(0, 4); put(0x9, 4); put(7, 4); put(8, 4); put(0x2, 4); put(1, 4);
  EXPECT_EQ(w[4], static_cast<uint32_t>(bits));
}

TEST(Sparse, BitmapChunksOf32Columns) {
  Params p;
  const std::vector<uint32_t> shape = {2, 70};  // chunks 32, 32, 6 per row
  std::vector<int32_t> codes(140, 0);
  codes[0] = 1;
  codes[33] = -2;
  codes[69] = 3;
  codes[139] = 4;
  const auto bytes = serialize(encode(Format::Bitmap, codes, shape, p));
  BitReader r(bytes, 32 * 4);
  EXPECT_EQ(r.get(32, "m"), 1u);
  EXPECT_EQ(r.get(8, "v"), 1u);
  EXPECT_EQ(r.get(32, "m"), 2u);
  EXPECT_EQ(r.get(8, "v"), 0xfeu);
  EXPECT_EQ(r.get(6, "m"), 0x20u);
  EXPECT_EQ(r.get(8, "v"), 3u);
  EXPECT_EQ(r.get(32, "m"), 0u);
  EXPECT_EQ(r.get(32, "m"), 0u);
  EXPECT_EQ(r.get(6, "m"), 0x20u);
  EXPECT_EQ(r.get(8, "v"), 4u);
}

TEST(Sparse, AutoPicksSmallest) {
  std::mt19937_64 rng(3);
  Params p;
  p.value_bits = 4;
  std::vector<Format> winners;
  for (double d : {0.0, 0.005, 0.05, 0.3, 0.7, 1.0}) {
    const std::vector<uint32_t> shape = {64, 96};
    auto codes = random_codes(rng, 64 * 96, d, p);
    const Choice c = choose_auto(codes, shape, p);
    uint64_t best = ~0ull;
    for (Format f : all_formats()) {
      if (f == Format::Nm && !fits_nm(codes, shape, p.nm_n, p.nm_m)) continue;
      best = std::min(best, serialize(encode(f, codes, shape, p)).size());
    }
    EXPECT_EQ(c.bytes, best) << d;
    EXPECT_EQ(serialize(encode(c.format, codes, shape, p)).size(), c.bytes);
    winners.push_back(c.format);
  }
  EXPECT_EQ(winners.back(), Format::Dense);  // 100 %: no index can pay for itself
  EXPECT_NE(winners[2], Format::Dense);      // 5 %: something sparse wins
}

TEST(Sparse, EncodeRejectsBadArguments) {
  Params p;
  const std::vector<uint32_t> shape = {2, 2};
  EXPECT_THROW(encode(Format::Coo, std::vector<int32_t>{0, 128, 0, 0}, shape, p), UsageError);
  EXPECT_THROW(encode(Format::Coo, std::vector<int32_t>{0, 0, 0}, shape, p), UsageError);
  p.value_signed = false;
  EXPECT_THROW(encode(Format::Coo, std::vector<int32_t>{0, -1, 0, 0}, shape, p), UsageError);
  p = Params{};
  p.value_bits = 17;
  EXPECT_THROW(encode(Format::Coo, std::vector<int32_t>{0, 1, 0, 0}, shape, p), UsageError);
  p = Params{};
  p.rlc_run_bits = 0;
  EXPECT_THROW(encode(Format::Rlc, std::vector<int32_t>{0, 1, 0, 0}, shape, p), UsageError);
  p = Params{};
  p.nm_n = 5;
  EXPECT_THROW(encode(Format::Nm, std::vector<int32_t>{0, 1, 0, 0}, shape, p), UsageError);
  EXPECT_THROW(encode(Format::Csr, std::vector<int32_t>{0, 1, 0, 0, 0, 0, 0, 0}, std::vector<uint32_t>{2, 2, 2}, Params{}),
               UsageError);
  EXPECT_THROW(encode(Format::Coo, std::vector<int32_t>{}, std::vector<uint32_t>{0, 2}, Params{}), UsageError);
  EXPECT_THROW(format_from_string("blocked"), UsageError);
  for (Format f : all_formats()) EXPECT_EQ(format_from_string(to_string(f)), f);
}

// Each corruption below breaks one rule of the format; deserialize must say so.
TEST(Sparse, DeserializeRejectsMalformed) {
  const std::vector<int32_t> codes = {0, 5, 0, 0, 0, -1, 0, 3, 0, 0, 0, 0};
  const std::vector<uint32_t> shape = {3, 4};
  for (Format f : all_formats()) {
    SCOPED_TRACE(std::string(to_string(f)));
    Params p;
    p.nm_n = 2;
    p.nm_m = 4;
    const auto good = serialize(encode(f, codes, shape, p));
    ASSERT_NO_THROW(deserialize(good));
    auto bad = good;
    bad.resize(bad.size() - 4);  // truncated body (every format here has >= 1 body word)
    EXPECT_THROW(deserialize(bad), FormatError);
    bad = good;
    bad.resize(bad.size() + 4, 0);  // an extra word
    EXPECT_THROW(deserialize(bad), FormatError);
    bad = good;
    bad.resize(bad.size() - 1);  // not a word multiple
    EXPECT_THROW(deserialize(bad), FormatError);
    bad = good;
    bad[3] ^= 0x80;  // magic
    EXPECT_THROW(deserialize(bad), FormatError);
    bad = good;
    bad[1] |= 0x04;  // reserved bit 10
    EXPECT_THROW(deserialize(bad), FormatError);
    bad = good;
    bad[4] = static_cast<uint8_t>(bad[4] + 1);  // entry count off by one
    EXPECT_THROW(deserialize(bad), FormatError);
    bad = good;
    bad[12] = 0;  // cols = 0
    EXPECT_THROW(deserialize(bad), FormatError);
    const Encoding enc = encode(f, codes, shape, p);
    if ((enc.overhead_bits() + enc.value_bits_total()) % 32 != 0) {  // the last bit is padding
      bad = good;
      bad.back() |= 0x80;
      EXPECT_THROW(deserialize(bad), FormatError);
    }
    EXPECT_THROW(deserialize(std::vector<uint8_t>{}), FormatError);
  }
  // Index out of range: COO-1D entry with flat index 13 in a 12-element tensor.
  {
    Encoding e = encode(Format::Coo1d, codes, shape, Params{});
    const auto bytes = serialize(e);
    std::vector<uint8_t> s(bytes.begin(), bytes.begin() + 16);  // header, then a hand-made body
    BitWriter w2(s);
    w2.put(13, 4);
    w2.put(5, 8);
    w2.put(7, 4);
    w2.put(3, 8);
    w2.put(9, 4);
    w2.put(0xff, 8);
    w2.align(32);
    EXPECT_THROW(deserialize(s), FormatError);
  }
  // Unsorted CSR columns and a decreasing indptr.
  {
    Encoding e = encode(Format::Csr, codes, shape, Params{});
    ASSERT_EQ(e.ptr[2] - e.ptr[1], 2u);  // row 1 holds columns 1 and 3
    std::swap(e.index[1], e.index[2]);
    std::swap(e.values[1], e.values[2]);
    EXPECT_THROW(validate(e), FormatError);
    Encoding e2 = encode(Format::Csr, codes, shape, Params{});
    e2.ptr[1] = 3;
    EXPECT_THROW(validate(e2), FormatError);
  }
  // RLC: padding entry with a short run, and a trailing padding entry.
  {
    Params p;
    p.rlc_run_bits = 2;
    Encoding e = encode(Format::Rlc, std::vector<int32_t>{0, 0, 0, 0, 0, 0, 0, 4}, std::vector<uint32_t>{8}, p);
    ASSERT_EQ(e.values.front(), 0);
    e.index.front() = 1;
    EXPECT_THROW(validate(e), FormatError);
    Encoding e2 = encode(Format::Rlc, std::vector<int32_t>{1, 0, 0, 0, 0, 0, 0, 0}, std::vector<uint32_t>{8}, p);
    e2.index.push_back(3);
    e2.values.push_back(0);
    EXPECT_THROW(validate(e2), FormatError);
  }
  // Over the element limit.
  EXPECT_THROW(deserialize(serialize(encode(Format::Coo, codes, shape, Params{})), 11), FormatError);
}
