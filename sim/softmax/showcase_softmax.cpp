// make sim showcase for rtl/softmax: a 1000-class classifier logit vector and a
// 131 072-entry vocabulary row, generated deterministically here, through the
// Verilated softmax_unit under light backpressure; every probability compared
// with the C++ model, and the result scored against float64.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "squish/rtl/softmax.hpp"
#include "squish/sim/report.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/unit.hpp"

namespace sm = squish::softmax;
using namespace squish::rtl;

namespace {

// ImageNet-like logits: a broad Gaussian floor, a handful of plausible classes
// well above it, one clear winner.
std::vector<double> classifier_logits(size_t n, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> floor_d(-1.0, 1.8);
  std::vector<double> z(n);
  for (auto& v : z) v = floor_d(g);
  const double tops[] = {9.3, 7.1, 6.8, 5.2, 4.9};
  for (double t : tops) z[g() % n] = t;
  return z;
}

bool run_case(const std::string& name, const std::vector<double>& z) {
  const unsigned f = sm::frac_bits_for(z);
  std::vector<SoftmaxJob> jobs{{sm::quantize_logits(z, f), f, std::nullopt}};
  SoftmaxRtlOptions o;
  o.dut.name = "softmax_unit";
  o.dut.seed = 2024;
  o.logit_bp = o.resend_bp = o.prob_bp = squish::sim::Backpressure::Light;
  const SoftmaxRun run = run_softmax_rtl(jobs, o);
  const auto want = sm::softmax_q16(jobs[0].logits, f);
  const bool exact = run.probs.size() == 1 && run.probs[0] == want && !run.protocol_error && !run.err_length &&
                     !run.err_overlong;
  const auto ref = sm::reference_fixed(jobs[0].logits, f);
  std::vector<double> p(want.size());
  size_t arg = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] = (run.probs.empty() || i >= run.probs[0].size() ? 0 : run.probs[0][i]) / 65536.0;
    if (p[i] > p[arg]) arg = i;
  }
  const auto e = sm::row_error(p, ref);
  const double mse = e.sq_sum / static_cast<double>(e.n);
  char detail[256];
  std::snprintf(detail, sizeof detail, "%s: bit-exact %s, MSE %.2e, max err %.2f LSB, top p=%.4f, F=%u, %.2f el/cycle",
                name.c_str(), exact ? "yes" : "NO", mse, e.max_abs * 65536, p[arg], f,
                static_cast<double>(z.size()) / static_cast<double>(run.cycles));
  const bool pass = exact && mse <= 1e-10 && e.max_abs <= 1.0 / 65536;
  squish::sim::showcase_line("softmax/" + name, 1, run.cycles, pass, detail);
  return pass;
}

}  // namespace

int main() {
  bool pass = run_case("classifier-1000", classifier_logits(1000, 1));
  pass &= run_case("vocab-131072", classifier_logits(131072, 2));
  return pass ? 0 : 1;
}
