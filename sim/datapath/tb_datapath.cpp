// Testbenches for rtl/mac: the decomposable multiplier (exhaustive over
// weights, random activations, all precisions) and the whole datapath against
// the bit-accurate model squish::datapath on seeded random layers (every
// precision, densities 1..100 %, GEMV and batched GEMM, odd shapes, empty
// rows/columns, all-zero tensors, extreme values, non-zero zero points), on
// alternative stream shapes (holes, explicit zeros, split rows), malformed
// beats, and under random backpressure on all four streams.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "Vmac_mul_decomp.h"
#include "squish/datapath/datapath.hpp"
#include "squish/datapath/layer.hpp"
#include "squish/requant/requant.hpp"
#include "squish/rtl/datapath.hpp"
#include "squish/sim/gtest.hpp"

using namespace squish;
using namespace squish::datapath;
using squish::rtl::DatapathRtl;

namespace {

rtl::DatapathOptions opts(sim::Backpressure bp) {
  rtl::DatapathOptions o;
  const auto t = sim::test_options();
  o.seed = t.seed;
  o.trace_path = t.trace_path;
  o.name = t.name;
  o.backpressure = bp == sim::Backpressure::None ? 0 : bp == sim::Backpressure::Light ? 1 : 2;
  return o;
}

struct Case {
  size_t rows, cols;
  Config cfg;
  std::vector<int8_t> w, x;
  std::vector<Channel> ch;
};

Case random_case(std::mt19937_64& g, size_t rows, size_t cols, WPrec p, double density, uint32_t batch,
                 bool extremes = false) {
  Case c{rows, cols, {}, std::vector<int8_t>(rows * cols), std::vector<int8_t>(batch * cols), {}};
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> wv(weight_min(p), weight_max(p)), b8(-128, 127);
  for (auto& v : c.w)
    if (u(g) < density) {
      int q = extremes ? (u(g) < 0.5 ? weight_min(p) : weight_max(p)) : wv(g);
      v = static_cast<int8_t>(q == 0 ? 1 : q);
    }
  for (auto& v : c.x) v = static_cast<int8_t>(extremes ? (u(g) < 0.5 ? -128 : 127) : b8(g));
  c.cfg.wprec = p;
  c.cfg.cols = static_cast<uint32_t>(cols);
  c.cfg.batch = batch;
  c.cfg.act_zp = extremes ? (u(g) < 0.5 ? -128 : 127) : b8(g);
  c.cfg.out_zp = b8(g);
  c.cfg.out_min = std::uniform_int_distribution<int>(-128, -1)(g);
  c.cfg.out_max = std::uniform_int_distribution<int>(0, 127)(g);
  c.cfg.relu = u(g) < 0.3;
  // Biases mostly moderate, sometimes near the int32 limits (saturating add);
  // shifts over the whole TFLite range, left shifts that saturate included.
  std::uniform_int_distribution<int32_t> bias(-(1 << 20), 1 << 20), mult(1 << 30, 0x7fffffff), sh(-31, 2);
  std::uniform_int_distribution<int32_t> any32(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int> shl(0, 30);
  for (size_t r = 0; r < rows; ++r) {
    Channel ch{bias(g), mult(g), sh(g)};
    if (u(g) < 0.1) ch.bias = any32(g);
    if (u(g) < 0.1) ch.shift = shl(g);
    if (u(g) < 0.05) ch.multiplier = std::numeric_limits<int32_t>::min();
    c.ch.push_back(ch);
  }
  // Most cases instead draw each row's requantization from its accumulator
  // range, as calibration would: the real scale maps the row's largest
  // |accumulator| to 0.3..1.5 of half the output range around a centred zero
  // point, the bias is small. Then most
  // outputs land inside [out_min, out_max] and the rounding is what is tested
  // (with the parameters above about 80 % of outputs sit on a clamp).
  if (!extremes && u(g) < 0.7) {
    std::uniform_real_distribution<double> spread(0.3, 1.5);
    // the output zero point inside the clamp range, as a calibrated layer has it
    c.cfg.out_zp = static_cast<int8_t>((c.cfg.out_min + c.cfg.out_max) / 2);
    const double half = (c.cfg.out_max - c.cfg.out_min) / 2.0;
    for (size_t r = 0; r < rows; ++r) {
      int64_t maxabs = 1;
      for (uint32_t b = 0; b < batch; ++b) {
        int64_t acc = 0;
        for (size_t k = 0; k < cols; ++k) acc += int64_t{c.w[r * cols + k]} * (c.x[b * cols + k] - c.cfg.act_zp);
        maxabs = std::max<int64_t>(maxabs, acc < 0 ? -acc : acc);
      }
      const auto q = squish::requant::quantize_multiplier(half / static_cast<double>(maxabs) * spread(g));
      const auto bmax = static_cast<int32_t>(std::min<int64_t>(maxabs / 8 + 1, 1 << 30));  // bias: +-1/8 of the range
      c.ch[r] = Channel{std::uniform_int_distribution<int32_t>(-bmax, bmax)(g), q.multiplier, q.shift};
    }
  }
  return c;
}

/// Outputs strictly inside the clamp bounds (where rounding decides the value).
size_t unclamped(const Case& c, std::span<const NzBeat> beats) {
  size_t n = 0;
  const int lo = c.cfg.relu ? std::max<int>(c.cfg.out_min, c.cfg.out_zp) : c.cfg.out_min;
  for (const auto& o : run(beats, c.cfg, c.x, c.ch).outputs) n += o.q > lo && o.q < c.cfg.out_max;
  return n;
}

// Runs beats through the RTL and the model; every output, the error flag and
// the busy/MAC/skip counters must agree exactly.
void expect_rtl_matches(DatapathRtl& dut, std::span<const NzBeat> beats, const Case& c) {
  const auto want = run(beats, c.cfg, c.x, c.ch);
  const auto got = dut.run(beats, c.cfg, c.x, c.ch);
  EXPECT_TRUE(got.protocol_error.empty()) << got.protocol_error;
  ASSERT_EQ(got.outputs.size(), want.outputs.size());
  for (size_t i = 0; i < want.outputs.size(); ++i) {
    const auto& a = got.outputs[i];
    const auto& b = want.outputs[i];
    ASSERT_TRUE(a == b) << "result " << i << ": rtl row " << a.row << " vec " << a.batch << " acc " << a.acc << " q "
                        << int(a.q) << " last " << a.last << "; model row " << b.row << " vec " << b.batch << " acc "
                        << b.acc << " q " << int(b.q) << " last " << b.last;
  }
  EXPECT_EQ(got.error, want.error) << want.error_what;
  EXPECT_EQ(got.counters.cycles_busy, want.counters.cycles_busy);
  EXPECT_EQ(got.counters.macs_performed, want.counters.macs_performed);
  EXPECT_EQ(got.counters.macs_skipped, want.counters.macs_skipped);
}

}  // namespace

TEST(DatapathParams, RtlMatchesCpp) {
  const auto p = DatapathRtl::params();
  EXPECT_EQ(p.lanes, kLanes);
  EXPECT_EQ(p.slots, kSlots);
  EXPECT_EQ(p.idx_width, kIdxWidth);
  EXPECT_EQ(p.row_width, kRowWidth);
  EXPECT_EQ(p.max_batch, kMaxBatch);
  EXPECT_EQ(p.act_depth, kActDepth);
  EXPECT_EQ(p.acc_width, kAccWidth);
  EXPECT_EQ(p.counter_width, kCounterWidth);
}

// Every weight bit pattern, at every precision, against the sum of products of
// the decoded sub-weights, with random and extreme activations.
TEST(DecomposableMultiplier, ExhaustiveWeightsAllPrecisions) {
  VerilatedContext ctx;
  Vmac_mul_decomp m(&ctx);
  std::mt19937_64 g(sim::test_seed());
  std::uniform_int_distribution<int> a8(-128, 127);
  const int corner[] = {-128, -127, -1, 0, 1, 126, 127};
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2}) {
    const int bits = weight_bits(p), n = 8 / bits;
    for (int wbits = 0; wbits < 256; ++wbits)
      for (int trial = 0; trial < 64; ++trial) {
        int a[4];
        for (int k = 0; k < 4; ++k) a[k] = trial < 49 ? corner[(trial / (k == 0 ? 1 : 7)) % 7] : a8(g);
        if (trial < 49 && n == 4) a[2] = corner[(trial + 3) % 7], a[3] = corner[(trial * 5) % 7];
        m.wprec_i = static_cast<uint8_t>(p);
        m.weight_i = static_cast<uint8_t>(wbits);
        m.act_i = 0;
        for (int k = 0; k < 4; ++k) m.act_i |= uint32_t(uint8_t(a[k])) << (8 * k);
        m.eval();
        int want = 0;
        for (int k = 0; k < n; ++k) {
          int w = (wbits >> (k * bits)) & ((1 << bits) - 1);
          if (w >= (1 << (bits - 1))) w -= 1 << bits;  // sign-extend
          want += w * a[k];
        }
        ASSERT_EQ(static_cast<int16_t>(m.sum_o), want)
            << to_string(p) << " weight bits 0x" << std::hex << wbits << std::dec << " acts " << a[0] << ","
            << a[1] << "," << a[2] << "," << a[3];
      }
  }
}

