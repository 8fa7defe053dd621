// Builds small tfjs graph models (model.json + one shard) in memory, the way
// the tfjs converter writes them, for the importer and float-engine tests.
#pragma once

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "squish/graph/graph.hpp"

namespace test_graph {

using ojson = nlohmann::ordered_json;

inline std::string b64(const std::string& s) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
    o += t[v >> 18 & 63];
    o += t[v >> 12 & 63];
    o += t[v >> 6 & 63];
    o += t[v & 63];
  }
  if (s.size() - i == 1) {
    const unsigned v = (unsigned char)s[i] << 16;
    o += t[v >> 18 & 63];
    o += t[v >> 12 & 63];
    o += "==";
  } else if (s.size() - i == 2) {
    const unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8;
    o += t[v >> 18 & 63];
    o += t[v >> 12 & 63];
    o += t[v >> 6 & 63];
    o += '=';
  }
  return o;
}

inline ojson ints(std::vector<long> v) {
  ojson l = ojson::array();
  for (long x : v) l.push_back(std::to_string(x));
  return {{"list", {{"i", l}}}};
}
inline ojson str(const std::string& s) { return {{"s", b64(s)}}; }
inline ojson strs(std::vector<std::string> v) {
  ojson l = ojson::array();
  for (auto& x : v) l.push_back(b64(x));
  return {{"list", {{"s", l}}}};
}
inline ojson boolean(bool b) { return {{"b", b}}; }
inline ojson shape_attr(std::vector<long> dims) {
  ojson d = ojson::array();
  for (long x : dims) d.push_back({{"size", std::to_string(x)}});
  return {{"shape", {{"dim", d}}}};
}

struct ModelBuilder {
  ojson nodes = ojson::array();
  ojson weights = ojson::array();
  std::vector<uint8_t> shard;
  ojson signature;  // null: none

  void put(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    shard.insert(shard.end(), b, b + n);
  }
  void const_node(const std::string& name, const char* dt) {
    nodes.push_back({{"name", name}, {"op", "Const"}, {"attr", {{"dtype", {{"type", dt}}}}}});
  }
  void f32(const std::string& name, std::vector<size_t> shape, const std::vector<float>& v) {
    const_node(name, "DT_FLOAT");
    weights.push_back({{"name", name}, {"shape", shape}, {"dtype", "float32"}});
    put(v.data(), 4 * v.size());
  }
  void i32(const std::string& name, std::vector<size_t> shape, const std::vector<int32_t>& v) {
    const_node(name, "DT_INT32");
    weights.push_back({{"name", name}, {"shape", shape}, {"dtype", "int32"}});
    put(v.data(), 4 * v.size());
  }
  void f16_bits(const std::string& name, std::vector<size_t> shape, const std::vector<uint16_t>& bits) {
    const_node(name, "DT_FLOAT");
    weights.push_back({{"name", name}, {"shape", shape}, {"dtype", "float32"},
                       {"quantization", {{"dtype", "float16"}, {"original_dtype", "float32"}}}});
    put(bits.data(), 2 * bits.size());
  }
  void u8(const std::string& name, std::vector<size_t> shape, const std::vector<uint8_t>& codes, double scale, double min) {
    const_node(name, "DT_FLOAT");
    weights.push_back({{"name", name}, {"shape", shape}, {"dtype", "float32"},
                       {"quantization", {{"dtype", "uint8"}, {"scale", scale}, {"min", min}, {"original_dtype", "float32"}}}});
    put(codes.data(), codes.size());
  }
  void placeholder(const std::string& name, std::vector<long> shape) {
    nodes.push_back({{"name", name}, {"op", "Placeholder"}, {"attr", {{"dtype", {{"type", "DT_FLOAT"}}}, {"shape", shape_attr(shape)}}}});
  }
  void node(const std::string& name, const std::string& op, std::vector<std::string> inputs, ojson attr = ojson::object()) {
    attr["T"] = {{"type", "DT_FLOAT"}};
    nodes.push_back({{"name", name}, {"op", op}, {"input", inputs}, {"attr", attr}});
  }
  std::string json_text() const {
    ojson m = {{"format", "graph-model"},
               {"generatedBy", "test"},
               {"convertedBy", "test"},
               {"modelTopology", {{"node", nodes}, {"library", ojson::object()}, {"versions", ojson::object()}}},
               {"weightsManifest", ojson::array({{{"paths", {"w.bin"}}, {"weights", weights}}})}};
    if (!signature.is_null()) m["signature"] = signature;
    return m.dump();
  }
  squish::graph::Graph build() const {
    const std::string text = json_text();
    const auto sh = shard;
    return squish::graph::read_tfjs_graph(text, [sh](const std::string&) { return sh; }, "test.json");
  }
};

}  // namespace test_graph
