// make sim showcase for rtl/sparse: a real layer -- MobilenetV1/Conv2d_2_pointwise
// of @vladmandic/face-api's ssd_mobilenetv1 (committed slice, MIT), 128 x 64,
// pruned 80 % (2:4 for N:M) and quantized to INT4 -- encoded by the golden stack
// in every format the RTL decodes, streamed through the Verilated decoder under
// light backpressure, and compared beat for beat with the software model.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sparse_sim.hpp"
#include "squish/sim/report.hpp"

using namespace squish::sim;
using namespace squish::sim::sparse;
namespace sp = squish::sparse;

int main() {
  const char* root_env = std::getenv("SQUISH_ROOT");
  const std::string root = root_env && *root_env ? root_env : SQUISH_ROOT;
  const auto p = dp::WPrec::Int4;
  const std::string tensor = "MobilenetV1/Conv2d_2_pointwise/weights";
  bool pass = true;
  try {
    const RealLayer un = load_real_layer(golden_slice_manifest(root), tensor, p, 0.8);
    const RealLayer nm = load_real_layer(golden_slice_manifest(root), tensor, p, 0.0, 2, 4);
    for (sp::Format f : {sp::Format::Csr, sp::Format::Csc, sp::Format::Bitmap, sp::Format::Rlc, sp::Format::Coo1d,
                         sp::Format::Nm}) {
      const RealLayer& l = f == sp::Format::Nm ? nm : un;
      const auto e = encode_layer(l, f, p);
      const Measured m = measure(e, p, Backpressure::Light, 7);
      pass &= m.match;
      char detail[256];
      std::snprintf(detail, sizeof detail,
                    "%s %ux%u INT4 %s: %zu nonzeros, %llu payload words, %.2f entries/cycle, %llu beats, bit-exact",
                    sp::to_string(f).data(), l.out, l.in, f == sp::Format::Nm ? "2:4" : "80% pruned", l.nnz,
                    static_cast<unsigned long long>(m.words), static_cast<double>(m.entries) / static_cast<double>(m.cycles),
                    static_cast<unsigned long long>(m.beats));
      showcase_line("sparse/" + std::string(sp::to_string(f)), m.beats, m.cycles, m.match, detail);
    }
  } catch (const std::exception& ex) {
    showcase_line("sparse", 0, 0, false, ex.what());
    return 1;
  }
  return pass ? 0 : 1;
}
