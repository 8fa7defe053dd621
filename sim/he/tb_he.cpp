// Testbench of rtl/he/he_ntt_unit.sv against the golden NTT (squish::he) and
// the unit's golden job model (he::NttUnitModel, itself checked against FLINT
// in sw/tests/he/test_ntt_unit.cpp): forward, inverse (unscaled), pointwise and
// multiply-accumulate jobs on random, edge (0, q-1, powers of two) and real (an
// encrypted layer's ciphertext and weight polynomials) inputs, at every
// backpressure level; B = 1, 4, 8 builds; configuration and framing errors.
#include <gtest/gtest.h>

#include <random>

#include "squish/he/bfv.hpp"
#include "squish/he/layer.hpp"
#include "squish/he/ntt_unit.hpp"
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
    if (kind == 2) bad.op = rtl::HeOp::Mac;  // no accumulator after a forward job
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

// Runs every job on the Verilated unit and on the golden model and checks they
// agree: accepted or not, the same output beats, the same error flags.
class Lockstep : public he::NttUnitDevice {
 public:
  Lockstep(const rtl::HeNttRtlOptions& o) : rtl_(o), model_(he::NttUnitParams{o.lanes, 13, 60, 2}) {}
  void load_twiddles(std::span<const uint64_t> c, unsigned slot = 0) override {
    rtl_.load_twiddles(c, slot);
    model_.load_twiddles(c, slot);
  }
  he::NttUnitResult run(const he::NttUnitJob& j) override {
    const auto want = model_.run(j);
    const auto got = rtl_.run(j);
    ++jobs_;
    EXPECT_EQ(got.accepted, want.accepted) << "job " << jobs_ << " op " << int(j.op);
    EXPECT_EQ(got.out.size(), want.out.size()) << "job " << jobs_;
    if (got.out != want.out) {
      size_t i = 0;
      while (i < got.out.size() && i < want.out.size() && got.out[i] == want.out[i]) ++i;
      ADD_FAILURE() << "job " << jobs_ << " op " << int(j.op) << ": first difference at coefficient " << i;
    }
    EXPECT_EQ(rtl_.err_cfg(), model_.err_cfg()) << "job " << jobs_;
    EXPECT_EQ(rtl_.err_length(), model_.err_length()) << "job " << jobs_;
    const auto pe = rtl_.protocol_error();
    EXPECT_FALSE(pe) << *pe;
    return got;
  }
  rtl::HeNttUnitRtl& rtl() { return rtl_; }
  he::NttUnitModel& model() { return model_; }

 private:
  rtl::HeNttUnitRtl rtl_;
  he::NttUnitModel model_;
  size_t jobs_ = 0;
};

he::NttUnitJob unit_job(const he::NttTables& t, he::NttUnitOp op, std::vector<uint64_t> data, bool emit = true) {
  return {t.log_n(), op, t.q(), he::Montgomery::make(t.q(), 60).qinv_neg, emit, std::move(data), false};
}

TEST_P(HeNttRtl, MacMatchesModel) {
  // Pointwise then multiply-accumulate chains: every random and edge input
  // against every operand, emitting the running sum on every other job.
  std::mt19937_64 rng(seed() + 4);
  for (const auto& [n, bits] : std::vector<std::pair<uint64_t, unsigned>>{{1024, 60}, {4096, 36}}) {
    const uint64_t q = he::ntt_primes(bits, n, 1)[0];
    const he::NttTables t(n, q);
    std::vector<std::vector<uint64_t>> in = {random_poly(n, q, rng), edge_poly(n, q, 0), edge_poly(n, q, 1),
                                             edge_poly(n, q, 2),    edge_poly(n, q, 3), random_poly(n, q, rng)};
    Lockstep u(opts(GetParam()));
    for (size_t k = 0; k < in.size(); ++k) {
      u.load_twiddles(in[(k + 2) % in.size()]);
      const auto r = u.run(unit_job(t, k == 0 ? he::NttUnitOp::Pointwise : he::NttUnitOp::Mac, in[k], k % 2 == 1 || k + 1 == in.size()));
      ASSERT_TRUE(r.accepted) << k;
    }
    // A second accumulation of all-(q-1) terms wraps the sum mod q several times.
    u.load_twiddles(edge_poly(n, q, 1));
    for (int k = 0; k < 4; ++k) ASSERT_TRUE(u.run(unit_job(t, k ? he::NttUnitOp::Mac : he::NttUnitOp::Pointwise, edge_poly(n, q, 1), k == 3)).accepted);
    EXPECT_FALSE(u.rtl().err_cfg() || u.rtl().err_length());
    EXPECT_EQ(u.rtl().jobs_accepted(), in.size() + 4);
    if (HasFailure()) return;
  }
}

