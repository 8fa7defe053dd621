// The driver of the Verilated accelerator top and the RTL device backend
// (squish::runtime::make_rtl_device). See top_driver.hpp and docs/top.md.
#include "top_driver.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "Vsquish_top.h"
#include "Vsquish_top_squish_top.h"
#include "squish/container/coded_sparse.hpp"
#include "squish/entropy/huffman.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/error.hpp"
#include "squish/runtime/golden_device.hpp"
#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/unit.hpp"
#include "squish/sparse/sparse.hpp"

namespace squish::rtl {

namespace {

using container::Section;
using datapath::WPrec;
using Top = Vsquish_top_squish_top;

constexpr uint32_t kPreambleMagic = 0x5Au << 24;

uint32_t le_word(std::span<const uint8_t> b, size_t i) {
  uint32_t w = 0;
  for (size_t k = 0; k < 4; ++k)
    if (4 * i + k < b.size()) w |= uint32_t{b[4 * i + k]} << (8 * k);
  return w;
}
std::vector<uint32_t> le_words(std::span<const uint8_t> b) {
  std::vector<uint32_t> w((b.size() + 3) / 4);
  for (size_t i = 0; i < w.size(); ++i) w[i] = le_word(b, i);
  return w;
}

void check_section(const Section& s, WPrec p) {
  if (s.shape.size() != 2)
    throw UsageError("rtl top: section '" + s.name + "' must be 2-D {rows, cols}, it has " +
                     std::to_string(s.shape.size()) + " dims");
  if (s.quant.scheme == quant::Scheme::Raw)
    throw UsageError("rtl top: section '" + s.name + "' is raw, not quantized codes");
  if (!s.quant.is_signed || static_cast<int>(s.quant.bits) != datapath::weight_bits(p))
    throw UsageError("rtl top: section '" + s.name + "' holds " + std::to_string(s.quant.bits) + "-bit " +
                     (s.quant.is_signed ? "signed" : "unsigned") + " codes; the layer runs at " +
                     datapath::to_string(p) + " (signed " + std::to_string(datapath::weight_bits(p)) + "-bit)");
  if (s.sparse_format == sparse::Format::Csc)
    throw UsageError("rtl top: section '" + s.name + "' is CSC: its decoder emits the stored outer dimension "
                     "(columns) as rows, i.e. the transposed matrix; use CSR for {rows, cols} weights");
  if (s.sparse_format == sparse::Format::Coo)
    throw UsageError("rtl top: section '" + s.name + "' is n-D COO; the RTL takes COO-1D");
  if (s.coder == entropy::CoderId::Tunstall)
    throw UsageError("rtl top: section '" + s.name + "': the top has no Tunstall decoder (use none, huffman or rans)");
}

/// The dense-format sparse header the top's dense decoder takes.
std::array<uint32_t, 4> dense_header(const Section& s) {
  const uint32_t v = s.quant.bits;
  const uint32_t w0 = 0u /*format dense*/ | (v << 4) | (1u << 9) | (2u << 11) | (0x53u << 25);
  return {w0, static_cast<uint32_t>(s.shape[0] * s.shape[1]), static_cast<uint32_t>(s.shape[0]),
          static_cast<uint32_t>(s.shape[1])};
}

}  // namespace

std::vector<uint32_t> top_weight_stream(const Section& s, WPrec p) {
  check_section(s, p);
  std::vector<uint32_t> out;
  const bool dense = s.sparse_format == sparse::Format::Dense;
  if (s.coder == entropy::CoderId::None) {
    out.push_back(kPreambleMagic);  // coder none
    if (dense) {
      const auto h = dense_header(s);
      out.insert(out.end(), h.begin(), h.end());
    }
    const auto body = le_words(s.payload);  // sparse: header + body as stored; dense: the packed codes
    out.insert(out.end(), body.begin(), body.end());
    if (dense && body.empty()) throw UsageError("rtl top: section '" + s.name + "' has an empty payload");
    return out;
  }
  const unsigned a = s.coder_params.alphabet_bits;
  // What the coder covers: the dense code stream (n codes of b bits), or the
  // body of a sparse payload whose header words lead the section uncoded.
  std::span<const uint8_t> coded(s.payload);
  std::vector<uint32_t> header;
  uint64_t n = 0, body_words = 0;
  if (dense) {
    if (a != s.quant.bits)
      throw UsageError("rtl top: section '" + s.name + "': alphabet bits " + std::to_string(a) +
                       " differ from the code bits");
    n = uint64_t{s.shape[0]} * s.shape[1];
    body_words = (n * a + 31) / 32;
    const auto hd = dense_header(s);
    header.assign(hd.begin(), hd.end());
  } else {
    // the header words lead the payload uncoded and fix the body's size
    const auto h = sparse::read_header(s.payload);
    for (size_t i = 0; i < h.header_bytes / 4; ++i) header.push_back(le_word(s.payload, i));
    body_words = h.body_bytes / 4;
    n = container::body_symbol_count(h.body_bytes, a);
    coded = coded.subspan(h.header_bytes);
  }
  std::vector<uint32_t> table, body;
  uint32_t units = 0, pre = kPreambleMagic | (a << 4);
  if (s.coder == entropy::CoderId::Huffman) {
    const auto t = entropy::huffman_read_header(coded, s.coder_params);
    for (unsigned l = 0; l < 16; ++l) table.push_back(((256u + l) << 16) | t.count[l]);
    for (size_t i = 0; i < t.symbols.size() && i < 256; ++i) table.push_back((uint32_t(i) << 16) | t.symbols[i]);
    body = le_words(coded.subspan(t.body_offset));
    if (body.empty()) body.push_back(0);  // an empty body is one zero word
    units = static_cast<uint32_t>(body.size());
    pre |= 1u;
  } else {  // rANS
    const auto h = entropy::rans_read_header(coded, s.coder_params);
    if (h.split) throw UsageError("rtl top: section '" + s.name + "': the RTL rANS decoder has no significance split");
    if (h.lanes > 16) throw UsageError("rtl top: section '" + s.name + "': more than 16 rANS lanes");
    for (uint32_t f : h.table.freq) table.push_back(f);
    std::vector<uint16_t> halves;
    for (uint32_t st : h.states) {
      halves.push_back(static_cast<uint16_t>(st & 0xffff));
      halves.push_back(static_cast<uint16_t>(st >> 16));
    }
    for (size_t pos = h.words_offset; pos + 1 < h.words_end; pos += 2)
      halves.push_back(static_cast<uint16_t>(coded[pos] | (coded[pos + 1] << 8)));
    for (size_t i = 0; i < halves.size(); i += 2)
      body.push_back(halves[i] | (i + 1 < halves.size() ? uint32_t{halves[i + 1]} << 16 : 0u));
    units = static_cast<uint32_t>(halves.size());
    pre |= 3u | (h.table.prob_bits << 8) | (h.lanes << 12);
  }
  out.push_back(pre);
  out.push_back(static_cast<uint32_t>(n));
  out.push_back(static_cast<uint32_t>(table.size()));
  out.push_back(units);
  out.push_back(static_cast<uint32_t>(body_words));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), table.begin(), table.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

namespace {
std::vector<int8_t> section_matrix(const Section& s) {
  const auto codes = container::decode_codes(s);
  std::vector<int8_t> w(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) w[i] = static_cast<int8_t>(codes[i]);
  return w;
}
}  // namespace

size_t top_beat_count(const Section& s, WPrec p) {
  check_section(s, p);
  const auto w = section_matrix(s);
  if (s.sparse_format == sparse::Format::Dense)
    return datapath::pack_every_weight(w, s.shape[0], s.shape[1], p).size();
  if (s.sparse_format == sparse::Format::Csc) {
    // the decoder's rows are the stored outer dimension
    return datapath::pack_dense(w, s.shape[0], s.shape[1], p).size();
  }
  return datapath::pack_dense(w, s.shape[0], s.shape[1], p).size();
}

// ---- the driver -------------------------------------------------------------------

namespace {
struct WWord {
  uint32_t data = 0;
  bool last = false;
};
struct ABeat {
  std::array<uint32_t, 4> d{};
  bool last = false;
};
struct RBeat {
  std::array<uint32_t, 4> d{};
  bool last = false;
  bool operator==(const RBeat&) const = default;
};
}  // namespace

struct TopDriver::Impl {
  sim::Dut<Vsquish_top> dut;
  sim::Rng rng;
  double gap;
  explicit Impl(const TopOptions& o)
      : dut([&] {
          sim::DutOptions d;
          d.seed = o.seed;
          d.max_cycles = o.max_cycles;
          d.trace_path = o.trace_path;
          d.name = "squish_top";
          return d;
        }()),
        rng(o.seed ^ 0x9e3779b97f4a7c15ull),
        gap(sim::gap_probability(o.backpressure == 0   ? sim::Backpressure::None
                                 : o.backpressure == 1 ? sim::Backpressure::Light
                                                       : sim::Backpressure::Heavy)) {
    auto& m = dut.model();
    m.s_axil_awvalid = 0;
    m.s_axil_wvalid = 0;
    m.s_axil_bready = 0;
    m.s_axil_arvalid = 0;
    m.s_axil_rready = 0;
    m.s_axil_wstrb = 0xf;
    m.s_axis_w_tvalid = 0;
    m.s_axis_a_tvalid = 0;
    m.m_axis_r_tready = 0;
    dut.reset();
  }
  void delay() {
    while (rng.chance(gap)) dut.tick();
  }
};

TopDriver::TopDriver(const TopOptions& o) : impl_(std::make_unique<Impl>(o)), opt_(o) {}
TopDriver::~TopDriver() = default;

uint64_t TopDriver::cycle() const { return impl_->dut.cycle(); }
unsigned TopDriver::lanes() const { return Top::PubLanes; }
unsigned TopDriver::max_batch() const { return Top::PubMaxBatch; }
size_t TopDriver::cache_depth() const { return Top::PubCacheDepth; }

void TopDriver::write(uint8_t addr, uint32_t value) {
  auto& d = impl_->dut;
  auto& m = d.model();
  impl_->delay();
  m.s_axil_awaddr = addr;
  m.s_axil_wdata = value;
  m.s_axil_awvalid = 1;
  m.s_axil_wvalid = 1;
  d.run_until([&] {
    m.eval();
    return m.s_axil_awready != 0;
  }, 1000, "AXI-Lite write address");
  d.tick();
  m.s_axil_awvalid = 0;
  m.s_axil_wvalid = 0;
  impl_->delay();
  m.s_axil_bready = 1;
  d.run_until([&] {
    m.eval();
    return m.s_axil_bvalid != 0;
  }, 1000, "AXI-Lite write response");
  d.tick();
  m.s_axil_bready = 0;
}

uint32_t TopDriver::read(uint8_t addr) {
  auto& d = impl_->dut;
  auto& m = d.model();
  impl_->delay();
  m.s_axil_araddr = addr;
  m.s_axil_arvalid = 1;
  d.run_until([&] {
    m.eval();
    return m.s_axil_arready != 0;
  }, 1000, "AXI-Lite read address");
  d.tick();
  m.s_axil_arvalid = 0;
  impl_->delay();
  m.s_axil_rready = 1;
  d.run_until([&] {
    m.eval();
    return m.s_axil_rvalid != 0;
  }, 1000, "AXI-Lite read data");
  const uint32_t v = m.s_axil_rdata;
  d.tick();
  m.s_axil_rready = 0;
  return v;
}

uint64_t TopDriver::read64(uint8_t addr) {
  const uint64_t lo = read(addr);
  return lo | (uint64_t{read(static_cast<uint8_t>(addr + 4))} << 32);
}

void TopDriver::soft_reset() {
  write(top_reg::kCtrl, 2);
  impl_->dut.ticks(4);
}

namespace {
sim::Backpressure bp_of(int b) {
  return b == 0 ? sim::Backpressure::None : b == 1 ? sim::Backpressure::Light : sim::Backpressure::Heavy;
}

// The activation-stream driver and the result-stream sink of one command,
// built in place (they register with the Dut, so they never move).
sim::StreamDriver<ABeat>& emplace_a(std::optional<sim::StreamDriver<ABeat>>& o, sim::Dut<Vsquish_top>& d,
                                    sim::Backpressure bp) {
  auto& m = d.model();
  return o.emplace(
      d, m.s_axis_a_tvalid, m.s_axis_a_tready,
      [&m](const ABeat& b) {
        for (int i = 0; i < 4; ++i) m.s_axis_a_tdata[i] = b.d[i];
        m.s_axis_a_tlast = b.last;
      },
      bp);
}
sim::StreamSink<RBeat>& emplace_r(std::optional<sim::StreamSink<RBeat>>& o, sim::Dut<Vsquish_top>& d,
                                  sim::Backpressure bp) {
  auto& m = d.model();
  return o.emplace(
      d, m.m_axis_r_tvalid, m.m_axis_r_tready,
      [&m] {
        RBeat r;
        for (int i = 0; i < 4; ++i) r.d[i] = m.m_axis_r_tdata[i];
        r.last = m.m_axis_r_tlast;
        return r;
      },
      bp);
}
}  // namespace

TopGemmRun TopDriver::gemm(const runtime::GemmJob& job, std::span<const int8_t> acts, size_t npix) {
  if (!job.weights) throw UsageError("rtl top: layer '" + job.name + "' has no weight section");
  const auto ws = top_weight_stream(*job.weights, job.wprec);
  bool cache = opt_.cache && top_beat_count(*job.weights, job.wprec) <= cache_depth();
  return gemm_stream(job, ws, cache, acts, npix);
}

TopGemmRun TopDriver::gemm_stream(const runtime::GemmJob& job, std::span<const uint32_t> wstream, bool cache,
                                  std::span<const int8_t> acts, size_t npix) {
  auto& d = impl_->dut;
  auto& m = d.model();
  const unsigned P = lanes();
  const size_t R = job.rows, C = job.cols;
  const size_t K = job.depthwise ? R * C : C;  // activation vector length
  if (R == 0 || C == 0 || npix == 0) throw UsageError("rtl top: layer '" + job.name + "' is empty");
  if (acts.size() != npix * K)
    throw UsageError("rtl top: layer '" + job.name + "': " + std::to_string(acts.size()) + " activations, expected " +
                     std::to_string(npix * K));
  if (job.channels.size() != R)
    throw UsageError("rtl top: layer '" + job.name + "': " + std::to_string(job.channels.size()) +
                     " channel parameter sets for " + std::to_string(R) + " rows");
  const unsigned B = opt_.batch ? opt_.batch : max_batch();
  const size_t batches = (npix + B - 1) / B;

  // descriptor
  const uint32_t cmd = 0u | (static_cast<uint32_t>(job.wprec) << 4) | (job.depthwise ? 1u << 8 : 0u) |
                       (cache ? 1u << 9 : 0u);
  write(top_reg::kCmd, cmd);
  write(top_reg::kRows, static_cast<uint32_t>(R));
  write(top_reg::kCols, static_cast<uint32_t>(C));
  write(top_reg::kNpix, static_cast<uint32_t>(npix));
  write(top_reg::kZp, (uint32_t(uint8_t(job.act_zp))) | (uint32_t(uint8_t(job.out_zp)) << 8) |
                          (uint32_t(uint8_t(job.out_min)) << 16) | (uint32_t(uint8_t(job.out_max)) << 24));
  write(top_reg::kBatch, B);
  write(top_reg::kIrqEn, 1);
  write(top_reg::kCtrl, 1);

  // streams
  const auto bp = bp_of(opt_.backpressure);
  std::optional<sim::StreamDriver<WWord>> wdrv_o;
  std::optional<sim::StreamDriver<ABeat>> adrv_o;
  std::optional<sim::StreamSink<RBeat>> sink_o;
  auto& wdrv = wdrv_o.emplace(
      d, m.s_axis_w_tvalid, m.s_axis_w_tready,
      [&m](const WWord& w) {
        m.s_axis_w_tdata = w.data;
        m.s_axis_w_tlast = w.last;
      },
      bp);
  auto& adrv = emplace_a(adrv_o, d, bp);
  auto& sink = emplace_r(sink_o, d, bp);
  const size_t wcopies = cache ? 1 : batches;
  for (size_t c = 0; c < wcopies; ++c)
    for (size_t i = 0; i < wstream.size(); ++i) wdrv.push(WWord{wstream[i], i + 1 == wstream.size()});
  for (size_t r = 0; r < R; ++r) {
    ABeat b;
    const auto& ch = job.channels[r];
    b.d[0] = static_cast<uint32_t>(ch.bias);
    b.d[1] = static_cast<uint32_t>(ch.multiplier);
    b.d[2] = static_cast<uint32_t>(ch.shift) & 0x3f;
    b.last = r + 1 == R;
    adrv.push(b);
  }
  const size_t kbeats = (K + P - 1) / P;
  for (size_t p = 0; p < npix; ++p) {
    for (size_t kb = 0; kb < kbeats; ++kb) {
      ABeat b;
      for (size_t j = 0; j < P && kb * P + j < K; ++j)
        b.d[j / 4] |= uint32_t{static_cast<uint8_t>(acts[p * K + kb * P + j])} << (8 * (j % 4));
      b.last = kb + 1 == kbeats && p + 1 == npix;
      adrv.push(b);
    }
  }
  const uint64_t limit = 100000 + 8 * (wstream.size() * wcopies + R + npix * kbeats) +
                         4 * R * npix * (kbeats + 1) * (job.depthwise ? 1 : 1);
  d.run_until([&] { return m.irq_o != 0; }, limit, "GEMM done (layer '" + job.name + "')");
  TopGemmRun run;
  run.cached = cache;
  const uint32_t status = read(top_reg::kStatus);
  if (status & 4u) run.error = read(top_reg::kError);
  run.stats.cycles = read64(top_reg::kCycles);
  run.stats.macs_dense = uint64_t{R} * C * npix;
  run.stats.macs_performed = read64(top_reg::kMacs);
  run.stats.weight_bytes_in = read64(top_reg::kWeightBytes);
  run.stats.act_bytes_in = read64(top_reg::kActBytes);
  run.busy = read64(top_reg::kBusy);
  run.stalled = read64(top_reg::kStalled);
  run.skipped = read64(top_reg::kSkipped);
  run.cache_beats = read(top_reg::kCacheBeats);
  write(top_reg::kStatus, 2);  // acknowledge done (drops irq)
  if (sink.protocol_error()) run.protocol_error = *sink.protocol_error();
  const auto& rec = sink.received();
  run.stats.out_bytes = rec.size();
  run.stats.lane_utilisation =
      run.stats.cycles ? static_cast<double>(run.stats.macs_performed) / (double(run.stats.cycles) * P) : 0.0;
  if (run.error) {
    // stop every stream first (a driver abandons the rest of the layer), then reset
    wdrv_o.reset();
    adrv_o.reset();
    m.s_axis_w_tvalid = 0;
    m.s_axis_a_tvalid = 0;
    soft_reset();
    return run;
  }
  if (rec.size() != R * npix)
    throw Error("rtl top: layer '" + job.name + "': " + std::to_string(rec.size()) + " results, expected " +
                std::to_string(R * npix));
  if (!rec.back().beat.last) throw Error("rtl top: layer '" + job.name + "': tlast missing on the final result");
  run.out.assign(npix * R, 0);
  size_t idx = 0;
  for (size_t p0 = 0; p0 < npix; p0 += B) {
    const size_t bs = std::min<size_t>(B, npix - p0);
    for (size_t r = 0; r < R; ++r)
      for (size_t b = 0; b < bs; ++b) run.out[(p0 + b) * R + r] = static_cast<int8_t>(rec[idx++].beat.d[0] & 0xff);
  }
  return run;
}

TopDriver::SoftmaxRun TopDriver::softmax(std::span<const int16_t> x, unsigned frac_bits) {
  auto& d = impl_->dut;
  auto& m = d.model();
  if (x.empty()) throw UsageError("rtl top: softmax of an empty vector");
  write(top_reg::kCmd, 1);
  write(top_reg::kNpix, static_cast<uint32_t>(x.size()));
  write(top_reg::kSmCfg, frac_bits);
  write(top_reg::kIrqEn, 1);
  write(top_reg::kCtrl, 1);
  const auto bp = bp_of(opt_.backpressure);
  std::optional<sim::StreamDriver<ABeat>> adrv_o;
  auto& adrv = emplace_a(adrv_o, d, bp);
  std::optional<sim::StreamSink<RBeat>> sink_o;
  auto& sink = emplace_r(sink_o, d, bp);
  const size_t beats = (x.size() + 7) / 8;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t k = 0; k < beats; ++k) {
      ABeat b;
      for (size_t j = 0; j < 8 && 8 * k + j < x.size(); ++j)
        b.d[j / 2] |= uint32_t{static_cast<uint16_t>(x[8 * k + j])} << (16 * (j % 2));
      b.last = k + 1 == beats;
      adrv.push(b);
    }
  d.run_until([&] { return m.irq_o != 0; }, 100000 + 64 * beats, "softmax done");
  SoftmaxRun run;
  if (read(top_reg::kStatus) & 4u) run.error = read(top_reg::kError);
  run.cycles = read64(top_reg::kCycles);
  write(top_reg::kStatus, 2);
  if (run.error) {
    soft_reset();
    return run;
  }
  for (const auto& r : sink.received())
    for (size_t j = 0; j < 8 && run.probs.size() < x.size(); ++j)
      run.probs.push_back(static_cast<uint16_t>(r.beat.d[j / 2] >> (16 * (j % 2))));
  if (sink.protocol_error()) throw Error("rtl top: softmax output: " + *sink.protocol_error());
  return run;
}

