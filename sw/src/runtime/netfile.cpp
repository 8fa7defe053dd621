// .sqz network files: the weight sections plus `__squish_graph__`, a raw uint8
// section of UTF-8 JSON (docs/format.md, "Network files").
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "squish/error.hpp"
#include "squish/io/json_read.hpp"
#include "squish/json.hpp"
#include "squish/runtime/int8_engine.hpp"

namespace squish::runtime {

namespace {
struct OpName {
  graph::Op op;
  const char* name;
};
constexpr OpName kOps[] = {
    {graph::Op::Input, "Input"},       {graph::Op::Conv2D, "Conv2D"},   {graph::Op::DepthwiseConv2D, "DepthwiseConv2D"},
    {graph::Op::MatMul, "MatMul"},     {graph::Op::BiasAdd, "BiasAdd"}, {graph::Op::Add, "Add"},
    {graph::Op::Mul, "Mul"},           {graph::Op::Relu, "Relu"},       {graph::Op::Relu6, "Relu6"},
    {graph::Op::Pad, "Pad"},           {graph::Op::MaxPool, "MaxPool"}, {graph::Op::AvgPool, "AvgPool"},
    {graph::Op::Mean, "Mean"},         {graph::Op::Reshape, "Reshape"}, {graph::Op::Squeeze, "Squeeze"},
    {graph::Op::Concat, "Concat"},     {graph::Op::Softmax, "Softmax"}, {graph::Op::Sigmoid, "Sigmoid"},
};

// Doubles are stored as C99 hex-float strings so that they read back exactly.
std::string hexd(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%a", v);
  return b;
}

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw FormatError(where + ": section '" + kGraphSection + "': " + what);
}

struct Rd {
  std::string where;
  const io::JsonNode& need(const io::JsonNode& o, const char* key) const {
    const io::JsonNode* n = o.find(key);
    if (!n) bad(where, std::string("missing field '") + key + "'");
    return *n;
  }
  double num(const io::JsonNode& o, const char* key) const { return need(o, key).number(key); }
  int64_t integer(const io::JsonNode& o, const char* key) const {
    const double d = num(o, key);
    if (d != std::floor(d) || std::abs(d) > 9e15) bad(where, std::string("field '") + key + "' is not an integer");
    return static_cast<int64_t>(d);
  }
  std::string str(const io::JsonNode& o, const char* key) const { return need(o, key).string(key); }
  double hex(const io::JsonNode& o, const char* key) const {
    const std::string s = str(o, key);
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != 0 || !std::isfinite(d)) bad(where, std::string("field '") + key + "' is not a number: '" + s + "'");
    return d;
  }
  template <class T>
  std::vector<T> ints(const io::JsonNode& o, const char* key) const {
    std::vector<T> v;
    const io::JsonNode* n = o.find(key);
    if (!n) return v;
    for (const auto& x : n->array(key)) {
      const double d = x.number(key);
      if (d != std::floor(d)) bad(where, std::string("field '") + key + "' holds a non-integer");
      v.push_back(static_cast<T>(d));
    }
    return v;
  }
};

}  // namespace

const char* op_string(graph::Op op) {
  for (const auto& o : kOps)
    if (o.op == op) return o.name;
  return "?";
}

graph::Op op_from_string(const std::string& s) {
  for (const auto& o : kOps)
    if (s == o.name) return o.op;
  throw FormatError("unknown op '" + s + "'");
}

bool is_network(const container::Container& c) {
  for (const auto& s : c.sections)
    if (s.name == kGraphSection) return true;
  return false;
}

