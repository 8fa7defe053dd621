// squish info FILE.sqz [--json]: per-tensor and total figures of a container.
// The table fits 100 columns: each tensor's full name on its own line, its
// figures on the next (names are never cut).
#include <cmath>
#include <cstdio>

#include "args.hpp"
#include "cli.hpp"
#include "common.hpp"
#include "squish/container/report.hpp"
#include "squish/io/npy.hpp"

namespace squish::cli {

namespace {
std::string compact_shape(const std::vector<size_t>& s) {
  if (s.empty()) return "scalar";
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "x" : "") + std::to_string(s[i]);
  return o;
}
}  // namespace

int cmd_info(Args args) {
  std::string in;
  bool as_json = false;
  uint64_t max_elements = kDefaultMaxElements;
  ArgParser p("info", "FILE.sqz [--json]");
  p.positional("FILE", &in);
  p.flag("--json", &as_json, "machine-readable output");
  add_max_elements(p, &max_elements);
  if (!p.parse(args)) return kOk;
  const auto bytes = io::read_file(in);
  const auto c = naming_file(in, [&] { return container::parse(bytes); });
  check_container(c, in, bytes.size(), max_elements);
  const auto f = container::figures(c, bytes.size());
  if (as_json) {
    print_json(container::to_json(f, in));
    return kOk;
  }
  std::printf("%s: .sqz %u.%u, %zu tensors\nsource: %s\n", in.c_str(), c.version_major, c.version_minor,
              f.sections.size(), io::printable(c.source).c_str());
  // 2 + 14+1+11+1+4+1+7+1+6+1+8+1+9+1+8+1+5+1+7+1+9 = 100 columns.
  const char* row = "  %-14s %-11s %4s %7s %-6s %-8s %9s %8s %5s %7s %9s\n";
  std::printf("tensor\n");
  std::printf(row, "shape", "scheme", "bits", "density", "sparse", "coder", "payload B", "bits/w", "H0", "SQNR dB", "MSE");
  for (const auto& s : f.sections) {
    char bits[16], dens[16], pay[24], bpw[16], h0[16], sqnr[16], mse[24];
    std::snprintf(bits, sizeof bits, "%u", s.bits);
    std::snprintf(dens, sizeof dens, "%.4f", s.density);
    std::snprintf(pay, sizeof pay, "%llu", static_cast<unsigned long long>(s.payload_bytes));
    std::snprintf(bpw, sizeof bpw, s.bits_per_weight < 1000 ? "%.3f" : "%.0f", s.bits_per_weight);
    if (std::isnan(s.entropy)) std::snprintf(h0, sizeof h0, "-");
    else std::snprintf(h0, sizeof h0, "%.3f", s.entropy);
    std::snprintf(sqnr, sizeof sqnr, "%.2f", s.sqnr_db);
    std::snprintf(mse, sizeof mse, "%.3g", s.mse);
    std::printf("%s\n", io::printable(s.name).c_str());
    std::printf(row, compact_shape(s.shape).c_str(), s.scheme.c_str(), bits, dens, s.sparse_format.c_str(), s.coder.c_str(), pay,
                bpw, h0, sqnr, mse);
  }
  std::printf("total: %llu weights, %llu bytes (%llu as float32), ratio %.3fx, %.4f bits/weight,\n"
              "       density %.4f, H0 %.3f bits, SQNR %.2f dB, MSE %.4g\n",
              static_cast<unsigned long long>(f.elements), static_cast<unsigned long long>(f.file_bytes),
              static_cast<unsigned long long>(4 * f.elements), f.compression_ratio, f.bits_per_weight, f.density, f.entropy,
              f.sqnr_db, f.mse);
  return kOk;
}

}  // namespace squish::cli
