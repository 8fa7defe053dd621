// tb_top: the accelerator top (rtl/top/squish_top) driven only through its
// AXI4-Lite registers and AXI4-Stream ports (sim/top/top_driver.hpp), with
// random backpressure on every stream and random AXI-Lite handshake delays.
// Expected values come from an independent dense int64 product of the golden
// decoding of each section (container::decode_codes) and the golden
// requantization (squish::requant via datapath::requantize), never from the
// driver or the RTL.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "squish/container/sqz.hpp"
#include "squish/datapath/datapath.hpp"
#include "squish/error.hpp"
#include "squish/nms/nms.hpp"
#include "squish/requant/requant.hpp"
#include "squish/sim/gtest.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/unit.hpp"
#include "top_driver.hpp"

namespace {

using namespace squish;
using datapath::WPrec;
using sim::Backpressure;

int bp_level(Backpressure b) { return b == Backpressure::None ? 0 : b == Backpressure::Light ? 1 : 2; }

rtl::TopOptions top_opts(Backpressure bp, bool cache = true, unsigned batch = 0) {
  rtl::TopOptions o;
  o.seed = sim::test_seed();
  o.backpressure = bp_level(bp);
  o.cache = cache;
  o.batch = batch;
  const auto d = sim::test_options();
  o.trace_path = d.trace_path;
  return o;
}

/// A random weight matrix with the given density, values in the precision's range.
std::vector<int8_t> random_weights(std::mt19937_64& g, size_t rows, size_t cols, WPrec p, double density,
                                   bool empty_rows = false) {
  std::vector<int8_t> w(rows * cols, 0);
  std::uniform_int_distribution<int> v(datapath::weight_min(p), datapath::weight_max(p));
  std::bernoulli_distribution keep(density);
  for (size_t r = 0; r < rows; ++r) {
    if (empty_rows && r % 3 == 1) continue;
    for (size_t c = 0; c < cols; ++c)
      if (keep(g)) {
        int x = 0;
        while (x == 0) x = v(g);
        w[r * cols + c] = static_cast<int8_t>(x);
      }
  }
  return w;
}

/// N:M-pruned weights (at most n non-zeros per group of m along a row).
std::vector<int8_t> nm_weights(std::mt19937_64& g, size_t rows, size_t cols, WPrec p, unsigned n, unsigned m) {
  auto w = random_weights(g, rows, cols, p, 1.0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c0 = 0; c0 < cols; c0 += m) {
      std::vector<size_t> idx;
      for (size_t c = c0; c < std::min(cols, c0 + m); ++c) idx.push_back(c);
      std::shuffle(idx.begin(), idx.end(), g);
      for (size_t k = n; k < idx.size(); ++k) w[r * cols + idx[k]] = 0;
    }
  return w;
}

uint64_t nonzeros(std::span<const int8_t> w) {
  return static_cast<uint64_t>(std::count_if(w.begin(), w.end(), [](int8_t v) { return v != 0; }));
}

container::Section make_section(std::span<const int8_t> w, size_t rows, size_t cols, WPrec p,
                                sparse::Format fmt, entropy::CoderId coder = entropy::CoderId::None,
                                unsigned rans_lanes = 8) {
  container::Section s;
  s.name = "w";
  s.shape = {rows, cols};
  s.quant.scheme = quant::Scheme::Affine;
  s.quant.bits = static_cast<unsigned>(datapath::weight_bits(p));
  s.quant.is_signed = true;
  s.quant.channel_axis = 0;
  s.quant.channels.assign(rows, quant::ChannelParams{0.01, 0, 0, 0, 0});
  s.sparse_format = fmt;
  s.sparse_params.nm_n = 2;
  s.sparse_params.nm_m = 4;
  s.sparse_params.rlc_run_bits = 3;
  s.coder = coder;
  s.coder_params.rans_lanes = rans_lanes;
  std::vector<int32_t> codes(w.begin(), w.end());
  container::encode_codes(s, codes);
  return s;
}

std::vector<datapath::Channel> random_channels(std::mt19937_64& g, size_t rows) {
  std::vector<datapath::Channel> ch(rows);
  std::uniform_int_distribution<int32_t> bias(-20000, 20000);
  std::uniform_real_distribution<double> sc(0.0005, 0.02);
  for (auto& c : ch) {
    const auto qm = requant::quantize_multiplier(sc(g));
    c.bias = bias(g);
    c.multiplier = qm.multiplier;
    c.shift = qm.shift;
  }
  return ch;
}

std::vector<int8_t> random_acts(std::mt19937_64& g, size_t n) {
  std::vector<int8_t> a(n);
  std::uniform_int_distribution<int> d(-128, 127);
  for (auto& x : a) x = static_cast<int8_t>(d(g));
  return a;
}

/// Independent reference: the golden decoding of the section, a dense int64
/// product, then the golden requantization.
std::vector<int8_t> reference(const runtime::GemmJob& job, std::span<const int8_t> acts, size_t npix) {
  const auto codes = container::decode_codes(*job.weights);
  const size_t R = job.rows, C = job.cols, K = job.depthwise ? R * C : C;
  datapath::Config cfg;
  cfg.wprec = job.wprec;
  cfg.act_zp = job.act_zp;
  cfg.out_zp = job.out_zp;
  cfg.out_min = job.out_min;
  cfg.out_max = job.out_max;
  std::vector<int8_t> out(npix * R);
  for (size_t p = 0; p < npix; ++p)
    for (size_t r = 0; r < R; ++r) {
      int64_t acc = 0;
      for (size_t c = 0; c < C; ++c) {
        const size_t col = job.depthwise ? r * C + c : c;
        acc += int64_t{codes[r * C + c]} * (int64_t{acts[p * K + col]} - job.act_zp);
      }
      out[p * R + r] = static_cast<int8_t>(datapath::requantize(static_cast<int32_t>(acc), job.channels[r], cfg));
    }
  return out;
}

runtime::GemmJob make_job(const container::Section& s, WPrec p, std::vector<datapath::Channel> ch, bool dw,
                          std::mt19937_64& g) {
  runtime::GemmJob j;
  j.name = "layer";
  j.rows = static_cast<uint32_t>(s.shape[0]);
  j.cols = static_cast<uint32_t>(s.shape[1]);
  j.wprec = p;
  j.weights = &s;
  j.channels = std::move(ch);
  std::uniform_int_distribution<int> zp(-60, 60);
  j.act_zp = zp(g);
  j.out_zp = zp(g);
  j.out_min = -128;
  j.out_max = 127;
  j.depthwise = dw;
  return j;
}

class TopGemm : public sim::BackpressureTest {};

TEST_P(TopGemm, EveryPrecisionFormatAndCoderBitExact) {
  std::mt19937_64 g(sim::test_seed());
  rtl::TopDriver drv(top_opts(GetParam()));
  struct Case {
    sparse::Format fmt;
    entropy::CoderId coder;
    double density;
  };
  const Case cases[] = {
      {sparse::Format::Dense, entropy::CoderId::None, 0.9},   {sparse::Format::Coo1d, entropy::CoderId::None, 0.2},
      {sparse::Format::Rlc, entropy::CoderId::None, 0.3},     {sparse::Format::Bitmap, entropy::CoderId::None, 0.5},
      {sparse::Format::Csr, entropy::CoderId::None, 0.4},     {sparse::Format::Nm, entropy::CoderId::None, 0.5},
      {sparse::Format::Dense, entropy::CoderId::Huffman, 0.5}, {sparse::Format::Dense, entropy::CoderId::Rans, 0.5},
      // entropy coding over sparse payloads (container 2.0)
      {sparse::Format::Bitmap, entropy::CoderId::Rans, 0.3},  {sparse::Format::Csr, entropy::CoderId::Huffman, 0.2},
      {sparse::Format::Rlc, entropy::CoderId::Huffman, 0.3},  {sparse::Format::Nm, entropy::CoderId::Rans, 0.5},
  };
  int n = 0, coded_runs = 0;
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2}) {
    for (const auto& c : cases) {
      const size_t rows = 5 + g() % 20, cols = 3 + g() % 70, npix = 1 + g() % 7;
      // coded cases get enough weights that the coder pays for its table (the
      // writer falls back to coder none otherwise)
      const bool coded = c.coder != entropy::CoderId::None;
      const size_t R = coded ? rows + 48 : rows, C = coded ? cols + 96 : cols;
      const auto w = c.fmt == sparse::Format::Nm ? nm_weights(g, R, C, p, 2, 4)
                                                  : random_weights(g, R, C, p, c.density, true);
      const auto s = make_section(w, R, C, p, c.fmt, c.coder, (n % 3 == 0) ? 4 : (n % 3 == 1 ? 8 : 16));
      // INT8 dense at density <= 0.5 always beats the raw payload: never a fall-back
      if (coded && p == WPrec::Int8 && c.fmt == sparse::Format::Dense) ASSERT_EQ(s.coder, c.coder);
      const auto job = make_job(s, p, random_channels(g, R), false, g);
      const auto acts = random_acts(g, npix * C);
      SCOPED_TRACE(std::string(datapath::to_string(p)) + " " + std::string(sparse::to_string(s.sparse_format)) + " " +
                   std::string(entropy::to_string(s.coder)) + " a=" + std::to_string(s.coder_params.alphabet_bits) +
                   " " + std::to_string(R) + "x" + std::to_string(C) + " npix " + std::to_string(npix));
      if (coded && s.coder != entropy::CoderId::None) ++coded_runs;
      const auto run = drv.gemm(job, acts, npix);
      ASSERT_EQ(run.error, 0u);
      EXPECT_TRUE(run.protocol_error.empty()) << run.protocol_error;
      EXPECT_EQ(run.out, reference(job, acts, npix));
      EXPECT_EQ(run.stats.weight_bytes_in, 4 * rtl::top_weight_stream(s, p).size());
      // zeros never reach the array (sparse formats and the dense decoder alike)
      EXPECT_EQ(run.stats.macs_performed, nonzeros(w) * npix);
      ++n;
    }
  }
  // most of the 18 coded cases really ran coded (not the writer's uncoded fall-back;
  // INT2 and N:M payloads of uniform codes barely compress, so some fall back:
  // 11 to 14 over 30 seeds)
  EXPECT_GE(coded_runs, 9);
}

