// The golden modular arithmetic and negacyclic NTT against FLINT (nmod_poly,
// fmpz): products mod (x^n + 1, q) on random and edge inputs, primality and
// modular inverses, CRT reconstruction.
#include <gtest/gtest.h>

#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/nmod_poly.h>
#include <flint/ulong_extras.h>

#include <random>

#include "flint_oracle.hpp"
#include "squish/error.hpp"
#include "squish/he/modarith.hpp"
#include "squish/he/ntt.hpp"

namespace he = squish::he;

namespace {

using he_test::flint_negacyclic;

uint64_t seed() {
  const char* s = std::getenv("SQUISH_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 12345;
}

enum class Fill { Random, Zero, QMinus1, PowersOfTwo, Sparse, Monomial };

std::vector<uint64_t> make(Fill f, uint64_t n, uint64_t q, std::mt19937_64& rng) {
  std::vector<uint64_t> v(n, 0);
  switch (f) {
    case Fill::Random:
      for (auto& x : v) x = rng() % q;
      break;
    case Fill::Zero:
      break;
    case Fill::QMinus1:
      for (auto& x : v) x = q - 1;
      break;
    case Fill::PowersOfTwo:
      for (size_t i = 0; i < n; ++i) v[i] = (1ull << (i % 64)) % q;
      break;
    case Fill::Sparse:
      for (int k = 0; k < 5; ++k) v[rng() % n] = rng() % q;
      break;
    case Fill::Monomial:
      v[n - 1] = 1;  // x^(n-1): every product wraps
      break;
  }
  return v;
}

TEST(HeModArith, BarrettMatchesFlintMulmod) {
  std::mt19937_64 rng(seed());
  for (unsigned bits : {2u, 17u, 30u, 36u, 50u, 59u, 60u, 61u}) {
    for (int trial = 0; trial < 4; ++trial) {
      uint64_t q = (bits == 2 ? 3 : ((1ull << (bits - 1)) | rng())) & ((1ull << bits) - 1);
      if (q < 2) q = 3;
      const he::Modulus m(q);
      const ulong qinv = n_preinvert_limb(q);
      for (int i = 0; i < 2000; ++i) {
        uint64_t a = rng() % q, b = rng() % q;
        if (i == 0) a = b = q - 1;
        if (i == 1) a = 0;
        ASSERT_EQ(m.mul(a, b), n_mulmod2_preinv(a, b, q, qinv)) << "q=" << q << " a=" << a << " b=" << b;
        ASSERT_EQ(m.mul_shoup(a, b, m.shoup(b)), n_mulmod2_preinv(a, b, q, qinv));
      }
    }
  }
}

TEST(HeModArith, MontgomeryMatchesFlint) {
  std::mt19937_64 rng(seed() + 1);
  for (unsigned w : {60u, 64u}) {
    for (uint64_t q : std::vector<uint64_t>{3ull, 0xffffee001ull, 0x1ffffe0001ull, (1ull << 59) + 1, he::ntt_primes(60, 8192, 1)[0]}) {
      if (q >> w) continue;
      const auto mg = he::Montgomery::make(q, w);
      const ulong qinv = n_preinvert_limb(q);
      // R^-1 mod q from FLINT.
      const ulong r = static_cast<ulong>((static_cast<he::u128>(1) << w) % q);
      const ulong rinv = n_invmod(r, q);
      for (int i = 0; i < 2000; ++i) {
        uint64_t a = rng() % q, b = rng() % q;
        if (i == 0) a = b = q - 1;
        const ulong want = n_mulmod2_preinv(n_mulmod2_preinv(a, b, q, qinv), rinv, q, qinv);
        ASSERT_EQ(mg.mul(a, b), want) << "w=" << w << " q=" << q;
      }
      EXPECT_EQ(mg.from_mont(mg.to_mont(12345 % q)), 12345 % q);
    }
  }
  EXPECT_THROW(he::Montgomery::make(1ull << 40, 60), squish::UsageError);
  EXPECT_THROW(he::Montgomery::make((1ull << 61) + 1, 60), squish::UsageError);
}

TEST(HeModArith, PrimesAndInverseMatchFlint) {
  std::mt19937_64 rng(seed() + 2);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t x = (i < 1000) ? static_cast<uint64_t>(i) : rng() >> (rng() % 40);
    ASSERT_EQ(he::is_prime(x), n_is_prime(x) != 0) << x;
  }
  // Strong pseudoprimes to several bases.
  for (uint64_t c : {3215031751ull, 3825123056546413051ull, 4759123141ull, 1122004669633ull})
    EXPECT_EQ(he::is_prime(c), n_is_prime(c) != 0) << c;
  for (uint64_t n : {1024ull, 4096ull, 16384ull}) {
    for (unsigned bits : {30u, 36u, 54u, 60u}) {
      const auto ps = he::ntt_primes(bits, n, 3);
      ASSERT_EQ(ps.size(), 3u);
      for (uint64_t p : ps) {
        EXPECT_TRUE(n_is_prime(p)) << p;
        EXPECT_EQ(p % (2 * n), 1u);
        EXPECT_EQ(64 - __builtin_clzll(p), static_cast<int>(bits));
        const he::Modulus m(p);
        const uint64_t a = 1 + rng() % (p - 1);
        EXPECT_EQ(m.inv(a), n_invmod(a, p));
        const uint64_t psi = he::min_primitive_root_2n(p, n);
        EXPECT_EQ(n_powmod2(psi, n, p), p - 1);
      }
      // Largest first, and no prime between the first one and 2^bits.
      EXPECT_GT(ps[0], ps[1]);
      for (uint64_t c = ps[0] + 2 * n; c < (1ull << bits); c += 2 * n) EXPECT_FALSE(n_is_prime(c)) << c;
    }
  }
  EXPECT_THROW(he::ntt_primes(60, 1000, 1), squish::UsageError);
  EXPECT_THROW(he::NttTables(4096, 97), squish::UsageError);
}

class HeNttFlint : public ::testing::TestWithParam<std::tuple<uint64_t, unsigned>> {};

TEST_P(HeNttFlint, ProductEqualsFlintMulmod) {
  const auto [n, bits] = GetParam();
  std::mt19937_64 rng(seed() ^ (n * 131 + bits));
  const uint64_t q = he::ntt_primes(bits, n, 1)[0];
  const he::NttTables t(n, q);
  const std::vector<std::pair<Fill, Fill>> cases = {
      {Fill::Random, Fill::Random},     {Fill::QMinus1, Fill::QMinus1}, {Fill::Zero, Fill::Random},
      {Fill::PowersOfTwo, Fill::Random}, {Fill::Sparse, Fill::QMinus1}, {Fill::Monomial, Fill::Monomial},
      {Fill::Monomial, Fill::Random}};
  for (const auto& [fa, fb] : cases) {
    const auto a = make(fa, n, q, rng), b = make(fb, n, q, rng);
    const auto want = flint_negacyclic(q, a, b);
    ASSERT_EQ(he::negacyclic_multiply(t, a, b), want) << "n=" << n << " q=" << q << " case " << int(fa) << "," << int(fb);
    if (n <= 4096 && (fa == Fill::Sparse || fa == Fill::Monomial))
      ASSERT_EQ(he::negacyclic_multiply_sparse(t.modulus(), b, a), want);
  }
  // forward then inverse is the identity; forward of x^0 = all ones.
  auto a = make(Fill::Random, n, q, rng);
  auto x = a;
  t.forward(x);
  t.inverse(x);
  EXPECT_EQ(x, a);
  std::vector<uint64_t> one(n, 0);
  one[0] = 1;
  t.forward(one);
  for (auto v : one) ASSERT_EQ(v, 1u);
}

INSTANTIATE_TEST_SUITE_P(Sizes, HeNttFlint,
                         ::testing::Values(std::tuple{1024ull, 30u}, std::tuple{1024ull, 60u}, std::tuple{2048ull, 54u},
                                           std::tuple{4096ull, 36u}, std::tuple{4096ull, 60u}, std::tuple{8192ull, 60u},
                                           std::tuple{16384ull, 50u}, std::tuple{16384ull, 61u}));

TEST(HeRns, ComposeMatchesFlintCrt) {
  std::mt19937_64 rng(seed() + 3);
  const std::vector<uint64_t> primes = {0xffffee001ull, 0xffffc4001ull, 0x1ffffe0001ull};
  const he::RnsBase base(4096, primes);
  EXPECT_EQ(base.product_bits(), 109u);
  fmpz_t x, r, m, Q;
  fmpz_init(x);
  fmpz_init(r);
  fmpz_init(m);
  fmpz_init(Q);
  fmpz_one(Q);
  for (auto p : primes) fmpz_mul_ui(Q, Q, p);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint64_t> res(3);
    for (size_t k = 0; k < 3; ++k) res[k] = rng() % primes[k];
    if (i == 0) res = {0, 0, 0};
    if (i == 1)
      for (size_t k = 0; k < 3; ++k) res[k] = primes[k] - 1;  // Q - 1
    // FLINT CRT, accumulated prime by prime.
    fmpz_set_ui(x, res[0]);
    fmpz_set_ui(m, primes[0]);
    for (size_t k = 1; k < 3; ++k) {
      fmpz_CRT_ui(r, x, m, res[k], primes[k], 0);
      fmpz_swap(x, r);
      fmpz_mul_ui(m, m, primes[k]);
    }
    const he::u128 got = base.compose(res);
    fmpz_set_ui(r, static_cast<uint64_t>(got >> 64));
    fmpz_mul_2exp(r, r, 64);
    fmpz_add_ui(r, r, static_cast<uint64_t>(got));
    ASSERT_TRUE(fmpz_equal(r, x)) << "case " << i;
    std::vector<uint64_t> back(3);
    base.decompose(static_cast<he::i128>(got), back);
    ASSERT_EQ(back, res);
  }
  fmpz_clear(x);
  fmpz_clear(r);
  fmpz_clear(m);
  fmpz_clear(Q);
  EXPECT_THROW(he::RnsBase(4096, std::vector<uint64_t>{primes[0], primes[0]}), squish::UsageError);
}

}  // namespace
