// squish::he modular arithmetic (see squish/he/modarith.hpp).
#include "squish/he/modarith.hpp"

#include <bit>
#include <string>

#include "squish/error.hpp"

namespace squish::he {

Modulus::Modulus(uint64_t q) : q_(q) {
  if (q < 2 || q >> kMaxModulusBits)
    throw UsageError("modulus " + std::to_string(q) + " is outside [2, 2^61)");
  k_ = static_cast<unsigned>(std::bit_width(q));
  mu_ = static_cast<uint64_t>((static_cast<u128>(1) << (2 * k_)) / q);
}

uint64_t Modulus::reduce(u128 z) const {
  const u128 qhat = ((z >> (k_ - 1)) * mu_) >> (k_ + 1);
  uint64_t r = static_cast<uint64_t>(z - qhat * q_);
  // r < 3q < 2^63: at most two subtractions.
  if (r >= q_) r -= q_;
  if (r >= q_) r -= q_;
  return r;
}

uint64_t Modulus::pow(uint64_t a, uint64_t e) const {
  uint64_t r = 1 % q_, b = a % q_;
  while (e) {
    if (e & 1) r = mul(r, b);
    b = mul(b, b);
    e >>= 1;
  }
  return r;
}

uint64_t Modulus::inv(uint64_t a) const {
  // Extended Euclid over signed 128-bit.
  i128 t = 0, nt = 1, r = q_, nr = a % q_;
  while (nr != 0) {
    const i128 qq = r / nr;
    i128 tmp = t - qq * nt;
    t = nt;
    nt = tmp;
    tmp = r - qq * nr;
    r = nr;
    nr = tmp;
  }
  if (r != 1) throw UsageError(std::to_string(a) + " has no inverse mod " + std::to_string(q_));
  if (t < 0) t += q_;
  return static_cast<uint64_t>(t);
}

uint64_t Modulus::from_signed(int64_t v) const {
  if (v >= 0) return static_cast<uint64_t>(v) % q_;
  const uint64_t m = (~static_cast<uint64_t>(v) + 1) % q_;  // |v| mod q
  return m == 0 ? 0 : q_ - m;
}

Montgomery Montgomery::make(uint64_t q, unsigned w) {
  if (w != 64 && (w < 8 || w > 63)) throw UsageError("Montgomery: word width must be 8..64");
  if ((q & 1) == 0 || q < 3 || (w < 64 && (q >> w) != 0))
    throw UsageError("Montgomery: modulus " + std::to_string(q) + " must be odd and below 2^" + std::to_string(w));
  Montgomery m;
  m.q = q;
  m.w = w;
  const uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
  // Newton iteration for q^-1 mod 2^64: x <- x * (2 - q*x) doubles the valid bits.
  uint64_t x = q;  // q*q = 1 mod 8: 3 bits valid
  for (int i = 0; i < 5; ++i) x *= 2 - q * x;
  m.qinv_neg = (~x + 1) & mask;
  const u128 r = static_cast<u128>(1) << w;
  m.r_mod_q = static_cast<uint64_t>(r % q);
  m.r2_mod_q = static_cast<uint64_t>((static_cast<u128>(m.r_mod_q) * m.r_mod_q) % q);
  return m;
}

uint64_t Montgomery::mul(uint64_t a, uint64_t b) const {
  const u128 t = static_cast<u128>(a) * b;
  const uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
  const uint64_t mm = (static_cast<uint64_t>(t) * qinv_neg) & mask;
  // t + m*q < 2 q R: with q < 2^w and w <= 64 the sum fits 129 bits only for w = 64,
  // so add the halves separately.
  const u128 mq = static_cast<u128>(mm) * q;
  const u128 lo_sum = (t & mask) + (mq & mask);  // divisible by R
  const u128 u = (t >> w) + (mq >> w) + (lo_sum >> w);
  uint64_t r = static_cast<uint64_t>(u);
  return r >= q ? r - q : r;
}

uint64_t Montgomery::to_mont(uint64_t a) const { return mul(a % q, r2_mod_q); }
uint64_t Montgomery::from_mont(uint64_t a) const { return mul(a, 1); }

bool is_prime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t p : {2ull, 3ull, 5ull, 7ull, 11ull, 13ull, 17ull, 19ull, 23ull, 29ull, 31ull, 37ull}) {
    if (n % p == 0) return n == p;
  }
  uint64_t d = n - 1;
  unsigned s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  auto mulmod = [n](uint64_t a, uint64_t b) { return static_cast<uint64_t>(static_cast<u128>(a) * b % n); };
  auto powmod = [&](uint64_t a, uint64_t e) {
    uint64_t r = 1;
    while (e) {
      if (e & 1) r = mulmod(r, a);
      a = mulmod(a, a);
      e >>= 1;
    }
    return r;
  };
  // These 12 bases are a deterministic witness set for n < 3.3e24.
  for (uint64_t a : {2ull, 3ull, 5ull, 7ull, 11ull, 13ull, 17ull, 19ull, 23ull, 29ull, 31ull, 37ull}) {
    uint64_t x = powmod(a, d);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (unsigned r = 1; r < s; ++r) {
      x = mulmod(x, x);
      if (x == n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

std::vector<uint64_t> ntt_primes(unsigned bits, uint64_t n, unsigned count) {
  if (n < 2 || !std::has_single_bit(n)) throw UsageError("ntt_primes: n = " + std::to_string(n) + " is not a power of two");
  const uint64_t step = 2 * n;
  const unsigned lb = static_cast<unsigned>(std::bit_width(step));
  if (bits > kMaxModulusBits || bits < lb + 1)
    throw UsageError("ntt_primes: " + std::to_string(bits) + "-bit primes = 1 mod " + std::to_string(step) + " are not supported");
  std::vector<uint64_t> out;
  const uint64_t hi = bits == 64 ? ~0ull : (1ull << bits) - 1, lo = 1ull << (bits - 1);
  // Largest candidate = 1 mod 2n not above hi.
  uint64_t c = hi - ((hi - 1) % step);
  while (out.size() < count && c > lo) {
    if (is_prime(c)) out.push_back(c);
    if (c < step) break;
    c -= step;
  }
  if (out.size() < count)
    throw UsageError("ntt_primes: only " + std::to_string(out.size()) + " " + std::to_string(bits) + "-bit primes = 1 mod " +
                     std::to_string(step));
  return out;
}

uint64_t min_primitive_root_2n(uint64_t q, uint64_t n) {
  if (!is_prime(q) || (q - 1) % (2 * n) != 0)
    throw UsageError("modulus " + std::to_string(q) + " is not a prime = 1 mod " + std::to_string(2 * n));
  const Modulus m(q);
  const uint64_t e = (q - 1) / (2 * n);
  // Any x with (x^e)^n = -1 gives a primitive 2n-th root g = x^e; all roots are g^(odd).
  uint64_t g = 0;
  for (uint64_t x = 2; x < q; ++x) {
    const uint64_t y = m.pow(x, e);
    if (m.pow(y, n) == q - 1) {
      g = y;
      break;
    }
  }
  if (g == 0) throw UsageError("no primitive 2n-th root mod " + std::to_string(q));
  // Smallest of the n primitive roots g^(2j+1).
  const uint64_t g2 = m.mul(g, g);
  uint64_t best = g, cur = g;
  for (uint64_t j = 1; j < n; ++j) {
    cur = m.mul(cur, g2);
    if (cur < best) best = cur;
  }
  return best;
}

}  // namespace squish::he
