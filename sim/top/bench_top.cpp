// bench_top (make bench, section "top"): the layer shapes of BlazeFace-front
// (128x128 input: 5x5/2 conv, 16 BlazeBlocks of depthwise 3x3 + 1x1 conv, the
// four 1x1 heads) through the accelerator top, one whole inference per weight
// setting, with random weights of the setting's sparsity and random int8
// activations (cycles depend on shapes and sparsity, not on values). Every
// layer is checked bit for bit against a dense int64 product of the golden
// decoding. Reports per layer and per inference: cycles, effective
// (dense-equivalent) MACs/cycle, lane utilisation, weight bytes on the port,
// and the Verilator wall time.
// Writes $SQUISH_REPORTS/bench/top.{json,md} (or prints only, without it).
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "squish/container/sqz.hpp"
#include "squish/datapath/datapath.hpp"
#include "squish/json.hpp"
#include "squish/requant/requant.hpp"
#include "top_driver.hpp"

namespace {

using namespace squish;
using datapath::WPrec;
namespace json = squish::json;

struct Layer {
  std::string name;
  size_t rows, cols, npix;
  bool dw;
};

/// BlazeFace-front at 128x128 (MediaPipe face_detection_front).
std::vector<Layer> blazeface_front() {
  std::vector<Layer> L;
  L.push_back({"conv0 5x5/2", 24, 75, 64 * 64, false});
  struct Blk {
    size_t cin, cout, hw_out;
    bool stride2;
  };
  const Blk blocks[] = {{24, 24, 64, false}, {24, 28, 64, false}, {28, 32, 32, true},  {32, 36, 32, false},
                        {36, 42, 32, false}, {42, 48, 16, true},  {48, 56, 16, false}, {56, 64, 16, false},
                        {64, 72, 16, false}, {72, 80, 16, false}, {80, 88, 16, false}, {88, 96, 8, true},
                        {96, 96, 8, false},  {96, 96, 8, false},  {96, 96, 8, false},  {96, 96, 8, false}};
  int i = 1;
  for (const auto& b : blocks) {
    const size_t np = b.hw_out * b.hw_out;
    L.push_back({"blk" + std::to_string(i) + " dw", b.cin, 9, np, true});
    L.push_back({"blk" + std::to_string(i) + " pw", b.cout, b.cin, np, false});
    ++i;
  }
  L.push_back({"head cls8", 2, 88, 16 * 16, false});
  L.push_back({"head reg8", 32, 88, 16 * 16, false});
  L.push_back({"head cls16", 6, 96, 8 * 8, false});
  L.push_back({"head reg16", 96, 96, 8 * 8, false});
  return L;
}

struct Setting {
  std::string name;
  WPrec p;
  sparse::Format fmt;
  entropy::CoderId coder;
  double density;
  bool nm24;
};

container::Section make_section(std::mt19937_64& g, size_t rows, size_t cols, const Setting& st, bool dw) {
  std::vector<int32_t> codes(rows * cols, 0);
  std::uniform_int_distribution<int> v(datapath::weight_min(st.p), datapath::weight_max(st.p));
  std::bernoulli_distribution keep(st.density);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c0 = 0; c0 < cols; c0 += 4)
      for (size_t c = c0; c < std::min(cols, c0 + 4); ++c) {
        const bool k = (st.nm24 && !dw) ? (c - c0 < 2) : keep(g);
        if (k) {
          int x = 0;
          while (x == 0) x = v(g);
          codes[r * cols + c] = x;
        }
      }
  container::Section s;
  s.name = "w";
  s.shape = {rows, cols};
  s.quant.scheme = quant::Scheme::Affine;
  s.quant.bits = static_cast<unsigned>(datapath::weight_bits(st.p));
  s.quant.is_signed = true;
  s.quant.channel_axis = 0;
  s.quant.channels.assign(rows, quant::ChannelParams{0.01, 0, 0, 0, 0});
  // N:M needs the pattern on every row; depthwise rows of 9 taps get bitmap
  s.sparse_format = (st.fmt == sparse::Format::Nm && dw) ? sparse::Format::Bitmap : st.fmt;
  s.sparse_params.nm_n = 2;
  s.sparse_params.nm_m = 4;
  s.coder = st.coder;
  s.coder_params.rans_lanes = 16;
  container::encode_codes(s, codes);
  return s;
}

}  // namespace