TEST_P(TopGemm, DepthwiseBitExact) {
  std::mt19937_64 g(sim::test_seed());
  rtl::TopDriver drv(top_opts(GetParam()));
  for (WPrec p : {WPrec::Int8, WPrec::Int4}) {
    for (auto fmt : {sparse::Format::Dense, sparse::Format::Bitmap}) {
      const size_t ch = 3 + g() % 40, taps = 9, npix = 1 + g() % 9;
      const auto w = random_weights(g, ch, taps, p, fmt == sparse::Format::Dense ? 1.0 : 0.6);
      const auto s = make_section(w, ch, taps, p, fmt);
      const auto job = make_job(s, p, random_channels(g, ch), true, g);
      const auto acts = random_acts(g, npix * ch * taps);
      SCOPED_TRACE(std::string(datapath::to_string(p)) + " " + std::string(sparse::to_string(fmt)) + " C=" +
                   std::to_string(ch));
      const auto run = drv.gemm(job, acts, npix);
      ASSERT_EQ(run.error, 0u);
      EXPECT_EQ(run.out, reference(job, acts, npix));
      EXPECT_EQ(run.stats.macs_performed, nonzeros(w) * npix);
    }
  }
}

TEST_P(TopGemm, CornersAndCacheOff) {
  std::mt19937_64 g(sim::test_seed());
  struct Shape {
    size_t rows, cols, npix;
    bool cache;
    unsigned batch;
  };
  const Shape shapes[] = {{1, 1, 1, true, 0},   {1, 37, 3, true, 0},  {23, 1, 5, true, 0},
                          {9, 17, 6, false, 0}, {16, 16, 9, false, 3}, {4, 33, 7, true, 1}};
  for (const auto& sh : shapes) {
    rtl::TopDriver drv(top_opts(GetParam(), sh.cache, sh.batch));
    for (auto fmt : {sparse::Format::Dense, sparse::Format::Csr}) {
      const auto w = random_weights(g, sh.rows, sh.cols, WPrec::Int8, 0.5, true);
      const auto s = make_section(w, sh.rows, sh.cols, WPrec::Int8, fmt);
      const auto job = make_job(s, WPrec::Int8, random_channels(g, sh.rows), false, g);
      const auto acts = random_acts(g, sh.npix * sh.cols);
      SCOPED_TRACE(std::to_string(sh.rows) + "x" + std::to_string(sh.cols) + " npix " + std::to_string(sh.npix) +
                   " cache " + std::to_string(sh.cache) + " " + std::string(sparse::to_string(fmt)));
      const auto run = drv.gemm(job, acts, sh.npix);
      ASSERT_EQ(run.error, 0u);
      EXPECT_EQ(run.out, reference(job, acts, sh.npix));
      EXPECT_EQ(run.cached, sh.cache);
      // the weights cross the port once with the cache, once per batch without
      const unsigned B = sh.batch ? sh.batch : drv.max_batch();
      const size_t copies = sh.cache ? 1 : (sh.npix + B - 1) / B;
      EXPECT_EQ(run.stats.weight_bytes_in, copies * 4 * rtl::top_weight_stream(s, WPrec::Int8).size());
    }
  }
}