TopDriver::NmsRun TopDriver::nms(std::span<const nms::Box> boxes, std::span<const float> scores,
                                 const nms::Options& opt) {
  auto& d = impl_->dut;
  auto& m = d.model();
  if (boxes.size() != scores.size()) throw UsageError("rtl top: nms boxes and scores differ in length");
  if (opt.eta < 1.0f) throw UsageError("rtl top: the NMS unit has no adaptive threshold (eta < 1)");
  for (size_t i = 0; i < boxes.size(); ++i) {
    const auto& b = boxes[i];
    if (b.x1 < 0 || b.y1 < 0 || b.x2 > 0xffff || b.y2 > 0xffff || b.x2 < b.x1 || b.y2 < b.y1)
      throw UsageError("rtl top: nms box " + std::to_string(i) + " is not within 0..65535 with x1 <= x2, y1 <= y2");
    (void)nms::score_key(scores[i]);  // rejects NaN
  }
  const auto thr = nms::Threshold::from(opt.iou_threshold, opt.suppress_when);
  write(top_reg::kCmd, 2);
  write(top_reg::kNpix, static_cast<uint32_t>(boxes.size()));
  write(top_reg::kNmsThr, (thr.mant & 0xffffff) | ((thr.shift & 0x3f) << 24) | (thr.ge ? 1u << 30 : 0u) |
                              (opt.plus_one ? 1u << 31 : 0u));
  write(top_reg::kNmsCfg, (opt.empty_union == nms::EmptyUnion::IouOne ? 1u : 0u) | (opt.class_aware ? 2u : 0u) |
                              (opt.has_score_threshold ? 4u : 0u) |
                              (opt.score_cmp == nms::ScoreCmp::GreaterEqual ? 8u : 0u));
  write(top_reg::kNmsScore, std::bit_cast<uint32_t>(opt.score_threshold));
  write(top_reg::kNmsTopk, static_cast<uint32_t>(std::min<size_t>(opt.top_k, 0xffff)) |
                               (static_cast<uint32_t>(std::min<size_t>(opt.max_output, 0xffff)) << 16));
  write(top_reg::kIrqEn, 1);
  write(top_reg::kCtrl, 1);
  const auto bp = bp_of(opt_.backpressure);
  std::optional<sim::StreamDriver<ABeat>> adrv_o;
  auto& adrv = emplace_a(adrv_o, d, bp);
  std::optional<sim::StreamSink<RBeat>> sink_o;
  auto& sink = emplace_r(sink_o, d, bp);
  // lane = {class[7:0], score[31:0], y2, x2, y1, x1}
  for (size_t i = 0; i < boxes.size(); ++i) {
    ABeat b;
    const auto& bx = boxes[i];
    b.d[0] = static_cast<uint32_t>(bx.x1) | (static_cast<uint32_t>(bx.y1) << 16);
    b.d[1] = static_cast<uint32_t>(bx.x2) | (static_cast<uint32_t>(bx.y2) << 16);
    b.d[2] = std::bit_cast<uint32_t>(scores[i]);
    b.d[3] = 0;  // class 0
    b.last = i + 1 == boxes.size();
    adrv.push(b);
  }
  if (boxes.empty()) adrv.push(ABeat{{}, true});
  d.run_until([&] { return m.irq_o != 0; }, 200000 + 64 * boxes.size() * (1 + boxes.size() / 64), "nms done");
  NmsRun run;
  if (read(top_reg::kStatus) & 4u) run.error = read(top_reg::kError);
  run.cycles = read64(top_reg::kCycles);
  write(top_reg::kStatus, 2);
  if (run.error) {
    soft_reset();
    return run;
  }
  for (const auto& r : sink.received())
    if (!(r.beat.d[0] & 0x10000u)) run.kept.push_back(r.beat.d[0] & 0xffff);
  if (sink.protocol_error()) throw Error("rtl top: nms output: " + *sink.protocol_error());
  return run;
}

}  // namespace squish::rtl

