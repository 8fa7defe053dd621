// The squish binary's --engine rtl paths end to end: each block command and
// `squish run` / `squish detect` give the golden engine's result through the
// Verilated RTL (exit 0), and every RTL/golden comparison catches a one-bit
// fault injected with SQUISH_FAULT (exit 3, docs/cli.md "Exit codes").
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "../graph/model_builder.hpp"
#include "cli_run.hpp"
#include "squish/he/modarith.hpp"
#include "squish/he/npy64.hpp"
#include "squish/io/npy.hpp"
#include "squish/tensor.hpp"

using namespace squish;
namespace fs = std::filesystem;

namespace {

using cli_test::squish_bin;
/// squish ARGS with `env` ("NAME=value") prefixed.
cli_test::Run run(const std::string& args, const std::string& env = "") { return cli_test::run(args, "", env); }

class CliRtl : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("squish_cli_rtl_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(fs::exists(squish_bin())) << squish_bin();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& f) const { return (dir_ / f).string(); }
  void npy(const std::string& f, std::vector<size_t> shape, const std::vector<float>& v) const {
    io::write_file(p(f), io::write_npy(Tensor::from_float("x", std::move(shape), v)));
  }
  std::vector<uint8_t> bytes(const std::string& f) const { return io::read_file(p(f)); }
  fs::path dir_;
};

std::vector<float> uniform(std::mt19937& g, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

}  // namespace

TEST_F(CliRtl, SoftmaxSameAsGoldenAndFaultCaught) {
  std::mt19937 g(1);
  npy("x.npy", {3, 40}, uniform(g, 120, -6.f, 6.f));
  ASSERT_EQ(run("softmax " + p("x.npy") + " -o " + p("g.npy") + " --quiet").code, 0);
  ASSERT_EQ(run("softmax " + p("x.npy") + " -o " + p("r.npy") + " --engine rtl --quiet").code, 0);
  EXPECT_EQ(bytes("g.npy"), bytes("r.npy"));
  EXPECT_EQ(run("softmax " + p("x.npy") + " -o " + p("f.npy") + " --engine rtl --quiet", "SQUISH_FAULT=softmax").code, 3);
  // the fault is in the RTL engine only: the golden engine ignores it
  EXPECT_EQ(run("softmax " + p("x.npy") + " -o " + p("g2.npy") + " --quiet", "SQUISH_FAULT=softmax").code, 0);
  EXPECT_EQ(bytes("g.npy"), bytes("g2.npy"));
}

TEST_F(CliRtl, NmsSameAsGoldenFaultCaughtAndKeptFullRefused) {
  std::mt19937 g(2);
  std::uniform_int_distribution<int> c(0, 300), s(5, 60);
  std::uniform_real_distribution<float> sc(0.f, 1.f);
  auto frame = [&](size_t n, int span) {
    std::uniform_int_distribution<int> cc(0, span);
    std::string csv = "x1,y1,x2,y2,score\n";
    for (size_t i = 0; i < n; ++i) {
      const int x = cc(g), y = cc(g);
      csv += std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(x + s(g)) + "," +
             std::to_string(y + s(g)) + "," + std::to_string(sc(g)) + "\n";
    }
    return csv;
  };
  const auto small = frame(200, 300);
  io::write_file(p("b.csv"), std::vector<uint8_t>(small.begin(), small.end()));
  const auto gold = run("nms " + p("b.csv") + " --iou 0.4");
  const auto rtl = run("nms " + p("b.csv") + " --iou 0.4 --engine rtl");
  ASSERT_EQ(gold.code, 0);
  ASSERT_EQ(rtl.code, 0);
  EXPECT_EQ(gold.out, rtl.out);
  EXPECT_FALSE(gold.out.empty());
  EXPECT_EQ(run("nms " + p("b.csv") + " --iou 0.4 --engine rtl", "SQUISH_FAULT=nms").code, 3);
  // 4 000 spread boxes keep more than the unit's kept list holds: a clear
  // error (exit 2), never a shorter list with exit 0
  const auto big = frame(4000, 4000);
  io::write_file(p("big.csv"), std::vector<uint8_t>(big.begin(), big.end()));
  const auto r = run("nms " + p("big.csv") + " --iou 0.4 --engine rtl");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.out.empty());
}

TEST_F(CliRtl, GemvSameAsGoldenAndFaultCaught) {
  std::mt19937 g(3);
  npy("W.npy", {24, 70}, uniform(g, 24 * 70, -1.f, 1.f));
  npy("X.npy", {3, 70}, uniform(g, 3 * 70, -1.f, 1.f));
  for (const std::string opts : {"--prune-unstructured 0.5 --sparse-format bitmap", "--bits 4 --sparse-format csr",
                                 "--prune-nm 2:4 --sparse-format nm --output acc"}) {
    SCOPED_TRACE(opts);
    ASSERT_EQ(run("gemv --weights " + p("W.npy") + " --input " + p("X.npy") + " -o " + p("yg.npy") + " " + opts).code, 0);
    ASSERT_EQ(run("gemv --weights " + p("W.npy") + " --input " + p("X.npy") + " -o " + p("yr.npy") + " " + opts +
                  " --engine rtl").code, 0);
    EXPECT_EQ(bytes("yg.npy"), bytes("yr.npy"));
    EXPECT_EQ(run("gemv --weights " + p("W.npy") + " --input " + p("X.npy") + " -o " + p("yf.npy") + " " + opts +
                  " --engine rtl", "SQUISH_FAULT=datapath").code, 3);
  }
}

