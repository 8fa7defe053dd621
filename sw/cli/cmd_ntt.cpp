// squish ntt — negacyclic product of two polynomials mod (x^n + 1, Q) through the
// NTT, on the golden model or the RTL NTT unit (rtl/he/he_ntt_unit.sv).
#include <chrono>
#include <cstdio>
#include <string>

#include "args.hpp"
#include "cli.hpp"
#include "squish/error.hpp"
#include "squish/he/engine.hpp"
#include "squish/he/modarith.hpp"
#include "squish/he/npy64.hpp"
#include "squish/runtime/fault.hpp"
#include "squish/he/ntt.hpp"
#include "squish/io/npy.hpp"
#include "squish/json.hpp"

namespace squish::cli {

int cmd_ntt(Args args) {
  std::string a_path, b_path, out, engine = "golden";
  uint64_t q = 0;
  bool json = false;
  ArgParser p("ntt", "--a A.npy --b B.npy --modulus Q [--engine golden|rtl] -o C.npy [--json]");
  p.option("--a", &a_path, "first polynomial: n int64 (or int8/16/32) coefficients, n a power of two", "A.npy")
      .option("--b", &b_path, "second polynomial, same n", "B.npy")
      .option("--modulus", [&](const std::string& v) { q = parse_number<uint64_t>("--modulus", v, 3, (1ull << 61) - 1); },
              "Q: a prime = 1 mod 2n below 2^61 (below 2^60 for rtl)", "Q")
      .option("--engine", &engine, "golden (C++ NTT, default) or rtl (Verilated he_ntt_unit, B = 2, checked against golden: exit 3 if they differ)", "E")
      .option("-o", &out, "output .npy: the n int64 coefficients of A*B mod (x^n + 1, Q), in [0, Q)", "C.npy")
      .flag("--json", &json, "print a JSON summary");
  if (!p.parse(args)) return kOk;
  if (a_path.empty() || b_path.empty()) throw UsageError("missing --a A.npy or --b B.npy");
  if (q == 0) throw UsageError("missing --modulus Q");
  if (out.empty()) throw UsageError("missing -o C.npy");
  if (engine != "golden" && engine != "rtl") throw UsageError("--engine must be golden or rtl, not '" + engine + "'");
  he::PolyMulFn fn = engine == "rtl" ? he::rtl_polymul_engine() : &he::golden_polymul;

  const auto a = he::read_npy_i64(io::read_file(a_path), a_path);
  const auto b = he::read_npy_i64(io::read_file(b_path), b_path);
  const size_t n = a.values.size();
  if (a.shape.size() != 1) throw FormatError(a_path + ": a polynomial must be 1-D, got " + shape_string(a.shape));
  if (b.shape != a.shape) throw FormatError(b_path + ": shape " + shape_string(b.shape) + " differs from " + a_path + "'s " + shape_string(a.shape));
  if (n < 2 || (n & (n - 1)) != 0 || n > he::kMaxNttN)
    throw FormatError(a_path + ": " + std::to_string(n) + " coefficients; n must be a power of two in [2, 65536]");
  if (!he::is_prime(q) || (q - 1) % (2 * n) != 0)
    throw UsageError("--modulus " + std::to_string(q) + " is not a prime = 1 mod 2n = " + std::to_string(2 * n) +
                     " (the largest 60-bit one is " + std::to_string(he::ntt_primes(60, n, 1)[0]) + ")");
  const he::Modulus m(q);
  std::vector<uint64_t> ua(n), ub(n);
  for (size_t i = 0; i < n; ++i) {
    ua[i] = m.from_signed(a.values[i]);
    ub[i] = m.from_signed(b.values[i]);
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto r = fn(q, ua, ub);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // --engine rtl: the unit's product checked against the golden NTT, like every
  // other block command (exit 3 on a difference; SQUISH_FAULT=ntt tests it)
  bool matches = true;
  if (engine == "rtl") {
    if (!r.c.empty() && runtime::fault_armed("ntt")) r.c[0] = r.c[0] == 0 ? 1 : r.c[0] - 1;
    matches = r.c == he::golden_polymul(q, ua, ub).c;
  }
  std::vector<int64_t> c(r.c.begin(), r.c.end());
  io::write_file(out, he::write_npy_i64({n}, c));
  if (json) {
    json::Value v = json::Object{{"n", n}, {"modulus", std::to_string(q)}, {"engine", engine}, {"seconds", secs},
                                 {"cycles", r.cycles}, {"ntt_cycles", r.ntt_cycles}, {"output", out}};
    if (engine == "rtl") v["bit_exact"] = matches;
    std::printf("%s\n", v.dump(2).c_str());
  } else {
    std::printf("ntt: n %zu, Q %llu, engine %s, %.3f ms", n, static_cast<unsigned long long>(q), engine.c_str(), secs * 1e3);
    if (engine == "rtl")
      std::printf(", %llu cycles (%llu in the three transforms)", static_cast<unsigned long long>(r.cycles),
                  static_cast<unsigned long long>(r.ntt_cycles));
    std::printf("\n  wrote %s (int64, A*B mod (x^n + 1, Q))\n", out.c_str());
  }
  if (!matches) {
    std::fprintf(stderr, "squish ntt: the RTL NTT unit's product differs from the golden NTT's (%s holds the RTL's)\n",
                 out.c_str());
    return kMismatch;
  }
  return kOk;
}

}  // namespace squish::cli
