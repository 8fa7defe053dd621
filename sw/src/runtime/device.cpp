// The device registry and the golden backend (device.hpp, docs/interfaces.md).
#include "squish/runtime/device.hpp"

#include <algorithm>
#include <cmath>

#include "squish/error.hpp"
#include "squish/runtime/fault.hpp"
#include "squish/runtime/golden_device.hpp"
#include "squish/datapath/layer.hpp"
#include "squish/softmax/unit.hpp"
#include "squish/sparse/sparse.hpp"

namespace squish::runtime {

namespace {
DeviceFactory g_rtl = nullptr;
}  // namespace

void register_rtl_device(DeviceFactory f) { g_rtl = f; }
bool have_rtl_device() { return g_rtl != nullptr; }

std::vector<datapath::NzBeat> weight_stream(const GemmJob& job) {
  if (job.weights == nullptr) throw UsageError("layer '" + job.name + "': no weight section");
  const container::Section& s = *job.weights;
  if (s.shape.size() != 2 || s.shape[0] != job.rows || s.shape[1] != job.cols)
    throw FormatError("layer '" + job.name + "': weight section '" + s.name + "' has shape " + shape_string(s.shape) +
                      ", the job needs [" + std::to_string(job.rows) + ", " + std::to_string(job.cols) + "]");
  if (s.quant.scheme != quant::Scheme::Affine || !s.quant.is_signed)
    throw FormatError("layer '" + job.name + "': weight section '" + s.name + "' is not signed affine");
  for (const auto& c : s.quant.channels)
    if (c.zero_point != 0) throw FormatError("layer '" + job.name + "': weight section '" + s.name + "' is not symmetric");
  const auto codes = container::decode_codes(s);
  if (s.sparse_format != sparse::Format::Dense) {
    // What the decoder of that sparse format emits: the nonzero stream of the
    // section's encoding (re-encoded canonically from the codes, so this holds
    // whether or not an entropy coder wraps the sparse payload).
    const std::vector<uint32_t> sh{job.rows, job.cols};
    const auto e = sparse::encode(s.sparse_format, codes, sh, s.sparse_params);
    return datapath::stream_from_encoding(e, job.wprec);
  }
  std::vector<int8_t> w(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < datapath::weight_min(job.wprec) || codes[i] > datapath::weight_max(job.wprec))
      throw FormatError("layer '" + job.name + "': code " + std::to_string(codes[i]) + " at element " + std::to_string(i) +
                        " does not fit " + datapath::to_string(job.wprec));
    w[i] = static_cast<int8_t>(codes[i]);
  }
  return datapath::pack_every_weight(w, job.rows, job.cols, job.wprec);
}

namespace {

class GoldenDevice final : public Device {
 public:
  std::string_view name() const override { return "golden"; }

  std::vector<int8_t> gemm(const GemmJob& job, std::span<const int8_t> acts, size_t npix, LayerStats* stats) override {
    return golden_gemm(job, weight_stream(job), acts, npix, stats);
  }

  std::vector<uint16_t> softmax(std::span<const int8_t> logits, double scale, int32_t zp, LayerStats* stats) override {
    return golden_softmax(logits, scale, zp, stats);
  }

  std::vector<uint32_t> nms(std::span<const nms::Box> boxes, std::span<const float> scores, const nms::Options& opt,
                            LayerStats* stats) override {
    auto keep = nms::greedy(boxes, scores, {}, opt);
    if (stats) {
      *stats = LayerStats{};
      const auto est = nms::estimate_cycles(boxes, scores, {}, opt, nms::hw::kLanes, 4);
      stats->cycles = est.total;
    }
    return keep;
  }
};

}  // namespace

