// make sim showcase for rtl/he: forward NTT of n = 4096 on the RTL against the
// golden model, then the face_expression fc layer on encrypted activations with
// its ct x pt products computed on the NTT unit; both must be bit-exact.
#include <cstdio>
#include <random>

#include "squish/he/engine.hpp"
#include "squish/he/layer.hpp"
#include "squish/io/npy.hpp"
#include "squish/rtl/he.hpp"
#include "squish/sim/report.hpp"

namespace he = squish::he;
namespace rtl = squish::rtl;

int main() {
  std::mt19937_64 rng(1);
  const uint64_t n = 4096, q = he::ntt_primes(60, n, 1)[0];
  const he::NttTables t(n, q);
  const auto mg = he::Montgomery::make(q, 60);
  std::vector<uint64_t> a(n);
  for (auto& x : a) x = rng() % q;
  const auto r = rtl::run_he_ntt_rtl(std::vector<rtl::HeNttJob>{
      {t.log_n(), rtl::HeOp::Forward, q, mg.qinv_neg, rtl::he_twiddles_mont(t, false), a, false}});
  auto want = a;
  t.forward(want);
  const bool ntt_ok = r.outputs.size() == 1 && r.outputs[0] == want;
  squish::sim::showcase_line("he_ntt", 1, r.compute_cycles.empty() ? 0 : r.compute_cycles[0], ntt_ok,
                             "n 4096, 60-bit q, B 2: forward NTT vs golden (ideal 12288 cycles)");

  const auto wt = squish::io::read_npy(squish::io::read_file(std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy"), "w");
  const std::vector<int8_t> w(wt.data.begin(), wt.data.end());
  std::vector<int8_t> x(256);
  for (auto& v : x) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  he::FcLayerOptions o;
  o.engine = &he::rtl_polymul;
  const auto l = he::run_fc_layer(w, 7, 256, x, 1, o);
  char detail[160];
  std::snprintf(detail, sizeof detail, "BFV n 4096, log2 q %u: face_expression fc 7x256 encrypted, exact %s, noise budget %d bits left",
                l.q_bits, l.exact ? "yes" : "NO", l.budget_left);
  squish::sim::showcase_line("he_layer", 1, l.rtl_cycles, l.exact, detail);
  return ntt_ok && l.exact ? 0 : 1;
}
