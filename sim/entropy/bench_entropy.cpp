// make bench, section "entropy": the three coders on real models, as shipped
// (uint8 codes) and after 80 % magnitude pruning + symmetric 4-bit
// quantization. For each coder: bits/weight (every table, header and flush
// counted), the weight-averaged per-tensor order-0 entropy, the excess over
// it, software decode speed (one core), RTL decoded weights per cycle (every
// tensor through the Verilated decoder, table loading included), and LUTs
// (Xilinx 7-series, LUT1..LUT6 summed) from build/reports/ppa.json when `make
// synth` has run on the default parameters, else (make synth shrinks the rANS
// and Tunstall tables) from our own `yosys synth_xilinx` run.
//
// Writes $SQUISH_REPORTS/bench/entropy.{json,md}. Needs scripts/fetch-models.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "entropy_data.hpp"
#include "squish/entropy/codec.hpp"
#include "squish/entropy/freq_table.hpp"
#include "squish/error.hpp"
#include "squish/io/json_read.hpp"
#include "squish/json.hpp"
#include "squish/rtl/entropy.hpp"

using namespace squish;
using entropy::CoderId;
namespace fs = std::filesystem;

namespace {

struct RealTensor {
  std::string name;
  std::vector<uint16_t> codes;
  double scale = 1, min = 0;
};

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw IoError("cannot open " + p.string());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The uint8 codes of every quantized weight of a tfjs manifest, as shipped.
std::vector<RealTensor> load_codes(const fs::path& manifest) {
  const auto text = read_bytes(manifest);
  const auto doc = io::parse_json(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  std::vector<RealTensor> out;
  for (const auto& group : doc.array("manifest")) {
    std::vector<uint8_t> data;
    for (const auto& p : group.find("paths")->array("paths")) {
      const auto b = read_bytes(manifest.parent_path() / p.string("path"));
      data.insert(data.end(), b.begin(), b.end());
    }
    size_t off = 0;
    for (const auto& w : group.find("weights")->array("weights")) {
      size_t n = 1;
      for (const auto& d : w.find("shape")->array("shape")) n *= static_cast<size_t>(d.number("dim"));
      const auto* q = w.find("quantization");
      const bool u8 = q && q->find("dtype") && q->find("dtype")->string("dtype") == "uint8";
      const size_t bytes = n * (u8 ? 1 : 4);
      if (off + bytes > data.size()) throw FormatError(manifest.string() + ": weights overrun the shards");
      if (u8) {
        RealTensor t;
        t.name = w.find("name")->string("name");
        t.codes.assign(data.begin() + static_cast<long>(off), data.begin() + static_cast<long>(off + bytes));
        t.scale = q->find("scale")->number("scale");
        t.min = q->find("min")->number("min");
        out.push_back(std::move(t));
      }
      off += bytes;
    }
  }
  return out;
}

struct Result {
  uint64_t weights = 0, bytes = 0, rtl_cycles = 0, rtl_table_cycles = 0;
  double entropy_weighted = 0;  // sum n_t * H_t
  double decode_s = 0;
  bool rtl_ok = true;
  std::string rtl_note;
  double bpw() const { return weights ? 8.0 * static_cast<double>(bytes) / static_cast<double>(weights) : 0; }
  double entropy() const { return weights ? entropy_weighted / static_cast<double>(weights) : 0; }
  double excess() const { return entropy() > 0 ? 100.0 * (bpw() / entropy() - 1.0) : 0; }
  double msym_s() const { return decode_s > 0 ? static_cast<double>(weights) / decode_s / 1e6 : 0; }
  double wpc() const { return rtl_cycles ? static_cast<double>(weights) / static_cast<double>(rtl_cycles) : 0; }
  double wpc_decode() const {
    const uint64_t c = rtl_cycles - rtl_table_cycles;
    return c ? static_cast<double>(weights) / static_cast<double>(c) : 0;
  }
  void add(const Result& o) {
    weights += o.weights;
    bytes += o.bytes;
    rtl_cycles += o.rtl_cycles;
    rtl_table_cycles += o.rtl_table_cycles;
    entropy_weighted += o.entropy_weighted;
    decode_s += o.decode_s;
    rtl_ok = rtl_ok && o.rtl_ok;
    if (rtl_note.empty()) rtl_note = o.rtl_note;
  }
};

Result run(CoderId id, const std::vector<std::vector<uint16_t>>& tensors, unsigned bits, bool with_rtl,
           unsigned rans_lanes = 8) {
  entropy::CoderParams p;
  p.alphabet_bits = bits;
  p.rans_lanes = rans_lanes;
  rtl::EntropyRtlOptions ropt;
  ropt.rans_hw_lanes = rans_lanes;
  Result r;
  std::vector<std::vector<uint8_t>> payloads;
  for (const auto& t : tensors) {
    payloads.push_back(entropy::encode_symbols(id, t, p));
    r.weights += t.size();
    r.bytes += payloads.back().size();
    r.entropy_weighted += static_cast<double>(t.size()) * entropy::entropy_bits(entropy::histogram(t, bits));
  }
  // Software decode: best of 3 passes over the whole model.
  double best = 1e30;
  for (int pass = 0; pass < 3; ++pass) {
    const auto t0 = std::chrono::steady_clock::now();
    size_t check = 0;
    for (size_t i = 0; i < tensors.size(); ++i)
      check += entropy::decode_symbols(id, payloads[i], tensors[i].size(), p).size();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (check != r.weights) throw Error("decode size mismatch");
    best = std::min(best, s);
  }
  r.decode_s = best;
  if (with_rtl) {
    for (size_t i = 0; i < tensors.size(); ++i) {
      std::string why;
      if (!rtl::rtl_can_decode(id, payloads[i], p, &why)) {
        r.rtl_ok = false;
        r.rtl_note = why;
        continue;
      }
      const auto run = rtl::decode_rtl(id, payloads[i], tensors[i].size(), p, ropt);
      if (run.symbols != tensors[i]) {
        r.rtl_ok = false;
        r.rtl_note = "RTL output differs from the tensor";
      }
      r.rtl_cycles += run.cycles;
      r.rtl_table_cycles += run.table_cycles;
    }
  }
  return r;
}

// LUTs of a module: ppa.json (make synth) if it lists the module, else our own
// yosys synth_xilinx run. Returns -1 if neither works.
long lut_count(const std::string& module, const std::string& reports, std::string* source,
               const std::string& chparam = "") {
  const fs::path ppa = fs::path(reports) / "ppa.json";
  if (chparam.empty() && fs::exists(ppa)) {
    try {
      const auto text = read_bytes(ppa);
      const auto doc = io::parse_json(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
      if (const auto* mods = doc.find("modules"))
        if (const auto* m = mods->find(module))
          if (const auto* l = m->find("lut6"); l && l->is_number() &&
              (!m->find("synth_params") || m->find("synth_params")->string("synth_params").empty())) {
            *source = "ppa.json (make synth)";
            return static_cast<long>(l->number("lut6"));
          }
    } catch (const Error&) {
    }
  }
  const std::string root = sim::entropy_data::root();
  std::vector<std::string> pkgs, mods;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(root) / "rtl"))
    if (e.path().extension() == ".sv")
      (e.path().filename().string().ends_with("_pkg.sv") ? pkgs : mods).push_back(e.path().string());
  std::sort(pkgs.begin(), pkgs.end());
  std::sort(mods.begin(), mods.end());
  const fs::path tmp = fs::temp_directory_path();
  const std::string tag = module + (chparam.empty() ? "" : "_param");
  const std::string log = (tmp / ("squish_bench_" + tag + ".log")).string();
  const std::string ys = (tmp / ("squish_bench_" + tag + ".ys")).string();
  {
    std::ofstream y(ys);
    y << "read_verilog -sv";
    for (const auto& f : pkgs) y << " " << f;
    y << "\nread_verilog -sv -defer";
    for (const auto& f : mods) y << " " << f;
    if (!chparam.empty()) y << "\nchparam " << chparam << " " << module;
    y << "\nhierarchy -top " << module << "\nsynth_xilinx -top " << module << "\nstat\n";
  }
  std::fprintf(stderr, "bench entropy: yosys synth_xilinx %s (no ppa.json entry) ...\n", module.c_str());
  if (std::system(("yosys -q -l '" + log + "' -s '" + ys + "' > /dev/null 2>&1").c_str()) != 0) return -1;
  std::ifstream f(log);
  std::string line;
  long luts = 0;
  bool in_stat = false;
  std::vector<std::string> lines;
  while (std::getline(f, line)) lines.push_back(line);
  // The last "Number of cells" block is the top-level (flattened) statistic.
  size_t start = 0;
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("Number of cells:") != std::string::npos) start = i;
  for (size_t i = start; i < lines.size(); ++i) {
    std::istringstream is(lines[i]);
    std::string cell;
    long n = 0;
    if (is >> cell >> n && cell.size() == 4 && cell.rfind("LUT", 0) == 0 && cell[3] >= '1' && cell[3] <= '6') {
      luts += n;
      in_stat = true;
    }
  }
  *source = "own yosys synth_xilinx run";
  return in_stat ? luts : -1;
}

