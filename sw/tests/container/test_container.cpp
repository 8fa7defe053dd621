// The .sqz container and the compression pipeline: bit-exact round trips over
// option combinations, the lossless tfjs path on real weights, entry points,
// and the reader's rejection of corrupt files.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "squish/container/compress.hpp"
#include "squish/container/report.hpp"
#include "squish/error.hpp"
#include "squish/io/npy.hpp"
#include "squish/io/tfjs.hpp"

using namespace squish;
using container::CompressOptions;

namespace {
const std::string kSlice = std::string(SQUISH_ROOT) + "/golden/models/ssd_mobilenetv1_slice/slice-weights_manifest.json";

std::vector<Tensor> synthetic() {
  std::mt19937 g(42);
  std::normal_distribution<float> d(0, 0.1f);
  std::vector<Tensor> ts;
  for (auto shape : {std::vector<size_t>{3, 3, 8, 16}, {64, 48}, {1, 1, 32, 20}, {16}, {}}) {
    std::vector<float> v(shape_numel(shape));
    for (auto& x : v) x = d(g);
    ts.push_back(Tensor::from_float("t" + std::to_string(ts.size()), shape, v));
  }
  Tensor i32;
  i32.name = "int_shape";
  i32.shape = {3};
  i32.dtype = DType::I32;
  i32.data = {1, 0, 0, 0, 255, 255, 255, 255, 7, 0, 0, 0};
  ts.push_back(i32);
  return ts;
}

// Compresses, serializes, parses, decodes; checks bit-exactness. Returns the file.
std::vector<uint8_t> round_trip(const std::vector<Tensor>& ts, const CompressOptions& o, const std::string& what) {
  const auto res = container::compress(ts, o);
  const auto bytes = container::serialize(res.container);
  const auto back = container::parse(bytes);
  EXPECT_EQ(container::serialize(back), bytes) << what;
  EXPECT_EQ(back.sections.size(), ts.size());
  for (size_t i = 0; i < ts.size() && i < back.sections.size(); ++i) {
    const auto& s = back.sections[i];
    const Tensor t = container::decode_tensor(s);
    if (s.quant.scheme == quant::Scheme::Raw) {
      EXPECT_EQ(t.data, ts[i].data) << what << " " << ts[i].name;
    } else {
      EXPECT_EQ(t.data.size(), 4 * res.expected[i].size());
      if (t.data.size() != 4 * res.expected[i].size()) continue;
      EXPECT_EQ(std::memcmp(t.data.data(), res.expected[i].data(), t.data.size()), 0) << what << " " << ts[i].name;
      EXPECT_EQ(s.nonzero, prune::count_nonzero(t.to_float())) << what;
    }
  }
  return bytes;
}
}  // namespace

TEST(Container, RoundTripEverySparseFormat) {
  const auto ts = synthetic();
  for (auto fmt : sparse::all_formats()) {
    for (int prune = 0; prune < 3; ++prune) {
      CompressOptions o;
      o.sparse_format = fmt;
      o.quant.bits = 4;
      if (prune == 1) {
        o.prune.method = prune::Method::Unstructured;
        o.prune.sparsity = 0.8;
      } else if (prune == 2) {
        o.prune.method = prune::Method::Nm;
        o.prune.n = 2;
        o.prune.m = 4;
      }
      const auto bytes = round_trip(ts, o, std::string(sparse::to_string(fmt)) + " prune " + std::to_string(prune));
      if (prune == 1 && fmt == sparse::Format::Bitmap) {
        const auto c = container::parse(bytes);
        EXPECT_EQ(c.sections[1].sparse_format, sparse::Format::Bitmap);  // 64x48 weight
      }
    }
  }
  CompressOptions a;
  a.sparse_auto = true;
  a.prune.method = prune::Method::Unstructured;
  a.prune.sparsity = 0.9;
  const auto c = container::parse(round_trip(ts, a, "auto"));
  EXPECT_NE(c.sections[1].sparse_format, sparse::Format::Dense);  // 90 % zeros: a sparse format wins
}

