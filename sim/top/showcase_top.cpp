// showcase_top (make sim): a small MobileNet-style network through the
// accelerator top via the RTL device backend -- 3x3 conv (host im2col) ->
// depthwise 3x3 -> 1x1 conv -- with weights compressed four ways (8-bit dense;
// 50 % pruned 4-bit + rANS; 2:4 4-bit; 8-bit + Huffman), light backpressure,
// every layer compared bit for bit with an independent dense int64 product of
// the golden decoding and the golden requantization.
#include <cstdio>
#include <random>
#include <string>

#include "squish/container/sqz.hpp"
#include "squish/datapath/datapath.hpp"
#include "squish/requant/requant.hpp"
#include "squish/sim/report.hpp"
#include "top_driver.hpp"

namespace {

using namespace squish;
using datapath::WPrec;

struct Setting {
  const char* name;
  WPrec p;
  sparse::Format fmt;
  entropy::CoderId coder;
  double density;
  bool nm;
};

container::Section section(std::mt19937_64& g, size_t rows, size_t cols, const Setting& st) {
  std::vector<int32_t> codes(rows * cols, 0);
  std::uniform_int_distribution<int> v(datapath::weight_min(st.p), datapath::weight_max(st.p));
  std::bernoulli_distribution keep(st.density);
  for (size_t i = 0; i < codes.size(); ++i)
    if (st.nm ? (i % 4 == (g() % 2 ? 0 : 2) || i % 4 == 1) : keep(g)) codes[i] = v(g);
  container::Section s;
  s.name = "w";
  s.shape = {rows, cols};
  s.quant.scheme = quant::Scheme::Affine;
  s.quant.bits = static_cast<unsigned>(datapath::weight_bits(st.p));
  s.quant.is_signed = true;
  s.quant.channel_axis = 0;
  s.quant.channels.assign(rows, quant::ChannelParams{0.01, 0, 0, 0, 0});
  s.sparse_format = st.fmt;
  s.coder = st.coder;
  s.coder_params.rans_lanes = 16;
  container::encode_codes(s, codes);
  return s;
}

std::vector<datapath::Channel> channels(std::mt19937_64& g, size_t rows, double scale) {
  std::vector<datapath::Channel> ch(rows);
  for (auto& c : ch) {
    const auto q = requant::quantize_multiplier(scale * (0.5 + (g() % 100) / 100.0));
    c = {static_cast<int32_t>(g() % 4000) - 2000, q.multiplier, q.shift};
  }
  return ch;
}

std::vector<int8_t> reference(const runtime::GemmJob& job, std::span<const int8_t> acts, size_t npix) {
  const auto codes = container::decode_codes(*job.weights);
  const size_t R = job.rows, C = job.cols, K = job.depthwise ? R * C : C;
  datapath::Config cfg;
  cfg.act_zp = job.act_zp;
  cfg.out_zp = job.out_zp;
  cfg.out_min = job.out_min;
  cfg.out_max = job.out_max;
  std::vector<int8_t> out(npix * R);
  for (size_t p = 0; p < npix; ++p)
    for (size_t r = 0; r < R; ++r) {
      int64_t acc = 0;
      for (size_t c = 0; c < C; ++c)
        acc += int64_t{codes[r * C + c]} * (acts[p * K + (job.depthwise ? r * C + c : c)] - job.act_zp);
      out[p * R + r] = static_cast<int8_t>(datapath::requantize(static_cast<int32_t>(acc), job.channels[r], cfg));
    }
  return out;
}

}  // namespace

