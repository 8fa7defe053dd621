// BFV: decryption round trips, homomorphic add and ct x pt against plaintext
// arithmetic mod t (FLINT's nmod_poly for the products), noise budgets against
// Microsoft SEAL's figures (golden/he/seal_noise.json), the encrypted fc layer
// of face-api's face_expression model against the plaintext integer layer.
#include <gtest/gtest.h>

#include <flint/nmod_poly.h>

#include <cstdlib>
#include <map>
#include <random>

#include "flint_oracle.hpp"
#include "squish/error.hpp"
#include "squish/he/bfv.hpp"
#include "squish/he/layer.hpp"
#include "squish/io/json_read.hpp"
#include "squish/io/npy.hpp"

namespace he = squish::he;

namespace {

constexpr uint64_t kT = 16760833;  // the layer's plaintext prime (as the SEAL script)

uint64_t seed() {
  const char* s = std::getenv("SQUISH_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 7;
}

he::Plaintext random_plain(const he::BfvContext& ctx, std::mt19937_64& rng) {
  he::Plaintext p;
  p.coeffs.resize(ctx.n());
  for (auto& c : p.coeffs) c = rng() % ctx.t();
  return p;
}

// Plaintext negacyclic product mod (x^n + 1, t), by FLINT.
std::vector<uint64_t> flint_mul_t(uint64_t t, const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  return he_test::flint_negacyclic(t, a, b);
}

TEST(HeBfv, ParametersFollowTheHeStandard) {
  const he::BfvContext ctx(he::BfvParams::default_4096(kT));
  EXPECT_EQ(ctx.q_bits(), 109u);
  EXPECT_EQ(he::he_standard_max_logq_128(4096), 109u);
  auto p = he::BfvParams::default_4096(kT);
  p.q.push_back(he::ntt_primes(20, 4096, 1)[0]);  // 129 bits: insecure (and beyond 126-bit CRT)
  EXPECT_THROW(he::BfvContext{p}, squish::UsageError);
  auto p2 = he::BfvParams::default_4096(kT);
  p2.q = {he::ntt_primes(60, 4096, 1)[0], he::ntt_primes(50, 4096, 1)[0]};  // 110 bits > 109
  EXPECT_THROW(he::BfvContext{p2}, squish::UsageError);
  EXPECT_THROW(he::BfvContext{he::BfvParams::default_4096(0xffffee001ull)}, squish::UsageError);
}

TEST(HeBfv, RandomSourcesDiffer) {
  he::Random a, b;  // getrandom
  EXPECT_FALSE(a.seeded());
  EXPECT_NE(a.next(), b.next());
  he::Random s1(5), s2(5);
  EXPECT_TRUE(s1.seeded());
  EXPECT_EQ(s1.next(), s2.next());
  for (int i = 0; i < 1000; ++i) ASSERT_LT(a.uniform(3), 3u);
}

TEST(HeBfv, EncryptDecryptAddMultiplyPlain) {
  std::mt19937_64 rng(seed());
  const he::BfvContext ctx(he::BfvParams::default_4096(kT));
  he::Random r(seed());
  const auto sk = ctx.keygen_secret(r);
  const auto pk = ctx.keygen_public(sk, r);
  const auto m1 = random_plain(ctx, rng), m2 = random_plain(ctx, rng);
  const auto c1 = ctx.encrypt(pk, m1, r), c2 = ctx.encrypt_symmetric(sk, m2, r);
  EXPECT_EQ(ctx.decrypt(sk, c1).coeffs, m1.coeffs);
  EXPECT_EQ(ctx.decrypt(sk, c2).coeffs, m2.coeffs);
  // Edge plaintexts: zero, all t-1.
  he::Plaintext z{std::vector<uint64_t>(ctx.n(), 0)}, top{std::vector<uint64_t>(ctx.n(), kT - 1)};
  EXPECT_EQ(ctx.decrypt(sk, ctx.encrypt(pk, z, r)).coeffs, z.coeffs);
  EXPECT_EQ(ctx.decrypt(sk, ctx.encrypt(pk, top, r)).coeffs, top.coeffs);
  // ct + ct
  const auto s = ctx.decrypt(sk, ctx.add(c1, c2));
  for (size_t k = 0; k < ctx.n(); ++k) ASSERT_EQ(s.coeffs[k], (m1.coeffs[k] + m2.coeffs[k]) % kT);
  // ct x pt with a small (int8, 300 nonzeros) plaintext, NTT and direct paths.
  he::Plaintext w{std::vector<uint64_t>(ctx.n(), 0)};
  for (int i = 0; i < 300; ++i) w.coeffs[rng() % ctx.n()] = ctx.encode_signed(static_cast<int64_t>(rng() % 255) - 127);
  const auto want = flint_mul_t(kT, m1.coeffs, w.coeffs);
  he::MulPlainStats st_ntt, st_dir;
  const auto p_ntt = ctx.multiply_plain(c1, w, he::MulPlainMethod::Ntt, &st_ntt);
  const auto p_dir = ctx.multiply_plain(c1, w, he::MulPlainMethod::Direct, &st_dir);
  EXPECT_EQ(ctx.decrypt(sk, p_ntt).coeffs, want);
  EXPECT_EQ(ctx.decrypt(sk, p_dir).coeffs, want);
  EXPECT_EQ(p_ntt.c0.residues, p_dir.c0.residues);  // same ciphertext either way
  EXPECT_FALSE(st_ntt.direct);
  EXPECT_TRUE(st_dir.direct);
  EXPECT_GT(ctx.noise_budget(sk, p_ntt), 0);
  EXPECT_LT(ctx.noise_budget(sk, p_ntt), ctx.noise_budget(sk, c1));
  // The cost model switches to direct products for very sparse plaintexts only.
  EXPECT_TRUE(ctx.direct_is_cheaper(1));
  EXPECT_FALSE(ctx.direct_is_cheaper(300));
  // Wrong key: garbage.
  he::Random r2(seed() + 99);
  const auto sk2 = ctx.keygen_secret(r2);
  EXPECT_NE(ctx.decrypt(sk2, c1).coeffs, m1.coeffs);
  EXPECT_EQ(ctx.noise_budget(sk2, c1), 0);
}

const squish::io::JsonNode& at(const squish::io::JsonNode& v, const char* k) {
  const auto* p = v.find(k);
  if (!p) throw squish::FormatError(std::string("seal_noise.json: no member ") + k);
  return *p;
}

TEST(HeBfv, NoiseBudgetsMatchSeal) {
  // SEAL encrypts at its first data level, q = the first two BFVDefault(4096) primes.
  const std::string root = SQUISH_ROOT;
  const auto bytes = squish::io::read_file(root + "/golden/he/seal_noise.json");
  const auto j = squish::io::parse_json(std::string(bytes.begin(), bytes.end()));
  const auto wt = squish::io::read_npy(squish::io::read_file(root + "/golden/he/face_expression_fc_int8.npy"), "w");
  ASSERT_EQ(wt.shape, (std::vector<size_t>{7, 256}));
  ASSERT_TRUE(std::get<bool>(at(j, "fc_outputs_exact_in_seal").v_));
  ASSERT_EQ(static_cast<uint64_t>(std::stoull(at(j, "plain_modulus").string("plain_modulus"))), kT);
  // SEAL encrypts at the key level (all three primes) and switches down to the
  // data level (the last, special prime dropped); squish does the same here.
  const he::BfvContext key_ctx(he::BfvParams::default_4096(kT));
  he::BfvParams p = he::BfvParams::default_4096(kT);
  p.q.pop_back();
  const he::BfvContext ctx(p);
  EXPECT_EQ(ctx.q_bits(), 72u);
  std::vector<int8_t> x(256), w(wt.data.begin(), wt.data.end());
  for (int i = 0; i < 256; ++i) x[static_cast<size_t>(i)] = static_cast<int8_t>(((37 * i + 11) % 255) - 127);
  const auto px = he::pack_activations(ctx, x);
  const auto pw = he::pack_weights(ctx, w, 256, 0, 7);
  he::Plaintext mono{std::vector<uint64_t>(ctx.n(), 0)};
  mono.coeffs[5] = 1;
  std::map<std::string, std::vector<int>> ours;
  for (int rep = 0; rep < 5; ++rep) {
    he::Random r(seed() * 1000 + static_cast<uint64_t>(rep));
    const auto ksk = key_ctx.keygen_secret(r);
    const auto pk = key_ctx.keygen_public(ksk, r);
    const auto sk = key_ctx.restrict_key(ksk, ctx);
    const auto c1 = key_ctx.drop_last_prime(key_ctx.encrypt(pk, px, r), ctx);
    const auto c2 = key_ctx.drop_last_prime(key_ctx.encrypt(pk, px, r), ctx);
    const auto cs = key_ctx.drop_last_prime(key_ctx.encrypt_symmetric(ksk, px, r), ctx);
    ours["fresh_pk"].push_back(ctx.noise_budget(sk, c1));
    ours["fresh_sk"].push_back(ctx.noise_budget(sk, cs));
    ours["add"].push_back(ctx.noise_budget(sk, ctx.add(c1, c2)));
    const auto cf = ctx.multiply_plain(c1, pw);
    ours["mul_fc"].push_back(ctx.noise_budget(sk, cf));
    ours["mul_mono"].push_back(ctx.noise_budget(sk, ctx.multiply_plain(c1, mono)));
    const auto m = ctx.decrypt(sk, cf);
    for (size_t rr = 0; rr < 7; ++rr) {
      int64_t want = 0;
      for (size_t i = 0; i < 256; ++i) want += int64_t{x[i]} * w[rr * 256 + i];
      ASSERT_EQ(ctx.decode_signed(m.coeffs[rr * 256 + 255]), want);
    }
  }
  // Tolerance: our noise samplers and encoding (floor(Q/t) * m) differ in detail
  // from SEAL's; budgets must agree within 2 bits of SEAL's range.
  for (const auto& [op, v] : ours) {
    const auto& s = at(at(j, "budgets"), op.c_str());
    const int smin = static_cast<int>(at(s, "min").number("min")), smax = static_cast<int>(at(s, "max").number("max"));
    for (int b : v) {
      EXPECT_GE(b, smin - 2) << op << ": squish " << b << " bits, SEAL " << smin << ".." << smax;
      EXPECT_LE(b, smax + 2) << op << ": squish " << b << " bits, SEAL " << smin << ".." << smax;
    }
  }
}

TEST(HeLayer, FaceExpressionFcEncryptedEqualsPlaintext) {
  const auto wt = squish::io::read_npy(squish::io::read_file(std::string(SQUISH_ROOT) + "/golden/he/face_expression_fc_int8.npy"), "w");
  std::vector<int8_t> w(wt.data.begin(), wt.data.end());
  std::mt19937_64 rng(seed());
  const size_t batch = 2;
  std::vector<int8_t> x(batch * 256);
  for (auto& v : x) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);  // includes -128
  x[0] = -128;
  x[1] = 127;
  he::FcLayerOptions o;
  o.seed = seed();
  const auto r = he::run_fc_layer(w, 7, 256, x, batch, o);
  // Expected values computed here, independently of run_fc_layer's own reference.
  for (size_t b = 0; b < batch; ++b)
    for (size_t j = 0; j < 7; ++j) {
      int64_t s = 0;
      for (size_t i = 0; i < 256; ++i) s += int64_t{x[b * 256 + i]} * w[j * 256 + i];
      ASSERT_EQ(r.acc[b * 7 + j], s) << "batch " << b << " output " << j;
    }
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.q_bits, 109u);
  EXPECT_EQ(r.products, batch);
  EXPECT_EQ(r.rows_per_product, 7u);  // floor(4096 / 256) = 16 >= 7
  EXPECT_GT(r.budget_left, 20);
  EXPECT_LT(r.budget_left, r.budget_fresh);
}

TEST(HeLayer, ManyOutputsSplitOverProductsAndBadShapes) {
  std::mt19937_64 rng(seed() + 5);
  const size_t out = 40, in = 300, batch = 1;  // 13 rows per product -> 4 products
  std::vector<int8_t> w(out * in), x(batch * in);
  for (auto& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  for (auto& v : x) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  he::FcLayerOptions o;
  o.seed = 3;
  o.method = he::MulPlainMethod::Ntt;
  const auto r = he::run_fc_layer(w, out, in, x, batch, o);
  EXPECT_EQ(r.rows_per_product, 13u);
  EXPECT_EQ(r.products, 4u);
  for (size_t j = 0; j < out; ++j) {
    int64_t s = 0;
    for (size_t i = 0; i < in; ++i) s += int64_t{x[i]} * w[j * in + i];
    ASSERT_EQ(r.acc[j], s) << j;
  }
  std::vector<int8_t> wide(5000), xw(5000);
  EXPECT_THROW(he::run_fc_layer(wide, 1, 5000, xw, 1, o), squish::UsageError);
  EXPECT_THROW(he::run_fc_layer(w, out, in, std::span<const int8_t>(x).first(10), 1, o), squish::UsageError);
}

}  // namespace
