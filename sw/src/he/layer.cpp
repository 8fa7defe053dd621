// Encrypted fully connected layer (see squish/he/layer.hpp).
#include "squish/he/layer.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "squish/error.hpp"

namespace squish::he {

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

uint64_t plain_modulus_for(uint64_t bound, uint64_t n) {
  const unsigned min_bits = static_cast<unsigned>(std::bit_width(2 * n)) + 1;
  unsigned bits = std::max(min_bits, static_cast<unsigned>(std::bit_width(2 * bound)));
  for (;; ++bits) {
    const uint64_t t = ntt_primes(bits, n, 1)[0];
    if (t > 2 * bound) return t;
  }
}

Plaintext pack_activations(const BfvContext& ctx, std::span<const int8_t> x) {
  if (x.size() > ctx.n()) throw UsageError("he layer: " + std::to_string(x.size()) + " inputs exceed n = " + std::to_string(ctx.n()));
  Plaintext p;
  p.coeffs.assign(ctx.n(), 0);
  for (size_t i = 0; i < x.size(); ++i) p.coeffs[i] = ctx.encode_signed(x[i]);
  return p;
}

Plaintext pack_weights(const BfvContext& ctx, std::span<const int8_t> w, size_t in, size_t row0, size_t rows) {
  if (rows * in > ctx.n()) throw UsageError("he layer: " + std::to_string(rows) + " rows of " + std::to_string(in) + " exceed n");
  Plaintext p;
  p.coeffs.assign(ctx.n(), 0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t i = 0; i < in; ++i) p.coeffs[r * in + (in - 1 - i)] = ctx.encode_signed(w[(row0 + r) * in + i]);
  return p;
}

FcLayerResult run_fc_layer(std::span<const int8_t> w, size_t out, size_t in, std::span<const int8_t> x, size_t batch,
                           const FcLayerOptions& opt) {
  if (out == 0 || in == 0 || w.size() != out * in) throw UsageError("he layer: weights must be out x in with out, in > 0");
  if (x.size() != batch * in) throw UsageError("he layer: activations must be batch x " + std::to_string(in));
  if (opt.n != 4096) throw UsageError("he layer: n = " + std::to_string(opt.n) + " is not supported (the 128-bit parameter set is n = 4096)");
  if (in > opt.n) throw UsageError("he layer: " + std::to_string(in) + " inputs exceed n = " + std::to_string(opt.n));
  FcLayerResult res;
  int64_t wmax = 1, xmax = 1;
  for (auto v : w) wmax = std::max<int64_t>(wmax, std::abs(static_cast<int64_t>(v)));
  for (auto v : x) xmax = std::max<int64_t>(xmax, std::abs(static_cast<int64_t>(v)));
  const uint64_t bound = static_cast<uint64_t>(in) * static_cast<uint64_t>(wmax * xmax);
  res.t = plain_modulus_for(bound, opt.n);
  const BfvContext ctx(BfvParams::default_4096(res.t));
  res.q_bits = ctx.q_bits();
  auto rng = opt.seed ? std::make_unique<Random>(opt.seed) : std::make_unique<Random>();

  // Plaintext reference accumulators.
  res.expected.assign(batch * out, 0);
  for (size_t b = 0; b < batch; ++b)
    for (size_t j = 0; j < out; ++j) {
      int64_t s = 0;
      for (size_t i = 0; i < in; ++i) s += static_cast<int64_t>(x[b * in + i]) * w[j * in + i];
      res.expected[b * out + j] = s;
    }

  auto t0 = std::chrono::steady_clock::now();
  const SecretKey sk = ctx.keygen_secret(*rng);
  const PublicKey pk = ctx.keygen_public(sk, *rng);
  res.t_keygen = since(t0);

  const size_t R = std::min<size_t>(out, opt.n / in);
  res.rows_per_product = R;
  std::vector<Plaintext> wpts;
  for (size_t j0 = 0; j0 < out; j0 += R) wpts.push_back(pack_weights(ctx, w, in, j0, std::min(R, out - j0)));

  t0 = std::chrono::steady_clock::now();
  std::vector<Ciphertext> cts;
  for (size_t b = 0; b < batch; ++b) cts.push_back(ctx.encrypt(pk, pack_activations(ctx, x.subspan(b * in, in)), *rng));
  res.t_encrypt = since(t0);
  res.budget_fresh = 1 << 30;
  for (const auto& c : cts) res.budget_fresh = std::min(res.budget_fresh, ctx.noise_budget(sk, c));

  t0 = std::chrono::steady_clock::now();
  std::vector<std::vector<Ciphertext>> outs(batch);
  if (opt.mul_plain) {
    // Plaintext-major: one call per (plaintext, prime) with every row's c0 and
    // c1, so an engine sets the plaintext's transform up once for the batch.
    for (const auto& pt : wpts) {
      const RnsPoly lp = ctx.lift_plain(pt);
      std::vector<Ciphertext> r(batch);
      for (auto& c : r) {
        c.c0.residues.resize(ctx.base().size());
        c.c1.residues.resize(ctx.base().size());
      }
      for (size_t i = 0; i < ctx.base().size(); ++i) {
        std::vector<std::vector<uint64_t>> cs;
        for (size_t b = 0; b < batch; ++b) {
          cs.push_back(cts[b].c0.residues[i]);
          cs.push_back(cts[b].c1.residues[i]);
        }
        auto pr = opt.mul_plain(ctx.params().q[i], cs, lp.residues[i]);
        if (pr.c.size() != 2 * batch) throw Error("he layer: mul_plain engine returned " + std::to_string(pr.c.size()) + " products");
        for (size_t b = 0; b < batch; ++b) {
          r[b].c0.residues[i] = std::move(pr.c[2 * b]);
          r[b].c1.residues[i] = std::move(pr.c[2 * b + 1]);
        }
        res.rtl_cycles += pr.cycles;
        res.rtl_ntt_cycles += pr.ntt_cycles;
      }
      for (size_t b = 0; b < batch; ++b) {
        outs[b].push_back(std::move(r[b]));
        ++res.products;
      }
    }
  }
  for (size_t b = 0; b < batch && !opt.mul_plain; ++b) {
    for (const auto& pt : wpts) {
      ++res.products;
      if (!opt.engine) {
        MulPlainStats st;
        outs[b].push_back(ctx.multiply_plain(cts[b], pt, opt.method, &st));
        res.direct_products += st.direct;
        res.modmuls += st.modmuls;
      } else {
        const RnsPoly lp = ctx.lift_plain(pt);
        Ciphertext r;
        for (const RnsPoly* src : {&cts[b].c0, &cts[b].c1}) {
          RnsPoly& dst = src == &cts[b].c0 ? r.c0 : r.c1;
          dst.residues.resize(ctx.base().size());
          for (size_t i = 0; i < ctx.base().size(); ++i) {
            auto pr = opt.engine(ctx.params().q[i], src->residues[i], lp.residues[i]);
            dst.residues[i] = std::move(pr.c);
            res.rtl_cycles += pr.cycles;
            res.rtl_ntt_cycles += pr.ntt_cycles;
          }
        }
        outs[b].push_back(std::move(r));
      }
    }
  }
  res.t_eval = since(t0);

  t0 = std::chrono::steady_clock::now();
  res.acc.assign(batch * out, 0);
  res.budget_left = 1 << 30;
  for (size_t b = 0; b < batch; ++b) {
    for (size_t g = 0; g < wpts.size(); ++g) {
      const Plaintext m = ctx.decrypt(sk, outs[b][g]);
      for (size_t r = 0; r < R && g * R + r < out; ++r)
        res.acc[b * out + g * R + r] = ctx.decode_signed(m.coeffs[r * in + in - 1]);
    }
  }
  res.t_decrypt = since(t0);
  for (size_t b = 0; b < batch; ++b)
    for (const auto& c : outs[b]) res.budget_left = std::min(res.budget_left, ctx.noise_budget(sk, c));
  res.exact = res.acc == res.expected;
  return res;
}

}  // namespace squish::he
