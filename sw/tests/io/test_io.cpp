// .npy/.npz readers and writers against files numpy wrote, the DEFLATE decoder
// against numpy's savez_compressed, CRC-32 against zlib's published check value,
// and the tfjs loader against values numpy computed from the real face-api slice.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "squish/error.hpp"
#include "squish/io/crc32.hpp"
#include "squish/io/inflate.hpp"
#include "squish/io/json_read.hpp"
#include "squish/io/npy.hpp"
#include "squish/io/tfjs.hpp"

using namespace squish;

namespace {
const std::string kGold = std::string(SQUISH_ROOT) + "/golden/";

// The closed form golden/io/make_npy_golden.py wrote.
double golden_value(size_t i, DType t) {
  double v = static_cast<double>((i * 7) % 23) - 11;
  if (dtype_is_float(t)) v /= 4.0;
  if (t == DType::U8) v += 11;
  return v;
}
}  // namespace

TEST(Crc32, CheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(io::crc32({reinterpret_cast<const uint8_t*>(s.data()), s.size()}), 0xCBF43926u);
  EXPECT_EQ(io::crc32({}), 0u);
  // Running CRC equals one-shot CRC.
  const auto a = io::crc32({reinterpret_cast<const uint8_t*>(s.data()), 4});
  EXPECT_EQ(io::crc32({reinterpret_cast<const uint8_t*>(s.data()) + 4, 5}, a), 0xCBF43926u);
}

TEST(Half, RoundTripAndRounding) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_half(f), h) << h;
  }
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even mantissa (1.0) wins.
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(float_to_half(70000.0f), 0x7c00);  // overflow to inf
}

TEST(Npy, ReadsEveryDtypeNumpyWrote) {
  for (DType t : {DType::F32, DType::F16, DType::I8, DType::U8, DType::I16, DType::I32}) {
    const std::string path = kGold + "io/v_" + std::string(dtype_name(t)) + "_2x3x4.npy";
    const Tensor x = io::read_npy(io::read_file(path), "v");
    EXPECT_EQ(x.dtype, t);
    EXPECT_EQ(x.shape, (std::vector<size_t>{2, 3, 4}));
    const auto f = x.to_float();
    for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(f[i], golden_value(i, t)) << dtype_name(t) << " " << i;
    // Our writer reproduces numpy's file byte for byte (same header layout).
    EXPECT_EQ(io::write_npy(x), io::read_file(path)) << dtype_name(t);
  }
}

TEST(Npy, ScalarVectorAndEmpty) {
  auto s = io::read_npy(io::read_file(kGold + "io/v_float32_scalar.npy"), "s");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.to_float().at(0), golden_value(0, DType::F32));
  auto v = io::read_npy(io::read_file(kGold + "io/v_float32_5.npy"), "v");
  EXPECT_EQ(v.shape, (std::vector<size_t>{5}));
  EXPECT_EQ(io::write_npy(v), io::read_file(kGold + "io/v_float32_5.npy"));
  auto e = io::read_npy(io::read_file(kGold + "io/v_float32_0x3.npy"), "e");
  EXPECT_EQ(e.numel(), 0u);
  EXPECT_EQ(io::write_npy(s), io::read_file(kGold + "io/v_float32_scalar.npy"));
}

TEST(Npy, RejectsWithClearErrors) {
  auto msg = [](const std::string& f) {
    try {
      io::read_npy(io::read_file(kGold + "io/" + f), f);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("bad_fortran.npy").find("Fortran"), std::string::npos);
  EXPECT_NE(msg("bad_float64.npy").find("'<f8' is not supported"), std::string::npos);
  EXPECT_NE(msg("bad_bigendian.npy").find("big-endian"), std::string::npos);
  auto bytes = io::read_file(kGold + "io/v_float32_2x3x4.npy");
  bytes.resize(bytes.size() - 1);
  EXPECT_THROW(io::read_npy(bytes, "t"), FormatError);
  bytes[0] = 'X';
  EXPECT_THROW(io::read_npy(bytes, "t"), FormatError);
  EXPECT_THROW(io::read_file(kGold + "io/does-not-exist.npy"), IoError);
}

TEST(Npz, StoredAndDeflatedMatch) {
  const auto a = io::read_npz(io::read_file(kGold + "io/stored.npz"));
  const auto b = io::read_npz(io::read_file(kGold + "io/deflated.npz"));
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  const char* names[] = {"a", "b/c", "d"};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(a[k].name, names[k]);
    EXPECT_EQ(b[k].name, names[k]);
    EXPECT_EQ(a[k].data, b[k].data);
    EXPECT_EQ(a[k].shape, b[k].shape);
    const auto f = a[k].to_float();
    for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(f[i], golden_value(i, a[k].dtype));
  }
  // Our writer's archive reads back identically.
  const auto c = io::read_npz(io::write_npz(a));
  ASSERT_EQ(c.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(c[k].data, a[k].data);
}

TEST(Npz, DynamicHuffmanMember) {
  const auto z = io::read_npz(io::read_file(kGold + "io/deflated_big.npz"));
  const auto ref = io::read_npy(io::read_file(kGold + "io/deflated_big_w.npy"), "w");
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].data, ref.data);
}

