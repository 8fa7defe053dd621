// make bench, section "sparse": throughput of the RTL sparse weight decoder
// (rtl/sparse/sparse_decoder, defaults P=16, K=4 entries/cycle, 32-bit input)
// per format, weight precision and density, unobstructed (no backpressure), on
// random 64x256 matrices and on real layers (the committed face-api slice, and
// MobilenetV1/Conv2d_12_pointwise [1024x512] from build/models when
// scripts/fetch-models.sh has fetched it). Every run is checked bit-exact
// against the software model.
//
// Figures: entries/cycle = nonzeros emitted per cycle; words/cycle = input
// words accepted per cycle (1.0 = the decoder runs at its input's bandwidth);
// bound = the input-bandwidth bound on entries/cycle, nonzeros / payload words
// (each word brings 32 payload bits), capped by K.
//
// Writes $SQUISH_REPORTS/bench/sparse.{json,md}.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sparse_sim.hpp"
#include "squish/json.hpp"

using namespace squish::sim;
using namespace squish::sim::sparse;
namespace sp = squish::sparse;
namespace fs = std::filesystem;
namespace json = squish::json;

namespace {

constexpr unsigned kK = 4;

struct Case {
  std::string fmt;
  sp::Format f;
  unsigned n = 0, m = 0;
};

std::vector<int32_t> random_codes(Rng& rng, size_t rows, size_t cols, double density, unsigned bits, unsigned n,
                                  unsigned m) {
  const int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
  std::vector<int32_t> w(rows * cols, 0);
  auto draw = [&] {
    int v;
    do v = rng.uniform<int>(lo, hi);
    while (v == 0);
    return v;
  };
  if (n) {  // exactly N nonzeros in every group of M
    for (size_t r = 0; r < rows; ++r)
      for (size_t g = 0; g < cols; g += m) {
        std::vector<size_t> pos;
        for (size_t c = g; c < std::min(g + m, cols); ++c) pos.push_back(c);
        std::shuffle(pos.begin(), pos.end(), rng.engine());
        for (size_t k = 0; k < std::min<size_t>(n, pos.size()); ++k) w[r * cols + pos[k]] = draw();
      }
    return w;
  }
  for (auto& x : w)
    if (rng.chance(density)) x = draw();
  return w;
}

double bound_of(uint64_t nnz, uint64_t words) {
  return std::min<double>(kK, static_cast<double>(nnz) / static_cast<double>(words));
}

}  // namespace

