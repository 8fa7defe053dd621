// make bench, section "compress": throughput of the golden compression stack
// (MB/s of float32 input through prune + quantize + encode + serialize) and of
// decompression, with the resulting size and SQNR, for several option sets on
// the real ssd_mobilenetv1 weights when build/models/ has them, else on
// synthetic Gaussian weights of the same size (the report says which).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "squish/container/compress.hpp"
#include "squish/container/report.hpp"
#include "squish/io/tfjs.hpp"
#include "squish/json.hpp"

using namespace squish;
namespace fs = std::filesystem;

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string find_model() {
  std::vector<std::string> roots;
  if (const char* o = std::getenv("SQUISH_OUT")) roots.push_back(std::string(o) + "/models");
  if (const char* r = std::getenv("SQUISH_ROOT")) roots.push_back(std::string(r) + "/build/models");
  roots.push_back("build/models");
  for (const auto& r : roots) {
    const std::string p = r + "/face-api/model/ssd_mobilenetv1_model-weights_manifest.json";
    if (fs::exists(p)) return p;
  }
  return "";
}
}  // namespace

int main() {
  std::vector<Tensor> ts;
  std::string data = find_model();
  bool tfjs = true;
  if (!data.empty()) {
    ts = io::load_tfjs(data);
  } else {
    tfjs = false;
    data = "synthetic: 22 Gaussian tensors [1,1,512,512] (N(0, 0.05))";
    std::mt19937 g(1);
    std::normal_distribution<float> d(0, 0.05f);
    for (int k = 0; k < 22; ++k) {
      std::vector<float> v(512 * 512);
      for (auto& x : v) x = d(g);
      ts.push_back(Tensor::from_float("w" + std::to_string(k), {1, 1, 512, 512}, v));
    }
  }
  size_t elems = 0;
  for (const auto& t : ts) elems += t.numel();
  const double mb = 4.0 * static_cast<double>(elems) / 1e6;
  std::printf("compress bench on %s (%zu tensors, %zu weights, %.2f MB float32)\n", data.c_str(), ts.size(), elems, mb);

  struct Set {
    const char* name;
    container::CompressOptions o;
  };
  std::vector<Set> sets;
  auto add = [&](const char* name, auto f) {
    container::CompressOptions o;
    o.channels_last = tfjs;
    f(o);
    sets.push_back({name, o});
  };
  add("lossless (--lossless)", [](auto& o) { o.lossless = true; });
  add("80% unstructured + 4-bit per-channel, auto sparse", [](auto& o) {
    o.prune.method = prune::Method::Unstructured;
    o.prune.sparsity = 0.8;
    o.quant.bits = 4;
    o.per_channel = true;
    o.sparse_auto = true;
  });
  add("2:4 + 4-bit, nm format", [](auto& o) {
    o.prune.method = prune::Method::Nm;
    o.quant.bits = 4;
    o.sparse_format = sparse::Format::Nm;
  });
  add("mixed precision, 3-bit budget", [](auto& o) { o.bit_budget = 3; });
  add("mixed precision, 3-bit budget, per-channel, clipped", [](auto& o) {
    o.bit_budget = 3;
    o.per_channel = true;
    o.quant.clip_search = true;
  });
  add("4-bit per-channel + rANS", [](auto& o) {
    o.quant.bits = 4;
    o.per_channel = true;
    o.coder = entropy::CoderId::Rans;
  });
  add("k-means 16 + Huffman", [](auto& o) {
    o.quant.scheme = quant::Scheme::Codebook;
    o.quant.kmeans_k = 16;
    o.coder = entropy::CoderId::Huffman;
  });

  json::Value rep;
  rep["data"] = data;
  rep["weights"] = static_cast<unsigned long long>(elems);
  json::Array rows;
  std::string md = "## compress (golden stack throughput)\n\nData: " + data + ", " + std::to_string(elems) +
                   " weights. One core; times are the best of 3 runs.\n\n| option set | compress MB/s | decompress MB/s | bits/weight | ratio | SQNR dB |\n|---|---|---|---|---|---|\n";
  for (const auto& s : sets) {
    double best_c = 1e30, best_d = 1e30;
    std::vector<uint8_t> bytes;
    for (int r = 0; r < 3; ++r) {
      const double t0 = now();
      auto res = container::compress(ts, s.o);
      bytes = container::serialize(res.container);
      const double t1 = now();
      const auto c = container::parse(bytes);
      size_t sink = 0;
      for (const auto& sec : c.sections) sink += container::decode_tensor(sec).data.size();
      const double t2 = now();
      if (sink == 0) std::printf("(empty)\n");
      best_c = std::min(best_c, t1 - t0);
      best_d = std::min(best_d, t2 - t1);
    }
    const auto f = container::figures(container::parse(bytes), bytes.size());
    const double cm = mb / best_c, dm = mb / best_d;
    std::printf("  %-58s compress %7.1f MB/s  decompress %7.1f MB/s  %.3f bits/w  %.2fx  SQNR %.2f dB\n", s.name, cm, dm, f.bits_per_weight,
                f.compression_ratio, f.sqnr_db);
    json::Value row;
    row["options"] = s.name;
    row["compress_mb_s"] = cm;
    row["decompress_mb_s"] = dm;
    row["bits_per_weight"] = f.bits_per_weight;
    row["compression_ratio"] = f.compression_ratio;
    row["sqnr_db"] = std::isinf(f.sqnr_db) ? json::Value("inf") : json::Value(f.sqnr_db);
    rows.push_back(row);
    char line[256];
    std::snprintf(line, sizeof line, "| %s | %.1f | %.1f | %.3f | %.2fx | %.2f |\n", s.name, cm, dm, f.bits_per_weight, f.compression_ratio, f.sqnr_db);
    md += line;
  }
  rep["sets"] = rows;
  if (const char* r = std::getenv("SQUISH_REPORTS")) {
    fs::create_directories(std::string(r) + "/bench");
    std::ofstream(std::string(r) + "/bench/compress.json") << rep.dump(2) << "\n";
    std::ofstream(std::string(r) + "/bench/compress.md") << md;
  }
  return 0;
}