std::string fmt(double v, int prec = 3) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

}  // namespace

int main() {
  const std::string root = sim::entropy_data::root();
  const char* rep_env = std::getenv("SQUISH_REPORTS");
  const std::string reports = rep_env && *rep_env ? rep_env : root + "/build/reports";
  const fs::path model_dir = fs::path(root) / "build/models/face-api/model";
  const std::vector<std::string> models = {"ssd_mobilenetv1_model", "face_recognition_model"};
  const bool with_rtl = !std::getenv("SQUISH_BENCH_NO_RTL");

  struct Variant {
    std::string name;
    unsigned bits;
  };
  const Variant variants[] = {{"uint8", 8}, {"pruned80_int4", 4}};
  const CoderId coders[] = {CoderId::Huffman, CoderId::Tunstall, CoderId::Rans};

  std::map<std::string, std::map<std::string, std::map<std::string, Result>>> res;  // coder/variant/model
  for (const auto& m : models) {
    const fs::path manifest = model_dir / (m + "-weights_manifest.json");
    if (!fs::exists(manifest)) {
      std::fprintf(stderr, "bench entropy: %s missing; run scripts/fetch-models.sh\n", manifest.c_str());
      return 1;
    }
    const auto tensors = load_codes(manifest);
    for (const auto& v : variants) {
      std::vector<std::vector<uint16_t>> sym;
      for (const auto& t : tensors)
        sym.push_back(v.bits == 8 ? t.codes : sim::entropy_data::prune80_int4(t.codes, t.scale, t.min));
      for (CoderId id : coders) {
        const std::string c(entropy::to_string(id));
        std::fprintf(stderr, "bench entropy: %s %s %s ...\n", m.c_str(), v.name.c_str(), c.c_str());
        res[c][v.name][m] = run(id, sym, v.bits, with_rtl);
      }
      std::fprintf(stderr, "bench entropy: %s %s rans (16 lanes) ...\n", m.c_str(), v.name.c_str());
      res["rans16"][v.name][m] = run(CoderId::Rans, sym, v.bits, with_rtl, 16);
    }
  }

  const std::map<std::string, std::string> module_of = {
      {"huffman", "huffman_decoder"}, {"tunstall", "tunstall_decoder"}, {"rans", "rans_decoder"}};
  json::Object top;
  std::string md = "## entropy\n\nBoth models together (" + models[0] + ", " + models[1] +
                   "); per-tensor payloads, every table/header/flush counted; RTL cycles include table loading.\n\n"
                   "| coder | variant | bits/weight | entropy | excess % | SW decode Msym/s | RTL weights/cycle | "
                   "RTL w/c (decode only) | LUTs |\n|---|---|---|---|---|---|---|---|---|\n";
  for (CoderId id : coders) {
    const std::string c(entropy::to_string(id));
    std::string src;
    const long luts = lut_count(module_of.at(c), reports, &src);
    json::Object co;
    json::Object per_variant;
    for (const auto& v : variants) {
      Result tot;
      json::Object per_model;
      for (const auto& m : models) {
        const auto& r = res[c][v.name][m];
        tot.add(r);
        per_model.push_back({m, json::Object{{"weights", r.weights},
                                             {"bits_per_weight", r.bpw()},
                                             {"entropy_bits", r.entropy()},
                                             {"excess_pct", r.excess()},
                                             {"sw_decode_msym_s", r.msym_s()},
                                             {"rtl_weights_per_cycle", r.wpc()},
                                             {"rtl_weights_per_decode_cycle", r.wpc_decode()}}});
      }
      json::Object vo{{"bits_per_weight", tot.bpw()},
                      {"entropy_bits", tot.entropy()},
                      {"excess_pct", tot.excess()},
                      {"sw_decode_msym_s", tot.msym_s()},
                      {"rtl_weights_per_cycle", tot.wpc()},
                      {"rtl_weights_per_decode_cycle", tot.wpc_decode()},
                      {"rtl_cycles", tot.rtl_cycles},
                      {"rtl_table_cycles", tot.rtl_table_cycles},
                      {"weights", tot.weights},
                      {"rtl_bit_exact", tot.rtl_ok},
                      {"models", per_model}};
      if (!tot.rtl_note.empty()) vo.push_back({"rtl_note", tot.rtl_note});
      if (v.name == "uint8") {  // the headline keys: as shipped
        for (const char* k : {"bits_per_weight", "entropy_bits", "excess_pct", "sw_decode_msym_s",
                              "rtl_weights_per_cycle"})
          for (auto& [kk, vv] : vo)
            if (kk == k) co.push_back({k, vv});
      }
      per_variant.push_back({v.name, vo});
      md += "| " + c + " | " + v.name + " | " + fmt(tot.bpw()) + " | " + fmt(tot.entropy()) + " | " +
            fmt(tot.excess(), 2) + " | " + fmt(tot.msym_s(), 1) + " | " + fmt(tot.wpc(), 2) + " | " +
            fmt(tot.wpc_decode(), 2) + " | " + (luts >= 0 ? std::to_string(luts) : "n/a") + " |\n";
    }
    co.push_back({"lut6", luts >= 0 ? json::Value(luts) : json::Value(nullptr)});
    co.push_back({"lut6_source", src});
    if (luts > 0) {
      // weights/cycle per 1000 LUTs, on the pruned variant (the sparse target's case) and as shipped
      for (const auto& [vn, vv] : per_variant) {
        (void)vv;
        Result tot;
        for (const auto& m : models) tot.add(res[c][vn][m]);
        co.push_back({"weights_per_cycle_per_klut_" + vn, tot.wpc() * 1000.0 / static_cast<double>(luts)});
      }
    }
    for (auto& kv : per_variant) co.push_back(kv);
    top.push_back({c, co});
  }
  {  // rANS with 16 lanes (streams of up to 16 lanes, the 16-lane decoder)
    std::string src;
    const long luts = lut_count("rans_decoder", reports, &src, "-set Lanes 16");
    json::Object lo;
    for (const auto& v : variants) {
      Result tot;
      for (const auto& m : models) tot.add(res["rans16"][v.name][m]);
      lo.push_back({v.name, json::Object{{"bits_per_weight", tot.bpw()},
                                          {"entropy_bits", tot.entropy()},
                                          {"excess_pct", tot.excess()},
                                          {"sw_decode_msym_s", tot.msym_s()},
                                          {"rtl_weights_per_cycle", tot.wpc()},
                                          {"rtl_weights_per_decode_cycle", tot.wpc_decode()},
                                          {"rtl_bit_exact", tot.rtl_ok},
                                          {"weights_per_cycle_per_klut",
                                           luts > 0 ? tot.wpc() * 1000.0 / static_cast<double>(luts) : 0.0}}});
      md += "| rans, 16 lanes | " + v.name + " | " + fmt(tot.bpw()) + " | " + fmt(tot.entropy()) + " | " +
            fmt(tot.excess(), 2) + " | " + fmt(tot.msym_s(), 1) + " | " + fmt(tot.wpc(), 2) + " | " +
            fmt(tot.wpc_decode(), 2) + " | " + (luts >= 0 ? std::to_string(luts) : "n/a") + " |\n";
    }
    lo.push_back({"lut6", luts >= 0 ? json::Value(luts) : json::Value(nullptr)});
    for (auto& [k, v] : top)
      if (k == "rans") v["lanes16"] = lo;
  }
  md += "\nheadline keys entropy.<coder>.* are the uint8 (as shipped) figures; pruned80_int4 under "
        "entropy.<coder>.pruned80_int4.*\n";
  fs::create_directories(fs::path(reports) / "bench");
  {
    std::ofstream f(fs::path(reports) / "bench" / "entropy.json");
    f << json::Value(top).dump(2) << "\n";
  }
  {
    std::ofstream f(fs::path(reports) / "bench" / "entropy.md");
    f << md;
  }
  std::printf("%s", md.c_str());
  return 0;
}