// ---- the device backend ---------------------------------------------------------------

namespace squish::runtime {

namespace {

std::string error_text(uint32_t code) {
  static const char* sources[] = {"none", "section parser", "sparse decoder", "entropy decoder", "dense decoder",
                                  "datapath", "descriptor/cache", "softmax unit", "nms unit"};
  const unsigned src = (code >> 4) & 0xf;
  return std::string(src < 9 ? sources[src] : "unknown") + " error, code " + std::to_string(code & 0xf) +
         " (ERROR register 0x" + [&] {
           char b[8];
           std::snprintf(b, sizeof b, "%02x", code);
           return std::string(b);
         }() + ")";
}

class RtlDevice final : public Device {
 public:
  explicit RtlDevice(const DeviceOptions& o)
      : drv_([&] {
          rtl::TopOptions t;
          t.seed = o.seed;
          t.backpressure = o.backpressure;
          t.trace_path = o.trace_path;
          return t;
        }()) {}
  std::string_view name() const override { return "rtl"; }

  std::vector<int8_t> gemm(const GemmJob& job, std::span<const int8_t> acts, size_t npix,
                           LayerStats* stats) override {
    rtl::TopGemmRun run;
    try {
      run = drv_.gemm(job, acts, npix);
    } catch (const UsageError& e) {
      throw UsageError("rtl top: layer '" + job.name + "': " + e.what());
    } catch (const FormatError& e) {
      throw FormatError("rtl top: layer '" + job.name + "': " + e.what());
    }
    if (run.error) throw FormatError("rtl top: layer '" + job.name + "': " + error_text(run.error));
    if (!run.protocol_error.empty()) throw Error("rtl top: layer '" + job.name + "': " + run.protocol_error);
    if (stats) *stats = run.stats;
    return std::move(run.out);
  }

