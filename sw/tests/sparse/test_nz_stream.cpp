// squish::sparse::nz_stream (the model of the RTL decoder's output) and
// rtl_header_problem (the model of its header checks).
#include <gtest/gtest.h>

#include <random>

#include "squish/error.hpp"
#include "squish/sparse/nz_stream.hpp"

using namespace squish::sparse;
namespace dp = squish::datapath;

TEST(NzStream, EveryFormatGivesTheSameStreamAsTheDenseMatrix) {
  std::mt19937_64 rng(3);
  const uint32_t rows = 9, cols = 70;
  std::vector<int32_t> w(rows * cols, 0);
  for (auto& x : w)
    if (rng() % 3 == 0) x = static_cast<int32_t>(rng() % 15) - 7;
  for (uint32_t c = 0; c < cols; ++c) w[4 * cols + c] = 0;  // an empty row
  // 2:4 version for N:M
  auto w24 = w;
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t g = 0; g < cols; g += 4) {
      int kept = 0;
      for (uint32_t c = g; c < std::min(g + 4, cols); ++c)
        if (w24[r * cols + c] != 0 && ++kept > 2) w24[r * cols + c] = 0;
    }
  Params p;
  p.value_bits = 4;
  const std::vector<uint32_t> shape = {rows, cols};
  std::vector<int8_t> w8(w.begin(), w.end()), w24_8(w24.begin(), w24.end());
  const auto want = dp::pack_dense(w8, rows, cols, dp::WPrec::Int4);
  const auto want24 = dp::pack_dense(w24_8, rows, cols, dp::WPrec::Int4);
  ASSERT_EQ(want.size(), 9u);  // 70 columns at ~1/3 density fit one 32-slot beat per row
  for (Format f : {Format::Coo1d, Format::Rlc, Format::Bitmap, Format::Csr}) {
    const auto got = nz_stream(encode(f, w, shape, p), dp::WPrec::Int4);
    ASSERT_EQ(got.size(), want.size()) << to_string(f);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].mask, want[i].mask) << to_string(f) << " beat " << i;
      EXPECT_EQ(got[i].col, want[i].col);
      EXPECT_EQ(got[i].val, want[i].val);
      EXPECT_EQ(got[i].row, want[i].row);
      EXPECT_EQ(got[i].row_last, want[i].row_last);
      EXPECT_EQ(got[i].last, want[i].last);
    }
  }
  const auto got24 = nz_stream(encode(Format::Nm, w24, shape, p), dp::WPrec::Int4);
  ASSERT_EQ(got24.size(), want24.size());
  for (size_t i = 0; i < got24.size(); ++i) EXPECT_EQ(got24[i].col, want24[i].col);
  // CSC of the transpose (the [in][out] kernel layout) gives W's rows.
  std::vector<int32_t> k(w.size());
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < cols; ++c) k[c * rows + r] = w[r * cols + c];
  const auto csc = encode(Format::Csc, k, std::vector<uint32_t>{cols, rows}, p);
  EXPECT_EQ(nz_stream_shape(csc).rows, rows);
  const auto got_csc = nz_stream(csc, dp::WPrec::Int4);
  ASSERT_EQ(got_csc.size(), want.size());
  for (size_t i = 0; i < got_csc.size(); ++i) {
    EXPECT_EQ(got_csc[i].mask, want[i].mask);
    EXPECT_EQ(got_csc[i].col, want[i].col);
  }
}

TEST(NzStream, HeaderLimitsOfTheRtl) {
  Params p;
  const std::vector<int32_t> w = {0, 1, 0, 2};
  const std::vector<uint32_t> shape = {2, 2};
  EXPECT_TRUE(rtl_header_problem(encode(Format::Csr, w, shape, p), dp::WPrec::Int8).empty());
  EXPECT_FALSE(rtl_header_problem(encode(Format::Csr, w, shape, p), dp::WPrec::Int4).empty());
  EXPECT_FALSE(rtl_header_problem(encode(Format::Coo, w, shape, p), dp::WPrec::Int8).empty());
  EXPECT_FALSE(rtl_header_problem(encode(Format::Dense, w, shape, p), dp::WPrec::Int8).empty());
  EXPECT_FALSE(rtl_header_problem(encode(Format::Coo1d, w, std::vector<uint32_t>{4}, p), dp::WPrec::Int8).empty());
  Params u;
  u.value_signed = false;
  EXPECT_FALSE(rtl_header_problem(encode(Format::Csr, w, shape, u), dp::WPrec::Int8).empty());
  std::vector<int32_t> wide(4097, 0);
  wide[4096] = 1;
  EXPECT_FALSE(rtl_header_problem(encode(Format::Bitmap, wide, std::vector<uint32_t>{1, 4097}, p), dp::WPrec::Int8).empty());
  EXPECT_FALSE(rtl_header_problem(encode(Format::Csc, wide, std::vector<uint32_t>{4097, 1}, p), dp::WPrec::Int8).empty());
  EXPECT_THROW(nz_stream(encode(Format::Coo, w, shape, p), dp::WPrec::Int8), squish::UsageError);
}
