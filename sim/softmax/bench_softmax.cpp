// make bench, section softmax: our reproduction of the survey's Table XIV (every
// variant against float64 on every suite and length), the RTL's sustained
// probabilities per cycle and cycles per vector at each length (every output
// checked against the model), and area per lane / LUT6 from Yosys.
// Writes $SQUISH_REPORTS/bench/softmax.{json,md}.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "squish/json.hpp"
#include "squish/rtl/softmax.hpp"
#include "squish/softmax/eval.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/unit.hpp"
#include "squish/softmax/variants.hpp"

namespace sm = squish::softmax;
using namespace squish::rtl;
namespace json = squish::json;

namespace {

struct RtlFigure {
  size_t length = 0, vectors = 0;
  uint64_t cycles_stream = 0;  // all vectors back to back
  uint64_t cycles_single = 0;  // one vector alone, reset to last output
  double elements_per_cycle = 0;        // steady state: between the first and last vector completions
  double elements_per_cycle_total = 0;  // including the first vector's two passes
  bool exact = true;
  double mse = 0, max_abs = 0;
};

RtlFigure measure(size_t n, uint64_t seed) {
  RtlFigure r;
  r.length = n;
  r.vectors = std::clamp<size_t>(524288 / n, 6, 400);
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(0, 4);
  std::vector<SoftmaxJob> jobs;
  for (size_t k = 0; k < r.vectors; ++k) {
    std::vector<double> z(n);
    for (auto& v : z) v = d(g);
    const unsigned f = sm::frac_bits_for(z);
    jobs.push_back({sm::quantize_logits(z, f), f, std::nullopt});
  }
  SoftmaxRtlOptions o;
  o.dut.name = "bench_softmax";
  const auto run = run_softmax_rtl(jobs, o);
  r.cycles_stream = run.cycles;
  r.elements_per_cycle_total = static_cast<double>(n * r.vectors) / static_cast<double>(run.cycles);
  std::vector<uint64_t> done;
  for (size_t i = 0; i < run.beats.size(); ++i)
    if (run.beats[i].last) done.push_back(run.beat_cycles[i]);
  if (done.size() >= 2)
    r.elements_per_cycle = static_cast<double>(n * (done.size() - 1)) / static_cast<double>(done.back() - done.front());
  double sq = 0;
  size_t cnt = 0;
  for (size_t k = 0; k < jobs.size(); ++k) {
    const auto want = sm::softmax_q16(jobs[k].logits, jobs[k].frac_bits);
    if (k >= run.probs.size() || run.probs[k] != want) r.exact = false;
    const auto ref = sm::reference_fixed(jobs[k].logits, jobs[k].frac_bits);
    for (size_t i = 0; i < n; ++i) {
      const double e = want[i] / 65536.0 - ref[i];
      sq += e * e;
      r.max_abs = std::max(r.max_abs, std::abs(e));
      ++cnt;
    }
  }
  r.mse = sq / static_cast<double>(cnt);
  std::vector<SoftmaxJob> one(jobs.begin(), jobs.begin() + 1);
  r.cycles_single = run_softmax_rtl(one, o).cycles;
  return r;
}

std::map<std::string, double> synth_figures(const std::string& root, unsigned lanes, const std::string& dir) {
  std::map<std::string, double> m;
  const std::string cmd = root + "/sim/softmax/synth_area.sh " + std::to_string(lanes) + " " + dir + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return m;
  char key[64];
  double v = 0;
  while (std::fscanf(p, "%63s %lf", key, &v) == 2) m[key] = v;
  pclose(p);
  return m;
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

int main() {
  const char* rep = std::getenv("SQUISH_REPORTS");
  const char* rootenv = std::getenv("SQUISH_ROOT");
  const std::string reports = rep && *rep ? rep : "reports";
  const std::string root = rootenv && *rootenv ? rootenv : ".";
  std::filesystem::create_directories(reports + "/bench");

  // 1. Table XIV, reproduced.
  sm::EvalOptions eo;
  const auto cells = sm::evaluate(eo);
  const auto summary = sm::summarize(cells);
  std::printf("softmax: %zu evaluation cells\n", cells.size());

  // 2. RTL throughput and latency.
  std::vector<RtlFigure> rtl;
  for (size_t n : sm::standard_lengths()) {
    rtl.push_back(measure(n, 100 + n));
    const auto& r = rtl.back();
    std::printf("softmax rtl: n=%zu vectors=%zu cycles=%llu el/cycle steady=%.3f total=%.3f single=%llu exact=%d\n", n,
                r.vectors, static_cast<unsigned long long>(r.cycles_stream), r.elements_per_cycle, r.elements_per_cycle_total,
                static_cast<unsigned long long>(r.cycles_single), r.exact ? 1 : 0);
  }

  // 3. Area: Lanes = 1 and 8, per lane = the difference / 7.
  // SQUISH_BENCH_NO_SYNTH=1 skips the Yosys runs (area fields become null).
  const std::string sdir = reports + "/bench/softmax_synth";
  const char* nosyn = std::getenv("SQUISH_BENCH_NO_SYNTH");
  const bool run_synth = !(nosyn && std::string(nosyn) == "1");
  std::map<std::string, double> a1, a8;
  if (run_synth) {
    a1 = synth_figures(root, 1, sdir);
    a8 = synth_figures(root, 8, sdir);
  }
  const bool have_area = a1.count("area_um2") && a8.count("area_um2");
  const double per_lane = have_area ? (a8["area_um2"] - a1["area_um2"]) / 7.0 : 0;

  const auto squish_sum = std::find_if(summary.begin(), summary.end(), [](const auto& s) { return s.variant == "squish"; });
  const RtlFigure& longest = rtl.back();

  json::Value j;
  j["mse"] = squish_sum->worst_mse;
  j["mean_mse"] = squish_sum->mean_mse;
  j["max_abs_err_lsb"] = squish_sum->worst_max_abs * 65536;
  j["elements_per_cycle"] = longest.elements_per_cycle;
  j["lanes"] = static_cast<int>(sm::kDefaultLanes);
  j["max_length_tested"] = static_cast<unsigned long long>(longest.length);
  j["area_um2"] = have_area ? json::Value(a8["area_um2"]) : json::Value();
  j["area_um2_per_lane"] = have_area ? json::Value(per_lane) : json::Value();
  j["area_um2_lanes1"] = have_area ? json::Value(a1["area_um2"]) : json::Value();
  j["lut6"] = a8.count("lut6") ? json::Value(a8["lut6"]) : json::Value();
  j["dsp48"] = a8.count("dsp48") ? json::Value(a8["dsp48"]) : json::Value();
  j["lut6_lanes1"] = a1.count("lut6") ? json::Value(a1["lut6"]) : json::Value();
  json::Array rl;
  for (const auto& r : rtl)
    rl.push_back(json::Object{{"length", r.length}, {"vectors", r.vectors}, {"cycles_back_to_back", r.cycles_stream},
                              {"elements_per_cycle", r.elements_per_cycle},
                              {"elements_per_cycle_incl_fill", r.elements_per_cycle_total}, {"cycles_single_vector", r.cycles_single},
                              {"bit_exact", r.exact}, {"mse", r.mse}, {"max_abs_err_lsb", r.max_abs * 65536}});
  j["rtl"] = rl;
  json::Array vs;
  for (const auto& s : summary)
    vs.push_back(json::Object{{"variant", s.variant}, {"worst_mse", s.worst_mse}, {"mean_mse", s.mean_mse},
                              {"worst_max_abs_err", s.worst_max_abs}, {"worst_sum_err", s.worst_sum_err}});
  j["variants"] = vs;
  json::Array cl;
  for (const auto& c : cells)
    cl.push_back(json::Object{{"variant", c.variant}, {"suite", c.suite}, {"length", c.length}, {"mse", c.mse},
                              {"max_abs_err", c.max_abs}, {"sum_err", c.max_sum_err}});
  j["cells"] = cl;
  std::ofstream(reports + "/bench/softmax.json") << j.dump(2) << "\n";

  std::ostringstream md;
  md << "## softmax\n\n### Table XIV, reproduced (float64 reference, all suites and lengths)\n\n"
     << "| design | exp | division | output | worst MSE | mean MSE | worst max err | worst row-sum err | survey's MSE |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  const std::map<std::string, std::string> survey = {
      {"yuan", "-"}, {"base2", "1e-4 (Cardarilli)"}, {"glut", "1e-8 (Sun)"}, {"geng", "-"},
      {"ibert", "n/a"}, {"tflite", "n/a (+-1 LSB int8)"}, {"squish", "target 1e-10"}};
  for (const auto& s : summary) {
    for (const auto& v : sm::variants()) {
      if (v.id != s.variant) continue;
      md << "| " << v.title << " | " << v.exp_method << " | " << v.div_method << " | " << v.output << " | "
         << fmt("%.2e", s.worst_mse) << " | " << fmt("%.2e", s.mean_mse) << " | " << fmt("%.2e", s.worst_max_abs) << " ("
         << fmt("%.1f", s.worst_max_abs * 65536) << " LSB16) | " << fmt("%.2e", s.worst_sum_err) << " | "
         << survey.at(s.variant) << " |\n";
    }
  }
  md << "\nMSE per suite and length:\n\n| suite | n |";
  std::vector<std::string> ids;
  for (const auto& s : summary) ids.push_back(s.variant);
  for (const auto& id : ids) md << " " << id << " |";
  md << "\n|---|---|";
  for (size_t i = 0; i < ids.size(); ++i) md << "---|";
  md << "\n";
  for (size_t i = 0; i < cells.size(); i += ids.size()) {
    md << "| " << cells[i].suite << " | " << cells[i].length << " |";
    for (size_t k = 0; k < ids.size(); ++k) md << " " << fmt("%.1e", cells[i + k].mse) << " |";
    md << "\n";
  }
  md << "\n### RTL (softmax_unit, " << sm::kDefaultLanes << " lanes, Gaussian sigma 4 logits, no backpressure)\n\n"
     << "| n | vectors back to back | cycles | probabilities / cycle, steady | incl. first vector | cycles, one vector alone | bit-exact vs model | MSE | max err (LSB) |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rtl)
    md << "| " << r.length << " | " << r.vectors << " | " << r.cycles_stream << " | " << fmt("%.3f", r.elements_per_cycle)
       << " | " << fmt("%.3f", r.elements_per_cycle_total) << " | " << r.cycles_single << " | " << (r.exact ? "yes" : "NO") << " | " << fmt("%.2e", r.mse) << " | "
       << fmt("%.2f", r.max_abs * 65536) << " |\n";
  if (have_area)
    md << "\nArea (Yosys + ABC, OSU 0.18 um): " << fmt("%.0f", a8["area_um2"]) << " um^2 at 8 lanes, "
       << fmt("%.0f", a1["area_um2"]) << " um^2 at 1 lane, " << fmt("%.0f", per_lane) << " um^2 per lane. "
       << "FPGA (synth_xilinx, xc7): " << fmt("%.0f", a8["lut6"]) << " LUTs + " << fmt("%.0f", a8["dsp48"])
       << " DSP48 at 8 lanes.\n";
  else
    md << "\nArea: not measured (" << (run_synth ? "Yosys failed, see " + sdir : std::string("SQUISH_BENCH_NO_SYNTH=1")) << ").\n";
  std::ofstream(reports + "/bench/softmax.md") << md.str();
  std::printf("%s", md.str().c_str());
  return 0;
}
