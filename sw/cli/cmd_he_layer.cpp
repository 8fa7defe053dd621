// squish he-layer — an int8 fully connected layer on BFV-encrypted activations
// (squish::he::run_fc_layer): encrypts X, multiplies by the plaintext weights by
// coefficient encoding, decrypts, and checks the result against the plaintext
// integer layer. Exit 3 if the decrypted accumulators differ.
#include <cstdio>
#include <string>

#include "args.hpp"
#include "cli.hpp"
#include "squish/error.hpp"
#include "squish/he/engine.hpp"
#include "squish/he/layer.hpp"
#include "squish/he/npy64.hpp"
#include "squish/io/npy.hpp"
#include "squish/json.hpp"

namespace squish::cli {

namespace {

std::vector<int8_t> int8_matrix(const he::I64Array& a, const std::string& name, size_t& rows, size_t& cols) {
  if (a.shape.size() == 1) {
    rows = 1;
    cols = a.shape[0];
  } else if (a.shape.size() == 2) {
    rows = a.shape[0];
    cols = a.shape[1];
  } else {
    throw FormatError(name + ": expected a 2-D int8 array, got shape " + shape_string(a.shape));
  }
  std::vector<int8_t> v(a.values.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (a.values[i] < -128 || a.values[i] > 127)
      throw FormatError(name + ": element " + std::to_string(i) + " = " + std::to_string(a.values[i]) + " is outside int8");
    v[i] = static_cast<int8_t>(a.values[i]);
  }
  if (rows == 0 || cols == 0) throw FormatError(name + ": empty array");
  return v;
}
}  // namespace

int cmd_he_layer(Args args) {
  std::string w_path, x_path, out, engine = "golden", method = "auto", rtl_path = "resident";
  uint64_t n = 4096;
  bool json = false;
  ArgParser p("he-layer", "--weights W.npy --input X.npy [--n 4096] [--engine golden|rtl] [-o OUT.npy] [--json]");
  p.option("--weights", &w_path, "int8 weights, out x in", "W.npy")
      .option("--input", &x_path, "int8 activations, batch x in (each row encrypted)", "X.npy")
      .option("--n", [&](const std::string& v) { n = parse_number<uint64_t>("--n", v, 1024, 32768); },
              "ring degree (4096: the 128-bit parameter set)", "N")
      .option("--engine", &engine, "golden (C++ BFV) or rtl (ct x pt products on the Verilated he_ntt_unit)", "E")
      .option("--method", &method, "golden ct x pt: auto (by cost), ntt or direct (sparse products)", "M")
      .option("--rtl-path", &rtl_path,
              "rtl: resident (plaintext transform and twiddles kept in the unit, one polynomial in and out per product) "
              "or per-product (every product loads both operands and the twiddles)",
              "P")
      .option("-o", &out, "output .npy: decrypted int64 accumulators, batch x out", "OUT.npy")
      .flag("--json", &json, "print a JSON summary");
  if (!p.parse(args)) return kOk;
  if (w_path.empty() || x_path.empty()) throw UsageError("missing --weights W.npy or --input X.npy");
  if (engine != "golden" && engine != "rtl") throw UsageError("--engine must be golden or rtl, not '" + engine + "'");
  he::FcLayerOptions o;
  o.n = n;
  if (method == "auto") o.method = he::MulPlainMethod::Auto;
  else if (method == "ntt") o.method = he::MulPlainMethod::Ntt;
  else if (method == "direct") o.method = he::MulPlainMethod::Direct;
  else throw UsageError("--method must be auto, ntt or direct, not '" + method + "'");
  if (rtl_path != "resident" && rtl_path != "per-product")
    throw UsageError("--rtl-path must be resident or per-product, not '" + rtl_path + "'");
  if (engine == "rtl") {
    if (rtl_path == "resident") o.mul_plain = he::rtl_mul_plain_engine();
    else o.engine = he::rtl_polymul_engine();
  }

  size_t out_dim, in_dim, batch, in_x;
  const auto w = int8_matrix(he::read_npy_i64(io::read_file(w_path), w_path), w_path, out_dim, in_dim);
  const auto x = int8_matrix(he::read_npy_i64(io::read_file(x_path), x_path), x_path, batch, in_x);
  if (in_x != in_dim)
    throw FormatError(x_path + ": rows have " + std::to_string(in_x) + " values; the weights (" + w_path + ") take " + std::to_string(in_dim));
  if (in_dim > n) throw FormatError(w_path + ": " + std::to_string(in_dim) + " inputs exceed n = " + std::to_string(n));

  const auto r = he::run_fc_layer(w, out_dim, in_dim, x, batch, o);
  if (!out.empty()) io::write_file(out, he::write_npy_i64({batch, out_dim}, r.acc));
  if (json) {
    json::Value v = json::Object{{"batch", batch}, {"in", in_dim}, {"out", out_dim}, {"n", n}, {"q_bits", r.q_bits},
                                 {"plain_modulus", r.t}, {"engine", engine},
                                 {"rtl_path", engine == "rtl" ? json::Value(rtl_path) : json::Value(nullptr)}, {"exact", r.exact},
                                 {"noise_budget_fresh", r.budget_fresh}, {"noise_budget_left", r.budget_left},
                                 {"products", r.products}, {"direct_products", r.direct_products},
                                 {"seconds_keygen", r.t_keygen}, {"seconds_encrypt", r.t_encrypt},
                                 {"seconds_evaluate", r.t_eval}, {"seconds_decrypt", r.t_decrypt},
                                 {"rtl_cycles", r.rtl_cycles}, {"rtl_ntt_cycles", r.rtl_ntt_cycles}};
    std::printf("%s\n", v.dump(2).c_str());
  } else {
    std::printf("he-layer: %zu x %zu int8 weights, batch %zu, BFV n %llu, log2 q %u, t %llu, engine %s\n", out_dim, in_dim, batch,
                static_cast<unsigned long long>(n), r.q_bits, static_cast<unsigned long long>(r.t), engine.c_str());
    std::printf("  decrypted accumulators %s the plaintext integer layer (%zu values)\n", r.exact ? "EQUAL" : "DIFFER FROM",
                r.acc.size());
    std::printf("  noise budget: %d bits fresh, %d bits left\n", r.budget_fresh, r.budget_left);
    std::printf("  time: keygen %.1f ms, encrypt %.1f ms, evaluate %.1f ms (%llu ct x pt), decrypt %.1f ms\n", r.t_keygen * 1e3,
                r.t_encrypt * 1e3, r.t_eval * 1e3, static_cast<unsigned long long>(r.products), r.t_decrypt * 1e3);
    if (engine == "rtl")
      std::printf("  RTL (%s): %llu cycles, %llu in NTT/INTT\n", rtl_path.c_str(), static_cast<unsigned long long>(r.rtl_cycles),
                  static_cast<unsigned long long>(r.rtl_ntt_cycles));
    if (!out.empty()) std::printf("  wrote %s (int64, batch x out)\n", out.c_str());
  }
  return r.exact ? kOk : kMismatch;
}

}  // namespace squish::cli