TEST_F(CliRtl, DecompressOnTheEntropyRtlAndFaultCaught) {
  // bell-shaped like trained weights, so the coders beat the raw codes (a
  // uniform tensor would fall back to uncoded and never reach the decoders)
  std::mt19937 g(4);
  std::normal_distribution<float> nd(0.f, 0.1f);
  std::vector<float> w(64 * 96);
  for (auto& x : w) x = nd(g);
  npy("W.npy", {64, 96}, w);
  for (const std::string coder : {"huffman", "rans"}) {
    SCOPED_TRACE(coder);
    ASSERT_EQ(run("compress " + p("W.npy") + " -o " + p("w.sqz") + " --coder " + coder + " --quiet").code, 0);
    ASSERT_EQ(run("decompress " + p("w.sqz") + " -o " + p("g.npz")).code, 0);
    ASSERT_EQ(run("decompress " + p("w.sqz") + " -o " + p("r.npz") + " --engine rtl").code, 0);
    EXPECT_EQ(bytes("g.npz"), bytes("r.npz"));
    const auto f = run("decompress " + p("w.sqz") + " -o " + p("f.npz") + " --engine rtl", "SQUISH_FAULT=entropy");
    EXPECT_EQ(f.code, 3);
    EXPECT_FALSE(fs::exists(p("f.npz")));  // nothing written on a mismatch
  }
}