class DatapathRandom : public sim::BackpressureTest {};

TEST_P(DatapathRandom, LayersAllPrecisionsDensitiesBatches) {
  DatapathRtl dut(opts(GetParam()));
  std::mt19937_64 g(sim::test_seed());
  std::uniform_int_distribution<size_t> rs(1, 12), cs(1, 300);
  size_t outputs = 0, inside = 0;
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2})
    for (double d : {0.01, 0.1, 0.25, 0.5, 0.75, 1.0})
      for (uint32_t batch : {1u, 3u}) {
        SCOPED_TRACE(std::string(to_string(p)) + " density " + std::to_string(d) + " batch " + std::to_string(batch));
        const Case c = random_case(g, rs(g), cs(g), p, d, batch);
        const auto beats = pack_dense(c.w, c.rows, c.cols, p);
        expect_rtl_matches(dut, beats, c);
        if (HasFatalFailure()) return;
        outputs += c.rows * batch;
        inside += unclamped(c, beats);
      }
  // the suite exercises rounding, not only the clamps: 33-56 % of outputs
  // inside the bounds over 20 seeds (about 19 % before the accumulator-range
  // parameters; ReLU cases clamp their negative half by design)
  EXPECT_GE(static_cast<double>(inside), 0.25 * static_cast<double>(outputs)) << inside << " of " << outputs;
}

