// squish softmax      — Q0.16 probabilities of user logits (.npy), golden model or RTL.
// squish softmax-eval — our reproduction of the survey's Table XIV: every softmax
//                       variant against float64 on standard logit suites.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "args.hpp"
#include "cli.hpp"
#include "common.hpp"
#include "squish/error.hpp"
#include "squish/io/npy.hpp"
#include "squish/json.hpp"
#include "squish/softmax/eval.hpp"
#include "squish/softmax/reference.hpp"
#include "squish/softmax/unit.hpp"
#include "squish/softmax/variants.hpp"
#include "squish/tensor.hpp"

#include "squish/runtime/block_engines.hpp"

namespace squish::cli {

namespace {

// squish::io has no uint16 dtype yet; this writes the one .npy this command
// produces (little-endian uint16, C order, format 1.0). To be folded into
// squish::io when it grows a U16 dtype.
std::vector<uint8_t> npy_uint16(const std::vector<size_t>& shape, const std::vector<uint16_t>& v) {
  std::string dims;
  for (size_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() == 1) dims.pop_back();  // "(n,)"
  else if (!dims.empty()) dims.resize(dims.size() - 2);
  std::string header = "{'descr': '<u2', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  for (uint16_t x : v) {
    out.push_back(static_cast<uint8_t>(x & 0xff));
    out.push_back(static_cast<uint8_t>(x >> 8));
  }
  return out;
}

}  // namespace

int cmd_softmax(Args args) {
  std::string in, out, engine = "golden";
  int frac_bits = -1;
  bool quiet = false, as_json = false;
  ArgParser p("softmax", "IN.npy -o OUT.npy [--engine golden|rtl] [--frac-bits F] [--json]");
  p.positional("IN.npy", &in)
      .option("-o", &out, "output .npy: uint16 Q0.16 probabilities, same shape", "OUT.npy")
      .choice("--engine", &engine, {"golden", "rtl"}, "golden (C++ model, default) or rtl (Verilated softmax_unit, checked against the golden model)")
      .flag("--json", &as_json, "print the summary as JSON on stdout")
      .option("--frac-bits", [&](const std::string& v) { frac_bits = parse_number<int>("--frac-bits", v, 0, 15); },
              "F: int8/int16 logits are x * 2^-F (default 0); for float input, overrides the automatic F", "F")
      .flag("--quiet", &quiet, "no summary on stdout");
  if (!p.parse(args)) return kOk;
  if (out.empty()) throw UsageError("missing -o OUT.npy");
  guard_output(out, {in});
  std::unique_ptr<runtime::BlockEngines> rtl;
  if (engine == "rtl") rtl = runtime::make_block_engines();

  const Tensor t = io::read_npy(io::read_file(in), in);
  if (t.shape.empty() || t.numel() == 0) throw FormatError(in + ": softmax needs at least one logit (got shape " + shape_string(t.shape) + ")");
  const size_t n = t.shape.back();
  if (n > softmax::kMaxLength)
    throw FormatError(in + ": last axis has " + std::to_string(n) + " logits; the unit takes at most " +
                      std::to_string(softmax::kMaxLength));
  const size_t rows = t.numel() / n;

  std::vector<int16_t> x(t.numel());
  unsigned f = 0;
  if (t.dtype == DType::I8 || t.dtype == DType::I16) {
    for (size_t i = 0; i < x.size(); ++i) {
      if (t.dtype == DType::I8) {
        x[i] = static_cast<int8_t>(t.data[i]);
      } else {
        x[i] = static_cast<int16_t>(t.data[2 * i] | (t.data[2 * i + 1] << 8));
      }
    }
    f = static_cast<unsigned>(std::max(frac_bits, 0));
  } else if (dtype_is_float(t.dtype)) {
    const auto fv = t.to_float();
    std::vector<double> dv(fv.begin(), fv.end());
    for (size_t i = 0; i < dv.size(); ++i)
      if (!std::isfinite(dv[i])) throw FormatError(in + ": tensor '" + t.name + "': element " + std::to_string(i) + " is not finite");
    f = frac_bits >= 0 ? static_cast<unsigned>(frac_bits) : softmax::frac_bits_for(dv);
    x = softmax::quantize_logits(dv, f);
  } else {
    throw FormatError(in + ": dtype " + std::string(dtype_name(t.dtype)) + " is not a logit type (int8, int16, float16, float32)");
  }

  std::vector<uint16_t> probs(x.size());
  uint64_t cycles = 0;
  for (size_t r = 0; r < rows; ++r) {
    const auto q = softmax::softmax_q16(std::span<const int16_t>(x).subspan(r * n, n), f);
    std::copy(q.begin(), q.end(), probs.begin() + static_cast<std::ptrdiff_t>(r * n));
  }
  bool matches = true;
  if (rtl) {
    std::vector<std::vector<int16_t>> jobs(rows);
    for (size_t r = 0; r < rows; ++r)
      jobs[r].assign(x.begin() + static_cast<std::ptrdiff_t>(r * n), x.begin() + static_cast<std::ptrdiff_t>((r + 1) * n));
    const auto run = rtl->softmax(jobs, f);
    if (run.err_overlong || run.err_length || run.probs.size() != rows)
      throw Error("rtl engine: the unit flagged an error (overlong " + std::to_string(run.err_overlong) + ", length " +
                  std::to_string(run.err_length) + ")");
    for (size_t r = 0; r < rows; ++r) {
      if (run.probs[r].size() != n ||
          !std::equal(run.probs[r].begin(), run.probs[r].end(), probs.begin() + static_cast<std::ptrdiff_t>(r * n)))
        matches = false;
      std::copy(run.probs[r].begin(), run.probs[r].begin() + static_cast<std::ptrdiff_t>(std::min(n, run.probs[r].size())),
                probs.begin() + static_cast<std::ptrdiff_t>(r * n));
    }
    cycles = run.cycles;
  }
  io::write_file(out, npy_uint16(t.shape, probs));

  double worst = 0, sq = 0;
  for (size_t r = 0; r < rows; ++r) {
    const auto ref = softmax::reference_fixed(std::span<const int16_t>(x).subspan(r * n, n), f);
    for (size_t i = 0; i < n; ++i) {
      const double d = probs[r * n + i] / 65536.0 - ref[i];
      worst = std::max(worst, std::abs(d));
      sq += d * d;
    }
  }
  const double mse = sq / static_cast<double>(x.size());
  if (as_json) {
    json::Value j = json::Object{{"input", in}, {"output", out}, {"engine", engine}, {"rows", rows}, {"length", n},
                                 {"frac_bits", f}, {"mse", mse}, {"max_abs_err", worst}, {"max_abs_err_lsb", worst * 65536}};
    if (rtl) {
      j["cycles"] = cycles;
      j["matches_golden"] = matches;
    }
    print_json(j);
  } else if (!quiet) {
    std::printf("softmax: %zu row(s) x %zu logits, F=%u, engine %s", rows, n, f, engine.c_str());
    if (rtl) std::printf(", %llu cycles, %s the golden model", static_cast<unsigned long long>(cycles), matches ? "bit-exact with" : "DIFFERS from");
    std::printf("\n  vs float64 of the quantised logits: MSE %.3g, max |err| %.3g (%.2f LSB of Q0.16)\n  wrote %s (uint16 Q0.16)\n",
                mse, worst, worst * 65536, out.c_str());
  }
  if (!matches) {
    std::fprintf(stderr, "squish softmax: the RTL and the golden model disagree (%s holds the RTL's output)\n", out.c_str());
    return kMismatch;
  }
  return kOk;
}

