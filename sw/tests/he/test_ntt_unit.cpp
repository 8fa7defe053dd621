// The NTT unit's golden model (squish/he/ntt_unit.hpp) against FLINT: every
// expected value below comes from FLINT's arithmetic (n_powmod2, n_mulmod2_preinv,
// n_invmod, multipoint evaluation, nmod_poly_mulmod), never from squish.
#include <gtest/gtest.h>

#include <flint/nmod_poly.h>
#include <flint/ulong_extras.h>

#include <random>

#include "flint_oracle.hpp"
#include "squish/error.hpp"
#include "squish/he/engine.hpp"
#include "squish/he/layer.hpp"
#include "squish/he/ntt_unit.hpp"

namespace he = squish::he;

namespace {

uint64_t brv(uint64_t x, unsigned bits) {
  uint64_t r = 0;
  for (unsigned i = 0; i < bits; ++i) r |= ((x >> i) & 1) << (bits - 1 - i);
  return r;
}

// 2^60 mod q and its inverse, by FLINT.
uint64_t flint_r(uint64_t q) { return n_powmod2(2, 60, q); }
uint64_t flint_rinv(uint64_t q) { return n_invmod(flint_r(q), q); }
uint64_t fmul(uint64_t a, uint64_t b, uint64_t q) { return n_mulmod2_preinv(a, b, q, n_preinvert_limb(q)); }

// psi^(+-bitrev(k)) * 2^60 mod q for k < n, by FLINT.
std::vector<uint64_t> flint_twiddles(uint64_t n, uint64_t q, uint64_t psi, bool inverse) {
  const unsigned L = static_cast<unsigned>(std::countr_zero(n));
  const uint64_t base = inverse ? n_invmod(psi, q) : psi;
  std::vector<uint64_t> v(n);
  for (uint64_t k = 0; k < n; ++k) v[k] = fmul(n_powmod2(base, static_cast<slong>(brv(k, L)), q), flint_r(q), q);
  return v;
}

// Multipoint evaluation of sum_m c[m] x^m at xs, by FLINT.
std::vector<uint64_t> flint_eval(uint64_t q, const std::vector<uint64_t>& c, const std::vector<uint64_t>& xs) {
  nmod_poly_t p;
  nmod_poly_init(p, q);
  for (size_t i = 0; i < c.size(); ++i) nmod_poly_set_coeff_ui(p, static_cast<slong>(i), c[i]);
  std::vector<uint64_t> ys(xs.size());
  nmod_poly_evaluate_nmod_vec_fast(ys.data(), p, xs.data(), static_cast<slong>(xs.size()));
  nmod_poly_clear(p);
  return ys;
}

// Forward NTT: position k holds A(psi^(2 bitrev(k) + 1)).
std::vector<uint64_t> flint_forward(uint64_t q, uint64_t psi, const std::vector<uint64_t>& a) {
  const uint64_t n = a.size();
  const unsigned L = static_cast<unsigned>(std::countr_zero(n));
  std::vector<uint64_t> xs(n);
  for (uint64_t k = 0; k < n; ++k) xs[k] = n_powmod2(psi, static_cast<slong>(2 * brv(k, L) + 1), q);
  return flint_eval(q, a, xs);
}

// Inverse without n^-1: out[j] = sum_k y[k] psi^(-j (2 bitrev(k) + 1))
//                               = psi^-j * Z(psi^-2j), Z(x) = sum_m y[bitrev(m)] x^m.
std::vector<uint64_t> flint_inverse_unscaled(uint64_t q, uint64_t psi, const std::vector<uint64_t>& y) {
  const uint64_t n = y.size();
  const unsigned L = static_cast<unsigned>(std::countr_zero(n));
  const uint64_t pinv = n_invmod(psi, q);
  std::vector<uint64_t> z(n), xs(n);
  for (uint64_t m = 0; m < n; ++m) z[m] = y[brv(m, L)];
  for (uint64_t j = 0; j < n; ++j) xs[j] = n_powmod2(pinv, static_cast<slong>(2 * j), q);
  auto out = flint_eval(q, z, xs);
  for (uint64_t j = 0; j < n; ++j) out[j] = fmul(out[j], n_powmod2(pinv, static_cast<slong>(j), q), q);
  return out;
}

std::vector<uint64_t> random_poly(uint64_t n, uint64_t q, std::mt19937_64& rng) {
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = rng() % q;
  return v;
}

// 0: zeros, 1: q-1, 2: powers of two mod q, 3: alternating 0 / q-1, 4: a monomial.
std::vector<uint64_t> edge_poly(uint64_t n, uint64_t q, int kind) {
  std::vector<uint64_t> v(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (kind == 1) v[i] = q - 1;
    if (kind == 2) v[i] = (uint64_t{1} << (i % 60)) % q;
    if (kind == 3) v[i] = (i % 2) ? q - 1 : 0;
  }
  if (kind == 4) v[n - 1] = 1;
  return v;
}

std::vector<std::vector<uint64_t>> inputs(uint64_t n, uint64_t q, std::mt19937_64& rng) {
  std::vector<std::vector<uint64_t>> v = {random_poly(n, q, rng), random_poly(n, q, rng)};
  for (int k = 0; k < 5; ++k) v.push_back(edge_poly(n, q, k));
  return v;
}

struct Ring {
  uint64_t n, q, psi;
};

// n, 60- / 59- / 36-bit NTT primes, psi checked by FLINT to be a primitive 2n-th root.
std::vector<Ring> rings() {
  std::vector<Ring> r;
  for (const auto& [n, bits] : std::vector<std::pair<uint64_t, unsigned>>{{8, 59}, {64, 60}, {1024, 60}, {4096, 36}, {4096, 60}}) {
    const uint64_t q = he::ntt_primes(bits, n, 1)[0];
    EXPECT_TRUE(n_is_prime(q));
    const he::NttTables t(n, q);
    EXPECT_EQ(n_powmod2(t.psi(), static_cast<slong>(n), q), q - 1) << "psi^n = -1";
    r.push_back({n, q, t.psi()});
  }
  return r;
}

he::NttUnitJob job(const Ring& r, he::NttUnitOp op, std::vector<uint64_t> data, bool emit = true) {
  return {static_cast<unsigned>(std::countr_zero(r.n)), op, r.q, he::Montgomery::make(r.q, 60).qinv_neg, emit, std::move(data),
          false};
}

TEST(HeNttUnitModel, TwiddleHelperMatchesFlint) {
  for (const auto& r : rings()) {
    const he::NttTables t(r.n, r.q);
    EXPECT_EQ(he::ntt_unit_twiddles(t, false), flint_twiddles(r.n, r.q, r.psi, false)) << r.n;
    EXPECT_EQ(he::ntt_unit_twiddles(t, true), flint_twiddles(r.n, r.q, r.psi, true)) << r.n;
  }
}

TEST(HeNttUnitModel, TransformsMatchFlintEvaluation) {
  std::mt19937_64 rng(7);
  for (const auto& r : rings()) {
    he::NttUnitModel fwd, inv;
    fwd.load_twiddles(flint_twiddles(r.n, r.q, r.psi, false));
    inv.load_twiddles(flint_twiddles(r.n, r.q, r.psi, true));
    for (const auto& a : inputs(r.n, r.q, rng)) {
      const auto f = fwd.run(job(r, he::NttUnitOp::Forward, a));
      ASSERT_TRUE(f.accepted);
      ASSERT_EQ(f.out, flint_forward(r.q, r.psi, a)) << "forward n " << r.n << " q " << r.q;
      const auto i = inv.run(job(r, he::NttUnitOp::Inverse, a));
      ASSERT_TRUE(i.accepted);
      ASSERT_EQ(i.out, flint_inverse_unscaled(r.q, r.psi, a)) << "inverse n " << r.n << " q " << r.q;
    }
    EXPECT_FALSE(fwd.err_cfg() || fwd.err_length() || inv.err_cfg() || inv.err_length());
  }
}

TEST(HeNttUnitModel, PointwiseAndMacMatchFlint) {
  std::mt19937_64 rng(8);
  for (const auto& r : rings()) {
    const uint64_t rinv = flint_rinv(r.q);
    const auto in = inputs(r.n, r.q, rng);
    // Every input against every operand in one accumulation (K = 7 terms, the
    // edge inputs included: all q-1 products wrap the sum several times).
    he::NttUnitModel u;
    std::vector<uint64_t> want(r.n, 0);
    for (size_t k = 0; k < in.size(); ++k) {
      const auto& b = in[(k + 3) % in.size()];
      u.load_twiddles(b);
      const auto res = u.run(job(r, k == 0 ? he::NttUnitOp::Pointwise : he::NttUnitOp::Mac, in[k], k % 2 == 0));
      ASSERT_TRUE(res.accepted) << k;
      EXPECT_TRUE(u.has_accumulator());
      for (size_t i = 0; i < r.n; ++i) want[i] = n_addmod(k == 0 ? 0 : want[i], fmul(fmul(in[k][i], b[i], r.q), rinv, r.q), r.q);
      if (k % 2 == 0) ASSERT_EQ(res.out, want) << "n " << r.n << " term " << k;
      else EXPECT_TRUE(res.out.empty()) << "emit = 0 streams nothing";
      ASSERT_EQ(u.resident(), want);
    }
  }
}

TEST(HeNttUnitModel, MacConfigurationErrorsLeaveTheAccumulator) {
  std::mt19937_64 rng(9);
  const Ring r = rings()[2];  // n 1024, 60 bits
  const Ring other = rings()[4];  // n 4096
  const uint64_t rinv = flint_rinv(r.q);
  const auto a = random_poly(r.n, r.q, rng), b = random_poly(r.n, r.q, rng), c = random_poly(r.n, r.q, rng);
  he::NttUnitModel u;
  u.load_twiddles(b);
  // No accumulator after reset.
  EXPECT_FALSE(u.run(job(r, he::NttUnitOp::Mac, a)).accepted);
  EXPECT_TRUE(u.err_cfg());
  // A transform's result is not an accumulator.
  ASSERT_TRUE(u.run(job(r, he::NttUnitOp::Forward, a)).accepted);
  EXPECT_FALSE(u.run(job(r, he::NttUnitOp::Mac, a)).accepted);
  u.load_twiddles(b);
  ASSERT_TRUE(u.run(job(r, he::NttUnitOp::Pointwise, a, false)).accepted);
  // Another n, another q, an even q: rejected, accumulator untouched.
  auto bad_n = job(other, he::NttUnitOp::Mac, random_poly(other.n, other.q, rng));
  EXPECT_FALSE(u.run(bad_n).accepted);
  auto bad_q = job(r, he::NttUnitOp::Mac, c);
  bad_q.q = he::ntt_primes(60, r.n, 2)[1];  // another NTT prime for this n
  bad_q.qinv = he::Montgomery::make(bad_q.q, 60).qinv_neg;
  EXPECT_FALSE(u.run(bad_q).accepted);
  auto even = job(r, he::NttUnitOp::Mac, c);
  even.q = r.q + 1;
  EXPECT_FALSE(u.run(even).accepted);
  auto small = job(r, he::NttUnitOp::Mac, std::vector<uint64_t>(4, 0));
  small.logn = 2;  // n = 4 < 4B
  EXPECT_FALSE(u.run(small).accepted);
  const auto res = u.run(job(r, he::NttUnitOp::Mac, c));
  ASSERT_TRUE(res.accepted);
  for (size_t i = 0; i < r.n; ++i)
    ASSERT_EQ(res.out[i], n_addmod(fmul(fmul(a[i], b[i], r.q), rinv, r.q), fmul(fmul(c[i], b[i], r.q), rinv, r.q), r.q)) << i;
  // An early s_last is a length error, the job still runs.
  auto early = job(r, he::NttUnitOp::Mac, c);
  early.last_early = true;
  EXPECT_TRUE(u.run(early).accepted);
  EXPECT_TRUE(u.err_length());
  // A transform ends the accumulation.
  u.load_twiddles(flint_twiddles(r.n, r.q, r.psi, true));
  ASSERT_TRUE(u.run(job(r, he::NttUnitOp::Inverse, a)).accepted);
  EXPECT_FALSE(u.has_accumulator());
  EXPECT_FALSE(u.run(job(r, he::NttUnitOp::Mac, a)).accepted);
  u.reset();
  EXPECT_FALSE(u.err_cfg() || u.err_length() || u.has_result());
}

TEST(HeNttUnitModel, SumOfProductsMatchesFlint) {
  std::mt19937_64 rng(10);
  for (const auto& r : rings()) {
    const he::NttTables t(r.n, r.q);
    const auto in = inputs(r.n, r.q, rng);
    for (size_t K : {size_t{1}, size_t{3}, in.size()}) {
      std::vector<std::vector<uint64_t>> as, bs;
      std::vector<uint64_t> want(r.n, 0);
      for (size_t k = 0; k < K; ++k) {
        as.push_back(in[k]);
        bs.push_back(in[(k + 2) % in.size()]);
        const auto p = he_test::flint_negacyclic(r.q, as.back(), bs.back());
        for (size_t i = 0; i < r.n; ++i) want[i] = n_addmod(want[i], p[i], r.q);
      }
      he::NttUnitModel u;
      he::UnitRunStats st;
      EXPECT_EQ(he::unit_negacyclic_sum_of_products(u, t, as, bs, &st), want) << "n " << r.n << " K " << K;
      EXPECT_EQ(st.jobs, 3 * K + 1);
      EXPECT_FALSE(u.err_cfg());
    }
  }
}

TEST(HeNttUnitModel, ResidentJobsAndSlots) {
  std::mt19937_64 rng(11);
  const Ring r = rings()[2];  // n 1024
  const unsigned logn = 10;
  const auto a = random_poly(r.n, r.q, rng), b = random_poly(r.n, r.q, rng);
  he::NttUnitModel u;
  u.load_twiddles(flint_twiddles(r.n, r.q, r.psi, false), 0);
  u.load_twiddles(flint_twiddles(r.n, r.q, r.psi, true), 1);
  u.load_twiddles(b, 3);
  auto res = [&](he::NttUnitOp op, unsigned slot, bool emit = true) {
    auto j = job(r, op, {}, emit);
    j.resident = true;
    j.slot = slot;
    return j;
  };
  EXPECT_FALSE(u.run(res(he::NttUnitOp::Forward, 0)).accepted) << "nothing resident after reset";
  auto f = job(r, he::NttUnitOp::Forward, a, false);
  ASSERT_TRUE(u.run(f).accepted);
  EXPECT_FALSE(u.run(res(he::NttUnitOp::Mac, 3)).accepted) << "op 3 cannot take the resident result";
  auto other_q = res(he::NttUnitOp::Inverse, 1);
  other_q.q = he::ntt_primes(60, r.n, 2)[1];
  EXPECT_FALSE(u.run(other_q).accepted);
  auto other_n = res(he::NttUnitOp::Inverse, 1);
  other_n.logn = logn - 1;
  EXPECT_FALSE(u.run(other_n).accepted);
  // NTT(a) -> op 2 with slot 3 -> INTT from slot 1: n * INTT(NTT(a) . b * 2^-60).
  ASSERT_TRUE(u.run(res(he::NttUnitOp::Pointwise, 3, false)).accepted);
  EXPECT_TRUE(u.has_accumulator());
  const auto out = u.run(res(he::NttUnitOp::Inverse, 1));
  ASSERT_TRUE(out.accepted);
  const uint64_t rinv = flint_rinv(r.q);
  auto fa = flint_forward(r.q, r.psi, a);
  for (size_t i = 0; i < r.n; ++i) fa[i] = fmul(fmul(fa[i], b[i], r.q), rinv, r.q);
  EXPECT_EQ(out.out, flint_inverse_unscaled(r.q, r.psi, fa));
  EXPECT_FALSE(u.has_accumulator());
  EXPECT_THROW(u.run(res(he::NttUnitOp::Forward, 4)), squish::UsageError) << "slot 4 of 4";
  auto with_data = res(he::NttUnitOp::Forward, 0);
  with_data.data = a;
  EXPECT_THROW(u.run(with_data), squish::UsageError);
}

TEST(HeNttUnitModel, MulPlainWithResidentOperandsMatchesFlint) {
  std::mt19937_64 rng(12);
  for (const auto& r : rings()) {
    const he::NttTables t(r.n, r.q);
    const auto in = inputs(r.n, r.q, rng);
    for (const auto& p : {in[0], in[3], in[6]}) {
      he::NttUnitModel u;
      he::UnitRunStats st;
      const auto got = he::unit_mul_plain(u, t, in, p, &st);
      ASSERT_EQ(got.size(), in.size());
      for (size_t k = 0; k < in.size(); ++k) ASSERT_EQ(got[k], he_test::flint_negacyclic(r.q, in[k], p)) << "n " << r.n << " k " << k;
      EXPECT_EQ(st.jobs, 1 + 3 * in.size());
      EXPECT_EQ(st.twiddle_loads, 3u);
      EXPECT_FALSE(u.err_cfg());
    }
  }
}

TEST(HeNttUnitModel, EncryptedLayerThroughTheModelIsExact) {
  // The encrypted fc layer with every ct x pt through the unit's job sequence
  // on the model (model_mul_plain): 20 outputs (two plaintexts of 16 and 4
  // rows), a batch of 3 rows; decrypted accumulators equal the integer layer
  // computed here.
  std::mt19937_64 rng(13);
  const size_t out = 20, in = 256, batch = 3;
  std::vector<int8_t> w(out * in), x(batch * in);
  for (auto& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  for (auto& v : x) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  std::vector<int64_t> want(batch * out, 0);
  for (size_t b = 0; b < batch; ++b)
    for (size_t j = 0; j < out; ++j)
      for (size_t i = 0; i < in; ++i) want[b * out + j] += int64_t{x[b * in + i]} * w[j * in + i];
  he::FcLayerOptions o;
  o.seed = 5;
  o.mul_plain = &he::model_mul_plain;
  const auto r = he::run_fc_layer(w, out, in, x, batch, o);
  EXPECT_EQ(r.acc, want);
  EXPECT_EQ(r.products, 2 * batch);
  EXPECT_GT(r.budget_left, 0);
}

TEST(HeNttUnitModel, RejectsWhatTheUnitCannotTake) {
  he::NttUnitModel u;
  EXPECT_THROW(u.load_twiddles(std::vector<uint64_t>(8193, 1)), squish::UsageError);
  EXPECT_THROW(u.load_twiddles(std::vector<uint64_t>(8, 1), 4), squish::UsageError);
  const Ring r = rings()[1];
  auto j = job(r, he::NttUnitOp::Forward, std::vector<uint64_t>(r.n - 1, 0));
  EXPECT_THROW(u.run(j), squish::UsageError) << "an accepted job needs n coefficients";
  j.q = uint64_t{1} << 61 | 1;
  EXPECT_THROW(u.run(j), squish::UsageError) << "q wider than the port";
  EXPECT_THROW(he::NttUnitModel(he::NttUnitParams{3, 13, 60, 2}), squish::UsageError);
  EXPECT_THROW(he::NttUnitModel(he::NttUnitParams{2, 13, 60, 0}), squish::UsageError);
}

}  // namespace
