// Entropy coding over sparse payloads: the body <-> symbol rule checked
// against an independent word packer, round trips of every sparse format under
// every coder, the symbol width chosen by exact size, auto over coded formats,
// and rejection of damaged payloads.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "squish/container/coded_sparse.hpp"
#include "squish/container/compress.hpp"
#include "squish/error.hpp"
#include "squish/sparse/sparse.hpp"

using namespace squish;
using container::CompressOptions;

namespace {

constexpr entropy::CoderId kCoders[] = {entropy::CoderId::Huffman, entropy::CoderId::Tunstall, entropy::CoderId::Rans};

// Independent reference of the contract: symbols of a bits concatenated LSB
// first into a bit string, cut into 32-bit little-endian words.
std::vector<uint32_t> pack_words(const std::vector<uint16_t>& sym, unsigned a, size_t words) {
  std::vector<uint32_t> w(words, 0);
  uint64_t pos = 0;
  for (uint16_t s : sym) {
    for (unsigned b = 0; b < a; ++b, ++pos)
      if (((s >> b) & 1u) && pos < 32 * words) w[pos / 32] |= 1u << (pos % 32);
  }
  return w;
}

std::vector<uint32_t> words_of(std::span<const uint8_t> bytes) {
  std::vector<uint32_t> w(bytes.size() / 4);
  std::memcpy(w.data(), bytes.data(), 4 * w.size());  // little-endian host (x86/Arm)
  return w;
}

std::vector<int32_t> pruned_codes(size_t n, double density, int lo, int hi, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> v(lo, hi);
  std::vector<int32_t> c(n, 0);
  for (auto& x : c)
    if (u(g) < density) {
      do x = v(g);
      while (x == 0);
    }
  return c;
}

std::vector<Tensor> pruned_model() {
  std::mt19937 g(7);
  std::normal_distribution<float> d(0, 0.1f);
  std::vector<Tensor> ts;
  for (auto shape : {std::vector<size_t>{3, 3, 16, 32}, {96, 64}, {1, 1, 64, 40}, {24}}) {
    std::vector<float> v(shape_numel(shape));
    for (auto& x : v) x = d(g);
    ts.push_back(Tensor::from_float("w" + std::to_string(ts.size()), shape, v));
  }
  return ts;
}

}  // namespace

TEST(CodedSparse, SymbolsPackIntoTheBodyWords) {
  std::mt19937 g(1);
  for (unsigned a = 1; a <= 8; ++a)
    for (size_t words : {0u, 1u, 3u, 17u}) {
      std::vector<uint8_t> body(4 * words);
      for (auto& b : body) b = static_cast<uint8_t>(g());
      const auto sym = container::body_to_symbols(body, a);
      EXPECT_EQ(sym.size(), (32 * words + a - 1) / a) << "a=" << a;
      for (auto s : sym) EXPECT_LT(s, 1u << a);
      EXPECT_EQ(pack_words(sym, a, words), words_of(body)) << "a=" << a << " words=" << words;
      EXPECT_EQ(container::symbols_to_body(sym, a, body.size()), body);
      if (32 * words % a != 0) {
        auto bad = sym;
        bad.back() = static_cast<uint16_t>(bad.back() | (1u << (a - 1)));  // a bit past the body
        EXPECT_THROW(container::symbols_to_body(bad, a, body.size()), FormatError) << "a=" << a;
      }
    }
}

TEST(CodedSparse, HeaderGivesTheBodySize) {
  for (auto f : sparse::all_formats()) {
    const bool matrix = f == sparse::Format::Csr || f == sparse::Format::Csc;
    const std::vector<uint32_t> shape = matrix ? std::vector<uint32_t>{40, 70} : std::vector<uint32_t>{4, 10, 70};
    const size_t n = 2800;
    sparse::Params p;
    p.value_bits = 4;
    auto codes = pruned_codes(n, f == sparse::Format::Dense ? 1.0 : 0.2, -8, 7, 3);
    if (f == sparse::Format::Nm) codes = pruned_codes(n, 0.0, -8, 7, 3);  // all zero fits 2:4
    const auto bytes = sparse::serialize(sparse::encode(f, codes, shape, p));
    const auto h = sparse::read_header(bytes);
    EXPECT_EQ(h.header_bytes + h.body_bytes, bytes.size()) << sparse::to_string(f);
    EXPECT_EQ(h.format, f);
    EXPECT_EQ(h.shape, shape);
  }
}