TEST_P(DatapathRandom, CornersEmptyRowsZeroTensorsExtremes) {
  DatapathRtl dut(opts(GetParam()));
  std::mt19937_64 g(sim::test_seed());
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2}) {
    SCOPED_TRACE(to_string(p));
    // Extreme values over the full 4096-column buffer, batch 4.
    Case c = random_case(g, 3, 4096, p, 1.0, 4, true);
    expect_rtl_matches(dut, pack_dense(c.w, c.rows, c.cols, p), c);
    // Empty rows and columns.
    c = random_case(g, 10, 70, p, 0.6, 2);
    for (size_t col = 0; col < 70; col += 4)
      for (size_t r = 0; r < 10; ++r) c.w[r * 70 + col] = 0;
    for (size_t col = 0; col < 70; ++col) c.w[0 * 70 + col] = c.w[9 * 70 + col] = c.w[4 * 70 + col] = 0;
    expect_rtl_matches(dut, pack_dense(c.w, c.rows, c.cols, p), c);
    // All-zero weight tensor (every row is one mask-0 beat).
    std::fill(c.w.begin(), c.w.end(), 0);
    expect_rtl_matches(dut, pack_dense(c.w, c.rows, c.cols, p), c);
    // The one saturating case of the doubling high multiply: accumulator + bias
    // = INT32_MIN (zero weights, bias INT32_MIN) times multiplier INT32_MIN.
    for (size_t r = 0; r < c.rows; r += 2) {
      c.ch[r].bias = std::numeric_limits<int32_t>::min();
      c.ch[r].multiplier = std::numeric_limits<int32_t>::min();
    }
    expect_rtl_matches(dut, pack_dense(c.w, c.rows, c.cols, p), c);
    // All-zero activations with a non-zero zero point: nothing may be skipped.
    c = random_case(g, 5, 33, p, 0.5, 1);
    std::fill(c.x.begin(), c.x.end(), 0);
    c.cfg.act_zp = -77;
    expect_rtl_matches(dut, pack_dense(c.w, c.rows, c.cols, p), c);
    // Zero columns: every row empty.
    c = random_case(g, 4, 0, p, 0.5, 2);
    expect_rtl_matches(dut, pack_dense(c.w, c.rows, c.cols, p), c);
  }
}

