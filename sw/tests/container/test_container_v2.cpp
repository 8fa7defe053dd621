// Container version 2 (compact metadata): version 1.0 files written by the
// first release still read and re-serialize byte for byte, v2 round trips are
// lossless for every field that decoding uses, per-channel parameters survive
// in every encoding, and the metadata shrinks.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "squish/container/compress.hpp"
#include "squish/error.hpp"
#include "squish/io/tfjs.hpp"

using namespace squish;
using container::CompressOptions;

namespace {

std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

const std::string kV1Dir = std::string(SQUISH_ROOT) + "/sw/tests/container/v1";
const std::string kSlice = std::string(SQUISH_ROOT) + "/golden/models/ssd_mobilenetv1_slice/slice-weights_manifest.json";

std::vector<Tensor> model(uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0, 0.1f);
  std::vector<Tensor> ts;
  for (auto shape : {std::vector<size_t>{3, 3, 8, 16}, {64, 48}, {1, 1, 32, 20}, {16}, {}, {40000}}) {
    std::vector<float> v(shape_numel(shape));
    for (auto& x : v) x = d(g);
    ts.push_back(Tensor::from_float("layer" + std::to_string(ts.size()) + "/weights", shape, v));
  }
  return ts;
}

void expect_same_codes(const container::Section& a, const container::Section& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.payload, b.payload);
  const Tensor ta = container::decode_tensor(a), tb = container::decode_tensor(b);
  EXPECT_EQ(ta.data, tb.data) << a.name;
}

}  // namespace

TEST(ContainerV2, Version1FilesStillRead) {
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(kV1Dir)) {
    const auto bytes = read_file(e.path());
    ASSERT_GT(bytes.size(), 16u);
    ASSERT_EQ(bytes[8], 1);  // written by the 1.0 writer
    const auto c = container::parse(bytes);
    EXPECT_EQ(c.version_major, 1);
    EXPECT_EQ(container::serialize(c), bytes) << e.path();  // v1 written back byte for byte
    // The same content as v2: smaller, and decodes to the same values.
    auto c2 = c;
    c2.version_major = container::kVersionMajor;
    const auto b2 = container::serialize(c2);
    EXPECT_EQ(b2[8], 2);
    EXPECT_LT(b2.size(), bytes.size()) << e.path();
    const auto back = container::parse(b2);
    ASSERT_EQ(back.sections.size(), c.sections.size());
    for (size_t i = 0; i < c.sections.size(); ++i) {
      if (c.sections[i].quant.scheme == quant::Scheme::Raw) {
        EXPECT_EQ(back.sections[i].payload, c.sections[i].payload);
        continue;
      }
      expect_same_codes(c.sections[i], back.sections[i]);
      EXPECT_EQ(back.sections[i].entries, c.sections[i].entries);
      for (size_t k = 0; k < c.sections[i].quant.channels.size(); ++k) {
        const auto &x = c.sections[i].quant.channels[k], &y = back.sections[i].quant.channels[k];
        EXPECT_EQ(std::memcmp(&x.scale, &y.scale, 8), 0);
        EXPECT_EQ(std::memcmp(&x.offset, &y.offset, 8), 0);
        EXPECT_EQ(x.zero_point, y.zero_point);
        EXPECT_EQ(x.multiplier, y.multiplier);
        EXPECT_EQ(x.shift, y.shift);
      }
    }
    ++files;
  }
  EXPECT_GE(files, 4u);
}

TEST(ContainerV2, ChannelParametersAreLossless) {
  // Per-channel parameters in every encoding the writer picks: float32 or
  // float64 scales, shared or per-channel zero points and offsets, multipliers
  // derived from the scale or stored.
  const auto ts = model(3);
  CompressOptions o;
  o.per_channel = true;
  o.quant.bits = 4;
  o.quant.symmetric = false;
  o.quant.is_signed = false;
  auto c = container::compress(ts, o).container;
  std::mt19937 g(5);
  auto& ch = c.sections[0].quant.channels;  // 16 channels
  ASSERT_EQ(ch.size(), 16u);
  ch[3].multiplier += 1;  // not derivable from the scale: stored explicitly
  auto& ch1 = c.sections[1].quant.channels;
  for (auto& x : ch1) x.zero_point = static_cast<int32_t>(g() % 16);
  for (auto& x : c.sections[2].quant.channels) {
    x.offset = -0.1 - 1e-12 * static_cast<double>(g() % 1000);
    x.scale = 0.01 + 1e-13 * static_cast<double>(g() % 1000);
  }
  const auto bytes = container::serialize(c);
  const auto back = container::parse(bytes);
  for (size_t i = 0; i < 3; ++i) {
    const auto &a = c.sections[i].quant.channels, &b = back.sections[i].quant.channels;
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(std::memcmp(&a[k].scale, &b[k].scale, 8), 0) << i << "/" << k;
      EXPECT_EQ(std::memcmp(&a[k].offset, &b[k].offset, 8), 0) << i << "/" << k;
      EXPECT_EQ(a[k].zero_point, b[k].zero_point);
      EXPECT_EQ(a[k].multiplier, b[k].multiplier);
      EXPECT_EQ(a[k].shift, b[k].shift);
    }
  }
  EXPECT_EQ(container::serialize(back), bytes);
}

