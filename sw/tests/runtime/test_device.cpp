// The golden device backend against datapath::dense_reference (a plain int64
// product) followed by the shared requantizer, over dense and sparse sections,
// entropy-coded sections, 8/4/2-bit weights, GEMM and depthwise jobs, odd
// pixel counts (partial kMaxBatch passes); softmax through the unit's model;
// NMS through the golden model; the registry.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "squish/container/sqz.hpp"
#include "squish/error.hpp"
#include "squish/requant/requant.hpp"
#include "squish/runtime/device.hpp"
#include "squish/runtime/golden_device.hpp"
#include "squish/softmax/unit.hpp"

using namespace squish;
using namespace squish::runtime;

namespace {

container::Section make_section(const std::vector<int32_t>& codes, size_t rows, size_t cols, unsigned bits,
                                sparse::Format f, entropy::CoderId coder) {
  container::Section s;
  s.name = "w";
  s.dtype = DType::F32;
  s.shape = {rows, cols};
  s.quant.scheme = quant::Scheme::Affine;
  s.quant.bits = bits;
  s.quant.is_signed = true;
  s.quant.narrow = true;
  s.quant.symmetric = true;
  s.quant.channel_axis = 0;
  s.quant.channels.assign(rows, quant::ChannelParams{0.01, 0, 0, 0, 0});
  s.sparse_format = f;
  s.coder = coder;
  container::encode_codes(s, codes);
  return s;
}

struct Case {
  size_t rows, cols, npix;
  unsigned bits;
  double density;
  sparse::Format f;
  entropy::CoderId coder;
  bool depthwise;
};

void check_case(const Case& c, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const int qmax = (1 << (c.bits - 1)) - 1;
  std::uniform_int_distribution<int> wd(-qmax, qmax), xd(-128, 127), zd(-128, 127);
  std::vector<int32_t> codes(c.rows * c.cols);
  std::vector<int8_t> w(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    codes[i] = u(g) < c.density ? wd(g) : 0;
    w[i] = static_cast<int8_t>(codes[i]);
  }
  const auto sec = make_section(codes, c.rows, c.cols, c.bits, c.f, c.coder);
  GemmJob job;
  job.name = "layer";
  job.rows = static_cast<uint32_t>(c.rows);
  job.cols = static_cast<uint32_t>(c.cols);
  job.wprec = datapath::wprec_from_bits(static_cast<int>(c.bits));
  job.weights = &sec;
  job.act_zp = zd(g);
  job.out_zp = zd(g);
  job.out_min = std::min(job.out_zp, 0);
  job.out_max = 127;
  job.depthwise = c.depthwise;
  std::uniform_int_distribution<int> bd(-5000, 5000);
  std::uniform_real_distribution<double> md(0.0005, 0.05);
  for (size_t r = 0; r < c.rows; ++r) {
    const auto m = requant::quantize_multiplier(md(g));
    job.channels.push_back({bd(g), m.multiplier, m.shift});
  }
  const size_t acols = c.depthwise ? c.rows * c.cols : c.cols;
  std::vector<int8_t> acts(c.npix * acols);
  for (auto& a : acts) a = static_cast<int8_t>(xd(g));
  auto dev = make_device("golden");
  EXPECT_EQ(dev->name(), "golden");
  LayerStats st;
  const auto out = dev->gemm(job, acts, c.npix, &st);
  ASSERT_EQ(out.size(), c.npix * c.rows);
  // Reference accumulators.
  std::vector<int64_t> acc(c.npix * c.rows);
  if (!c.depthwise) {
    acc = datapath::dense_reference(w, c.rows, c.cols, acts, c.npix, job.act_zp);
  } else {
    for (size_t r = 0; r < c.rows; ++r) {
      std::vector<int8_t> xr(c.npix * c.cols);
      for (size_t p = 0; p < c.npix; ++p)
        for (size_t t = 0; t < c.cols; ++t) xr[p * c.cols + t] = acts[p * acols + r * c.cols + t];
      const auto a = datapath::dense_reference(std::span<const int8_t>(w).subspan(r * c.cols, c.cols), 1, c.cols, xr,
                                               c.npix, job.act_zp);
      for (size_t p = 0; p < c.npix; ++p) acc[p * c.rows + r] = a[p];
    }
  }
  for (size_t p = 0; p < c.npix; ++p)
    for (size_t r = 0; r < c.rows; ++r) {
      const auto& ch = job.channels[r];
      const int32_t want = requant::requantize(static_cast<int32_t>(acc[p * c.rows + r]), ch.bias, ch.multiplier,
                                               ch.shift, job.out_zp, job.out_min, job.out_max, false);
      ASSERT_EQ(out[p * c.rows + r], want) << "pixel " << p << " row " << r;
    }
  EXPECT_EQ(st.macs_dense, uint64_t{c.rows} * c.cols * c.npix);
  EXPECT_GT(st.cycles, 0u);
  EXPECT_EQ(st.weight_bytes_in, sec.payload.size());
  // Zero-skipping formats perform only the nonzero products.
  if (c.f != sparse::Format::Dense) {
    size_t nnz = 0;
    for (auto v : codes) nnz += v != 0;
    EXPECT_EQ(st.macs_performed, nnz * c.npix);
  } else {
    EXPECT_EQ(st.macs_performed, st.macs_dense);
  }
}

}  // namespace