TEST_P(DatapathRandom, HolesExplicitZerosSplitRowsOutOfOrderRows) {
  DatapathRtl dut(opts(GetParam()));
  std::mt19937_64 g(sim::test_seed());
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2}) {
    const Case c = random_case(g, 9, 120, p, 0.4, 2);
    std::vector<NzBeat> beats;
    const unsigned used = slots_used(p);
    for (int rr = 8; rr >= 0; --rr) {  // rows in reverse order
      const uint32_t r = static_cast<uint32_t>(rr);
      NzBeat b;
      b.row = r;
      unsigned s = 1 + r % 3;
      for (uint16_t col = 0; col < 120; ++col) {
        if (c.w[r * 120 + col] == 0 && col % 4 != 0) continue;  // keep some explicit zeros
        if (s >= used) {
          beats.push_back(b);
          b = NzBeat{};
          b.row = r;
          s = r % 2;
        }
        b.mask |= uint64_t{1} << s;
        b.col[s] = col;
        b.val[s] = c.w[r * 120 + col];
        s += 1 + (col % 3 == 0);
      }
      b.row_last = true;
      beats.push_back(b);
    }
    beats.back().last = true;
    expect_rtl_matches(dut, beats, c);
  }
}

TEST_P(DatapathRandom, MalformedBeatsFlagErrorAndNeverHang) {
  DatapathRtl dut(opts(GetParam()));
  std::mt19937_64 g(sim::test_seed());
  for (int kind = 0; kind < 6; ++kind) {
    Case c = random_case(g, 6, 50, WPrec::Int4, 0.5, 2);
    auto beats = pack_dense(c.w, c.rows, c.cols, WPrec::Int4);
    NzBeat& b = beats[beats.size() / 2];
    switch (kind) {
      case 0: b.mask |= 1; b.col[0] = 50; break;           // column past the vector
      case 1: b.mask |= 1; b.val[0] = 9; break;            // not an INT4 value
      case 2: b.mask |= uint64_t{1} << 40; break;          // slot INT4 does not use
      case 3: beats.back().row_last = false;               // last without row_last
              beats.back().last = true; break;
      case 4: b.mask |= 1; b.val[0] = 8; break;            // one past the INT4 maximum
      case 5: b.mask |= 1; b.val[0] = -9; break;           // one below the INT4 minimum
    }
    const auto got = dut.run(beats, c.cfg, c.x, c.ch);
    EXPECT_TRUE(got.error) << "kind " << kind;
    if (kind != 3) {  // the bad slot is dropped; everything else is exact
      const auto want = run(beats, c.cfg, c.x, c.ch);
      EXPECT_EQ(got.outputs, want.outputs) << "kind " << kind;
    }
  }
  // A clean matrix afterwards clears the flag and is exact again.
  const Case c = random_case(g, 5, 40, WPrec::Int8, 0.5, 1);
  expect_rtl_matches(dut, pack_dense(c.w, c.rows, c.cols, WPrec::Int8), c);
}

