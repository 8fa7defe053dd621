// make sim showcase for the golden compression stack: the committed slice of
// real ssd_mobilenetv1 weights (@vladmandic/face-api, MIT; golden/models/) is
// compressed several ways; every file is written, parsed back and decoded, and
// must reproduce the dequantized tensors bit for bit (lossless mode: the
// model's own values).
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "../../sim/harness/include/squish/sim/report.hpp"
#include "squish/container/compress.hpp"
#include "squish/container/report.hpp"
#include "squish/error.hpp"
#include "squish/io/tfjs.hpp"

using namespace squish;

int main() {
  const char* env = std::getenv("SQUISH_ROOT");
  const std::string root = env ? env : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().string();
  const std::string slice = root + "/golden/models/ssd_mobilenetv1_slice/slice-weights_manifest.json";
  std::vector<Tensor> ts;
  try {
    ts = io::load_tfjs(slice);
  } catch (const Error& e) {
    sim::showcase_line("golden_stack/load", 0, 0, false, e.what());
    return 1;
  }
  size_t weights = 0;
  for (const auto& t : ts) weights += t.numel();

  struct Case {
    std::string name;
    container::CompressOptions o;
    bool lossless = false;
  };
  std::vector<Case> cases;
  auto add = [&](std::string name, auto f, bool lossless = false) {
    container::CompressOptions o;
    o.channels_last = true;
    f(o);
    cases.push_back({std::move(name), o, lossless});
  };
  add("lossless-8bit", [](auto& o) { o.lossless = true; }, true);
  add("prune80-int4-pc-auto", [](auto& o) {
    o.prune.method = prune::Method::Unstructured;
    o.prune.sparsity = 0.8;
    o.quant.bits = 4;
    o.per_channel = true;
    o.sparse_auto = true;
  });
  add("2:4-int4-nm", [](auto& o) {
    o.prune.method = prune::Method::Nm;
    o.quant.bits = 4;
    o.sparse_format = sparse::Format::Nm;
  });
  add("mixed-3bit-budget", [](auto& o) { o.bit_budget = 3; });
  add("kmeans16-huffman", [](auto& o) {
    o.quant.scheme = quant::Scheme::Codebook;
    o.quant.kmeans_k = 16;
    o.coder = entropy::CoderId::Huffman;
  });
  add("int4-pc-rans", [](auto& o) {
    o.quant.bits = 4;
    o.per_channel = true;
    o.coder = entropy::CoderId::Rans;
  });
  add("apot4-channels30-csr", [](auto& o) {
    o.quant.scheme = quant::Scheme::Apot;
    o.quant.bits = 4;
    o.prune.method = prune::Method::Channels;
    o.prune.sparsity = 0.3;
    o.sparse_format = sparse::Format::Csr;
  });

  bool all = true;
  for (const auto& c : cases) {
    bool ok = true;
    std::string detail;
    try {
      const auto res = container::compress(ts, c.o);
      const auto bytes = container::serialize(res.container);
      const auto back = container::parse(bytes);
      for (size_t i = 0; i < ts.size(); ++i) {
        const Tensor t = container::decode_tensor(back.sections[i]);
        if (back.sections[i].quant.scheme == quant::Scheme::Raw || c.lossless) {
          ok &= t.data == ts[i].data;
        } else {
          ok &= t.data.size() == 4 * res.expected[i].size() && std::memcmp(t.data.data(), res.expected[i].data(), t.data.size()) == 0;
        }
      }
      const auto f = container::figures(back, bytes.size());
      char buf[200];
      std::snprintf(buf, sizeof buf, "%zu B, %.3f bits/weight, %.2fx vs float32, SQNR %s dB, density %.3f, bit-exact round trip%s", bytes.size(),
                    f.bits_per_weight, f.compression_ratio, std::isinf(f.sqnr_db) ? "inf" : std::to_string(f.sqnr_db).substr(0, 5).c_str(),
                    f.density, c.lossless ? " = original tfjs values" : "");
      detail = buf;
    } catch (const std::exception& e) {
      ok = false;
      detail = e.what();
    }
    all &= ok;
    sim::showcase_line("golden_stack/" + c.name, weights, 0, ok, detail);
  }
  return all ? 0 : 1;
}