int main() {
  const char* rep_env = std::getenv("SQUISH_REPORTS");
  const fs::path reports = rep_env && *rep_env ? rep_env : "build/reports";
  const char* root_env = std::getenv("SQUISH_ROOT");
  const std::string root = root_env && *root_env ? root_env : SQUISH_ROOT;
  fs::create_directories(reports / "bench");

  const std::vector<Case> cases = {{"csr", sp::Format::Csr},       {"csc", sp::Format::Csc},
                                   {"bitmap", sp::Format::Bitmap}, {"rlc", sp::Format::Rlc},
                                   {"coo1d", sp::Format::Coo1d},   {"nm_2_4", sp::Format::Nm, 2, 4},
                                   {"nm_1_4", sp::Format::Nm, 1, 4}};
  const std::vector<std::pair<dp::WPrec, std::string>> precs = {
      {dp::WPrec::Int8, "int8"}, {dp::WPrec::Int4, "int4"}, {dp::WPrec::Int2, "int2"}};
  const std::vector<int> densities = {10, 25, 50, 75, 100};
  Rng rng(2024);
  bool all_match = true;

  json::Object epc, wpc, bnd;
  std::ostringstream md;
  md << "## sparse\n\nRTL sparse weight decoder (P=16, K=" << kK
     << " entries/cycle, 32-bit payload words), unobstructed, random 64x256 matrices; every run bit-exact vs the model.\n"
     << "Cells: entries/cycle (input words/cycle; input-bandwidth bound on entries/cycle).\n\n"
     << "| format | precision | 10 % | 25 % | 50 % | 75 % | 100 % |\n|---|---|---|---|---|---|---|\n";
  for (const auto& c : cases) {
    json::Object e_f, w_f, b_f;
    for (const auto& [p, pname] : precs) {
      json::Object e_p, w_p, b_p;
      md << "| " << c.fmt << " | " << pname << " |";
      for (int d : densities) {
        if (c.n && d != densities.front()) {
          md << " |";
          continue;
        }
        const unsigned bits = static_cast<unsigned>(dp::weight_bits(p));
        const auto w = random_codes(rng, 64, 256, d / 100.0, bits, c.n, c.m);
        sp::Params prm;
        prm.value_bits = bits;
        prm.nm_n = c.n ? c.n : 2;
        prm.nm_m = c.m ? c.m : 4;
        const auto e = sp::encode(c.f, w, std::vector<uint32_t>{64, 256}, prm);
        const Measured m = measure(e, p, Backpressure::None);
        all_match &= m.match;
        const double epc_v = static_cast<double>(m.entries) / static_cast<double>(m.cycles);
        const double wpc_v = static_cast<double>(m.words) / static_cast<double>(m.cycles);
        const double b = bound_of(e.nnz(), m.words);
        const std::string key = c.n ? std::to_string(100 * c.n / c.m) : std::to_string(d);
        e_p.push_back({key, epc_v});
        w_p.push_back({key, wpc_v});
        b_p.push_back({key, b});
        char cell[64];
        std::snprintf(cell, sizeof cell, " %.2f (%.2f; %.2f) |", epc_v, wpc_v, b);
        md << cell;
      }
      md << "\n";
      e_f.push_back({pname, e_p});
      w_f.push_back({pname, w_p});
      b_f.push_back({pname, b_p});
    }
    epc.push_back({c.fmt, e_f});
    wpc.push_back({c.fmt, w_f});
    bnd.push_back({c.fmt, b_f});
  }
  md << "\n(N:M rows: the density is fixed by the pattern, 50 % for 2:4 and 25 % for 1:4, shown in the 10 % column.)\n";

  // The wide variant: 8 words (256 bits) per input beat, K = 16.
  json::Object wide_epc, wide_fill;
  md << "\nWide variant (Vsparse_decoder_wide: 256-bit input beats, K=" << kWideK
     << "), same matrices. Cells: entries/cycle (fraction of a full beat per cycle = entries/cycle / (P*k)).\n\n"
     << "| format | precision | 10 % | 25 % | 50 % | 75 % | 100 % |\n|---|---|---|---|---|---|---|\n";
  Rng rng_w(2024);
  for (const auto& c : cases) {
    json::Object e_f, f_f;
    for (const auto& [p, pname] : precs) {
      json::Object e_p, f_p;
      md << "| " << c.fmt << " | " << pname << " |";
      for (int d : densities) {
        if (c.n && d != densities.front()) {
          md << " |";
          continue;
        }
        const unsigned bits = static_cast<unsigned>(dp::weight_bits(p));
        const auto w = random_codes(rng_w, 64, 256, d / 100.0, bits, c.n, c.m);
        sp::Params prm;
        prm.value_bits = bits;
        prm.nm_n = c.n ? c.n : 2;
        prm.nm_m = c.m ? c.m : 4;
        const auto e = sp::encode(c.f, w, std::vector<uint32_t>{64, 256}, prm);
        const Measured m = measure_wide(e, p, Backpressure::None);
        all_match &= m.match;
        const double epc_v = static_cast<double>(m.entries) / static_cast<double>(m.cycles);
        const double fill = epc_v / dp::slots_used(p);
        const std::string key = c.n ? std::to_string(100 * c.n / c.m) : std::to_string(d);
        e_p.push_back({key, epc_v});
        f_p.push_back({key, fill});
        char cell[64];
        std::snprintf(cell, sizeof cell, " %.2f (%.2f) |", epc_v, fill);
        md << cell;
      }
      md << "\n";
      e_f.push_back({pname, e_p});
      f_f.push_back({pname, f_p});
    }
    wide_epc.push_back({c.fmt, e_f});
    wide_fill.push_back({c.fmt, f_f});
  }

  // Real layers.
  json::Array real;
  md << "\nReal layers (face-api ssd_mobilenetv1, pruned 80 % unstructured or 2:4, symmetric per-tensor quantization):\n\n"
     << "| layer | format | precision | nonzeros | words | cycles | entries/cycle | words/cycle | bound |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  std::vector<std::pair<std::string, std::string>> layers = {
      {golden_slice_manifest(root), "MobilenetV1/Conv2d_2_pointwise/weights"}};
  const std::string full = root + "/build/models/face-api/model/ssd_mobilenetv1_model-weights_manifest.json";
  if (fs::exists(full)) layers.push_back({full, "MobilenetV1/Conv2d_12_pointwise/weights"});
  else std::fprintf(stderr, "bench sparse: %s missing (run scripts/fetch-models.sh); slice only\n", full.c_str());
  for (const auto& [manifest, tensor] : layers) {
    for (const auto& [p, pname] : precs) {
      const RealLayer un = load_real_layer(manifest, tensor, p, 0.8);
      const RealLayer nm = load_real_layer(manifest, tensor, p, 0.0, 2, 4);
      for (const auto& c : cases) {
        if (c.n == 1) continue;
        const RealLayer& l = c.n ? nm : un;
        const auto e = encode_layer(l, c.f, p);
        const Measured m = measure(e, p, Backpressure::None);
        all_match &= m.match;
        const double epc_v = static_cast<double>(m.entries) / static_cast<double>(m.cycles);
        const double wpc_v = static_cast<double>(m.words) / static_cast<double>(m.cycles);
        const double b = bound_of(e.nnz(), m.words);
        real.push_back(json::Object{{"layer", tensor},
                                    {"shape", std::to_string(l.out) + "x" + std::to_string(l.in)},
                                    {"format", c.fmt},
                                    {"precision", pname},
                                    {"nonzeros", static_cast<uint64_t>(e.nnz())},
                                    {"words", m.words},
                                    {"cycles", m.cycles},
                                    {"entries_per_cycle", epc_v},
                                    {"words_per_cycle", wpc_v},
                                    {"bound_entries_per_cycle", b},
                                    {"bit_exact", m.match}});
        char row[400];
        std::snprintf(row, sizeof row, "| %s %ux%u | %s | %s | %llu | %llu | %llu | %.2f | %.2f | %.2f |\n",
                      tensor.c_str(), l.out, l.in, c.fmt.c_str(), pname.c_str(),
                      static_cast<unsigned long long>(e.nnz()), static_cast<unsigned long long>(m.words),
                      static_cast<unsigned long long>(m.cycles), epc_v, wpc_v, b);
        md << row;
      }
    }
  }
  md << "\nAll runs bit-exact against the software model: " << (all_match ? "yes" : "NO") << "\n";

  json::Value top = json::Object{{"lanes", dp::kLanes},
                                 {"entries_per_cycle_max", kK},
                                 {"input_bits_per_cycle", 32},
                                 {"entries_per_cycle", epc},
                                 {"input_words_per_cycle", wpc},
                                 {"bound_entries_per_cycle", bnd},
                                 {"real_layers", real},
                                 {"wide", json::Object{{"input_bits_per_cycle", 32 * kWideWords},
                                                       {"entries_per_cycle_max", kWideK},
                                                       {"entries_per_cycle", wide_epc},
                                                       {"beat_fraction", wide_fill}}},
                                 {"bit_exact", all_match}};
  std::ofstream(reports / "bench" / "sparse.json") << top.dump(2) << "\n";
  std::ofstream(reports / "bench" / "sparse.md") << md.str();
  std::printf("%s", md.str().c_str());
  return all_match ? 0 : 1;
}
