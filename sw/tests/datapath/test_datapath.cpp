// Tests of the bit-accurate datapath model (squish/datapath): results against a
// plain dense int64 product of the dequantized operands, over every weight
// precision, densities 1..100 %, GEMV and batched GEMM, odd shapes, empty rows
// and columns, extreme values and non-zero zero points; the requantizer against
// gemmlowp itself and a float reference; counters; error flags.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "squish/datapath/datapath.hpp"
#include "squish/error.hpp"


using namespace squish::datapath;

namespace {

struct Layer {
  size_t rows, cols, batch;
  std::vector<int8_t> w, x;
};

Layer random_layer(std::mt19937_64& g, size_t rows, size_t cols, size_t batch, double density, WPrec p,
                   bool extremes = false) {
  Layer L{rows, cols, batch, std::vector<int8_t>(rows * cols), std::vector<int8_t>(batch * cols)};
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> wv(weight_min(p), weight_max(p));
  std::uniform_int_distribution<int> xv(-128, 127);
  for (auto& v : L.w) {
    if (u(g) >= density) continue;
    int q = extremes ? (u(g) < 0.5 ? weight_min(p) : weight_max(p)) : wv(g);
    if (q == 0) q = weight_min(p);
    v = static_cast<int8_t>(q);
  }
  for (auto& v : L.x) v = static_cast<int8_t>(extremes ? (u(g) < 0.5 ? -128 : 127) : xv(g));
  return L;
}

std::vector<Channel> unit_channels(size_t rows) { return std::vector<Channel>(rows, Channel{0, 1 << 30, 1}); }

void expect_matches_dense(const Layer& L, WPrec p, int32_t zp) {
  Config cfg;
  cfg.wprec = p;
  cfg.cols = static_cast<uint32_t>(L.cols);
  cfg.batch = static_cast<uint32_t>(L.batch);
  cfg.act_zp = zp;
  const auto beats = pack_dense(L.w, L.rows, L.cols, p);
  const auto ch = unit_channels(L.rows);
  const auto res = run(beats, cfg, L.x, ch);
  ASSERT_FALSE(res.error) << res.error_what;
  const auto ref = dense_reference(L.w, L.rows, L.cols, L.x, L.batch, zp);
  ASSERT_EQ(res.outputs.size(), L.rows * L.batch);
  size_t i = 0;
  for (size_t r = 0; r < L.rows; ++r)
    for (size_t b = 0; b < L.batch; ++b, ++i) {
      const auto& o = res.outputs[i];
      ASSERT_EQ(o.row, r);
      ASSERT_EQ(o.batch, b);
      ASSERT_EQ(int64_t{o.acc}, ref[b * L.rows + r]) << "row " << r << " vector " << b;
      ASSERT_EQ(o.last, i + 1 == L.rows * L.batch);
    }
  // Counters: every dense MAC is either performed or skipped.
  EXPECT_EQ(res.counters.macs_performed + res.counters.macs_skipped, L.rows * L.cols * L.batch);
  size_t nnz = 0;
  for (auto v : L.w) nnz += v != 0;
  EXPECT_EQ(res.counters.macs_performed, nnz * L.batch);
}

}  // namespace

TEST(DatapathModel, MatchesDenseInt64AcrossPrecisionsDensitiesModes) {
  std::mt19937_64 g(7);
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2})
    for (double d : {0.01, 0.1, 0.25, 0.5, 0.75, 1.0})
      for (size_t batch : {size_t{1}, size_t{3}, size_t{kMaxBatch}}) {
        std::uniform_int_distribution<size_t> rs(1, 40), cs(1, 300);
        const Layer L = random_layer(g, rs(g), cs(g), batch, d, p);
        std::uniform_int_distribution<int> zp(-128, 127);
        SCOPED_TRACE(std::string(to_string(p)) + " density " + std::to_string(d) + " batch " + std::to_string(batch));
        expect_matches_dense(L, p, zp(g));
      }
}

TEST(DatapathModel, ExtremeValuesAndZeroPoints) {
  std::mt19937_64 g(11);
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2})
    for (int32_t zp : {-128, 0, 127}) {
      const Layer L = random_layer(g, 9, 4096, 2, 1.0, p, /*extremes=*/true);
      expect_matches_dense(L, p, zp);
    }
}

