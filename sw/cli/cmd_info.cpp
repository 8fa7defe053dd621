// squish info FILE.sqz [--json]: per-tensor and total figures of a container.
#include <cmath>
#include <cstdio>

#include "args.hpp"
#include "cli.hpp"
#include "squish/container/report.hpp"
#include "squish/io/npy.hpp"

namespace squish::cli {

int cmd_info(Args args) {
  std::string in;
  bool as_json = false;
  ArgParser p("info", "FILE.sqz [--json]");
  p.positional("FILE", &in);
  p.flag("--json", &as_json, "machine-readable output");
  if (!p.parse(args)) return kOk;
  const auto bytes = io::read_file(in);
  const auto c = container::parse(bytes);
  const auto f = container::figures(c, bytes.size());
  if (as_json) {
    std::printf("%s\n", container::to_json(f, in).dump(2).c_str());
    return kOk;
  }
  std::printf("%s: .sqz %u.%u, %zu tensors, source %s\n", in.c_str(), c.version_major, c.version_minor, f.sections.size(), c.source.c_str());
  std::printf("%-48s %-18s %-11s %4s %7s %-7s %-8s %10s %8s %7s %9s %11s\n", "tensor", "shape", "scheme", "bits", "density", "sparse",
              "coder", "payload B", "bits/w", "H0", "SQNR dB", "MSE");
  for (const auto& s : f.sections) {
    std::string name = s.name.size() > 48 ? "..." + s.name.substr(s.name.size() - 45) : s.name;
    std::printf("%-48s %-18s %-11s %4u %7.4f %-7s %-8s %10llu %8.3f %7.3f %9.2f %11.4g\n", name.c_str(), shape_string(s.shape).c_str(),
                s.scheme.c_str(), s.bits, s.density, s.sparse_format.c_str(), s.coder.c_str(),
                static_cast<unsigned long long>(s.payload_bytes), s.bits_per_weight, std::isnan(s.entropy) ? 0.0 : s.entropy, s.sqnr_db, s.mse);
  }
  std::printf("total: %llu weights, %llu bytes (%llu float32), ratio %.3fx, %.4f bits/weight, density %.4f, H0 %.3f bits, SQNR %.2f dB, MSE %.4g\n",
              static_cast<unsigned long long>(f.elements), static_cast<unsigned long long>(f.file_bytes),
              static_cast<unsigned long long>(4 * f.elements), f.compression_ratio, f.bits_per_weight, f.density, f.entropy, f.sqnr_db, f.mse);
  return kOk;
}

}  // namespace squish::cli