TEST_P(TopGemm, BadInputRaisesErrorAndRecovers) {
  std::mt19937_64 g(sim::test_seed());
  rtl::TopDriver drv(top_opts(GetParam()));
  // 16x64 at density 0.2: large and skewed enough that the coded cases always beat
  // the raw payload, so the writer never falls back to uncoded (checked below)
  const size_t rows = 16, cols = 64, npix = 5;
  for (auto [fmt, coder] : {std::pair{sparse::Format::Dense, entropy::CoderId::None},
                            std::pair{sparse::Format::Bitmap, entropy::CoderId::None},
                            std::pair{sparse::Format::Dense, entropy::CoderId::Huffman},
                            std::pair{sparse::Format::Dense, entropy::CoderId::Rans}}) {
    const auto w = random_weights(g, rows, cols, WPrec::Int8, 0.2);
    const auto s = make_section(w, rows, cols, WPrec::Int8, fmt, coder);
    // the corruptions below target words by position: they assume the coder asked for
    ASSERT_EQ(s.coder, coder) << "writer fell back to uncoded; the word offsets would be wrong";
    const auto job = make_job(s, WPrec::Int8, random_channels(g, rows), false, g);
    const auto acts = random_acts(g, npix * cols);
    const auto good = rtl::top_weight_stream(s, WPrec::Int8);
    const size_t pre = coder == entropy::CoderId::None ? 1 : 5;  // preamble words
    // targeted corruptions: preamble magic, sparse header magic, a dimension, a truncated body
    std::vector<std::pair<std::string, std::vector<uint32_t>>> bad;
    auto b0 = good;
    b0[0] ^= 0x01000000u;
    bad.push_back({"preamble", b0});
    auto b1 = good;
    b1[pre] ^= 0x80000000u;
    bad.push_back({"header magic", b1});
    auto b2 = good;
    b2[pre + 2] += 1;
    bad.push_back({"rows", b2});
    auto b3 = good;
    b3.resize(good.size() - 2);
    bad.push_back({"truncated", b3});
    for (const auto& [what, ws] : bad) {
      SCOPED_TRACE(std::string(sparse::to_string(fmt)) + "/" + std::string(entropy::to_string(coder)) + ": " + what);
      const uint64_t t0 = drv.cycle();
      const auto run = drv.gemm_stream(job, ws, true, acts, npix);
      EXPECT_NE(run.error, 0u);
      EXPECT_LT(drv.cycle() - t0, 20000u);  // flagged promptly, never a hang
      // the next, good layer runs bit-exact on the same top
      const auto ok = drv.gemm(job, acts, npix);
      ASSERT_EQ(ok.error, 0u);
      EXPECT_EQ(ok.out, reference(job, acts, npix));
    }
  }
  // descriptor errors: rows beyond the requant memory, K beyond the activation buffer
  const auto w = random_weights(g, 2, 8, WPrec::Int8, 1.0);
  const auto s = make_section(w, 2, 8, WPrec::Int8, sparse::Format::Dense);
  auto job = make_job(s, WPrec::Int8, random_channels(g, 2), false, g);
  drv.write(rtl::top_reg::kCmd, 0);
  drv.write(rtl::top_reg::kRows, 100000);
  drv.write(rtl::top_reg::kIrqEn, 1);
  drv.write(rtl::top_reg::kCtrl, 1);
  EXPECT_EQ(drv.read(rtl::top_reg::kStatus) & 4u, 4u);
  EXPECT_EQ(drv.read(rtl::top_reg::kError), 0x62u);
  drv.soft_reset();
  const auto acts = random_acts(g, 3 * 8);
  const auto ok = drv.gemm(job, acts, 3);
  ASSERT_EQ(ok.error, 0u);
  EXPECT_EQ(ok.out, reference(job, acts, 3));
}