  std::vector<uint16_t> softmax(std::span<const int8_t> logits, double scale, int32_t zp,
                                LayerStats* stats) override {
    // The golden backend's conversion of int8 logits to the unit's int16 x 2^-F
    const unsigned f = softmax_frac_bits(scale);
    const auto x = softmax_logits(logits, scale, zp);
    auto run = drv_.softmax(x, f);
    if (run.error) throw FormatError("rtl top: softmax: " + error_text(run.error));
    if (stats) {
      *stats = {};
      stats->cycles = run.cycles;
      stats->act_bytes_in = 2 * 16 * ((x.size() + 7) / 8);
      stats->out_bytes = 16 * ((x.size() + 7) / 8);
    }
    return std::move(run.probs);
  }

  std::vector<uint32_t> nms(std::span<const nms::Box> boxes, std::span<const float> scores, const nms::Options& opt,
                            LayerStats* stats) override {
    auto run = drv_.nms(boxes, scores, opt);
    if (run.error) throw FormatError("rtl top: nms: " + error_text(run.error));
    if (stats) {
      *stats = {};
      stats->cycles = run.cycles;
      stats->act_bytes_in = 16 * std::max<size_t>(1, boxes.size());
    }
    return std::move(run.kept);
  }

 private:
  rtl::TopDriver drv_;
};

}  // namespace

std::unique_ptr<Device> make_rtl_device(const DeviceOptions& o) { return std::make_unique<RtlDevice>(o); }

}  // namespace squish::runtime