std::vector<uint8_t> save_network(const QuantNet& net) {
  using json::Array;
  using json::Object;
  using json::Value;
  Value doc;
  doc["format"] = "squish-net";
  doc["version"] = kNetFormatVersion;
  doc["source"] = net.source;
  Array ins, outs;
  for (const auto& s : net.graph.inputs) ins.emplace_back(s);
  for (const auto& s : net.graph.outputs) outs.emplace_back(s);
  doc["inputs"] = ins;
  doc["outputs"] = outs;
  Array onodes;
  for (const auto& s : net.graph.output_nodes) onodes.emplace_back(s);
  doc["output_nodes"] = onodes;
  Array nodes;
  for (const auto& n : net.graph.nodes) {
    Value v;
    v["name"] = n.name;
    v["op"] = op_string(n.op);
    v["tf_op"] = n.tf_op;
    Array in;
    for (const auto& s : n.inputs) in.emplace_back(s);
    v["inputs"] = in;
    // Attributes at their defaults are left out (the reader restores them).
    if (n.strides != std::array<int, 2>{1, 1}) v["strides"] = Array{n.strides[0], n.strides[1]};
    if (n.dilations != std::array<int, 2>{1, 1}) v["dilations"] = Array{n.dilations[0], n.dilations[1]};
    if (n.ksize != std::array<int, 2>{1, 1}) v["ksize"] = Array{n.ksize[0], n.ksize[1]};
    if (n.pads != std::array<int, 4>{0, 0, 0, 0}) v["pads"] = Array{n.pads[0], n.pads[1], n.pads[2], n.pads[3]};
    if (n.pad_same) v["pad_same"] = true;
    Array sh, ax, pl;
    for (auto d : n.shape) sh.emplace_back(static_cast<long long>(d));
    for (auto d : n.axes) ax.emplace_back(d);
    for (auto d : n.pad_list) pl.emplace_back(static_cast<long long>(d));
    if (!n.shape.empty()) v["shape"] = sh;
    if (!n.axes.empty()) v["axes"] = ax;
    if (n.axis != -1) v["axis"] = n.axis;
    if (n.keep_dims) v["keep_dims"] = true;
    if (n.act != graph::Act::None) v["act"] = n.act == graph::Act::Relu ? "relu" : "relu6";
    if (n.has_bias) v["has_bias"] = true;
    if (!n.pad_list.empty()) v["pad_list"] = pl;
    if (auto it = net.filter_shape.find(n.name); it != net.filter_shape.end()) {
      Array fs;
      for (auto d : it->second) fs.emplace_back(static_cast<unsigned long long>(d));
      v["filter_shape"] = fs;
    }
    nodes.push_back(v);
  }
  doc["nodes"] = nodes;
  Value acts = Object{};
  for (const auto& [name, q] : net.act) {
    Value a;
    a["scale"] = hexd(q.scale);
    a["zero_point"] = q.zero_point;
    if (auto it = net.ranges.find(name); it != net.ranges.end()) {
      a["min"] = it->second.min;
      a["max"] = it->second.max;
    }
    acts[name] = a;
  }
  doc["activations"] = acts;
  Array consts;
  for (const auto& [name, t] : net.graph.consts) consts.emplace_back(name);
  doc["host_constants"] = consts;
  doc["mp_avg_bits"] = net.mp_avg_bits;
  const std::string text = doc.dump();

  container::Container c = net.sections;
  c.source = net.source;
  for (const auto& [name, t] : net.graph.consts) {
    container::Section s;
    s.name = "__const__/" + name;
    s.dtype = t.dtype;
    s.shape = t.shape;
    s.quant.scheme = quant::Scheme::Raw;
    s.quant.bits = static_cast<unsigned>(8 * dtype_size(t.dtype));
    s.quant.channels.resize(1);
    s.payload = t.data;
    c.sections.push_back(std::move(s));
  }
  container::Section g;
  g.name = kGraphSection;
  g.dtype = DType::U8;
  g.shape = {text.size()};
  g.quant.scheme = quant::Scheme::Raw;
  g.quant.bits = 8;
  g.quant.channels.resize(1);
  g.payload.assign(text.begin(), text.end());
  c.sections.push_back(std::move(g));
  return container::serialize(c);
}