TEST(CodedSparse, CoderPayloadDecodesToTheSparseBody) {
  // The RTL contract: header words as they are, then the coder's symbols packed
  // LSB first into words = the body of the plain sparse payload.
  for (auto f : {sparse::Format::Bitmap, sparse::Format::Csr, sparse::Format::Rlc, sparse::Format::Coo1d}) {
    const std::vector<uint32_t> shape = {128, 96};
    sparse::Params p;
    p.value_bits = 4;
    const auto codes = pruned_codes(128 * 96, 0.1, -8, 7, 11);
    const auto plain = sparse::serialize(sparse::encode(f, codes, shape, p));
    const auto h = sparse::read_header(plain);
    for (auto coder : kCoders)
      for (unsigned a : {2u, 4u, 6u, 8u}) {
        entropy::CoderParams cp;
        cp.alphabet_bits = a;
        const auto coded = container::code_sparse(plain, coder, cp);
        ASSERT_GE(coded.size(), h.header_bytes);
        EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(h.header_bytes), coded.begin()));
        const auto sym = entropy::decode_symbols(coder, std::span(coded).subspan(h.header_bytes),
                                                 (8 * h.body_bytes + a - 1) / a, cp);
        EXPECT_EQ(pack_words(sym, a, h.body_bytes / 4), words_of(std::span(plain).subspan(h.header_bytes)))
            << sparse::to_string(f) << " " << entropy::to_string(coder) << " a=" << a;
        EXPECT_EQ(container::uncode_sparse(coded, coder, cp, 1u << 20), plain);
        EXPECT_EQ(sparse::decode(sparse::deserialize(container::uncode_sparse(coded, coder, cp, 1u << 20))), codes);
      }
  }
}

TEST(CodedSparse, WidthChosenByExactSize) {
  const std::vector<uint32_t> shape = {64, 256};
  sparse::Params p;
  p.value_bits = 4;
  const auto codes = pruned_codes(64 * 256, 0.1, -8, 7, 5);
  const auto plain = sparse::serialize(sparse::encode(sparse::Format::Bitmap, codes, shape, p));
  for (auto coder : kCoders) {
    entropy::CoderParams cp;
    const auto best = container::code_sparse_best(plain, coder, cp);
    for (unsigned a : {2u, 4u, 8u}) {
      entropy::CoderParams q;
      q.alphabet_bits = a;
      EXPECT_LE(best.size(), container::code_sparse(plain, coder, q).size()) << entropy::to_string(coder) << " a=" << a;
    }
    EXPECT_EQ(container::uncode_sparse(best, coder, cp, 1u << 20), plain);
  }
  // rANS over a 10 %-dense 4-bit bitmap must beat the plain payload clearly.
  entropy::CoderParams cp;
  EXPECT_LT(container::code_sparse_best(plain, entropy::CoderId::Rans, cp).size() * 10, plain.size() * 9);
}

TEST(CodedSparse, EveryFormatUnderEveryCoderRoundTrips) {
  const auto ts = pruned_model();
  for (auto coder : kCoders)
    for (auto fmt : sparse::all_formats())
      for (int prune = 0; prune < 2; ++prune) {
        CompressOptions o;
        o.coder = coder;
        o.sparse_format = fmt;
        o.quant.bits = 4;
        o.prune.method = prune ? prune::Method::Nm : prune::Method::Unstructured;
        o.prune.sparsity = 0.9;
        o.prune.n = 2;
        o.prune.m = 4;
        const auto res = container::compress(ts, o);
        const auto bytes = container::serialize(res.container);
        const auto back = container::parse(bytes);
        const std::string what = std::string(entropy::to_string(coder)) + " " + std::string(sparse::to_string(fmt));
        ASSERT_EQ(back.sections.size(), ts.size());
        // Unstructured 90 % does not fit 2:4: N:M falls back to dense (docs/format.md).
        EXPECT_EQ(back.sections[1].sparse_format, fmt == sparse::Format::Nm && !prune ? sparse::Format::Dense : fmt) << what;
        EXPECT_EQ(back.sections[1].coder, coder) << what;
        for (size_t i = 0; i < ts.size(); ++i) {
          const Tensor t = container::decode_tensor(back.sections[i]);
          ASSERT_EQ(t.data.size(), 4 * res.expected[i].size()) << what;
          EXPECT_EQ(std::memcmp(t.data.data(), res.expected[i].data(), t.data.size()), 0) << what << " " << ts[i].name;
        }
      }
}