/// A tiny network: 3x3 conv (im2col GEMM on the host) -> depthwise 3x3 -> 1x1
/// conv, each layer's int8 output the next one's input, all through the top.
TEST_P(TopGemm, TinyNetworkBitExact) {
  std::mt19937_64 g(sim::test_seed());
  rtl::TopDriver drv(top_opts(GetParam()));
  const size_t H = 6, W = 6, Cin = 3, C1 = 8, C3 = 12;
  auto x = random_acts(g, H * W * Cin);
  // layer 1: 3x3 conv, stride 1, VALID -> 4x4xC1, weights INT8 dense + rANS
  const size_t H1 = H - 2, W1 = W - 2, K1 = 9 * Cin;
  std::vector<int8_t> col1(H1 * W1 * K1);
  for (size_t y = 0; y < H1; ++y)
    for (size_t xx = 0; xx < W1; ++xx)
      for (size_t ky = 0; ky < 3; ++ky)
        for (size_t kx = 0; kx < 3; ++kx)
          for (size_t c = 0; c < Cin; ++c)
            col1[(y * W1 + xx) * K1 + (ky * 3 + kx) * Cin + c] = x[((y + ky) * W + xx + kx) * Cin + c];
  const auto w1 = random_weights(g, C1, K1, WPrec::Int8, 0.7);
  const auto s1 = make_section(w1, C1, K1, WPrec::Int8, sparse::Format::Dense, entropy::CoderId::Rans);
  auto j1 = make_job(s1, WPrec::Int8, random_channels(g, C1), false, g);
  j1.out_min = j1.out_zp;  // fused ReLU
  const auto r1 = drv.gemm(j1, col1, H1 * W1);
  ASSERT_EQ(r1.error, 0u);
  ASSERT_EQ(r1.out, reference(j1, col1, H1 * W1));
  // layer 2: depthwise 3x3 VALID on 4x4xC1 -> 2x2xC1, INT4 bitmap
  const size_t H2 = H1 - 2, W2 = W1 - 2;
  std::vector<int8_t> col2(H2 * W2 * C1 * 9);
  for (size_t y = 0; y < H2; ++y)
    for (size_t xx = 0; xx < W2; ++xx)
      for (size_t c = 0; c < C1; ++c)
        for (size_t t = 0; t < 9; ++t)
          col2[(y * W2 + xx) * C1 * 9 + c * 9 + t] = r1.out[((y + t / 3) * W1 + xx + t % 3) * C1 + c];
  const auto w2 = random_weights(g, C1, 9, WPrec::Int4, 0.8);
  const auto s2 = make_section(w2, C1, 9, WPrec::Int4, sparse::Format::Bitmap);
  auto j2 = make_job(s2, WPrec::Int4, random_channels(g, C1), true, g);
  j2.act_zp = j1.out_zp;
  const auto r2 = drv.gemm(j2, col2, H2 * W2);
  ASSERT_EQ(r2.error, 0u);
  ASSERT_EQ(r2.out, reference(j2, col2, H2 * W2));
  // layer 3: 1x1 conv C1 -> C3, 2:4 INT8
  const auto w3 = nm_weights(g, C3, C1, WPrec::Int8, 2, 4);
  const auto s3 = make_section(w3, C3, C1, WPrec::Int8, sparse::Format::Nm);
  auto j3 = make_job(s3, WPrec::Int8, random_channels(g, C3), false, g);
  j3.act_zp = j2.out_zp;
  const auto r3 = drv.gemm(j3, r2.out, H2 * W2);
  ASSERT_EQ(r3.error, 0u);
  EXPECT_EQ(r3.out, reference(j3, r2.out, H2 * W2));
}