TEST(DatapathModel, LongestReductionDoesNotOverflow) {
  // Worst case magnitude: every term -128 * (-128 - 127) = 32640 over 2^16 columns.
  const size_t cols = kMaxReduction;
  Layer L{1, cols, 1, std::vector<int8_t>(cols, -128), std::vector<int8_t>(cols, -128)};
  Config cfg;
  cfg.cols = static_cast<uint32_t>(cols);
  cfg.act_zp = 127;
  std::vector<NzBeat> beats;
  for (size_t c0 = 0; c0 < cols; c0 += kLanes) {
    NzBeat b;
    for (unsigned s = 0; s < kLanes; ++s) {
      b.mask |= uint64_t{1} << s;
      b.col[s] = 0;  // column index width is 12 bits; reuse column 0 (same value)
      b.val[s] = -128;
    }
    b.row_last = b.last = c0 + kLanes >= cols;
    beats.push_back(b);
  }
  std::vector<int8_t> x(cols, -128);
  const auto res = run(beats, cfg, x, unit_channels(1));
  ASSERT_EQ(res.outputs.size(), 1u);
  EXPECT_EQ(int64_t{res.outputs[0].acc}, int64_t{-128} * (-128 - 127) * int64_t(cols));
  EXPECT_LT(int64_t{-128} * (-128 - 127) * int64_t(cols), int64_t{1} << (kAccWidth - 1));
}

TEST(DatapathModel, ZeroActivationsWithNonZeroZeroPointStillCount) {
  // x == 0 is not a zero operand when act_zp != 0: skipping it would be wrong.
  const std::vector<int8_t> w = {3, -2, 5};
  const std::vector<int8_t> x = {0, 0, 0};
  Config cfg;
  cfg.cols = 3;
  cfg.act_zp = -7;
  const auto res = run(pack_dense(w, 1, 3, WPrec::Int8), cfg, x, unit_channels(1));
  EXPECT_EQ(res.outputs.at(0).acc, (3 - 2 + 5) * 7);
}

TEST(DatapathModel, EmptyRowsColumnsAndAllZeroTensor) {
  std::mt19937_64 g(3);
  Layer L = random_layer(g, 20, 77, 2, 0.5, WPrec::Int4);
  for (size_t c = 0; c < 77; c += 5)
    for (size_t r = 0; r < 20; ++r) L.w[r * 77 + c] = 0;  // empty columns
  for (size_t c = 0; c < 77; ++c) L.w[7 * 77 + c] = L.w[8 * 77 + c] = 0;  // empty rows
  expect_matches_dense(L, WPrec::Int4, 5);
  const auto beats = pack_dense(L.w, 20, 77, WPrec::Int4);
  size_t empties = 0;
  for (auto& b : beats) empties += b.mask == 0;
  EXPECT_EQ(empties, 2u) << "an empty row is exactly one mask-0 beat";
  Layer Z = L;
  std::fill(Z.w.begin(), Z.w.end(), 0);
  expect_matches_dense(Z, WPrec::Int2, -3);
}

TEST(DatapathModel, PackingFillsLowestSlotsAndCountsBeats) {
  std::mt19937_64 g(5);
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2}) {
    const Layer L = random_layer(g, 30, 500, 1, 0.3, p);
    const auto beats = pack_dense(L.w, 30, 500, p);
    size_t expect_beats = 0;
    for (size_t r = 0; r < 30; ++r) {
      size_t nnz = 0;
      for (size_t c = 0; c < 500; ++c) nnz += L.w[r * 500 + c] != 0;
      expect_beats += std::max<size_t>(1, (nnz + slots_used(p) - 1) / slots_used(p));
    }
    EXPECT_EQ(beats.size(), expect_beats);
    for (const auto& b : beats) {
      const unsigned n = b.entries();
      EXPECT_EQ(b.mask, n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1) << "packed low";
      EXPECT_LE(n, slots_used(p));
    }
  }
}

TEST(DatapathModel, HolesPaddingZerosAndSplitRowsGiveTheSameResult) {
  // A decoder may leave holes, keep explicit zeros (RLC padding, N:M groups)
  // and split a row over more beats than needed: results must not change.
  std::mt19937_64 g(9);
  const Layer L = random_layer(g, 12, 90, 1, 0.4, WPrec::Int8);
  Config cfg;
  cfg.cols = 90;
  cfg.act_zp = 17;
  const auto ch = unit_channels(12);
  const auto ref = run(pack_dense(L.w, 12, 90, WPrec::Int8), cfg, L.x, ch);
  std::vector<NzBeat> beats;
  for (uint32_t r = 0; r < 12; ++r) {
    NzBeat b;
    b.row = r;
    unsigned s = 1;  // leave slot 0 empty
    for (uint16_t c = 0; c < 90; ++c) {
      if (L.w[r * 90 + c] == 0 && c % 3 != 0) continue;  // keep some zeros
      if (s >= kLanes) {
        beats.push_back(b);
        b = NzBeat{};
        b.row = r;
        s = 1;
      }
      b.mask |= uint64_t{1} << s;
      b.col[s] = c;
      b.val[s] = L.w[r * 90 + c];
      s += 1 + (c % 2);  // holes
    }
    b.row_last = true;
    beats.push_back(b);
  }
  beats.back().last = true;
  const auto res = run(beats, cfg, L.x, ch);
  ASSERT_FALSE(res.error);
  ASSERT_EQ(res.outputs, ref.outputs);
  EXPECT_GT(res.counters.macs_performed, ref.counters.macs_performed) << "explicit zeros are performed MACs";
}