QuantNet load_network(std::span<const uint8_t> bytes, const std::string& where) {
  container::Container c = container::parse(bytes);
  QuantNet net;
  const container::Section* gs = nullptr;
  for (const auto& s : c.sections)
    if (s.name == kGraphSection) gs = &s;
  if (!gs) throw FormatError(where + ": a .sqz without a network (no '" + kGraphSection + "' section; made by 'squish compress' from tensors, not a model?)");
  if (gs->dtype != DType::U8 || gs->shape.size() != 1 || gs->quant.scheme != quant::Scheme::Raw)
    bad(where, "not a raw uint8 1-D section");
  const std::string text(gs->payload.begin(), gs->payload.end());
  const io::JsonNode doc = io::parse_json(text);
  Rd r{where + ": section '" + kGraphSection + "'"};
  if (r.str(doc, "format") != "squish-net") bad(where, "format is not 'squish-net'");
  const int64_t ver = r.integer(doc, "version");
  if (ver != kNetFormatVersion)
    bad(where, "network format version " + std::to_string(ver) + " (this reader knows " + std::to_string(kNetFormatVersion) + ")");
  net.source = r.str(doc, "source");
  net.graph.source = net.source;
  for (const auto& x : r.need(doc, "inputs").array("inputs")) net.graph.inputs.push_back(x.string("inputs"));
  for (const auto& x : r.need(doc, "outputs").array("outputs")) net.graph.outputs.push_back(x.string("outputs"));
  if (const auto* on = doc.find("output_nodes"))
    for (const auto& x : on->array("output_nodes")) net.graph.output_nodes.push_back(x.string("output_nodes"));
  if (!net.graph.output_nodes.empty() && net.graph.output_nodes.size() != net.graph.outputs.size())
    bad(where, "output_nodes and outputs differ in length");
  for (const auto& v : r.need(doc, "nodes").array("nodes")) {
    graph::Node n;
    n.name = r.str(v, "name");
    try {
      n.op = op_from_string(r.str(v, "op"));
    } catch (const FormatError& e) {
      bad(where, "node '" + n.name + "': " + e.what());
    }
    n.tf_op = r.str(v, "tf_op");
    for (const auto& x : r.need(v, "inputs").array("inputs")) n.inputs.push_back(x.string("inputs"));
    auto flag = [&](const char* k) {
      const io::JsonNode* f = v.find(k);
      if (!f) return false;
      if (!f->is_bool()) bad(where, "node '" + n.name + "': '" + k + "' is not a boolean");
      return std::get<bool>(f->v_);
    };
    auto two = [&](const char* k, std::array<int, 2>& a) {
      if (!v.find(k)) return;
      const auto t = r.ints<int>(v, k);
      if (t.size() != 2) bad(where, "node '" + n.name + "': '" + k + "' needs 2 values");
      a = {t[0], t[1]};
    };
    two("strides", n.strides);
    two("dilations", n.dilations);
    two("ksize", n.ksize);
    if (v.find("pads")) {
      const auto p = r.ints<int>(v, "pads");
      if (p.size() != 4) bad(where, "node '" + n.name + "': 'pads' needs 4 values");
      n.pads = {p[0], p[1], p[2], p[3]};
    }
    n.pad_same = flag("pad_same");
    n.shape = r.ints<int64_t>(v, "shape");
    n.axes = r.ints<int>(v, "axes");
    if (v.find("axis")) n.axis = static_cast<int>(r.integer(v, "axis"));
    n.keep_dims = flag("keep_dims");
    const std::string act = v.find("act") ? r.str(v, "act") : "none";
    if (act == "none") n.act = graph::Act::None;
    else if (act == "relu") n.act = graph::Act::Relu;
    else if (act == "relu6") n.act = graph::Act::Relu6;
    else bad(where, "node '" + n.name + "': unknown act '" + act + "'");
    n.has_bias = flag("has_bias");
    n.pad_list = r.ints<int64_t>(v, "pad_list");
    if (v.find("filter_shape")) {
      const auto fs = r.ints<size_t>(v, "filter_shape");
      net.filter_shape[n.name] = fs;
    }
    net.graph.nodes.push_back(std::move(n));
  }
  for (const auto& [name, a] : r.need(doc, "activations").object("activations")) {
    QParams q;
    q.scale = r.hex(a, "scale");
    const int64_t zp = r.integer(a, "zero_point");
    if (zp < -128 || zp > 127 || !(q.scale > 0)) bad(where, "activation '" + name + "': scale/zero point out of range");
    q.zero_point = static_cast<int32_t>(zp);
    net.act[name] = q;
    if (a.find("min") && a.find("max")) net.ranges[name] = {r.num(a, "min"), r.num(a, "max"), 1};
  }
  if (const auto* m = doc.find("mp_avg_bits"); m && m->is_number()) net.mp_avg_bits = m->number("mp_avg_bits");
  for (auto& s : c.sections) {
    if (s.name == kGraphSection) continue;
    if (s.name.rfind("__const__/", 0) == 0) {
      Tensor t;
      t.name = s.name.substr(10);
      t.shape = s.shape;
      t.dtype = s.dtype;
      t.data = s.payload;
      t.validate();
      net.graph.consts[t.name] = std::move(t);
      continue;
    }
    net.sections.sections.push_back(std::move(s));
  }
  net.sections.source = c.source;
  // Every weighted node needs its sections and filter shape.
  for (const auto& n : net.graph.nodes) {
    if (n.op != graph::Op::Conv2D && n.op != graph::Op::DepthwiseConv2D && n.op != graph::Op::MatMul) continue;
    if (!net.find(n.name + "/weights") || !net.find(n.name + "/bias") || !net.filter_shape.count(n.name) ||
        net.filter_shape[n.name].size() < 2)
      bad(where, "layer '" + n.name + "' lacks its weights, bias or filter shape");
  }
  return net;
}

}  // namespace squish::runtime