SQUISH_BACKPRESSURE_SUITE(TopGemm);

class TopUnits : public sim::BackpressureTest {};

TEST_P(TopUnits, SoftmaxThroughTheTop) {
  std::mt19937_64 g(sim::test_seed());
  rtl::TopDriver drv(top_opts(GetParam()));
  for (size_t n : {1u, 7u, 8u, 29u, 200u}) {
    std::vector<int16_t> x(n);
    std::uniform_int_distribution<int> d(-3000, 3000);
    for (auto& v : x) v = static_cast<int16_t>(d(g));
    const unsigned f = static_cast<unsigned>(g() % 12);
    const auto run = drv.softmax(x, f);
    ASSERT_EQ(run.error, 0u);
    EXPECT_EQ(run.probs, softmax::softmax_q16(x, f)) << "n " << n;
  }
}

TEST_P(TopUnits, NmsThroughTheTop) {
  std::mt19937_64 g(sim::test_seed());
  rtl::TopDriver drv(top_opts(GetParam()));
  // The Verilated top keeps at most 8 banks x 16 slots = 128 boxes; a frame that
  // keeps more must raise ERROR = nms source 8, kept-full (0x82), never a short list.
  constexpr size_t kMaxKept = 128;
  bool saw_full = false;
  for (auto [n, span] : {std::pair<size_t, int>{0, 200}, {1, 200}, {5, 200}, {60, 200}, {300, 40}, {300, 200},
                         {600, 400}}) {
    std::vector<nms::Box> boxes(n);
    std::vector<float> scores(n);
    std::uniform_int_distribution<int> c(0, span), s(4, 60);
    std::uniform_real_distribution<float> sc(0.f, 1.f);
    for (size_t i = 0; i < n; ++i) {
      const int x = c(g), y = c(g);
      boxes[i] = {x, y, x + s(g), y + s(g)};
      scores[i] = sc(g);
    }
    nms::Options o;
    o.iou_threshold = 0.3f;
    const auto ref = nms::greedy(boxes, scores, {}, o);
    const auto run = drv.nms(boxes, scores, o);
    if (ref.size() <= kMaxKept) {
      ASSERT_EQ(run.error, 0u) << "n " << n;
      EXPECT_EQ(run.kept, ref) << "n " << n;
    } else {
      EXPECT_EQ(run.error, 0x82u) << "n " << n << ", " << ref.size() << " kept by the model";
      saw_full = true;
      drv.soft_reset();
    }
  }
  EXPECT_TRUE(saw_full);  // the 600-box frame keeps more than 128
  // directed: 128 disjoint boxes on a grid, each with a shifted twin it suppresses
  // (IoU 0.82): exactly 128 kept, the list full to the last slot
  std::vector<nms::Box> boxes;
  std::vector<float> scores;
  std::uniform_real_distribution<float> sc(0.f, 1.f);
  for (int k = 0; k < 128; ++k) {
    const int x = 20 * (k % 12), y = 20 * (k / 12);
    boxes.push_back({x, y, x + 10, y + 10});
    boxes.push_back({x + 1, y, x + 11, y + 10});
    scores.push_back(sc(g));
    scores.push_back(sc(g));
  }
  nms::Options o;
  o.iou_threshold = 0.5f;
  const auto ref = nms::greedy(boxes, scores, {}, o);
  ASSERT_EQ(ref.size(), kMaxKept);
  const auto run = drv.nms(boxes, scores, o);
  ASSERT_EQ(run.error, 0u);
  EXPECT_EQ(run.kept, ref);
}

