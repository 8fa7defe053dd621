#include "common.hpp"

#include <unistd.h>

#include <cmath>
#include <cstring>

#include "squish/error.hpp"
#include "squish/io/safe_write.hpp"

namespace squish::cli {

void add_max_elements(ArgParser& p, uint64_t* max_elements) {
  p.option("--max-elements", [max_elements](const std::string& v) {
    *max_elements = parse_number<uint64_t>("--max-elements", v, 1, uint64_t{1} << 40);
  }, "largest total of elements loaded or decoded from one input (default 2^27 = 134217728)", "N");
}

void guard_output(const std::string& out, const std::vector<std::string>& inputs) {
  io::check_output_not_input(out, inputs, "-o");
}

size_t check_finite(std::span<const float> v, const std::string& file, const std::string& tensor, bool allow) {
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) {
      if (!bad) first = i;
      ++bad;
    }
  if (bad && !allow) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v[first]));
    throw FormatError(file + ": tensor '" + tensor + "': element " + std::to_string(first) + " is " + buf + " (" +
                      std::to_string(bad) + " non-finite value" + (bad == 1 ? "" : "s") +
                      "); fix the input or pass --allow-nonfinite");
  }
  return bad;
}

size_t check_finite(const Tensor& t, const std::string& file, bool allow) {
  if (!dtype_is_float(t.dtype)) return 0;
  const auto v = t.to_float();
  return check_finite(v, file, t.name, allow);
}

void check_container(const container::Container& c, const std::string& file, uint64_t file_bytes, uint64_t max_elements) {
  const uint64_t rel = std::max<uint64_t>(kMinElementCap, file_bytes > (uint64_t{1} << 40) / kMaxElementsPerByte
                                                              ? (uint64_t{1} << 40)
                                                              : file_bytes * kMaxElementsPerByte);
  uint64_t total = 0;
  for (size_t k = 0; k < c.sections.size(); ++k) {
    const auto& s = c.sections[k];
    const std::string where = file + ": section " + std::to_string(k) + " ('" + s.name + "') at byte " + std::to_string(s.file_offset);
    uint64_t n = 1;
    for (size_t d : s.shape) n *= d;  // parse() bounded each product by 2^40
    total += n;
    if (total > max_elements)
      throw FormatError(where + ": the tensors up to here hold " + std::to_string(total) + " elements, above the limit " +
                        std::to_string(max_elements) + " (raise it with --max-elements)");
    if (total > rel)
      throw FormatError(where + ": the tensors up to here claim " + std::to_string(total) + " elements, more than " +
                        std::to_string(kMaxElementsPerByte) + " per byte of this " + std::to_string(file_bytes) +
                        "-byte file (a decompression bomb?)");
    for (size_t ch = 0; ch < s.quant.channels.size(); ++ch) {
      const auto& p = s.quant.channels[ch];
      if (!std::isfinite(p.scale) || !std::isfinite(p.offset))
        throw FormatError(where + ": channel " + std::to_string(ch) + " has a non-finite scale or offset");
      if (s.quant.scheme != quant::Scheme::Raw && std::fabs(p.scale) > 3.0e38)
        throw FormatError(where + ": channel " + std::to_string(ch) + " scale " + std::to_string(p.scale) +
                          " overflows float32");
    }
    for (size_t i = 0; i < s.quant.codebook.size(); ++i)
      if (!std::isfinite(s.quant.codebook[i]))
        throw FormatError(where + ": codebook entry " + std::to_string(i) + " is not finite");
    if (!std::isfinite(s.signal_energy) || !std::isfinite(s.error_energy) || s.signal_energy < 0 || s.error_energy < 0)
      throw FormatError(where + ": signal or error energy is negative or not finite");
  }
}

void check_total_elements(const std::vector<Tensor>& ts, const std::string& file, uint64_t max_elements) {
  uint64_t total = 0;
  for (const auto& t : ts) {
    total += t.numel();
    if (total > max_elements)
      throw FormatError(file + ": tensor '" + t.name + "': the tensors up to here hold " + std::to_string(total) +
                        " elements, above the limit " + std::to_string(max_elements) + " (raise it with --max-elements)");
  }
}

Progress::Progress(bool quiet) : on_(!quiet && isatty(fileno(stderr))) {}

void Progress::step(size_t i, size_t n, const std::string& what) const {
  if (!on_) return;
  std::fprintf(stderr, "\r\033[K[%zu/%zu] %.70s", i + 1, n, what.c_str());
  std::fflush(stderr);
}

void Progress::done() const {
  if (on_) std::fprintf(stderr, "\r\033[K");
}

void print_json(const json::Value& v) { std::printf("%s\n", v.dump(2).c_str()); }

}  // namespace squish::cli
