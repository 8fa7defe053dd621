// make sim showcase for rtl/entropy: the committed real weight slices
// (golden/entropy/, as shipped and 80 % pruned + 4-bit) encoded by each coder
// and decoded by its Verilated decoder under light backpressure, bit-exact
// against the tensor and the C++ decoder.
#include <cstdio>
#include <string>

#include "entropy_data.hpp"
#include "squish/entropy/codec.hpp"
#include "squish/rtl/entropy.hpp"
#include "squish/sim/report.hpp"

using namespace squish;
using entropy::CoderId;

int main() {
  bool pass = true;
  for (CoderId id : {CoderId::Huffman, CoderId::Tunstall, CoderId::Rans}) {
    uint64_t weights = 0, cycles = 0, bytes = 0;
    bool ok = true;
    for (const auto& s : sim::entropy_data::real_slices()) {
      for (unsigned bits : {8u, 4u}) {
        const auto sym = bits == 8 ? s.codes : sim::entropy_data::prune80_int4(s.codes, s.scale, s.min);
        entropy::CoderParams p;
        p.alphabet_bits = bits;
        const auto payload = entropy::encode_symbols(id, sym, p);
        rtl::EntropyRtlOptions o;
        o.dut.name = std::string(entropy::to_string(id)) + "_decoder";
        o.in_bp = o.out_bp = sim::Backpressure::Light;
        const auto r = rtl::decode_rtl(id, payload, sym.size(), p, o);
        ok = ok && sym.size() > 1000 && r.symbols == sym && !r.protocol_error && r.last_ok &&
             entropy::decode_symbols(id, payload, sym.size(), p) == sym;
        weights += sym.size();
        cycles += r.cycles;
        bytes += payload.size();
      }
    }
    char detail[200];
    std::snprintf(detail, sizeof detail, "2 real tensors x {uint8, pruned int4}: %.3f bits/weight, %.2f weights/cycle (light backpressure, tables included)",
                  8.0 * static_cast<double>(bytes) / static_cast<double>(weights),
                  static_cast<double>(weights) / static_cast<double>(cycles));
    sim::showcase_line("entropy/" + std::string(entropy::to_string(id)) + "_decoder", weights, cycles, ok, detail);
    pass = pass && ok;
  }
  return pass ? 0 : 1;
}