TEST(DatapathModel, FlagsInvalidBeatsAndRejectsBadConfig) {
  Config cfg;
  cfg.cols = 10;
  cfg.wprec = WPrec::Int4;
  std::vector<int8_t> x(10, 1);
  auto ch = unit_channels(1);
  NzBeat b;
  b.row_last = b.last = true;
  b.mask = 1;
  b.col[0] = 10;  // out of range
  EXPECT_TRUE(run(std::span(&b, 1), cfg, x, ch).error);
  b.col[0] = 3;
  b.val[0] = 8;  // not an INT4 value
  EXPECT_TRUE(run(std::span(&b, 1), cfg, x, ch).error);
  b.val[0] = -8;
  EXPECT_FALSE(run(std::span(&b, 1), cfg, x, ch).error);
  b.mask = uint64_t{1} << (2 * kLanes);  // slot INT4 does not use
  EXPECT_TRUE(run(std::span(&b, 1), cfg, x, ch).error);
  b.mask = 1;
  b.row_last = false;  // last without row_last
  EXPECT_TRUE(run(std::span(&b, 1), cfg, x, ch).error);
  cfg.batch = 0;
  EXPECT_THROW(run(std::span(&b, 1), cfg, x, ch), squish::UsageError);
  cfg.batch = 1;
  cfg.act_zp = 200;
  EXPECT_THROW(run(std::span(&b, 1), cfg, x, ch), squish::UsageError);
  EXPECT_THROW(wprec_from_bits(3), squish::UsageError);
  std::vector<int8_t> bad(4, 9);
  EXPECT_THROW(pack_dense(bad, 2, 2, WPrec::Int4), squish::UsageError);
}

TEST(Requant, DatapathRequantAgainstFloatWithinOneLsb) {
  // q = round(acc * M * 2^shift) with M = multiplier / 2^31, then zp and clamp.
  std::mt19937_64 g(21);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24), mult(1 << 30, std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int> sh(-20, 0), zp(-20, 20);
  Config cfg;
  for (int i = 0; i < 20000; ++i) {
    Channel c{0, mult(g), sh(g)};
    cfg.out_zp = zp(g);
    const int32_t a = acc(g);
    const double real = a * (c.multiplier / 2147483648.0) * std::ldexp(1.0, c.shift);
    const double want = std::clamp(std::round(real) + cfg.out_zp, -128.0, 127.0);
    ASSERT_LE(std::abs(requantize(a, c, cfg) - want), 1.0) << "acc " << a;
  }
}

TEST(Requant, ReluAndClampBounds) {
  Config cfg;
  cfg.out_zp = -10;
  cfg.out_min = -100;
  cfg.out_max = 50;
  const Channel unit{0, 1 << 30, 1};  // real multiplier 1.0
  EXPECT_EQ(requantize(-200, unit, cfg), -100);
  EXPECT_EQ(requantize(200, unit, cfg), 50);
  EXPECT_EQ(requantize(7, unit, cfg), -3);
  cfg.relu = true;
  EXPECT_EQ(requantize(-50, unit, cfg), -10) << "ReLU clamps at the zero point";
  // Saturating bias add: a huge bias cannot wrap around to a negative value.
  const Channel big{std::numeric_limits<int32_t>::max(), 1 << 30, 0};
  EXPECT_EQ(requantize(1000, big, cfg), 50);
}

TEST(DatapathModel, DenseModeStreamsEveryWeightWithTheSameResults) {
  std::mt19937_64 g(41);
  const Layer L = random_layer(g, 7, 100, 1, 0.3, WPrec::Int4);
  Config cfg;
  cfg.wprec = WPrec::Int4;
  cfg.cols = 100;
  cfg.act_zp = -5;
  const auto ch = unit_channels(7);
  const auto all = pack_every_weight(L.w, 7, 100, WPrec::Int4);
  EXPECT_EQ(all.size(), 7u * ((100 + 2 * kLanes - 1) / (2 * kLanes)));
  const auto a = run(all, cfg, L.x, ch);
  const auto b = run(pack_dense(L.w, 7, 100, WPrec::Int4), cfg, L.x, ch);
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_EQ(a.counters.macs_performed, 700u) << "dense mode performs every MAC";
  EXPECT_EQ(a.counters.macs_skipped, 0u);
}