int main() {
  const Setting settings[] = {
      {"int8-dense", WPrec::Int8, sparse::Format::Dense, entropy::CoderId::None, 1.0, false},
      {"50%-int4-rans", WPrec::Int4, sparse::Format::Dense, entropy::CoderId::Rans, 0.5, false},
      {"2:4-int4-nm", WPrec::Int4, sparse::Format::Nm, entropy::CoderId::None, 1.0, true},
      {"int8-huffman", WPrec::Int8, sparse::Format::Dense, entropy::CoderId::Huffman, 0.8, false},
  };
  bool all_ok = true;
  uint64_t total_cycles = 0, layers = 0;
  std::string detail;
  for (const auto& st : settings) {
    std::mt19937_64 g(42);
    runtime::DeviceOptions o;
    o.backpressure = 1;
    auto dev = runtime::make_rtl_device(o);
    const size_t H = 18, W = 18, Cin = 3, C1 = 32, C3 = 48;
    std::vector<int8_t> x(H * W * Cin);
    for (auto& v : x) v = static_cast<int8_t>(g() % 256);
    // conv 3x3 VALID: im2col on the host
    const size_t H1 = H - 2, W1 = W - 2, K1 = 27;
    std::vector<int8_t> col1(H1 * W1 * K1);
    for (size_t y = 0; y < H1; ++y)
      for (size_t xx = 0; xx < W1; ++xx)
        for (size_t k = 0; k < 9; ++k)
          for (size_t c = 0; c < Cin; ++c)
            col1[(y * W1 + xx) * K1 + k * Cin + c] = x[((y + k / 3) * W + xx + k % 3) * Cin + c];
    Setting st1 = st;
    if (st.nm) st1.fmt = sparse::Format::Nm;
    const auto s1 = section(g, C1, K1, st1);
    runtime::GemmJob j1{"conv1", C1, K1, st.p, &s1, channels(g, C1, 0.004), 0, -20, -20, 127, false};
    const auto s2 = section(g, C1, 9, Setting{st.name, st.p, st.nm ? sparse::Format::Dense : st.fmt, st.coder,
                                              st.nm ? 1.0 : st.density, false});
    runtime::GemmJob j2{"dw2", C1, 9, st.p, &s2, channels(g, C1, 0.02), -20, 5, 5, 127, true};
    const auto s3 = section(g, C3, C1, st);
    runtime::GemmJob j3{"pw3", C3, C1, st.p, &s3, channels(g, C3, 0.01), 5, 0, -128, 127, false};

    runtime::LayerStats a, b, c;
    const auto y1 = dev->gemm(j1, col1, H1 * W1, &a);
    bool ok = y1 == reference(j1, col1, H1 * W1);
    const size_t H2 = H1 - 2, W2 = W1 - 2;
    std::vector<int8_t> col2(H2 * W2 * C1 * 9);
    for (size_t y = 0; y < H2; ++y)
      for (size_t xx = 0; xx < W2; ++xx)
        for (size_t ch = 0; ch < C1; ++ch)
          for (size_t t = 0; t < 9; ++t)
            col2[((y * W2 + xx) * C1 + ch) * 9 + t] = y1[((y + t / 3) * W1 + xx + t % 3) * C1 + ch];
    const auto y2 = dev->gemm(j2, col2, H2 * W2, &b);
    ok = ok && y2 == reference(j2, col2, H2 * W2);
    const auto y3 = dev->gemm(j3, y2, H2 * W2, &c);
    ok = ok && y3 == reference(j3, y2, H2 * W2);
    const uint64_t cyc = a.cycles + b.cycles + c.cycles;
    const uint64_t macs = a.macs_dense + b.macs_dense + c.macs_dense;
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s%s: %.1f eff MACs/cycle (conv %.1f, dw %.1f, pw %.1f), %llu weight B", 
                  detail.empty() ? "" : "; ", st.name, double(macs) / double(cyc),
                  double(a.macs_dense) / a.cycles, double(b.macs_dense) / b.cycles, double(c.macs_dense) / c.cycles,
                  static_cast<unsigned long long>(a.weight_bytes_in + b.weight_bytes_in + c.weight_bytes_in));
    detail += buf;
    all_ok = all_ok && ok;
    total_cycles += cyc;
    layers += 3;
  }
  squish::sim::showcase_line("top", layers, total_cycles, all_ok,
                             "3-layer conv/depthwise/pointwise net through squish_top, bit-exact: " + detail);
  return all_ok ? 0 : 1;
}
