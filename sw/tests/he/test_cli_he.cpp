// The `squish ntt` and `squish he-layer` commands end to end: outputs against
// the golden library / the plaintext integer layer computed here, exit codes
// for bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "squish/he/npy64.hpp"
#include "squish/he/ntt.hpp"
#include "squish/io/npy.hpp"

namespace he = squish::he;

namespace {

std::string bin() { return std::string(SQUISH_BIN_DIR) + "/squish"; }

int run(const std::string& args) {
  const int r = std::system((bin() + " " + args + " > /dev/null 2>&1").c_str());
  return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

std::string tmp(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("squish_he_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return (d / name).string();
}

TEST(HeCli, NttProductMatchesGolden) {
  ASSERT_TRUE(std::filesystem::exists(bin())) << bin();
  const uint64_t n = 256, q = he::ntt_primes(59, n, 1)[0];
  std::mt19937_64 rng(4);
  std::vector<int64_t> a(n), b(n);
  for (auto& v : a) v = static_cast<int64_t>(rng() % 2001) - 1000;  // negative values are taken mod Q
  for (auto& v : b) v = static_cast<int64_t>(rng() % q);
  squish::io::write_file(tmp("a.npy"), he::write_npy_i64({n}, a));
  squish::io::write_file(tmp("b.npy"), he::write_npy_i64({n}, b));
  ASSERT_EQ(run("ntt --a " + tmp("a.npy") + " --b " + tmp("b.npy") + " --modulus " + std::to_string(q) + " -o " + tmp("c.npy")), 0);
  const auto c = he::read_npy_i64(squish::io::read_file(tmp("c.npy")), "c");
  const he::NttTables t(n, q);
  std::vector<uint64_t> ua(n), ub(n);
  for (size_t i = 0; i < n; ++i) {
    ua[i] = t.modulus().from_signed(a[i]);
    ub[i] = static_cast<uint64_t>(b[i]);
  }
  const auto want = he::negacyclic_multiply_sparse(t.modulus(), ua, ub);  // schoolbook, not the NTT
  ASSERT_EQ(c.values.size(), n);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(static_cast<uint64_t>(c.values[i]), want[i]) << i;
  // Usage errors (exit 1) and bad input (exit 2).
  EXPECT_EQ(run("ntt --a " + tmp("a.npy") + " --b " + tmp("b.npy") + " --modulus 97 -o " + tmp("c.npy")), 1);
  EXPECT_EQ(run("ntt --a " + tmp("a.npy") + " --b " + tmp("b.npy") + " --modulus " + std::to_string(q) + " --engine fpga -o x"), 1);
  squish::io::write_file(tmp("short.npy"), he::write_npy_i64({n / 2}, std::vector<int64_t>(n / 2, 1)));
  EXPECT_EQ(run("ntt --a " + tmp("a.npy") + " --b " + tmp("short.npy") + " --modulus " + std::to_string(q) + " -o " + tmp("c.npy")), 2);
  EXPECT_EQ(run("ntt --a " + tmp("missing.npy") + " --b " + tmp("b.npy") + " --modulus " + std::to_string(q) + " -o " + tmp("c.npy")), 2);
}

TEST(HeCli, HeLayerDecryptsThePlaintextLayer) {
  ASSERT_TRUE(std::filesystem::exists(bin())) << bin();
  const std::string w_path = std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy";
  const auto wt = squish::io::read_npy(squish::io::read_file(w_path), "w");
  std::mt19937_64 rng(5);
  const size_t batch = 2;
  squish::Tensor x;
  x.name = "x";
  x.shape = {batch, 256};
  x.dtype = squish::DType::I8;
  for (size_t i = 0; i < batch * 256; ++i) x.data.push_back(static_cast<uint8_t>(rng()));
  squish::io::write_file(tmp("x.npy"), squish::io::write_npy(x));
  ASSERT_EQ(run("he-layer --weights " + w_path + " --input " + tmp("x.npy") + " -o " + tmp("y.npy")), 0);
  const auto y = he::read_npy_i64(squish::io::read_file(tmp("y.npy")), "y");
  ASSERT_EQ(y.shape, (std::vector<size_t>{batch, 7}));
  for (size_t b = 0; b < batch; ++b)
    for (size_t j = 0; j < 7; ++j) {
      int64_t s = 0;
      for (size_t i = 0; i < 256; ++i)
        s += int64_t{static_cast<int8_t>(x.data[b * 256 + i])} * static_cast<int8_t>(wt.data[j * 256 + i]);
      ASSERT_EQ(y.values[b * 7 + j], s);
    }
  // Shape mismatch and non-int8 values are bad input (exit 2); unknown method is usage (1).
  squish::io::write_file(tmp("x300.npy"), he::write_npy_i64({1, 300}, std::vector<int64_t>(300, 1)));
  EXPECT_EQ(run("he-layer --weights " + w_path + " --input " + tmp("x300.npy")), 2);
  squish::io::write_file(tmp("xbig.npy"), he::write_npy_i64({1, 256}, std::vector<int64_t>(256, 300)));
  EXPECT_EQ(run("he-layer --weights " + w_path + " --input " + tmp("xbig.npy")), 2);
  EXPECT_EQ(run("he-layer --weights " + w_path + " --input " + tmp("x.npy") + " --method fast"), 1);
}

}  // namespace