TEST(ContainerV2, MetadataShrinks) {
  const auto ts = model(4);
  for (bool pc : {false, true})
    for (auto coder : {entropy::CoderId::None, entropy::CoderId::Rans}) {
      CompressOptions o;
      o.per_channel = pc;
      o.coder = coder;
      const auto c = container::compress(ts, o).container;
      for (const auto& s : c.sections) {
        const uint64_t v1 = container::section_metadata_bytes(s, 1), v2 = container::section_metadata_bytes(s, 2);
        EXPECT_LT(v2, v1) << s.name;
        // Independently: a one-section v1 file minus an empty v1 file, minus
        // name and payload.
        container::Container one, none;
        one.version_major = none.version_major = 1;
        one.sections = {s};
        EXPECT_EQ(v1, container::serialize(one).size() - container::serialize(none).size() - s.name.size() - s.payload.size()) << s.name;
        if (!pc) EXPECT_LE(v2, 48u) << s.name << " " << entropy::to_string(coder);
      }
      // The file is the sum of its parts.
      auto c2 = c;
      const auto bytes = container::serialize(c2);
      uint64_t sum = container::parse(bytes).header_bytes;
      for (const auto& s : c.sections) sum += container::section_metadata_bytes(s) + s.name.size() + s.payload.size();
      // Header-table entries are counted with their sections.
      uint64_t table = 0;
      for (const auto& s : container::parse(bytes).sections) table += s.file_bytes < 128 ? 1 : s.file_bytes < 16384 ? 2 : 3;
      EXPECT_EQ(sum, bytes.size() + table);
    }
}

TEST(ContainerV2, RealSliceRoundTrips) {
  const auto ts = io::load_tfjs(kSlice);
  for (auto coder : {entropy::CoderId::None, entropy::CoderId::Huffman, entropy::CoderId::Rans}) {
    CompressOptions o;
    o.coder = coder;
    const auto res = container::compress(ts, o);
    const auto bytes = container::serialize(res.container);
    const auto back = container::parse(bytes);
    ASSERT_EQ(back.sections.size(), ts.size());
    for (size_t i = 0; i < ts.size(); ++i) {
      const Tensor t = container::decode_tensor(back.sections[i]);
      if (back.sections[i].quant.scheme == quant::Scheme::Raw) {
        EXPECT_EQ(t.data, ts[i].data);
        continue;
      }
      ASSERT_EQ(t.data.size(), 4 * res.expected[i].size());
      EXPECT_EQ(std::memcmp(t.data.data(), res.expected[i].data(), t.data.size()), 0) << ts[i].name;
    }
    EXPECT_EQ(container::serialize(back), bytes);
  }
}

TEST(ContainerV2, DamagedFilesAreRejected) {
  CompressOptions o;
  o.quant.bits = 4;
  o.coder = entropy::CoderId::Rans;
  const auto good = container::serialize(container::compress(model(6), o).container);
  ASSERT_EQ(good[8], 2);
  auto err = [](std::vector<uint8_t> b, bool crc = true) {
    try {
      container::parse(b, uint64_t{1} << 28, crc);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  for (size_t n = 0; n < good.size(); n += 3) EXPECT_NE(err(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n))), "accepted") << n;
  auto b = good;
  b.push_back(0);
  EXPECT_NE(err(b).find("unexpected bytes"), std::string::npos);
  const auto c = container::parse(good);
  b = good;
  b[c.sections[1].file_offset + 3] ^= 4;
  EXPECT_NE(err(b).find("section 1"), std::string::npos);
  EXPECT_NE(err(b).find("CRC"), std::string::npos);
  // Every single-byte change with CRCs ignored: a FormatError or a file that
  // still parses, never a crash (the fuzz target covers this at length).
  std::vector<size_t> at;
  for (size_t i = 10; i < c.header_bytes; ++i) at.push_back(i);
  for (const auto& s : c.sections)
    for (size_t i = 0; i < 48 && i < s.file_bytes; ++i) at.push_back(s.file_offset + i);
  for (size_t i : at) {
    b = good;
    b[i] ^= 0x5a;
    try {
      const auto x = container::parse(b, uint64_t{1} << 28, false);
      for (const auto& s : x.sections) (void)container::decode_tensor(s);
    } catch (const FormatError&) {
    }
  }
}
