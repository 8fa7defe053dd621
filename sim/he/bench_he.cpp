// bench_he: the HE figures of docs/he.md.
//   1. NTT unit cycles (forward and inverse compute phase) for n = 4096, 8192 at
//      B = 1, 2, 4, 8 against the ideal (n/2) log2 n / B.
//   2. Time per negacyclic product on this CPU (one core): squish's golden NTT
//      and FLINT's nmod_poly_mulmod, beside the RTL's cycles at a given Fmax
//      (SQUISH_HE_FMAX_MHZ, default: the make synth figure written in docs/he.md).
//   3. The encrypted face_expression fc layer (golden/he slice): exact match,
//      noise budget, time golden, RTL cycles: per product (rtl_polymul: every
//      product reloads twiddles and transforms the plaintext again) and with the
//      operands resident in the unit (rtl_mul_plain at B = 2, 4, 8: twiddle
//      slots, NTT(pt) once per prime, start_i jobs on the resident NTT(c)), in
//      cycles and in ms at 100.9 MHz (he_modmul's Fmax) and 44.8 MHz (the whole
//      unit's, docs/he.md).
//   4. Compression meets encryption: the same layer pruned (magnitude, per
//      tensor) to several sparsities and requantized to 8/4/2 bits: nonzeros,
//      the ct x pt method the cost model picks, measured time of the NTT and the
//      direct path, noise budget left, exact match.
// Writes $SQUISH_REPORTS/bench/he.{json,md} (default build/reports).
#include <flint/nmod_poly.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <fstream>
#include <random>
#include <sstream>

#include "squish/he/bfv.hpp"
#include "squish/he/layer.hpp"
#include "squish/io/npy.hpp"
#include "squish/json.hpp"
#include "squish/rtl/he.hpp"

namespace he = squish::he;
namespace rtl = squish::rtl;
namespace json = squish::json;