TEST(Container, RoundTripQuantizersAndPruners) {
  const auto ts = synthetic();
  for (int scheme = 0; scheme < 6; ++scheme)
    for (unsigned bits : {2u, 3u, 4u, 8u})
      for (bool pc : {false, true}) {
        CompressOptions o;
        o.quant.bits = bits;
        o.per_channel = pc;
        o.channels_last = true;
        switch (scheme) {
          case 1: o.quant.symmetric = false; o.quant.is_signed = false; break;
          case 2: o.quant.narrow = true; o.quant.rounding = quant::Rounding::HalfAway; break;
          case 3: if (pc) continue; o.quant.scheme = quant::Scheme::Codebook; o.quant.kmeans_k = 1u << bits; break;
          case 4: o.quant.scheme = quant::Scheme::Pot; break;
          case 5: o.quant.scheme = quant::Scheme::Apot; break;
          default: break;
        }
        o.prune.method = static_cast<prune::Method>(bits % 6);
        o.prune.sparsity = 0.5;
        o.sparse_auto = bits == 4;
        o.quant.clip_search = bits == 3;
        round_trip(ts, o, "scheme " + std::to_string(scheme) + " bits " + std::to_string(bits));
      }
}

TEST(Container, EntropyCodersRoundTrip) {
  const auto ts = synthetic();
  for (auto coder : {entropy::CoderId::None, entropy::CoderId::Huffman, entropy::CoderId::Tunstall, entropy::CoderId::Rans}) {
    CompressOptions o;
    o.coder = coder;
    o.quant.bits = 4;
    o.prune.method = prune::Method::Unstructured;
    o.prune.sparsity = 0.6;
    o.sparse_format = sparse::Format::Csr;  // coded over the CSR payload when a coder is set
    try {
      const auto c = container::parse(round_trip(ts, o, std::string(entropy::to_string(coder))));
      EXPECT_EQ(c.sections[0].coder, coder);
      EXPECT_EQ(c.sections[1].sparse_format, sparse::Format::Csr);  // the 64x48 weight
    } catch (const UsageError& e) {
      ADD_FAILURE() << "coder " << entropy::to_string(coder) << ": " << e.what();
    }
  }
}

TEST(Container, LosslessOnRealTfjsSlice) {
  const auto ts = io::load_tfjs(kSlice);
  CompressOptions o;
  o.quant.bits = 8;
  o.keep_float = {"Output/extra_dim"};
  const auto res = container::compress(ts, o);
  const auto c = container::parse(container::serialize(res.container));
  size_t lossless = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const Tensor t = container::decode_tensor(c.sections[i]);
    EXPECT_EQ(t.data, ts[i].data) << ts[i].name;  // the model's own values, bit for bit
    EXPECT_EQ(c.sections[i].error_energy, 0.0) << ts[i].name;
    lossless += c.sections[i].quant.scheme == quant::Scheme::Tfjs;
  }
  EXPECT_GT(lossless, 40u);
  // --lossless: same without naming the float tensors.
  CompressOptions l;
  l.lossless = true;
  const auto cl = container::parse(container::serialize(container::compress(ts, l).container));
  for (size_t i = 0; i < ts.size(); ++i) EXPECT_EQ(container::decode_tensor(cl.sections[i]).data, ts[i].data) << ts[i].name;
  l.prune.method = prune::Method::Unstructured;
  EXPECT_THROW(container::compress(ts, l), UsageError);
  // Pruning re-quantizes (tfjs codes cannot express exact zeros): still a bit-exact round trip.
  o.prune.method = prune::Method::Unstructured;
  o.prune.sparsity = 0.8;
  o.per_channel = true;
  o.quant.bits = 4;
  round_trip(ts, o, "slice 80% 4-bit per-channel");
  o.prune.method = prune::Method::None;
  o.bit_budget = 3;
  const auto mp = container::compress(ts, o);
  EXPECT_TRUE(mp.mp_budget_met);
  EXPECT_LE(mp.mp_avg_bits, 3.0 + 1e-12);
}