SQUISH_BACKPRESSURE_SUITE(TopUnits);

/// The register map as docs/top.md gives it: reset values, every RW register
/// read back after a write, PARAMS of the Verilated build, the counters a GEMM
/// leaves, and the command errors no other test reaches (reserved op 3, NMS
/// boxes beyond NmsMaxBoxes), each followed by a good GEMM on the same top.
TEST_P(TopGemm, RegisterMapAndCommandErrors) {
  namespace r = rtl::top_reg;
  std::mt19937_64 g(sim::test_seed());
  rtl::TopDriver drv(top_opts(GetParam()));
  // reset values (docs/top.md, register map)
  EXPECT_EQ(drv.read(r::kIrqEn), 0u);
  EXPECT_EQ(drv.read(r::kCmd), 0u);
  EXPECT_EQ(drv.read(r::kRows), 1u);
  EXPECT_EQ(drv.read(r::kCols), 1u);
  EXPECT_EQ(drv.read(r::kNpix), 1u);
  EXPECT_EQ(drv.read(r::kZp), 0x7F800000u);
  EXPECT_EQ(drv.read(r::kBatch), 4u);  // MaxBatch
  for (uint8_t a : {r::kSmCfg, r::kNmsThr, r::kNmsCfg, r::kNmsTopk, r::kNmsScore, r::kSections, r::kOutBeats,
                    r::kNmsCycles})
    EXPECT_EQ(drv.read(a), 0u) << "register 0x" << std::hex << int(a);
  // PARAMS: Lanes 16, MaxBatch 4, log2 MaxRows 10, log2 CacheDepth 13 (the Verilated build's 8192)
  EXPECT_EQ(drv.read(r::kParams), 0x0D0A0410u);
  // every RW register holds what was written (random values)
  std::vector<std::pair<uint8_t, uint32_t>> wr;
  for (uint8_t a : {r::kCmd, r::kRows, r::kCols, r::kNpix, r::kZp, r::kBatch, r::kSmCfg, r::kNmsThr, r::kNmsCfg,
                    r::kNmsTopk, r::kNmsScore}) {
    const auto v = static_cast<uint32_t>(g());
    drv.write(a, v);
    wr.push_back({a, v});
  }
  drv.write(r::kIrqEn, 1);
  for (const auto& [a, v] : wr) EXPECT_EQ(drv.read(a), v) << "register 0x" << std::hex << int(a);
  EXPECT_EQ(drv.read(r::kIrqEn), 1u);
  drv.write(r::kIrqEn, 0);
  EXPECT_EQ(drv.read(r::kIrqEn), 0u);
  // an unmapped offset reads 0
  EXPECT_EQ(drv.read(0xFC), 0u);
  // reserved op 3: error 0x63 (source 6 descriptor, code 3 bad op)
  drv.write(r::kCmd, 3);
  drv.write(r::kCtrl, 1);
  EXPECT_EQ(drv.read(r::kStatus) & 4u, 4u);
  EXPECT_EQ(drv.read(r::kError), 0x63u);
  drv.soft_reset();
  EXPECT_EQ(drv.read(r::kError), 0u);
  // NMS with more boxes than NmsMaxBoxes (8192): error 0x62 (bad descriptor)
  drv.write(r::kCmd, 2);
  drv.write(r::kNpix, 8193);
  drv.write(r::kCtrl, 1);
  EXPECT_EQ(drv.read(r::kStatus) & 4u, 4u);
  EXPECT_EQ(drv.read(r::kError), 0x62u);
  drv.soft_reset();
  // the same top still runs a good layer, and its counters say so
  drv.write(r::kBatch, 0);
  drv.write(r::kZp, 0x7F800000u);
  const auto w = random_weights(g, 5, 24, WPrec::Int8, 1.0);
  const auto s = make_section(w, 5, 24, WPrec::Int8, sparse::Format::Dense);
  const auto job = make_job(s, WPrec::Int8, random_channels(g, 5), false, g);
  const auto acts = random_acts(g, 3 * 24);
  const auto ok = drv.gemm(job, acts, 3);
  ASSERT_EQ(ok.error, 0u);
  EXPECT_EQ(ok.out, reference(job, acts, 3));
  EXPECT_EQ(drv.read(r::kSections), 1u);  // one weight section completed since reset
  // 5 rows x 3 pixels of int8 results, P = 16 per beat: one beat per row and pixel batch
  EXPECT_GT(drv.read(r::kOutBeats), 0u);
}

