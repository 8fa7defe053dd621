// `squish decompress --engine rtl` (entropy part, owned by the entropy block):
// decodes every entropy-coded section's payload through the Verilated decoder
// of its coder, checks the symbols against the C++ decoder, and reports per
// tensor and in total the cycles (table loading included) and decoded weights
// per cycle; with json, one JSON object on stdout.
#include <cstdio>
#include <string>

#include "cli.hpp"
#include "squish/container/coded_sparse.hpp"
#include "squish/container/sqz.hpp"
#include "squish/entropy/codec.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/error.hpp"
#include "squish/json.hpp"
#include "squish/runtime/block_engines.hpp"

namespace squish::cli {

int run_entropy_rtl(const container::Container& c, bool json_out, json::Value* report) {
  const auto rtl = runtime::make_block_engines();
  uint64_t total_cycles = 0, total_weights = 0, total_table = 0;
  json::Array rows;
  if (!json_out)
    std::printf("%-48s %-9s %10s %10s %10s %8s\n", "tensor", "coder", "weights", "cycles", "table", "w/cycle");
  for (const auto& s : c.sections) {
    if (s.coder == entropy::CoderId::None) continue;
    uint64_t n = 1;
    for (auto d : s.shape) n *= d;
    const auto& p = s.coder_params;
    // A coded sparse payload: the decoder takes the coder part after the sparse
    // header words, n = the body's symbols (docs/format.md).
    const std::vector<uint8_t> full =
        s.table_section >= 0 && s.shared_table ? entropy::rans_with_table(s.payload, *s.shared_table) : s.payload;
    std::span<const uint8_t> coded(full);
    if (s.sparse_format != sparse::Format::Dense) {
      const auto h = sparse::read_header(s.payload);
      coded = coded.subspan(h.header_bytes);
      n = container::body_symbol_count(h.body_bytes, p.alphabet_bits);
    }
    std::string why;
    if (!rtl->entropy_can_decode(s.coder, coded, p, &why)) throw UsageError("section '" + s.name + "': " + why);
    const auto golden = entropy::decode_symbols(s.coder, coded, n, p);
    const auto r = rtl->entropy_decode(s.coder, coded, n, p);
    if (r.symbols != golden || r.error) {
      size_t i = 0;
      while (i < golden.size() && i < r.symbols.size() && golden[i] == r.symbols[i]) ++i;
      throw RtlMismatch("section '" + s.name + "': RTL " + std::string(entropy::to_string(s.coder)) +
                        " decoder differs from the C++ decoder at symbol " + std::to_string(i) + (r.error ? " (error flag raised)" : ""));
    }
    const double wpc = r.cycles ? static_cast<double>(n) / static_cast<double>(r.cycles) : 0.0;
    total_cycles += r.cycles;
    total_table += r.table_cycles;
    total_weights += n;
    if (json_out) {
      rows.push_back(json::Object{{"name", s.name},
                                  {"coder", std::string(entropy::to_string(s.coder))},
                                  {"weights", n},
                                  {"cycles", r.cycles},
                                  {"table_cycles", r.table_cycles},
                                  {"weights_per_cycle", wpc}});
    } else {
      std::printf("%-48.48s %-9s %10llu %10llu %10llu %8.3f\n", s.name.c_str(),
                  std::string(entropy::to_string(s.coder)).c_str(), static_cast<unsigned long long>(n),
                  static_cast<unsigned long long>(r.cycles), static_cast<unsigned long long>(r.table_cycles), wpc);
    }
  }
  const double wpc = total_cycles ? static_cast<double>(total_weights) / static_cast<double>(total_cycles) : 0.0;
  if (json_out) {
    (*report)["rtl"] = json::Object{{"tensors", rows},
                                    {"total", json::Object{{"cycles", total_cycles},
                                                           {"table_cycles", total_table},
                                                           {"weights", total_weights},
                                                           {"weights_per_cycle", wpc}}}};
  } else {
    std::printf("%-48s %-9s %10llu %10llu %10llu %8.3f\n", "total (bit-exact vs C++ decoder)", "",
                static_cast<unsigned long long>(total_weights), static_cast<unsigned long long>(total_cycles),
                static_cast<unsigned long long>(total_table), wpc);
  }
  return 0;
}

}  // namespace squish::cli