namespace {

// The machine is shared: the fastest of several calls is the figure (the
// others measure other people's jobs).
template <class F>
double time_per_call(F&& f, double min_seconds = 0.3) {
  int reps = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double el = 0, best = 1e30;
  do {
    const auto t1 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
    ++reps;
    el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (el < min_seconds || reps < 5);
  return best;
}

// Cycle breakdown of the resident-operand products (rtl_mul_plain), summed
// over the calls the layer makes.
struct Breakdown {
  uint64_t cycles = 0, tw = 0, ntt = 0, pointwise = 0, jobs = 0, host_modmuls = 0;
};
Breakdown g_bd;

template <unsigned B>
he::MulPlainResult mul_plain_b(uint64_t q, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p) {
  const he::NttTables t(p.size(), q);
  rtl::HeNttRtlOptions o;
  o.lanes = B;
  auto r = rtl::rtl_mul_plain(t, cs, p, o);
  g_bd.cycles += r.cycles;
  g_bd.tw += r.tw_cycles;
  g_bd.ntt += r.ntt_cycles;
  g_bd.pointwise += r.pointwise_cycles;
  g_bd.jobs += r.stats.jobs;
  g_bd.host_modmuls += r.stats.host_modmuls;
  return {std::move(r.c), r.cycles, r.ntt_cycles};
}

// Fastest evaluation time of three runs of the layer.
he::FcLayerResult best_of_3(std::span<const int8_t> w, std::span<const int8_t> x, const he::FcLayerOptions& o) {
  auto r = he::run_fc_layer(w, 7, 256, x, 1, o);
  for (int i = 0; i < 2; ++i) {
    const auto s = he::run_fc_layer(w, 7, 256, x, 1, o);
    r.t_eval = std::min(r.t_eval, s.t_eval);
    r.t_encrypt = std::min(r.t_encrypt, s.t_encrypt);
    r.t_decrypt = std::min(r.t_decrypt, s.t_decrypt);
  }
  return r;
}

}  // namespace

int main() {
  const char* rep_env = std::getenv("SQUISH_REPORTS");
  const std::string reports = rep_env ? rep_env : "build/reports";
  std::filesystem::create_directories(reports + "/bench");
  const char* fmax_env = std::getenv("SQUISH_HE_FMAX_MHZ");
  const double fmax_mhz = fmax_env ? std::atof(fmax_env) : 0;
  json::Value out;
  std::ostringstream md;
  std::mt19937_64 rng(1);

  // 1. Cycles.
  md << "## NTT unit cycles (compute phase, forward / inverse)\n\n| n | B | forward | inverse | ideal (n/2)log2n/B | forward / ideal |\n|---|---|---|---|---|---|\n";
  json::Array cyc;
  for (uint64_t n : {4096ull, 8192ull}) {
    const uint64_t q = he::ntt_primes(60, n, 1)[0];
    const he::NttTables t(n, q);
    const auto mg = he::Montgomery::make(q, 60);
    std::vector<uint64_t> a(n);
    for (auto& x : a) x = rng() % q;
    for (unsigned b : {1u, 2u, 4u, 8u}) {
      rtl::HeNttRtlOptions o;
      o.lanes = b;
      std::vector<rtl::HeNttJob> jobs = {
          {t.log_n(), rtl::HeOp::Forward, q, mg.qinv_neg, rtl::he_twiddles_mont(t, false), a, false},
          {t.log_n(), rtl::HeOp::Inverse, q, mg.qinv_neg, rtl::he_twiddles_mont(t, true), a, false}};
      const auto r = rtl::run_he_ntt_rtl(jobs, o);
      auto want = a;
      t.forward(want);
      const bool ok = r.outputs[0] == want;
      const double ideal = static_cast<double>(n / 2 * t.log_n()) / b;
      md << "| " << n << " | " << b << " | " << r.compute_cycles[0] << " | " << r.compute_cycles[1] << " | " << ideal << " | "
         << std::fixed << std::setprecision(3) << r.compute_cycles[0] / ideal << (ok ? "" : " (MISMATCH)") << " |\n";
      cyc.push_back(json::Object{{"n", n}, {"B", b}, {"forward_cycles", r.compute_cycles[0]}, {"inverse_cycles", r.compute_cycles[1]},
                                 {"ideal", ideal}, {"ratio", r.compute_cycles[0] / ideal}, {"bit_exact", ok},
                                 {"io_beats_per_transform", n / b}});
      std::printf("n %llu B %u: forward %llu inverse %llu cycles, ideal %.0f (x%.3f)%s\n", static_cast<unsigned long long>(n), b,
                  static_cast<unsigned long long>(r.compute_cycles[0]), static_cast<unsigned long long>(r.compute_cycles[1]), ideal,
                  r.compute_cycles[0] / ideal, ok ? "" : " MISMATCH");
    }
  }
  out["ntt_cycles"] = cyc;

  // 2. CPU time per transform and per product.
  md << "\n## Time per transform / product (this CPU, one core)\n\n| n | golden NTT (us) | golden product (us) | FLINT nmod_poly_mul + fold (us) |\n|---|---|---|---|\n";
  json::Array cpu;
  for (uint64_t n : {4096ull, 8192ull}) {
    const uint64_t q = he::ntt_primes(60, n, 1)[0];
    const he::NttTables t(n, q);
    std::vector<uint64_t> a(n), b(n);
    for (auto& x : a) x = rng() % q;
    for (auto& x : b) x = rng() % q;
    auto x = a;
    const double t_ntt = time_per_call([&] { t.forward(x); });
    const double t_prod = time_per_call([&] { (void)he::negacyclic_multiply(t, a, b); });
    nmod_poly_t pa, pb, pc, f;
    nmod_poly_init(pa, q);
    nmod_poly_init(pb, q);
    nmod_poly_init(pc, q);
    nmod_poly_init(f, q);
    for (size_t i = 0; i < n; ++i) {
      nmod_poly_set_coeff_ui(pa, static_cast<slong>(i), a[i]);
      nmod_poly_set_coeff_ui(pb, static_cast<slong>(i), b[i]);
    }
    nmod_poly_set_coeff_ui(f, 0, 1);
    nmod_poly_set_coeff_ui(f, static_cast<slong>(n), 1);
    // FLINT has no negacyclic NTT product: its fastest route is the full product
    // (nmod_poly_mul) and the fold c[i] -= c[i+n] (x^n = -1), timed together.
    std::vector<uint64_t> folded(n);
    const double t_flint = time_per_call([&] {
      nmod_poly_mul(pc, pa, pb);
      for (size_t i = 0; i < n; ++i) {
        const uint64_t lo = nmod_poly_get_coeff_ui(pc, static_cast<slong>(i));
        const uint64_t hi = nmod_poly_get_coeff_ui(pc, static_cast<slong>(i + n));
        folded[i] = lo >= hi ? lo - hi : lo + q - hi;
      }
    });
    nmod_poly_mulmod(pc, pa, pb, f);
    bool same = true;
    for (size_t i = 0; i < n; ++i) same = same && folded[i] == nmod_poly_get_coeff_ui(pc, static_cast<slong>(i));
    same = same && folded == he::negacyclic_multiply(t, a, b);
    if (!same) std::printf("FLINT and golden products DIFFER at n %llu\n", static_cast<unsigned long long>(n));
    nmod_poly_clear(pa);
    nmod_poly_clear(pb);
    nmod_poly_clear(pc);
    nmod_poly_clear(f);
    md << "| " << n << " | " << std::setprecision(1) << t_ntt * 1e6 << " | " << t_prod * 1e6 << " | " << t_flint * 1e6 << " |\n";
    cpu.push_back(json::Object{{"n", n}, {"golden_ntt_us", t_ntt * 1e6}, {"golden_product_us", t_prod * 1e6},
                               {"flint_product_us", t_flint * 1e6}});
    std::printf("n %llu: golden NTT %.1f us, golden product %.1f us, FLINT product %.1f us\n", static_cast<unsigned long long>(n),
                t_ntt * 1e6, t_prod * 1e6, t_flint * 1e6);
  }
  out["cpu"] = cpu;
  out["fmax_mhz_assumed"] = fmax_mhz;

  // 3 + 4. The encrypted layer, dense and compressed.
  const auto wt = squish::io::read_npy(squish::io::read_file(std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy"), "w");
  const std::vector<int8_t> w0(wt.data.begin(), wt.data.end());
  std::vector<int8_t> x(256);
  for (auto& v : x) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  {
    he::FcLayerOptions o;
    const auto g = best_of_3(w0, x, o);
    o.engine = &he::rtl_polymul;
    const auto r = he::run_fc_layer(w0, 7, 256, x, 1, o);
    out["layer"] = json::Object{{"exact_golden", g.exact}, {"exact_rtl", r.exact}, {"budget_fresh", g.budget_fresh},
                                {"budget_left", g.budget_left}, {"q_bits", g.q_bits}, {"t", g.t},
                                {"golden_eval_ms", g.t_eval * 1e3}, {"golden_encrypt_ms", g.t_encrypt * 1e3},
                                {"golden_decrypt_ms", g.t_decrypt * 1e3}, {"rtl_cycles", r.rtl_cycles},
                                {"rtl_ntt_cycles", r.rtl_ntt_cycles}};
    md << "\n## Encrypted face_expression fc layer (7 x 256, batch 1, n 4096, log2 q " << g.q_bits << ", t " << g.t << ")\n\n"
       << "exact (golden / RTL): " << (g.exact ? "yes" : "NO") << " / " << (r.exact ? "yes" : "NO") << "; noise budget "
       << g.budget_fresh << " bits fresh, " << g.budget_left << " left; golden: encrypt " << std::setprecision(2)
       << g.t_encrypt * 1e3 << " ms, evaluate " << g.t_eval * 1e3 << " ms, decrypt " << g.t_decrypt * 1e3
       << " ms; RTL (B = 2): " << r.rtl_cycles << " cycles for the 6 per-prime products (" << r.rtl_ntt_cycles
       << " in transforms)\n";
    std::printf("layer: exact %d/%d, budget %d -> %d, golden eval %.2f ms, RTL %llu cycles\n", g.exact, r.exact, g.budget_fresh,
                g.budget_left, g.t_eval * 1e3, static_cast<unsigned long long>(r.rtl_cycles));
    // Resident operands (rtl_mul_plain) at B = 2, 4, 8; batch 1 (the layer as
    // above) and batch 8 (the per-prime setup shared by 8 rows).
    // he_modmul's Fmax and the whole unit's (scripts/synth.sh he_ntt_unit, docs/he.md).
    constexpr double kModmulMhz = 100.9, kUnitMhz = 44.8;
    md << "\nResident operands (`rtl_mul_plain`: per prime 3 twiddle-store loads and NTT(pt) once, per component NTT -> op 2 -> "
          "INTT with one polynomial in and one out; 3 primes x 2 components per row):\n\n"
       << "| batch | B | cycles | twiddle/operand loads | transforms (compute) | pointwise | streams, pipeline, handshakes | ms at "
       << kModmulMhz << " MHz | ms at " << kUnitMhz << " MHz | golden eval (ms) | exact |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    json::Array res;
    using Fn = he::MulPlainResult (*)(uint64_t, std::span<const std::vector<uint64_t>>, std::span<const uint64_t>);
    std::vector<int8_t> x8(8 * 256);
    for (auto& v : x8) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
    for (size_t batch : {size_t{1}, size_t{8}}) {
      const std::span<const int8_t> xb = batch == 1 ? std::span<const int8_t>(x) : std::span<const int8_t>(x8);
      double golden_ms = g.t_eval * 1e3;
      if (batch != 1) {
        he::FcLayerOptions go;
        golden_ms = 1e30;
        for (int k = 0; k < 3; ++k) golden_ms = std::min(golden_ms, he::run_fc_layer(w0, 7, 256, xb, batch, go).t_eval * 1e3);
      }
      for (const auto& [b, fn] : std::vector<std::pair<unsigned, Fn>>{{2, &mul_plain_b<2>}, {4, &mul_plain_b<4>}, {8, &mul_plain_b<8>}}) {
        g_bd = {};
        he::FcLayerOptions ro;
        ro.mul_plain = fn;
        const auto rr = he::run_fc_layer(w0, 7, 256, xb, batch, ro);
        const uint64_t other = g_bd.cycles - g_bd.tw - g_bd.ntt - g_bd.pointwise;
        const double ms_hi = static_cast<double>(g_bd.cycles) / kModmulMhz / 1e3,
                     ms_lo = static_cast<double>(g_bd.cycles) / kUnitMhz / 1e3;
        md << "| " << batch << " | " << b << " | " << g_bd.cycles << " | " << g_bd.tw << " | " << g_bd.ntt << " | " << g_bd.pointwise
           << " | " << other << " | " << std::setprecision(2) << ms_hi << " | " << ms_lo << " | " << golden_ms << " | "
           << (rr.exact ? "yes" : "NO") << " |\n";
        res.push_back(json::Object{{"batch", batch}, {"B", b}, {"cycles", g_bd.cycles}, {"tw_cycles", g_bd.tw},
                                   {"ntt_cycles", g_bd.ntt}, {"pointwise_cycles", g_bd.pointwise}, {"other_cycles", other},
                                   {"jobs", g_bd.jobs}, {"host_modmuls", g_bd.host_modmuls}, {"ms_at_100_9_mhz", ms_hi},
                                   {"ms_at_unit_fmax", ms_lo}, {"unit_fmax_mhz", kUnitMhz}, {"golden_eval_ms", golden_ms}, {"exact", rr.exact}});
        std::printf("layer, resident operands, batch %zu, B %u: %llu cycles (tw %llu, transforms %llu, pointwise %llu, other %llu, "
                    "%llu jobs) = %.3f ms at %.1f MHz, %.3f ms at %.1f MHz; golden eval %.3f ms; exact %d\n",
                    batch, b, static_cast<unsigned long long>(g_bd.cycles), static_cast<unsigned long long>(g_bd.tw),
                    static_cast<unsigned long long>(g_bd.ntt), static_cast<unsigned long long>(g_bd.pointwise),
                    static_cast<unsigned long long>(other), static_cast<unsigned long long>(g_bd.jobs), ms_hi, kModmulMhz, ms_lo,
                    kUnitMhz, golden_ms, rr.exact);
      }
    }
    out["layer_resident"] = res;
  }
  md << "\n## Compression meets encryption (ct x pt of the fc layer, golden, one core)\n\n"
     << "| bits | sparsity | nonzeros | picked | NTT path (ms) | direct path (ms) | budget left | exact |\n|---|---|---|---|---|---|---|---|\n";
  json::Array curve;
  for (unsigned bits : {8u, 4u, 2u}) {
    for (double sp : {0.0, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995}) {
      // Magnitude pruning of the int8 codes, then requantization to `bits` by
      // an arithmetic right shift with rounding (codes stay integers).
      std::vector<int8_t> w = w0;
      std::vector<int> mags;
      for (auto v : w) mags.push_back(std::abs(int{v}));
      std::vector<int> sorted = mags;
      std::sort(sorted.begin(), sorted.end());
      const size_t k = static_cast<size_t>(sp * static_cast<double>(w.size()));
      const int thr = k ? sorted[k - 1] : -1;
      size_t zeroed = 0;
      for (size_t i = 0; i < w.size(); ++i)
        if (mags[i] <= thr && zeroed < k) {
          w[i] = 0;
          ++zeroed;
        }
      const int shift = 8 - static_cast<int>(bits);
      const int lim = (1 << (bits - 1)) - 1;
      for (auto& v : w) v = static_cast<int8_t>(std::clamp(static_cast<int>(std::lround(v / std::ldexp(1.0, shift))), -lim, lim));
      size_t nnz = 0;
      for (auto v : w) nnz += v != 0;
      he::FcLayerOptions o;
      o.seed = 11;
      o.method = he::MulPlainMethod::Ntt;
      const auto rn = best_of_3(w, x, o);
      o.method = he::MulPlainMethod::Direct;
      const auto rd = best_of_3(w, x, o);
      o.method = he::MulPlainMethod::Auto;
      const auto ra = he::run_fc_layer(w, 7, 256, x, 1, o);
      const char* picked = ra.direct_products ? "direct" : "ntt";
      md << "| " << bits << " | " << std::setprecision(3) << sp << " | " << nnz << " | " << picked << " | " << std::setprecision(2)
         << rn.t_eval * 1e3 << " | " << rd.t_eval * 1e3 << " | " << rn.budget_left << " | "
         << ((rn.exact && rd.exact && ra.exact) ? "yes" : "NO") << " |\n";
      curve.push_back(json::Object{{"bits", bits}, {"sparsity", sp}, {"nonzeros", nnz}, {"picked", picked},
                                   {"ntt_ms", rn.t_eval * 1e3}, {"direct_ms", rd.t_eval * 1e3}, {"budget_left", rn.budget_left},
                                   {"t", rn.t}, {"exact", rn.exact && rd.exact && ra.exact}});
      std::printf("bits %u sparsity %.3f nnz %zu: ntt %.2f ms direct %.2f ms picked %s budget %d t %llu exact %d\n", bits, sp, nnz,
                  rn.t_eval * 1e3, rd.t_eval * 1e3, picked, rn.budget_left, static_cast<unsigned long long>(rn.t),
                  rn.exact && rd.exact && ra.exact);
    }
  }
  out["compression_curve"] = curve;
  std::ofstream(reports + "/bench/he.json") << out.dump(2) << "\n";
  std::ofstream(reports + "/bench/he.md") << "# he\n\n" << md.str();
  std::printf("wrote %s/bench/he.{json,md}\n", reports.c_str());
  return 0;
}