SQUISH_BACKPRESSURE_SUITE(DatapathRandom);

// Unobstructed, the array issues one beat per cycle (B per beat in batched
// mode): the only non-busy cycle is the first beat's register fill.
TEST(DatapathThroughput, OneBeatPerCycleNoStallsWhenUnobstructed) {
  DatapathRtl dut(opts(sim::Backpressure::None));
  std::mt19937_64 g(sim::test_seed());
  for (WPrec p : {WPrec::Int8, WPrec::Int4, WPrec::Int2})
    for (uint32_t batch : {1u, 4u}) {
      const Case c = random_case(g, 40, 1000, p, 0.3, batch);
      const auto beats = pack_dense(c.w, c.rows, c.cols, p);
      const auto got = dut.run(beats, c.cfg, c.x, c.ch);
      EXPECT_EQ(got.counters.cycles_busy, beats.size() * batch);
      EXPECT_EQ(got.counters.cycles_blocked, 0u);
      EXPECT_LE(got.counters.cycles_starved, 1u);
      EXPECT_FALSE(got.error);
    }
}

// The whole path: golden sparse encoder -> serialized payload -> RTL decoder
// (rtl/sparse/) -> nonzero stream -> datapath, against the model on the
// stream the decoder is specified to emit. Every format the decoder accepts,
// every precision, under backpressure on every stream.
class DecoderPath : public sim::BackpressureTest {};

TEST_P(DecoderPath, EveryFormatEveryPrecisionThroughTheDecoder) {
  rtl::SparseDatapathRtl dut(opts(GetParam()));
  std::mt19937_64 g(sim::test_seed());
  std::normal_distribution<double> nd(0, 1);
  const sparse::Format formats[] = {sparse::Format::Coo1d, sparse::Format::Rlc, sparse::Format::Bitmap,
                                    sparse::Format::Csr,   sparse::Format::Csc, sparse::Format::Nm};
  for (auto f : formats)
    for (int bits : {8, 4, 2}) {
      SCOPED_TRACE(std::string(sparse::to_string(f)) + " " + std::to_string(bits) + " bits");
      const size_t rows = 1 + g() % 20, cols = 1 + g() % 200;
      const uint32_t batch = 1 + g() % 2;
      std::vector<float> w(rows * cols), x(batch * cols);
      for (auto& v : w) v = static_cast<float>(nd(g));
      for (auto& v : x) v = static_cast<float>(nd(g));
      LayerSpec spec;
      spec.bits = bits;
      spec.format = f;
      spec.rlc_run_bits = 3;
      spec.prune.method = f == sparse::Format::Nm ? prune::Method::Nm : prune::Method::Unstructured;
      spec.prune.sparsity = 0.3 + 0.6 * double(g() % 100) / 100.0;
      const auto L = prepare_layer(w, rows, cols, x, batch, spec);
      const auto cfg = L.config(batch);
      const auto want = run(L.beats, cfg, L.x_codes, L.channels);
      const auto payload = sparse::serialize(L.encoding);
      const auto got = dut.run(payload, rows, cfg, L.x_codes, L.channels);
      EXPECT_TRUE(got.protocol_error.empty()) << got.protocol_error;
      EXPECT_FALSE(got.error);
      ASSERT_EQ(got.outputs, want.outputs);
      EXPECT_EQ(got.counters.macs_performed, want.counters.macs_performed);
      EXPECT_EQ(got.counters.macs_skipped, want.counters.macs_skipped);
    }
}
SQUISH_BACKPRESSURE_SUITE(DecoderPath);