// A small graph model (3x3 conv + ReLU6 -> depthwise 3x3 -> 1x1 conv -> mean ->
// matmul -> softmax), written as a tfjs graph model, quantized with
// calibration and run through the RTL top: every layer equals the golden
// engine (bit_exact in --json), and a flipped GEMM bit is caught (exit 3).
TEST_F(CliRtl, NetworkRunOnTheTopBitExactAndFaultCaught) {
  using namespace test_graph;
  std::mt19937 g(5);
  ModelBuilder m;
  m.placeholder("input", {-1, 12, 12, 3});
  m.f32("c1", {3, 3, 3, 16}, uniform(g, 3 * 3 * 3 * 16, -0.4f, 0.4f));
  m.f32("b1", {16}, uniform(g, 16, -0.1f, 0.1f));
  m.node("conv1", "_FusedConv2D", {"input", "c1", "b1"},
         {{"strides", ints({1, 1, 1, 1})}, {"padding", str("SAME")}, {"dilations", ints({1, 1, 1, 1})},
          {"fused_ops", strs({"BiasAdd", "Relu6"})}, {"num_args", {{"i", "1"}}}});
  m.f32("d2", {3, 3, 16, 1}, uniform(g, 3 * 3 * 16, -0.5f, 0.5f));
  m.f32("b2", {16}, uniform(g, 16, -0.1f, 0.1f));
  m.node("dw2", "FusedDepthwiseConv2dNative", {"conv1", "d2", "b2"},
         {{"strides", ints({1, 2, 2, 1})}, {"padding", str("SAME")}, {"dilations", ints({1, 1, 1, 1})},
          {"fused_ops", strs({"BiasAdd", "Relu"})}, {"num_args", {{"i", "1"}}}});
  m.f32("c3", {1, 1, 16, 24}, uniform(g, 16 * 24, -0.4f, 0.4f));
  m.f32("b3", {24}, uniform(g, 24, -0.1f, 0.1f));
  m.node("pw3", "_FusedConv2D", {"dw2", "c3", "b3"},
         {{"strides", ints({1, 1, 1, 1})}, {"padding", str("VALID")}, {"dilations", ints({1, 1, 1, 1})},
          {"fused_ops", strs({"BiasAdd", "Relu"})}, {"num_args", {{"i", "1"}}}});
  m.i32("axes", {2}, {1, 2});
  m.node("gap", "Mean", {"pw3", "axes"}, {{"keep_dims", boolean(false)}});
  m.f32("w4", {24, 7}, uniform(g, 24 * 7, -0.5f, 0.5f));
  m.f32("b4", {7}, uniform(g, 7, -0.1f, 0.1f));
  m.node("fc", "_FusedMatMul", {"gap", "w4", "b4"}, {{"fused_ops", strs({"BiasAdd"})}, {"transpose_a", boolean(false)},
                                                     {"transpose_b", boolean(false)}});
  m.node("Identity", "Softmax", {"fc"});
  const auto text = m.json_text();
  io::write_file(p("model.json"), std::vector<uint8_t>(text.begin(), text.end()));
  io::write_file(p("w.bin"), m.shard);
  npy("calib.npy", {8, 12, 12, 3}, uniform(g, 8 * 12 * 12 * 3, -1.f, 1.f));
  npy("in.npy", {2, 12, 12, 3}, uniform(g, 2 * 12 * 12 * 3, -1.f, 1.f));
  const std::string base = "run " + p("model.json") + " --input " + p("in.npy") + " --calib " + p("calib.npy");
  ASSERT_EQ(run(base + " --engine golden -o " + p("g.npz")).code, 0);
  const auto r = run(base + " --engine rtl -o " + p("r.npz") + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_TRUE(doc["total"]["bit_exact"].get<bool>());
  EXPECT_GT(doc["total"]["cycles"].get<uint64_t>(), 0u);
  EXPECT_EQ(bytes("g.npz"), bytes("r.npz"));
  // 4-bit 50 % pruned bitmap + rANS: the coded sparse stream through the top
  ASSERT_EQ(run(base + " --engine rtl -o " + p("r4.npz") +
                " --prune-unstructured 0.5 --bits 4 --sparse-format bitmap --coder rans").code, 0);
  const auto f = run(base + " --engine rtl -o " + p("f.npz"), "SQUISH_FAULT=gemm");
  EXPECT_EQ(f.code, 3);
}

TEST_F(CliRtl, NttProductOnTheRtlUnitAndFaultCaught) {
  std::mt19937_64 g(6);
  const size_t n = 256;
  const uint64_t q = squish::he::ntt_primes(60, n, 1)[0];
  std::vector<int64_t> a(n), b(n);
  for (auto& v : a) v = static_cast<int64_t>(g() % q);
  for (auto& v : b) v = static_cast<int64_t>(g() % 17) - 8;  // small, signed: a plaintext-like operand
  io::write_file(p("a.npy"), squish::he::write_npy_i64({n}, a));
  io::write_file(p("b.npy"), squish::he::write_npy_i64({n}, b));
  const std::string base = "ntt --a " + p("a.npy") + " --b " + p("b.npy") + " --modulus " + std::to_string(q);
  ASSERT_EQ(run(base + " -o " + p("g.npy")).code, 0);
  const auto r = run(base + " --engine rtl --json -o " + p("r.npy"));
  ASSERT_EQ(r.code, 0);
  EXPECT_TRUE(nlohmann::json::parse(r.out)["bit_exact"].get<bool>());
  EXPECT_GT(nlohmann::json::parse(r.out)["cycles"].get<uint64_t>(), 0u);
  EXPECT_EQ(bytes("g.npy"), bytes("r.npy"));
  EXPECT_EQ(run(base + " --engine rtl -o " + p("f.npy"), "SQUISH_FAULT=ntt").code, 3);
}

// he-layer on the RTL NTT unit, both paths (resident operands, the default, and
// one product at a time): the decrypted accumulators equal the plaintext layer
// computed here and the golden engine's file; the resident path takes fewer cycles.
TEST_F(CliRtl, HeLayerOnTheRtlUnitBothPaths) {
  const std::string w_path = std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy";
  const auto wt = io::read_npy(io::read_file(w_path), "w");
  ASSERT_EQ(wt.shape, (std::vector<size_t>{7, 256}));
  std::mt19937_64 g(11);
  std::vector<int64_t> x(256);
  for (auto& v : x) v = static_cast<int64_t>(g() % 256) - 128;
  io::write_file(p("x.npy"), squish::he::write_npy_i64({1, 256}, x));
  const std::string base = "he-layer --weights " + w_path + " --input " + p("x.npy");
  ASSERT_EQ(run(base + " -o " + p("g.npy")).code, 0);
  uint64_t cycles[2] = {0, 0};
  const char* paths[2] = {"resident", "per-product"};
  for (int k = 0; k < 2; ++k) {
    const auto r = run(base + " --engine rtl --rtl-path " + paths[k] + " --json -o " + p(std::string(paths[k]) + ".npy"));
    ASSERT_EQ(r.code, 0) << paths[k] << "\n" << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_TRUE(j["exact"].get<bool>());
    EXPECT_EQ(j["rtl_path"].get<std::string>(), paths[k]);
    cycles[k] = j["rtl_cycles"].get<uint64_t>();
    EXPECT_GT(cycles[k], 0u);
    EXPECT_EQ(bytes("g.npy"), bytes(std::string(paths[k]) + ".npy")) << paths[k];
  }
  EXPECT_LT(cycles[0], cycles[1]);
  const auto y = squish::he::read_npy_i64(io::read_file(p("resident.npy")), "y");
  ASSERT_EQ(y.values.size(), 7u);
  for (size_t o = 0; o < 7; ++o) {
    int64_t s = 0;
    for (size_t i = 0; i < 256; ++i) s += x[i] * static_cast<int8_t>(wt.data[o * 256 + i]);
    EXPECT_EQ(y.values[o], s) << "output " << o;
  }
  EXPECT_EQ(run(base + " --engine rtl --rtl-path sideways").code, 1);
}