TEST(Container, EntryPointsStartMidTensor) {
  std::vector<float> v(3 * 4096 + 100);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>(i % 13) - 6);
  const std::vector<Tensor> ts = {Tensor::from_float("w", {v.size() / 4, 4}, v)};
  for (unsigned bits : {3u, 5u, 8u}) {
    CompressOptions o;
    o.quant.bits = bits;
    const auto c = container::parse(container::serialize(container::compress(ts, o).container));
    const auto& s = c.sections[0];
    ASSERT_EQ(s.entries.size(), 3u);
    const auto all = container::decode_codes(s);
    const auto syms = container::symbols_of(s.quant, all);
    for (const auto& e : s.entries) {
      EXPECT_EQ(e.symbol % container::kEntryInterval, 0u);
      const auto tail = entropy::decode_symbols(entropy::CoderId::None, std::span(s.payload).subspan(e.byte),
                                                v.size() - e.symbol + (s.payload.size() - e.byte) * 8 / bits - (v.size() - e.symbol), s.coder_params);
      for (size_t k = 0; k < 64; ++k) EXPECT_EQ(tail[k], syms[e.symbol + k]) << bits;
    }
  }
}

TEST(Container, ReaderRejectsCorruption) {
  CompressOptions o;
  o.quant.bits = 4;
  const auto good = container::serialize(container::compress(synthetic(), o).container);
  auto err = [](std::vector<uint8_t> b) {
    try {
      container::parse(b);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  auto b = good;
  b[1] = 'X';
  EXPECT_NE(err(b).find("bad magic"), std::string::npos);
  b = good;
  b[8] = 3;
  EXPECT_NE(err(b).find("unsupported format version 3"), std::string::npos);
  const auto c = container::parse(good);
  // Truncation inside section 2.
  b.assign(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(c.sections[2].file_offset + 10));
  EXPECT_NE(err(b).find("section 2 at byte " + std::to_string(c.sections[2].file_offset)), std::string::npos) << err(b);
  EXPECT_NE(err(b).find("truncated"), std::string::npos);
  // A flipped payload bit in section 1: CRC names the section and the CRC's byte offset.
  b = good;
  b[c.sections[1].file_offset + c.sections[1].file_bytes - 10] ^= 0x10;
  EXPECT_NE(err(b).find("section 1 at byte"), std::string::npos) << err(b);
  EXPECT_NE(err(b).find("CRC mismatch"), std::string::npos);
  // Header CRC.
  b = good;
  b[12] ^= 1;
  EXPECT_NE(err(b).find("header"), std::string::npos);
  // Trailing garbage.
  b = good;
  b.push_back(0);
  EXPECT_NE(err(b).find("unexpected bytes"), std::string::npos);
  // Every truncation is rejected, none crashes.
  for (size_t n = 0; n < good.size(); n += 7) EXPECT_NE(err(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n))), "accepted");
}

TEST(Container, FiguresOfAFile) {
  CompressOptions o;
  o.quant.bits = 4;
  const auto ts = synthetic();
  const auto bytes = container::serialize(container::compress(ts, o).container);
  const auto f = container::figures(container::parse(bytes), bytes.size());
  size_t n = 0;
  for (const auto& t : ts) n += t.numel();
  EXPECT_EQ(f.elements, n);
  EXPECT_DOUBLE_EQ(f.bits_per_weight, 8.0 * bytes.size() / n);
  EXPECT_DOUBLE_EQ(f.compression_ratio, 4.0 * n / bytes.size());
  EXPECT_GT(f.sqnr_db, 15);
  EXPECT_LE(f.sections[0].entropy, 4.0);
  uint64_t sum = 0;
  for (const auto& s : f.sections) sum += s.section_bytes;
  EXPECT_LT(sum, bytes.size());  // the file header is counted in the total only
}