int cmd_softmax_eval(Args args) {
  bool quick = false, json = false;
  std::string lengths, vars, suites;
  uint64_t seed = 1;
  ArgParser p("softmax-eval", "[--quick] [--lengths N,...] [--variants ID,...] [--suites NAME,...] [--json]");
  p.flag("--quick", &quick, "lengths 10 and 1000 only, fewer rows (seconds, for tests)")
      .option("--lengths", &lengths, "comma-separated vector lengths (default 10,1000,32768,131072)", "LIST")
      .option("--variants", &vars, "comma-separated variant ids (default all)", "LIST")
      .option("--suites", &suites, "comma-separated suite names (default all)", "LIST")
      .option("--seed", [&](const std::string& v) { seed = parse_number<uint64_t>("--seed", v, 0, 1ull << 53); },
              "random seed (default 1)", "N")
      .flag("--json", &json, "print JSON instead of tables");
  if (!p.parse(args)) return kOk;
  softmax::EvalOptions o;
  o.seed = seed;
  if (quick) {
    o.lengths = {10, 1000};
    o.elements_per_cell = 4096;
  }
  if (p.given("--lengths")) {
    o.lengths.clear();
    for (const auto& s : split_list("--lengths", lengths)) o.lengths.push_back(parse_number<size_t>("--lengths", s, 1, softmax::kMaxLength));
  }
  if (p.given("--variants")) o.variants = split_list("--variants", vars);
  if (p.given("--suites")) o.suites = split_list("--suites", suites);
  const auto cells = softmax::evaluate(o);
  const auto sum = softmax::summarize(cells);
  if (json) {
    json::Value v;
    json::Array a;
    for (const auto& c : cells)
      a.push_back(json::Object{{"variant", c.variant}, {"suite", c.suite}, {"length", c.length}, {"rows", c.rows},
                               {"mse", c.mse}, {"max_abs_err", c.max_abs}, {"max_abs_err_lsb", c.max_abs * 65536},
                               {"sum_err", c.max_sum_err}});
    v["cells"] = a;
    json::Array s;
    for (const auto& x : sum)
      s.push_back(json::Object{{"variant", x.variant}, {"worst_mse", x.worst_mse}, {"mean_mse", x.mean_mse},
                               {"worst_max_abs_err", x.worst_max_abs}, {"worst_sum_err", x.worst_sum_err}});
    v["summary"] = s;
    std::printf("%s\n", v.dump(2).c_str());
    return kOk;
  }
  std::printf("softmax variants vs float64 (MSE | max |err| in Q0.16 LSB | max |sum-1|)\n");
  std::string suite;
  size_t len = 0;
  for (const auto& c : cells) {
    if (c.suite != suite || c.length != len) {
      suite = c.suite;
      len = c.length;
      std::printf("\n%s, n=%zu (%zu row%s)\n", suite.c_str(), len, c.rows, c.rows == 1 ? "" : "s");
    }
    std::printf("  %-8s  mse %9.3g   max %10.2f LSB   sum %9.3g\n", c.variant.c_str(), c.mse, c.max_abs * 65536, c.max_sum_err);
  }
  std::printf("\nsummary over all cells\n  %-8s %12s %12s %14s %12s   %s\n", "variant", "worst MSE", "mean MSE", "worst max LSB",
              "worst sum", "design");
  for (const auto& x : sum) {
    std::string title;
    for (const auto& v : softmax::variants())
      if (v.id == x.variant) title = v.title + "; exp: " + v.exp_method + "; div: " + v.div_method + "; out " + v.output;
    std::printf("  %-8s %12.3g %12.3g %14.2f %12.3g   %s\n", x.variant.c_str(), x.worst_mse, x.mean_mse, x.worst_max_abs * 65536,
                x.worst_sum_err, title.c_str());
  }
  return kOk;
}

}  // namespace squish::cli