TEST(TopDevice, MakeRtlDeviceRunsAGemm) {
  std::mt19937_64 g(sim::test_seed());
  auto dev = runtime::make_rtl_device({});
  EXPECT_EQ(dev->name(), "rtl");
  const auto w = random_weights(g, 20, 50, WPrec::Int4, 0.5);
  const auto s = make_section(w, 20, 50, WPrec::Int4, sparse::Format::Dense, entropy::CoderId::Huffman);
  const auto job = make_job(s, WPrec::Int4, random_channels(g, 20), false, g);
  const auto acts = random_acts(g, 9 * 50);
  runtime::LayerStats st;
  const auto out = dev->gemm(job, acts, 9, &st);
  EXPECT_EQ(out, reference(job, acts, 9));
  EXPECT_EQ(st.macs_dense, 20u * 50u * 9u);
  // the dense decoder drops zero weights: one product per non-zero weight and pixel
  const auto nnz = static_cast<uint64_t>(std::count_if(w.begin(), w.end(), [](int8_t v) { return v != 0; }));
  EXPECT_EQ(st.macs_performed, nnz * 9u);
  EXPECT_GT(st.cycles, 0u);
  EXPECT_GT(st.weight_bytes_in, 0u);
  // a corrupted section is a FormatError naming the layer
  auto bad = s;
  bad.payload[0] ^= 0xff;
  runtime::GemmJob bj = job;
  bj.weights = &bad;
  bj.name = "conv_bad";
  try {
    (void)dev->gemm(bj, acts, 9);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conv_bad"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

/// The RTL backend against the golden backend (sw/src/runtime/device.cpp): the
/// same bytes for GEMM (dense, sparse, coded, depthwise), softmax and NMS.
TEST(TopDevice, SameBytesAsTheGoldenDevice) {
  std::mt19937_64 g(sim::test_seed());
  auto rtl = runtime::make_rtl_device({});
  auto gold = runtime::make_device("golden");
  struct Case {
    WPrec p;
    sparse::Format fmt;
    entropy::CoderId coder;
    bool dw;
  };
  const Case cases[] = {{WPrec::Int8, sparse::Format::Dense, entropy::CoderId::None, false},
                        {WPrec::Int4, sparse::Format::Dense, entropy::CoderId::Rans, false},
                        {WPrec::Int4, sparse::Format::Nm, entropy::CoderId::None, false},
                        {WPrec::Int8, sparse::Format::Bitmap, entropy::CoderId::Huffman, false},
                        {WPrec::Int8, sparse::Format::Dense, entropy::CoderId::None, true},
                        {WPrec::Int4, sparse::Format::Bitmap, entropy::CoderId::None, true}};
  for (const auto& c : cases) {
    const size_t rows = c.dw ? 24 : 40, cols = c.dw ? 9 : 70, npix = 11;
    const auto w = c.fmt == sparse::Format::Nm ? nm_weights(g, rows, cols, c.p, 2, 4)
                                               : random_weights(g, rows, cols, c.p, 0.5);
    const auto s = make_section(w, rows, cols, c.p, c.fmt, c.coder);
    const auto job = make_job(s, c.p, random_channels(g, rows), c.dw, g);
    const auto acts = random_acts(g, npix * (c.dw ? rows * cols : cols));
    runtime::LayerStats a, b;
    EXPECT_EQ(rtl->gemm(job, acts, npix, &a), gold->gemm(job, acts, npix, &b))
        << datapath::to_string(c.p) << " " << sparse::to_string(s.sparse_format) << " "
        << entropy::to_string(s.coder) << (c.dw ? " depthwise" : "");
    EXPECT_EQ(a.macs_dense, b.macs_dense);
  }
  std::vector<int8_t> logits(37);
  for (auto& v : logits) v = static_cast<int8_t>(g() & 0xff);
  EXPECT_EQ(rtl->softmax(logits, 0.07, -5), gold->softmax(logits, 0.07, -5));
  std::vector<nms::Box> boxes(50);
  std::vector<float> scores(50);
  for (size_t i = 0; i < boxes.size(); ++i) {
    const int64_t x = g() % 100, y = g() % 100;
    boxes[i] = {x, y, x + 10 + int64_t(g() % 30), y + 10 + int64_t(g() % 30)};
    scores[i] = static_cast<float>(g() % 1000) / 1000.f;
  }
  nms::Options o;
  o.iou_threshold = 0.3f;
  EXPECT_EQ(rtl->nms(boxes, scores, o), gold->nms(boxes, scores, o));
}

}  // namespace