TEST(GoldenDevice, GemmMatchesDenseReference) {
  using F = sparse::Format;
  using C = entropy::CoderId;
  const Case cases[] = {
      {16, 27, 9, 8, 1.0, F::Dense, C::None, false},   {33, 70, 5, 8, 0.5, F::Bitmap, C::None, false},
      {8, 144, 4, 4, 0.5, F::Nm, C::None, false},      {20, 50, 7, 4, 0.3, F::Dense, C::Rans, false},
      {12, 64, 3, 2, 0.6, F::Csr, C::None, false},     {7, 100, 1, 8, 0.2, F::Rlc, C::None, false},
      {5, 40, 6, 8, 0.9, F::Dense, C::Huffman, false},
  };
  uint64_t seed = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(sparse::to_string(c.f)) + " bits " + std::to_string(c.bits));
    // N:M needs a tensor that fits 2:4.
    if (c.f == F::Nm) continue;
    check_case(c, seed++);
  }
}

TEST(GoldenDevice, NmSection) {
  // 2:4 codes: zero two of every four along the row.
  std::mt19937_64 g(3);
  const size_t rows = 8, cols = 64, npix = 5;
  std::vector<int32_t> codes(rows * cols);
  std::uniform_int_distribution<int> wd(-7, 7);
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = (i % 4 < 2) ? wd(g) : 0;
  const auto sec = make_section(codes, rows, cols, 4, sparse::Format::Nm, entropy::CoderId::None);
  ASSERT_EQ(sec.sparse_format, sparse::Format::Nm);
  GemmJob job;
  job.name = "nm";
  job.rows = rows;
  job.cols = cols;
  job.wprec = datapath::WPrec::Int4;
  job.weights = &sec;
  for (size_t r = 0; r < rows; ++r) job.channels.push_back({int32_t(r), 1 << 30, -6});
  std::vector<int8_t> acts(npix * cols);
  std::uniform_int_distribution<int> xd(-128, 127);
  for (auto& a : acts) a = static_cast<int8_t>(xd(g));
  LayerStats st;
  const auto out = make_device("golden")->gemm(job, acts, npix, &st);
  std::vector<int8_t> w(codes.begin(), codes.end());
  const auto acc = datapath::dense_reference(w, rows, cols, acts, npix, 0);
  for (size_t p = 0; p < npix; ++p)
    for (size_t r = 0; r < rows; ++r)
      ASSERT_EQ(out[p * rows + r], requant::requantize(static_cast<int32_t>(acc[p * rows + r]), int32_t(r), 1 << 30, -6, 0, -128, 127, false));
}

TEST(GoldenDevice, Depthwise) {
  using F = sparse::Format;
  using C = entropy::CoderId;
  check_case({24, 9, 11, 8, 1.0, F::Dense, C::None, true}, 11);
  check_case({32, 9, 6, 4, 0.5, F::Bitmap, C::None, true}, 12);
  // More channels than one group's column index holds (4096 / 25 = 163 per group).
  check_case({400, 25, 3, 8, 0.7, F::Dense, C::Rans, true}, 13);
}

TEST(GoldenDevice, RejectsMismatchedSection) {
  std::vector<int32_t> codes(12, 1);
  const auto sec = make_section(codes, 3, 4, 8, sparse::Format::Dense, entropy::CoderId::None);
  GemmJob job;
  job.name = "bad";
  job.rows = 4;
  job.cols = 3;
  job.weights = &sec;
  job.channels.resize(4);
  std::vector<int8_t> acts(3);
  EXPECT_THROW(make_device("golden")->gemm(job, acts, 1), FormatError);
  job.rows = 3;
  job.cols = 4;
  job.channels.resize(3);
  job.wprec = datapath::WPrec::Int2;  // codes of 1 fit, but 8-bit codes up to 127 may not
  std::vector<int32_t> big(12, 100);
  const auto sec2 = make_section(big, 3, 4, 8, sparse::Format::Dense, entropy::CoderId::None);
  job.weights = &sec2;
  std::vector<int8_t> acts4(4);
  EXPECT_THROW(make_device("golden")->gemm(job, acts4, 1), FormatError);
}

TEST(GoldenDevice, SoftmaxThroughTheUnitModel) {
  auto dev = make_device("golden");
  const std::vector<int8_t> q{-128, -20, 0, 5, 60, 127, 33};
  const double scale = 0.05;
  const int32_t zp = -3;
  const auto p = dev->softmax(q, scale, zp);
  ASSERT_EQ(p.size(), q.size());
  // F: largest with 255 * 0.05 * 2^F < 32767 -> 2^F < 2570 -> F = 11.
  EXPECT_EQ(softmax_frac_bits(scale), 11u);
  std::vector<int16_t> x(q.size());
  for (size_t i = 0; i < q.size(); ++i) x[i] = static_cast<int16_t>(std::lround((q[i] - zp) * scale * 2048));
  EXPECT_EQ(p, softmax::softmax_q16(x, 11));
  // Close to the float softmax of the dequantized logits.
  double mx = -1e9, sum = 0;
  for (auto v : q) mx = std::max(mx, (v - zp) * scale);
  for (auto v : q) sum += std::exp((v - zp) * scale - mx);
  for (size_t i = 0; i < q.size(); ++i) EXPECT_NEAR(p[i] / 65536.0, std::exp((q[i] - zp) * scale - mx) / sum, 2e-4);
}

TEST(GoldenDevice, NmsAndRegistry) {
  auto dev = make_device("golden");
  const std::vector<nms::Box> boxes{{0, 0, 10, 10}, {1, 1, 11, 11}, {50, 50, 60, 60}};
  const std::vector<float> scores{0.9f, 0.8f, 0.7f};
  nms::Options o;
  o.iou_threshold = 0.3f;
  EXPECT_EQ(dev->nms(boxes, scores, o), (std::vector<uint32_t>{0, 2}));
  EXPECT_FALSE(have_rtl_device());
  EXPECT_THROW(make_device("rtl"), UsageError);
  EXPECT_THROW(make_device("gpu"), UsageError);
}