TEST(CodedSparse, AutoPicksTheSmallestCodedPayload) {
  const auto ts = pruned_model();
  for (auto coder : kCoders) {
    CompressOptions o;
    o.coder = coder;
    o.quant.bits = 4;
    o.prune.method = prune::Method::Unstructured;
    o.prune.sparsity = 0.9;
    o.sparse_auto = true;
    const auto a = container::compress(ts, o);
    for (auto fmt : sparse::all_formats()) {
      if (fmt == sparse::Format::Nm) continue;  // 90 % unstructured does not fit 2:4
      o.sparse_auto = false;
      o.sparse_format = fmt;
      const auto b = container::compress(ts, o);
      for (size_t i = 0; i < ts.size(); ++i) {
        EXPECT_LE(a.container.sections[i].payload.size(), b.container.sections[i].payload.size())
            << entropy::to_string(coder) << " " << ts[i].name << " vs " << sparse::to_string(fmt);
        if (a.container.sections[i].payload.size() == b.container.sections[i].payload.size() && fmt != sparse::Format::Dense &&
            a.container.sections[i].sparse_format == fmt)
          EXPECT_EQ(a.container.sections[i].payload, b.container.sections[i].payload);
      }
    }
    // Huffman spends at least one bit per dense symbol: at 90 % zeros a coded
    // sparse payload must win on the 96x64 weight.
    if (coder == entropy::CoderId::Huffman) EXPECT_NE(a.container.sections[1].sparse_format, sparse::Format::Dense);
  }
}

TEST(CodedSparse, DamagedPayloadsAreRejected) {
  const std::vector<uint32_t> shape = {64, 64};
  sparse::Params p;
  p.value_bits = 4;
  const auto codes = pruned_codes(64 * 64, 0.1, -8, 7, 9);
  const auto plain = sparse::serialize(sparse::encode(sparse::Format::Csr, codes, shape, p));
  for (auto coder : kCoders) {
    entropy::CoderParams cp;
    const auto coded = container::code_sparse_best(plain, coder, cp);
    for (size_t cut : {size_t{0}, size_t{7}, size_t{16}, coded.size() - 1})
      EXPECT_THROW(container::uncode_sparse(std::span(coded).first(cut), coder, cp, 1u << 20), FormatError)
          << entropy::to_string(coder) << " cut " << cut;
    auto extra = coded;
    extra.push_back(0);
    EXPECT_THROW(container::uncode_sparse(extra, coder, cp, 1u << 20), FormatError) << entropy::to_string(coder);
    auto bad_magic = coded;
    bad_magic[3] ^= 0x80;
    EXPECT_THROW(container::uncode_sparse(bad_magic, coder, cp, 1u << 20), FormatError);
  }
}

TEST(CodedSparse, EmptyBodyRoundTrips) {
  // COO of an all-zero tensor has no body: zero symbols after the header.
  const std::vector<uint32_t> shape = {8, 8};
  sparse::Params p;
  const std::vector<int32_t> zeros(64, 0);
  const auto plain = sparse::serialize(sparse::encode(sparse::Format::Coo, zeros, shape, p));
  ASSERT_EQ(plain.size(), 16u);
  for (auto coder : kCoders) {
    entropy::CoderParams cp;
    const auto coded = container::code_sparse_best(plain, coder, cp);
    EXPECT_EQ(container::uncode_sparse(coded, coder, cp, 1u << 20), plain) << entropy::to_string(coder);
  }
}