int main() {
  const Setting settings[] = {
      {"a-int8-dense", WPrec::Int8, sparse::Format::Dense, entropy::CoderId::None, 1.0, false},
      {"b-50pct-int4-rans", WPrec::Int4, sparse::Format::Dense, entropy::CoderId::Rans, 0.5, false},
      {"b-50pct-int4-bitmap", WPrec::Int4, sparse::Format::Bitmap, entropy::CoderId::None, 0.5, false},
      {"c-2:4-int4-nm", WPrec::Int4, sparse::Format::Nm, entropy::CoderId::None, 1.0, true},
  };
  const auto layers = blazeface_front();
  json::Value root;
  std::ostringstream md;
  md << "## top: BlazeFace-front layer shapes through squish_top (P = 16)\n\n";
  bool all_ok = true;
  for (const auto& st : settings) {
    std::mt19937_64 g(7);
    rtl::TopDriver drv(rtl::TopOptions{});
    uint64_t cyc = 0, macs = 0, perf = 0, wbytes = 0;
    json::Array jl;
    md << "### " << st.name << "\n\n| layer | R x K | pixels | cycles | eff MACs/cycle | utilisation | weight B |\n|---|---|---|---|---|---|---|\n";
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    double ref_s = 0, ref_cpu = 0;
    for (const auto& L : layers) {
      const auto s = make_section(g, L.rows, L.cols, st, L.dw);
      runtime::GemmJob j;
      j.name = L.name;
      j.rows = static_cast<uint32_t>(L.rows);
      j.cols = static_cast<uint32_t>(L.cols);
      j.wprec = st.p;
      j.weights = &s;
      j.depthwise = L.dw;
      j.act_zp = -3;
      j.out_zp = -128;
      j.out_min = -128;
      j.out_max = 127;
      for (size_t r = 0; r < L.rows; ++r) {
        const auto q = requant::quantize_multiplier(0.004);
        j.channels.push_back({static_cast<int32_t>(g() % 2000) - 1000, q.multiplier, q.shift});
      }
      const size_t K = L.dw ? L.rows * L.cols : L.cols;
      std::vector<int8_t> acts(L.npix * K);
      for (auto& a : acts) a = static_cast<int8_t>(g() & 0xff);
      const auto run = drv.gemm(j, acts, L.npix);
      // reference (not timed as simulation)
      const auto r0 = std::chrono::steady_clock::now();
      const std::clock_t rc0 = std::clock();
      const auto codes = container::decode_codes(s);
      datapath::Config cfg;
      cfg.act_zp = j.act_zp;
      cfg.out_zp = j.out_zp;
      bool ok = run.error == 0 && run.out.size() == L.npix * L.rows;
      for (size_t p = 0; ok && p < L.npix; ++p)
        for (size_t r = 0; r < L.rows; ++r) {
          int64_t acc = 0;
          for (size_t c = 0; c < L.cols; ++c)
            acc += int64_t{codes[r * L.cols + c]} * (acts[p * K + (L.dw ? r * L.cols + c : c)] - j.act_zp);
          if (run.out[p * L.rows + r] != datapath::requantize(static_cast<int32_t>(acc), j.channels[r], cfg)) ok = false;
        }
      ref_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
      ref_cpu += double(std::clock() - rc0) / CLOCKS_PER_SEC;
      all_ok = all_ok && ok;
      const double eff = double(run.stats.macs_dense) / double(run.stats.cycles);
      cyc += run.stats.cycles;
      macs += run.stats.macs_dense;
      perf += run.stats.macs_performed;
      wbytes += run.stats.weight_bytes_in;
      char line[256];
      std::snprintf(line, sizeof line, "| %s%s | %zu x %zu | %zu | %llu | %.2f | %.3f | %llu |\n", L.name.c_str(),
                    ok ? "" : " (MISMATCH)", L.rows, L.cols, L.npix, static_cast<unsigned long long>(run.stats.cycles),
                    eff, run.stats.lane_utilisation, static_cast<unsigned long long>(run.stats.weight_bytes_in));
      md << line;
      jl.push_back(json::Object{{"layer", L.name}, {"rows", L.rows}, {"cols", L.cols}, {"npix", L.npix},
                                {"depthwise", L.dw}, {"cycles", run.stats.cycles},
                                {"effective_macs_per_cycle", eff}, {"lane_utilisation", run.stats.lane_utilisation},
                                {"weight_bytes", run.stats.weight_bytes_in}, {"cached", run.cached},
                                {"bit_exact", ok}});
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - ref_s;
    const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC - ref_cpu;
    const double eff = double(macs) / double(cyc);
    char tot[512];
    std::snprintf(tot, sizeof tot,
                  "\ntotal: %llu cycles, %llu dense MACs, %.2f effective MACs/cycle (%.2f P), lane utilisation %.3f, "
                  "%llu weight bytes on the port, Verilator %.2f s wall, %.2f s CPU (%.0f cycles per CPU second)%s\n\n",
                  static_cast<unsigned long long>(cyc), static_cast<unsigned long long>(macs), eff, eff / 16.0,
                  double(perf) / (double(cyc) * 16.0), static_cast<unsigned long long>(wbytes), wall, cpu, double(cyc) / cpu,
                  all_ok ? "" : " MISMATCH");
    md << tot;
    std::printf("%s: %s", st.name.c_str(), tot + 1);
    std::fflush(stdout);
    root[st.name] = json::Object{{"cycles", cyc}, {"dense_macs", macs}, {"effective_macs_per_cycle", eff},
                                 {"effective_macs_per_cycle_over_p", eff / 16.0},
                                 {"lane_utilisation", double(perf) / (double(cyc) * 16.0)},
                                 {"weight_bytes", wbytes}, {"verilator_seconds", wall},
                                 {"verilator_cpu_seconds", cpu}, {"layers", jl}};
  }
  std::printf("%s", md.str().c_str());
  if (const char* rep = std::getenv("SQUISH_REPORTS"); rep && *rep) {
    const std::string dir = std::string(rep) + "/bench";
    std::system(("mkdir -p '" + dir + "'").c_str());
    std::ofstream(dir + "/top.json") << root.dump(2) << "\n";
    std::ofstream(dir + "/top.md") << md.str();
  }
  return all_ok ? 0 : 1;
}