TEST(Inflate, RejectsGarbageAndCapsOutput) {
  // Stored block "abc": BFINAL=1, BTYPE=00, LEN=3, NLEN=~3.
  const std::vector<uint8_t> ok = {0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'};
  EXPECT_EQ(io::inflate(ok, 3), (std::vector<uint8_t>{'a', 'b', 'c'}));
  EXPECT_THROW(io::inflate(ok, 2), FormatError);
  std::vector<uint8_t> badlen = ok;
  badlen[3] = 0;
  EXPECT_THROW(io::inflate(badlen, 10), FormatError);
  EXPECT_THROW(io::inflate(std::vector<uint8_t>{0x07}, 10), FormatError);  // reserved type 3
  EXPECT_THROW(io::inflate(std::vector<uint8_t>{}, 10), FormatError);
}

TEST(Json, ParsesAndRejects) {
  const auto n = io::parse_json(R"({"a": [1, -2.5e-3, "x\u00e9"], "b": {"c": null, "d": true}})");
  EXPECT_EQ(n.find("a")->array("a")[1].number("n"), -2.5e-3);
  EXPECT_EQ(n.find("a")->array("a")[2].string("s"), "x\xc3\xa9");
  EXPECT_TRUE(n.find("b")->find("c")->is_null());
  EXPECT_THROW(io::parse_json("{\"a\": }"), FormatError);
  EXPECT_THROW(io::parse_json("[1, 2"), FormatError);
  EXPECT_THROW(io::parse_json("[1] x"), FormatError);
  EXPECT_THROW(io::parse_json(std::string(100, '[')), FormatError);
}

TEST(Tfjs, RealSliceMatchesNumpyDecode) {
  const auto ts = io::load_tfjs(kGold + "models/ssd_mobilenetv1_slice/slice-weights_manifest.json");
  const auto ref = io::read_npz(io::read_file(kGold + "models/ssd_mobilenetv1_slice/expected.npz"));
  ASSERT_EQ(ts.size(), ref.size());
  size_t quantized = 0;
  for (size_t k = 0; k < ts.size(); ++k) {
    EXPECT_EQ(ts[k].name, ref[k].name);
    EXPECT_EQ(ts[k].shape, ref[k].shape) << ts[k].name;
    EXPECT_EQ(ts[k].dtype, ref[k].dtype) << ts[k].name;
    EXPECT_EQ(ts[k].data, ref[k].data) << ts[k].name;  // bit for bit
    quantized += ts[k].tfjs.has_value();
  }
  EXPECT_GT(quantized, 40u);
}

TEST(Tfjs, ManifestErrorsNameTheWeight) {
  auto shard = [](const std::string&) { return std::vector<uint8_t>(10, 0); };
  try {
    io::read_tfjs(R"([{"paths": ["a.bin"], "weights": [{"name": "w0", "shape": [2, 8], "dtype": "float32"}]}])", shard);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("'w0'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("byte 0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(io::read_tfjs(R"([{"paths": [], "weights": [{"name": "w", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint4"}}]}])", shard), FormatError);
  // uint16 and float16 decode as tfjs does.
  std::vector<uint8_t> bin = {0x00, 0x3c, 0x00, 0xc0, 3, 0};  // halves 1.0, -2.0; uint16 3
  const auto t = io::read_tfjs(R"({"weightsManifest": [{"paths": ["x"], "weights": [
      {"name": "h", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16"}},
      {"name": "u", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint16", "scale": 0.5, "min": -1}}]}]})",
                               [&](const std::string&) { return bin; });
  EXPECT_EQ(t[0].to_float(), (std::vector<float>{1.0f, -2.0f}));
  EXPECT_EQ(t[1].to_float(), (std::vector<float>{0.5f}));
}