TEST_P(HeNttRtl, SumOfEncryptedLayerProductsOnRtl) {
  // Real polynomials: c0 and c1 of a ciphertext of int8 activations times the
  // packed face_expression weights, summed in the unit (op 2, op 3), per RNS prime.
  const auto wt = squish::io::read_npy(squish::io::read_file(std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy"), "w");
  std::vector<int8_t> w(wt.data.begin(), wt.data.end());
  const he::BfvContext ctx(he::BfvParams::default_4096(16760833));
  he::Random r(seed() + 5);
  const auto sk = ctx.keygen_secret(r);
  const auto pk = ctx.keygen_public(sk, r);
  std::vector<int8_t> x(256);
  for (int i = 0; i < 256; ++i) x[static_cast<size_t>(i)] = static_cast<int8_t>(((53 * i + 7) % 255) - 127);
  const auto ct = ctx.encrypt(pk, he::pack_activations(ctx, x), r);
  const auto pt = ctx.lift_plain(he::pack_weights(ctx, w, 256, 0, 7));
  const size_t primes = GetParam() == Backpressure::None ? ctx.base().size() : 1;
  for (size_t i = 0; i < primes; ++i) {
    const auto& t = ctx.base().tables(i);
    const std::vector<std::vector<uint64_t>> as = {ct.c0.residues[i], ct.c1.residues[i]}, bs = {pt.residues[i], pt.residues[i]};
    Lockstep u(opts(GetParam()));
    const auto got = he::unit_negacyclic_sum_of_products(u, t, as, bs);
    auto want = he::negacyclic_multiply(t, as[0], bs[0]);
    const auto p1 = he::negacyclic_multiply(t, as[1], bs[1]);
    for (size_t k = 0; k < want.size(); ++k) want[k] = t.modulus().add(want[k], p1[k]);
    ASSERT_EQ(got, want) << "prime " << i;
  }
}

TEST_P(HeNttRtl, MacConfigurationErrorsThenGoodJobs) {
  // Each rejected MAC is followed by a good job whose result must still be
  // right: the rejected job leaves the accumulator, the resident result and
  // the twiddle store as they were.
  std::mt19937_64 rng(seed() + 6);
  const uint64_t n = 256, q = he::ntt_primes(50, n, 2)[0], q2 = he::ntt_primes(50, n, 2)[1];
  const he::NttTables t(n, q), t512(512, he::ntt_primes(50, 512, 1)[0]);
  const auto a = random_poly(n, q, rng), b = random_poly(n, q, rng), c = random_poly(n, q, rng);
  Lockstep u(opts(GetParam()));
  auto mac = [&](std::vector<uint64_t> d, bool emit = true) { return unit_job(t, he::NttUnitOp::Mac, std::move(d), emit); };
  u.load_twiddles(b);
  EXPECT_FALSE(u.run(mac(a)).accepted) << "no accumulator after reset";
  EXPECT_TRUE(u.rtl().err_cfg());
  EXPECT_TRUE(u.run(unit_job(t, he::NttUnitOp::Pointwise, a, false)).accepted);
  auto bad_n = unit_job(t512, he::NttUnitOp::Mac, random_poly(512, t512.q(), rng));
  EXPECT_FALSE(u.run(bad_n).accepted) << "n differs from the accumulator's";
  EXPECT_TRUE(u.run(mac(c)).accepted);
  auto bad_q = mac(c);
  bad_q.q = q2;
  bad_q.qinv = he::Montgomery::make(q2, 60).qinv_neg;
  EXPECT_FALSE(u.run(bad_q).accepted) << "q differs from the accumulator's";
  EXPECT_TRUE(u.run(mac(a, false)).accepted);
  auto even = mac(c);
  even.q = q + 1;
  EXPECT_FALSE(u.run(even).accepted) << "even q";
  auto tiny = mac(std::vector<uint64_t>(4, 1));
  tiny.logn = 2;
  EXPECT_FALSE(u.run(tiny).accepted) << "n below 4B";
  const auto sum = u.run(mac(b));
  ASSERT_TRUE(sum.accepted);
  // The sum so far, from the golden Montgomery product: a*b + c*b + a*b + b*b.
  const auto mg = he::Montgomery::make(q, 60);
  for (size_t i = 0; i < n; ++i) {
    uint64_t s = 0;
    for (const auto* v : {&a, &c, &a, &b}) s = t.modulus().add(s, mg.mul((*v)[i], b[i]));
    ASSERT_EQ(sum.out[i], s) << i;
  }
  // A transform ends the accumulation; the MAC after it is rejected, the
  // forward job after that is right.
  u.load_twiddles(rtl::he_twiddles_mont(t, false));
  EXPECT_TRUE(u.run(unit_job(t, he::NttUnitOp::Forward, a)).accepted);
  EXPECT_FALSE(u.run(mac(a)).accepted) << "a transform's result is no accumulator";
  const auto f = u.run(unit_job(t, he::NttUnitOp::Forward, c));
  auto want = c;
  t.forward(want);
  EXPECT_EQ(f.out, want);
  EXPECT_EQ(u.rtl().jobs_accepted(), 6u);
  EXPECT_FALSE(u.rtl().err_length());
}

he::NttUnitJob resident_job(const he::NttTables& t, he::NttUnitOp op, unsigned slot, bool emit = true) {
  auto j = unit_job(t, op, {}, emit);
  j.resident = true;
  j.slot = slot;
  return j;
}

TEST_P(HeNttRtl, ResidentJobsSlotsAndErrorsMatchModel) {
  // start_i jobs on the resident result and the four twiddle slots, against the
  // model in lockstep; each rejected start_i job followed by a good one.
  std::mt19937_64 rng(seed() + 8);
  const uint64_t n = 1024, q = he::ntt_primes(60, n, 2)[0], q2 = he::ntt_primes(60, n, 2)[1];
  const he::NttTables t(n, q), t512(512, q);
  const auto a = random_poly(n, q, rng), b = random_poly(n, q, rng);
  Lockstep u(opts(GetParam()));
  u.load_twiddles(b, 3);
  u.load_twiddles(rtl::he_twiddles_mont(t, true), 1);
  u.load_twiddles(rtl::he_twiddles_mont(t, false), 2);
  EXPECT_FALSE(u.run(resident_job(t, he::NttUnitOp::Forward, 2)).accepted) << "nothing resident after reset";
  EXPECT_TRUE(u.rtl().err_cfg());
  auto f = unit_job(t, he::NttUnitOp::Forward, a, false);
  f.slot = 2;
  EXPECT_TRUE(u.run(f).accepted);
  EXPECT_FALSE(u.run(resident_job(t, he::NttUnitOp::Mac, 3)).accepted) << "op 3 on the resident result";
  EXPECT_TRUE(u.run(resident_job(t, he::NttUnitOp::Pointwise, 3, false)).accepted);
  EXPECT_FALSE(u.run(resident_job(t, he::NttUnitOp::Mac, 3)).accepted) << "op 3 on its own accumulator";
  auto other_q = resident_job(t, he::NttUnitOp::Inverse, 1);
  other_q.q = q2;
  other_q.qinv = he::Montgomery::make(q2, 60).qinv_neg;
  EXPECT_FALSE(u.run(other_q).accepted) << "q differs from the resident result's";
  EXPECT_FALSE(u.run(resident_job(t512, he::NttUnitOp::Inverse, 1)).accepted) << "n differs";
  // The accumulator survived: a streamed MAC onto it, then the INTT of the sum.
  auto mac = unit_job(t, he::NttUnitOp::Mac, a, false);
  mac.slot = 3;
  EXPECT_TRUE(u.run(mac).accepted);
  const auto r = u.run(resident_job(t, he::NttUnitOp::Inverse, 1));
  ASSERT_TRUE(r.accepted);
  // Golden: INTT_unscaled(NTT(a) . b + a . b), products in Montgomery form.
  const auto mg = he::Montgomery::make(q, 60);
  auto fa = a;
  t.forward(fa);
  for (size_t i = 0; i < n; ++i) fa[i] = t.modulus().add(mg.mul(fa[i], b[i]), mg.mul(a[i], b[i]));
  t.inverse_unscaled(fa);
  EXPECT_EQ(r.out, fa);
  // Odd logn: a streamed transform leaves its result in buffer 1 (X = 0), an
  // op 2 start_i job on it leaves the accumulator in buffer 0, and the
  // streamed MAC after it must load into buffer 1 and keep the sum; then a
  // start_i transform of the sum.
  const he::NttTables t32(32, he::ntt_primes(40, 32, 1)[0]);
  u.load_twiddles(rtl::he_twiddles_mont(t32, false), 0);
  const auto s = random_poly(32, t32.q(), rng), op = random_poly(32, t32.q(), rng), m = random_poly(32, t32.q(), rng);
  u.load_twiddles(op, 3);
  auto want = s;
  t32.forward(want);
  EXPECT_EQ(u.run(unit_job(t32, he::NttUnitOp::Forward, s)).out, want);
  EXPECT_TRUE(u.run(resident_job(t32, he::NttUnitOp::Pointwise, 3, false)).accepted);
  auto mac32 = unit_job(t32, he::NttUnitOp::Mac, m);
  mac32.slot = 3;
  const auto acc32 = u.run(mac32);
  const auto mg32 = he::Montgomery::make(t32.q(), 60);
  ASSERT_EQ(acc32.out.size(), 32u);
  for (size_t i = 0; i < 32; ++i) ASSERT_EQ(acc32.out[i], t32.modulus().add(mg32.mul(want[i], op[i]), mg32.mul(m[i], op[i]))) << i;
  want = acc32.out;
  t32.forward(want);
  EXPECT_EQ(u.run(resident_job(t32, he::NttUnitOp::Forward, 0)).out, want);
  EXPECT_EQ(u.rtl().jobs_accepted(), 8u);
}

TEST_P(HeNttRtl, MulPlainWithResidentOperandsMatchesGolden) {
  // The layer's ct x pt flow (he::unit_mul_plain): random and edge polynomials
  // times a random and an edge plaintext, n = 1024 / 4096.
  std::mt19937_64 rng(seed() + 9);
  for (const auto& [n, bits] : std::vector<std::pair<uint64_t, unsigned>>{{1024, 60}, {4096, 36}}) {
    const uint64_t q = he::ntt_primes(bits, n, 1)[0];
    const he::NttTables t(n, q);
    const std::vector<std::vector<uint64_t>> cs = {random_poly(n, q, rng), edge_poly(n, q, 1), edge_poly(n, q, 2)};
    for (const auto& p : {random_poly(n, q, rng), edge_poly(n, q, 3)}) {
      Lockstep u(opts(GetParam()));
      he::UnitRunStats st;
      const auto got = he::unit_mul_plain(u, t, cs, p, &st);
      for (size_t k = 0; k < cs.size(); ++k) ASSERT_EQ(got[k], he::negacyclic_multiply(t, cs[k], p)) << "n " << n << " k " << k;
      EXPECT_EQ(st.jobs, 1 + 3 * cs.size());
      if (GetParam() != Backpressure::None) break;  // one plaintext under backpressure keeps the test short
    }
  }
}

TEST_P(HeNttRtl, EncryptedLayerMulPlainOnRtl) {
  // Real polynomials: c0 and c1 of a ciphertext times the packed weights with
  // the operands resident, per RNS prime, against the golden products.
  const auto wt = squish::io::read_npy(squish::io::read_file(std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy"), "w");
  std::vector<int8_t> w(wt.data.begin(), wt.data.end());
  const he::BfvContext ctx(he::BfvParams::default_4096(16760833));
  he::Random r(seed() + 10);
  const auto sk = ctx.keygen_secret(r);
  const auto pk = ctx.keygen_public(sk, r);
  std::vector<int8_t> x(256);
  for (int i = 0; i < 256; ++i) x[static_cast<size_t>(i)] = static_cast<int8_t>(((29 * i + 3) % 255) - 127);
  const auto ct = ctx.encrypt(pk, he::pack_activations(ctx, x), r);
  const auto pt = ctx.lift_plain(he::pack_weights(ctx, w, 256, 0, 7));
  const size_t primes = GetParam() == Backpressure::None ? ctx.base().size() : 1;
  for (size_t i = 0; i < primes; ++i) {
    const auto& t = ctx.base().tables(i);
    const std::vector<std::vector<uint64_t>> cs = {ct.c0.residues[i], ct.c1.residues[i]};
    Lockstep u(opts(GetParam()));
    const auto got = he::unit_mul_plain(u, t, cs, pt.residues[i]);
    ASSERT_EQ(got[0], he::negacyclic_multiply(t, cs[0], pt.residues[i])) << "prime " << i;
    ASSERT_EQ(got[1], he::negacyclic_multiply(t, cs[1], pt.residues[i])) << "prime " << i;
  }
}

TEST(HeNttRtlLayer, FaceExpressionFcWithResidentOperandsIsExact) {
  // The whole encrypted layer with every ct x pt on the RTL (rtl_mul_plain, B = 2):
  // the decrypted accumulators equal the integer layer computed here.
  const auto wt = squish::io::read_npy(squish::io::read_file(std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy"), "w");
  const std::vector<int8_t> w(wt.data.begin(), wt.data.end());
  std::vector<int8_t> x(2 * 256);
  std::mt19937_64 rng(seed() + 11);
  for (auto& v : x) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  std::vector<int64_t> want(2 * 7, 0);
  for (size_t b = 0; b < 2; ++b)
    for (size_t j = 0; j < 7; ++j)
      for (size_t i = 0; i < 256; ++i) want[b * 7 + j] += int64_t{x[b * 256 + i]} * w[j * 256 + i];
  he::FcLayerOptions o;
  o.seed = seed();
  o.mul_plain = &he::rtl_mul_plain;
  const auto r = he::run_fc_layer(w, 7, 256, x, 2, o);
  EXPECT_EQ(r.acc, want);
  EXPECT_GT(r.budget_left, 0);
  EXPECT_GT(r.rtl_cycles, r.rtl_ntt_cycles);
  EXPECT_GT(r.rtl_ntt_cycles, 0u);
}

TEST(HeNttRtlLanes, MulPlainB1B4B8MatchGolden) {
  std::mt19937_64 rng(seed() + 12);
  for (unsigned lanes : {1u, 4u, 8u}) {
    for (uint64_t n : {32ull, 2048ull}) {
      const uint64_t q = he::ntt_primes(59, n, 1)[0];
      const he::NttTables t(n, q);
      const std::vector<std::vector<uint64_t>> cs = {random_poly(n, q, rng), random_poly(n, q, rng)};
      const auto p = random_poly(n, q, rng);
      Lockstep u(opts(Backpressure::Light, lanes));
      const auto got = he::unit_mul_plain(u, t, cs, p);
      for (size_t k = 0; k < cs.size(); ++k) ASSERT_EQ(got[k], he::negacyclic_multiply(t, cs[k], p)) << "B " << lanes << " n " << n;
    }
  }
}

TEST(HeNttRtlLanes, SumOfProductsB1B4B8MatchGolden) {
  std::mt19937_64 rng(seed() + 7);
  for (unsigned lanes : {1u, 4u, 8u}) {
    for (uint64_t n : {32ull, 2048ull}) {
      const uint64_t q = he::ntt_primes(59, n, 1)[0];
      const he::NttTables t(n, q);
      std::vector<std::vector<uint64_t>> as, bs;
      std::vector<uint64_t> want(n, 0);
      for (int k = 0; k < 3; ++k) {
        as.push_back(random_poly(n, q, rng));
        bs.push_back(k == 1 ? edge_poly(n, q, 1) : random_poly(n, q, rng));
        const auto p = he::negacyclic_multiply(t, as.back(), bs.back());
        for (size_t i = 0; i < n; ++i) want[i] = t.modulus().add(want[i], p[i]);
      }
      Lockstep u(opts(Backpressure::Light, lanes));
      ASSERT_EQ(he::unit_negacyclic_sum_of_products(u, t, as, bs), want) << "B " << lanes << " n " << n;
      const auto r = rtl::rtl_negacyclic_sum_of_products(t, as, bs, opts(Backpressure::None, lanes));
      ASSERT_EQ(r.c, want) << "B " << lanes << " n " << n;
      EXPECT_EQ(r.stats.jobs, 3u * 3 + 1);
      EXPECT_GT(r.cycles, 0u);
    }
  }
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
