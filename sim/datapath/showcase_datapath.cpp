// make sim showcase for rtl/mac: real pretrained weights (face-api's SSD
// MobileNetV1, pointwise convolutions Conv2d_1 and Conv2d_2, committed under
// golden/models/) pruned, quantized and sparse-encoded by the golden stack, run
// on the Verilated datapath under light backpressure, and compared bit for bit
// with the golden model and with a plain dense int64 product.
// The input activations are synthetic (deterministic, ReLU6-like range 0..6):
// the slice holds weights, not feature maps.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "squish/datapath/layer.hpp"
#include "squish/io/tfjs.hpp"
#include "squish/rtl/datapath.hpp"
#include "squish/sim/report.hpp"

using namespace squish;
using namespace squish::datapath;

namespace {

struct Matrix {
  size_t rows, cols;
  std::vector<float> w;  // rows x cols
};

// A [1, 1, in, out] pointwise kernel as an out x in matrix.
Matrix pointwise(const std::vector<Tensor>& ts, const std::string& name) {
  for (const auto& t : ts)
    if (t.name == name) {
      if (t.shape.size() != 4 || t.shape[0] != 1 || t.shape[1] != 1)
        throw std::runtime_error(name + " is not a 1x1 kernel");
      const size_t in = t.shape[2], out = t.shape[3];
      const auto f = t.to_float();
      Matrix m{out, in, std::vector<float>(out * in)};
      for (size_t i = 0; i < in; ++i)
        for (size_t o = 0; o < out; ++o) m.w[o * in + i] = f[i * out + o];
      return m;
    }
  throw std::runtime_error("no tensor " + name + " in the slice");
}

std::vector<float> relu6_inputs(size_t n, uint32_t seed) {
  std::vector<float> x(n);
  uint32_t s = seed;
  for (auto& v : x) {
    s = s * 1664525u + 1013904223u;
    const float u = static_cast<float>(s >> 8) / 16777216.0f;  // [0, 1)
    v = u < 0.3f ? 0.0f : 6.0f * (u - 0.3f) / 0.7f;          // 30 % exact zeros, as after ReLU6
  }
  return x;
}

}  // namespace

int main() {
  const char* env = std::getenv("SQUISH_ROOT");
  const std::string root = env && *env ? env : SQUISH_SOURCE_ROOT;
  const std::string manifest = root + "/golden/models/ssd_mobilenetv1_slice/slice-weights_manifest.json";
  bool all_pass = true;
  try {
    const auto ts = io::load_tfjs(manifest);
    struct Run {
      const char* tensor;
      const char* label;
      prune::Method method;
      double sparsity;
      int bits;
      sparse::Format format;
      uint32_t vectors;
    };
    const Run runs[] = {
        {"MobilenetV1/Conv2d_2_pointwise/weights", "2:4 int8 nm batch4", prune::Method::Nm, 0, 8, sparse::Format::Nm, 4},
        {"MobilenetV1/Conv2d_2_pointwise/weights", "80% int4 bitmap", prune::Method::Unstructured, 0.8, 4,
         sparse::Format::Bitmap, 1},
        {"MobilenetV1/Conv2d_2_pointwise/weights", "90% int2 rlc batch2", prune::Method::Unstructured, 0.9, 2,
         sparse::Format::Rlc, 2},
        {"MobilenetV1/Conv2d_1_pointwise/weights", "dense int8 csr", prune::Method::None, 0, 8, sparse::Format::Csr, 1},
    };
    rtl::DatapathOptions o;
    o.backpressure = 1;
    o.seed = 2024;
    rtl::DatapathRtl dut(o);
    for (const auto& r : runs) {
      const Matrix m = pointwise(ts, r.tensor);
      LayerSpec spec;
      spec.prune.method = r.method;
      spec.prune.sparsity = r.sparsity;
      spec.bits = r.bits;
      spec.format = r.format;
      const auto x = relu6_inputs(r.vectors * m.cols, 7);
      const auto L = prepare_layer(m.w, m.rows, m.cols, x, r.vectors, spec);
      const auto cfg = L.config(r.vectors);
      const auto gold = run(L.beats, cfg, L.x_codes, L.channels);
      const auto got = dut.run(L.beats, cfg, L.x_codes, L.channels);
      const auto ref = dense_reference(L.w_codes, L.rows, L.cols, L.x_codes, r.vectors, L.x_zp);
      bool dense_ok = got.outputs.size() == ref.size();
      for (const auto& out : got.outputs) dense_ok = dense_ok && int64_t{out.acc} == ref[out.batch * L.rows + out.row];
      const bool pass = got.outputs == gold.outputs && dense_ok && !got.error && got.protocol_error.empty();
      all_pass = all_pass && pass;
      char detail[256];
      std::snprintf(detail, sizeof detail,
                    "%s %zux%zu %s density %.2f: %llu MACs done, %llu skipped, %.1f eff. MACs/cycle, bit-exact %s",
                    std::string(r.tensor).substr(12, 18).c_str(), L.rows, L.cols, r.label,
                    double(L.nonzeros) / double(L.rows * L.cols),
                    static_cast<unsigned long long>(got.counters.macs_performed),
                    static_cast<unsigned long long>(got.counters.macs_skipped), got.counters.effective_macs_per_cycle(),
                    pass ? "yes" : "NO");
      sim::showcase_line("datapath", got.outputs.size(), got.counters.cycles(), pass, detail);
    }
  } catch (const std::exception& e) {
    sim::showcase_line("datapath", 0, 0, false, std::string("error: ") + e.what());
    return 1;
  }
  return all_pass ? 0 : 1;
}
