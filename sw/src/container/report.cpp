#include "squish/container/report.hpp"

#include <cmath>

#include "squish/stats/stats.hpp"

namespace squish::container {

Figures figures(const Container& c, uint64_t file_bytes) {
  Figures f;
  f.file_bytes = file_bytes;
  double sig = 0, err = 0, ent_weighted = 0;
  uint64_t ent_count = 0;
  for (const auto& s : c.sections) {
    SectionFigures x;
    x.name = s.name;
    x.shape = s.shape;
    x.scheme = std::string(quant::to_string(s.quant.scheme));
    x.bits = s.quant.bits;
    x.elements = shape_numel(s.shape);
    x.nonzero = s.nonzero;
    x.density = x.elements ? static_cast<double>(s.nonzero) / static_cast<double>(x.elements) : 0;
    x.sparse_format = std::string(sparse::to_string(s.sparse_format));
    x.coder = std::string(entropy::to_string(s.coder));
    x.payload_bytes = s.payload.size();
    x.section_bytes = s.file_bytes;
    x.bits_per_weight = x.elements ? 8.0 * static_cast<double>(s.file_bytes) / static_cast<double>(x.elements) : 0;
    x.signal_energy = s.signal_energy;
    x.error_energy = s.error_energy;
    x.mse = x.elements ? s.error_energy / static_cast<double>(x.elements) : 0;
    x.sqnr_db = stats::sqnr_db(s.signal_energy, s.error_energy);
    if (s.quant.scheme == quant::Scheme::Raw) {
      x.entropy = NAN;
    } else {
      const auto codes = decode_codes(s);
      x.entropy = stats::entropy0(symbols_of(s.quant, codes));
      ent_weighted += x.entropy * static_cast<double>(x.elements);
      ent_count += x.elements;
    }
    f.elements += x.elements;
    f.payload_bytes += x.payload_bytes;
    f.nonzero += x.nonzero;
    sig += s.signal_energy;
    err += s.error_energy;
    f.sections.push_back(std::move(x));
  }
  f.bits_per_weight = f.elements ? 8.0 * static_cast<double>(file_bytes) / static_cast<double>(f.elements) : 0;
  f.compression_ratio = file_bytes ? 4.0 * static_cast<double>(f.elements) / static_cast<double>(file_bytes) : 0;
  f.density = f.elements ? static_cast<double>(f.nonzero) / static_cast<double>(f.elements) : 0;
  f.entropy = ent_count ? ent_weighted / static_cast<double>(ent_count) : 0;
  f.mse = f.elements ? err / static_cast<double>(f.elements) : 0;
  f.sqnr_db = stats::sqnr_db(sig, err);
  return f;
}

namespace {
json::Value num(double d) {
  if (std::isinf(d)) return json::Value(d > 0 ? "inf" : "-inf");
  return json::Value(d);
}
}  // namespace

json::Value to_json(const Figures& f, const std::string& file) {
  json::Value root;
  root["file"] = file;
  json::Array secs;
  for (const auto& s : f.sections) {
    json::Value v;
    v["name"] = s.name;
    json::Array shp;
    for (size_t d : s.shape) shp.emplace_back(static_cast<unsigned long long>(d));
    v["shape"] = shp;
    v["scheme"] = s.scheme;
    v["bits"] = s.bits;
    v["elements"] = static_cast<unsigned long long>(s.elements);
    v["density"] = s.density;
    v["sparse_format"] = s.sparse_format;
    v["coder"] = s.coder;
    v["payload_bytes"] = static_cast<unsigned long long>(s.payload_bytes);
    v["section_bytes"] = static_cast<unsigned long long>(s.section_bytes);
    v["bits_per_weight"] = s.bits_per_weight;
    v["entropy_bits"] = std::isnan(s.entropy) ? json::Value() : json::Value(s.entropy);
    v["mse"] = s.mse;
    v["sqnr_db"] = num(s.sqnr_db);
    secs.push_back(v);
  }
  root["tensors"] = secs;
  json::Value t;
  t["tensors"] = static_cast<unsigned long long>(f.sections.size());
  t["elements"] = static_cast<unsigned long long>(f.elements);
  t["file_bytes"] = static_cast<unsigned long long>(f.file_bytes);
  t["payload_bytes"] = static_cast<unsigned long long>(f.payload_bytes);
  t["float32_bytes"] = static_cast<unsigned long long>(4 * f.elements);
  t["compression_ratio"] = f.compression_ratio;
  t["bits_per_weight"] = f.bits_per_weight;
  t["density"] = f.density;
  t["entropy_bits"] = f.entropy;
  t["mse"] = f.mse;
  t["sqnr_db"] = num(f.sqnr_db);
  root["total"] = t;
  return root;
}

}  // namespace squish::container
