// Testbench of rtl/he/he_ntt_unit.sv against the golden NTT (squish::he):
// forward, inverse (unscaled) and pointwise jobs on random, edge (0, q-1, powers
// of two) and real (an encrypted layer's ciphertext and weight polynomials)
// inputs, at every backpressure level; B = 1, 4, 8 builds; configuration and
// framing errors.
#include <gtest/gtest.h>

#include <random>

#include "squish/he/bfv.hpp"
#include "squish/he/layer.hpp"
#include "squish/io/npy.hpp"
#include "squish/rtl/he.hpp"
#include "squish/sim/gtest.hpp"

namespace he = squish::he;
namespace rtl = squish::rtl;
using squish::sim::Backpressure;

namespace {

uint64_t seed() {
  const char* s = std::getenv("SQUISH_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 1;
}

std::vector<uint64_t> random_poly(uint64_t n, uint64_t q, std::mt19937_64& rng) {
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = rng() % q;
  return v;
}

std::vector<uint64_t> edge_poly(uint64_t n, uint64_t q, int kind) {
  std::vector<uint64_t> v(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (kind == 1) v[i] = q - 1;
    if (kind == 2) v[i] = (1ull << (i % 60)) % q;
    if (kind == 3) v[i] = (i % 2) ? q - 1 : 0;
  }
  return v;
}

rtl::HeNttRtlOptions opts(Backpressure bp, unsigned lanes = 2) {
  rtl::HeNttRtlOptions o;
  o.lanes = lanes;
  o.dut.seed = seed();
  o.in_bp = o.tw_bp = o.out_bp = bp;
  return o;
}

class HeNttRtl : public squish::sim::BackpressureTest {};

TEST_P(HeNttRtl, ForwardInversePointwiseMatchGolden) {
  std::mt19937_64 rng(seed());
  for (const auto& [n, bits] : std::vector<std::pair<uint64_t, unsigned>>{{1024, 60}, {4096, 36}}) {
    const uint64_t q = he::ntt_primes(bits, n, 1)[0];
    const he::NttTables t(n, q);
    const auto mg = he::Montgomery::make(q, 60);
    std::vector<std::vector<uint64_t>> inputs = {random_poly(n, q, rng), edge_poly(n, q, 0), edge_poly(n, q, 1),
                                                 edge_poly(n, q, 2), edge_poly(n, q, 3)};
    std::vector<rtl::HeNttJob> fwd, inv;
    for (size_t k = 0; k < inputs.size(); ++k) {
      fwd.push_back({t.log_n(), rtl::HeOp::Forward, q, mg.qinv_neg, k == 0 ? rtl::he_twiddles_mont(t, false) : std::vector<uint64_t>{},
                     inputs[k], false});
      inv.push_back({t.log_n(), rtl::HeOp::Inverse, q, mg.qinv_neg, k == 0 ? rtl::he_twiddles_mont(t, true) : std::vector<uint64_t>{},
                     inputs[k], false});
    }
    const auto rf = rtl::run_he_ntt_rtl(fwd, opts(GetParam()));
    const auto ri = rtl::run_he_ntt_rtl(inv, opts(GetParam()));
    ASSERT_FALSE(rf.protocol_error) << *rf.protocol_error;
    ASSERT_FALSE(ri.protocol_error) << *ri.protocol_error;
    EXPECT_FALSE(rf.err_cfg || rf.err_length || ri.err_cfg || ri.err_length);
    for (size_t k = 0; k < inputs.size(); ++k) {
      auto want = inputs[k];
      t.forward(want);
      ASSERT_EQ(rf.outputs[k], want) << "forward, n " << n << ", input " << k;
      want = inputs[k];
      t.inverse_unscaled(want);
      ASSERT_EQ(ri.outputs[k], want) << "inverse, n " << n << ", input " << k;
    }
    // Pointwise: a[i] * b[i] * 2^-60 mod q.
    const auto a = random_poly(n, q, rng), b = random_poly(n, q, rng);
    const auto rp = rtl::run_he_ntt_rtl(std::vector<rtl::HeNttJob>{{t.log_n(), rtl::HeOp::Pointwise, q, mg.qinv_neg, b, a, false}},
                                        opts(GetParam()));
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(rp.outputs[0][i], mg.mul(a[i], b[i])) << i;
  }
}

TEST_P(HeNttRtl, EncryptedLayerProductsOnRtl) {
  // Real polynomials: a ciphertext of face-api's int8 activations and the packed
  // face_expression fc weights, per RNS prime, multiplied on the RTL.
  const auto wt = squish::io::read_npy(squish::io::read_file(std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy"), "w");
  std::vector<int8_t> w(wt.data.begin(), wt.data.end());
  const he::BfvContext ctx(he::BfvParams::default_4096(16760833));
  he::Random r(seed());
  const auto sk = ctx.keygen_secret(r);
  const auto pk = ctx.keygen_public(sk, r);
  std::vector<int8_t> x(256);
  for (int i = 0; i < 256; ++i) x[static_cast<size_t>(i)] = static_cast<int8_t>(((37 * i + 11) % 255) - 127);
  const auto ct = ctx.encrypt(pk, he::pack_activations(ctx, x), r);
  const auto pt = ctx.lift_plain(he::pack_weights(ctx, w, 256, 0, 7));
  // Only the first prime's c0 under backpressure (the rest in the None run) keeps the test short.
  const size_t primes = GetParam() == Backpressure::None ? ctx.base().size() : 1;
  for (size_t i = 0; i < primes; ++i) {
    const auto& t = ctx.base().tables(i);
    const auto got = rtl::rtl_negacyclic_multiply(t, ct.c0.residues[i], pt.residues[i], opts(GetParam()));
    ASSERT_EQ(got.c, he::negacyclic_multiply(t, ct.c0.residues[i], pt.residues[i])) << "prime " << i;
  }
}

SQUISH_BACKPRESSURE_SUITE(HeNttRtl);

TEST(HeNttRtlLanes, B1B4B8MatchGolden) {
  std::mt19937_64 rng(seed() + 1);
  for (unsigned lanes : {1u, 4u, 8u}) {
    for (uint64_t n : {32ull, 256ull, 2048ull}) {
      if (n < 4 * lanes) continue;
      const uint64_t q = he::ntt_primes(59, n, 1)[0];
      const he::NttTables t(n, q);
      const auto a = random_poly(n, q, rng), b = random_poly(n, q, rng);
      const auto got = rtl::rtl_negacyclic_multiply(t, a, b, opts(Backpressure::Light, lanes));
      ASSERT_EQ(got.c, he::negacyclic_multiply(t, a, b)) << "B " << lanes << " n " << n;
    }
  }
}

TEST(HeNttRtlErrors, BadConfigurationAndFramingNeverHang) {
  const uint64_t n = 256, q = he::ntt_primes(40, n, 1)[0];
  const he::NttTables t(n, q);
  const auto mg = he::Montgomery::make(q, 60);
  std::mt19937_64 rng(seed() + 2);
  const auto a = random_poly(n, q, rng);
  auto good = rtl::HeNttJob{t.log_n(), rtl::HeOp::Forward, q, mg.qinv_neg, rtl::he_twiddles_mont(t, false), a, false};
  auto want = a;
  t.forward(want);
  for (int kind = 0; kind < 4; ++kind) {
    auto bad = good;
    bad.tw.clear();
    if (kind == 0) bad.logn = 2;         // n = 4 < 4B
    if (kind == 1) bad.q = q + 1;        // even modulus
    if (kind == 2) bad.op = rtl::HeOp::Reserved;
    if (kind == 3) bad.q = 1;
    const auto r = rtl::run_he_ntt_rtl(std::vector<rtl::HeNttJob>{good, bad, good}, opts(Backpressure::Light));
    EXPECT_TRUE(r.err_cfg) << kind;
    EXPECT_TRUE(r.outputs[1].empty());
    EXPECT_EQ(r.outputs[0], want);
    EXPECT_EQ(r.outputs[2], want) << "the unit recovers after a dropped job";
  }
  auto early = good;
  early.last_early = true;
  const auto r = rtl::run_he_ntt_rtl(std::vector<rtl::HeNttJob>{early}, opts(Backpressure::None));
  EXPECT_TRUE(r.err_length);
  EXPECT_FALSE(r.err_cfg);
  EXPECT_EQ(r.outputs[0], want);  // the job completes on the beat count
}

TEST(HeNttRtlEngine, RegisteredPolymulMatchesGolden) {
  const uint64_t n = 1024, q = he::ntt_primes(50, n, 1)[0];
  std::mt19937_64 rng(seed() + 3);
  const auto a = random_poly(n, q, rng), b = random_poly(n, q, rng);
  const auto got = he::rtl_polymul(q, a, b);
  EXPECT_EQ(got.c, he::golden_polymul(q, a, b).c);
  EXPECT_GT(got.ntt_cycles, 0u);
  EXPECT_GT(got.cycles, got.ntt_cycles);
}

}  // namespace