std::vector<int8_t> golden_gemm(const GemmJob& job, std::span<const datapath::NzBeat> beats, std::span<const int8_t> acts,
                                size_t npix, LayerStats* stats) {
  using namespace datapath;
  const size_t acols = job.depthwise ? size_t{job.rows} * job.cols : job.cols;
  if (acts.size() != npix * acols)
    throw UsageError("layer '" + job.name + "': " + std::to_string(acts.size()) + " activations for " +
                     std::to_string(npix) + " x " + std::to_string(acols));
  if (job.channels.size() != job.rows)
    throw UsageError("layer '" + job.name + "': " + std::to_string(job.channels.size()) + " channels for " +
                     std::to_string(job.rows) + " rows");
  std::vector<int8_t> out(npix * job.rows);
  LayerStats st;
  Config cfg;
  cfg.wprec = job.wprec;
  cfg.act_zp = job.act_zp;
  cfg.out_zp = job.out_zp;
  cfg.out_min = job.out_min;
  cfg.out_max = job.out_max;

  // Group the beats by row once: depthwise runs one channel group at a time.
  struct Group {
    uint32_t r0, r1;
    std::vector<NzBeat> beats;
  };
  std::vector<Group> groups;
  if (!job.depthwise) {
    groups.push_back({0, job.rows, std::vector<NzBeat>(beats.begin(), beats.end())});
  } else {
    // Block-diagonal view: channel r's taps are columns r*taps.. of a group's
    // activation slice; as many channels per group as the column index allows.
    const uint32_t per = std::max<uint32_t>(1, static_cast<uint32_t>((size_t{1} << kIdxWidth) / job.cols));
    for (uint32_t r0 = 0; r0 < job.rows; r0 += per) groups.push_back({r0, std::min(job.rows, r0 + per), {}});
    for (const NzBeat& b0 : beats) {
      NzBeat b = b0;
      if (b.row >= job.rows) throw FormatError("layer '" + job.name + "': weight stream row " + std::to_string(b.row) + " out of range");
      Group& g = groups[b.row / per];
      const uint32_t local = b.row - g.r0;
      for (unsigned s = 0; s < kSlots; ++s)
        if ((b.mask >> s) & 1) b.col[s] = static_cast<uint16_t>(local * job.cols + b.col[s]);
      b.row = local;
      b.last = false;
      g.beats.push_back(b);
    }
    for (auto& g : groups)
      if (!g.beats.empty()) g.beats.back().last = true;
  }

  std::vector<int8_t> slice;
  for (const Group& g : groups) {
    const uint32_t grows = g.r1 - g.r0;
    const size_t gcols = job.depthwise ? size_t{grows} * job.cols : job.cols;
    cfg.cols = static_cast<uint32_t>(gcols);
    std::span<const Channel> ch(job.channels.data() + g.r0, grows);
    for (size_t p0 = 0; p0 < npix; p0 += kMaxBatch) {
      const uint32_t nb = static_cast<uint32_t>(std::min<size_t>(kMaxBatch, npix - p0));
      cfg.batch = nb;
      slice.resize(nb * gcols);
      for (uint32_t v = 0; v < nb; ++v) {
        const int8_t* src = acts.data() + (p0 + v) * acols + (job.depthwise ? size_t{g.r0} * job.cols : 0);
        std::copy(src, src + gcols, slice.data() + size_t{v} * gcols);
      }
      const RunResult rr = run(g.beats, cfg, slice, ch);
      if (rr.error) throw FormatError("layer '" + job.name + "': the datapath flags the weight stream: " + rr.error_what);
      for (const Output& o : rr.outputs) out[(p0 + o.batch) * job.rows + g.r0 + o.row] = o.q;
      st.cycles += rr.counters.cycles();
      st.macs_performed += rr.counters.macs_performed;
    }
  }
  st.macs_dense = uint64_t{job.rows} * job.cols * npix;
  st.weight_bytes_in = job.weights ? job.weights->payload.size() : 0;
  st.act_bytes_in = acts.size();
  st.out_bytes = out.size();
  st.lane_utilisation = st.cycles ? static_cast<double>(st.macs_performed) / (static_cast<double>(st.cycles) * kLanes) : 0;
  if (stats) *stats = st;
  return out;
}

unsigned softmax_frac_bits(double scale) {
  if (!(scale > 0) || !std::isfinite(scale)) throw UsageError("softmax: logit scale must be positive");
  // |q - zp| <= 255; keep 255 * scale * 2^F inside int16.
  int f = 0;
  while (f < static_cast<int>(softmax::kMaxFracBits) && 255.0 * scale * std::ldexp(1.0, f + 1) < 32767.0) ++f;
  return static_cast<unsigned>(f);
}

std::vector<uint16_t> golden_softmax(std::span<const int8_t> logits, double scale, int32_t zp, LayerStats* stats) {
  const auto x = softmax_logits(logits, scale, zp);
  auto p = softmax::softmax_q16(x, softmax_frac_bits(scale));
  if (stats) {
    *stats = LayerStats{};
    stats->act_bytes_in = 2 * x.size();
    stats->out_bytes = 2 * p.size();
  }
  return p;
}

std::vector<int16_t> softmax_logits(std::span<const int8_t> logits, double scale, int32_t zp) {
  const unsigned f = softmax_frac_bits(scale);
  const double k = scale * std::ldexp(1.0, static_cast<int>(f));
  std::vector<int16_t> x(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    const double v = std::round((static_cast<int32_t>(logits[i]) - zp) * k);
    x[i] = static_cast<int16_t>(std::clamp(v, -32768.0, 32767.0));
  }
  return x;
}

std::unique_ptr<Device> make_device(std::string_view engine, const DeviceOptions& o) {
  if (engine == "golden") return std::make_unique<GoldenDevice>();
  if (engine == "rtl") {
    if (!g_rtl) throw UsageError("--engine rtl: this build of squish has no RTL (configure with the RTL blocks and rebuild)");
    return with_faults(g_rtl(o));
  }
  throw UsageError("unknown device '" + std::string(engine) + "' (golden or rtl)");
}

}  // namespace squish::runtime
