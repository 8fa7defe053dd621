// TensorFlow.js graph-model importer: model.json (modelTopology + weightsManifest)
// -> squish::graph::Graph, normalized as graph.hpp describes.
//
// Parsing uses nlohmann::ordered_json: the order of a signature's output keys is
// the order GraphModel.outputs reports, so object order must be kept. Weight
// decoding is io::read_tfjs (float32, float16, uint8/uint16 affine, int32).
#include "squish/graph/graph.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "squish/error.hpp"
#include "squish/io/npy.hpp"
#include "squish/io/tfjs.hpp"

namespace squish::graph {

using json = nlohmann::ordered_json;

const char* op_name(Op op) {
  switch (op) {
    case Op::Input: return "Input";
    case Op::Conv2D: return "Conv2D";
    case Op::DepthwiseConv2D: return "DepthwiseConv2D";
    case Op::MatMul: return "MatMul";
    case Op::BiasAdd: return "BiasAdd";
    case Op::Add: return "Add";
    case Op::Mul: return "Mul";
    case Op::Relu: return "Relu";
    case Op::Relu6: return "Relu6";
    case Op::Pad: return "Pad";
    case Op::MaxPool: return "MaxPool";
    case Op::AvgPool: return "AvgPool";
    case Op::Mean: return "Mean";
    case Op::Reshape: return "Reshape";
    case Op::Squeeze: return "Squeeze";
    case Op::Concat: return "Concat";
    case Op::Softmax: return "Softmax";
    case Op::Sigmoid: return "Sigmoid";
  }
  return "?";
}

const Node* Graph::find(const std::string& name) const {
  for (const auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}

namespace {

const char* kSupported =
    "Placeholder, Const, Identity, Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative, "
    "MatMul, _FusedMatMul, BiasAdd, Add, AddV2, Mul, Relu, Relu6, Pad, MaxPool, AvgPool, Mean, Reshape, "
    "Squeeze, ConcatV2, Softmax, Sigmoid";

std::string b64decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const int v = val(c);
    if (v < 0) throw FormatError("bad base64 string '" + in + "'");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

struct RawNode {
  std::string name, op;
  std::vector<std::string> inputs;  // control inputs dropped, ":0" stripped
  const json* attr = nullptr;
};

class Importer {
 public:
  Importer(std::string source) : src_(std::move(source)) {}

  [[noreturn]] void fail(const RawNode& n, const std::string& msg) const {
    throw FormatError(src_ + ": node '" + n.name + "' (" + n.op + "): " + msg);
  }

  const json* attr(const RawNode& n, const char* key) const {
    if (!n.attr || !n.attr->is_object()) return nullptr;
    auto it = n.attr->find(key);
    return it == n.attr->end() ? nullptr : &*it;
  }
  std::vector<int64_t> attr_ints(const RawNode& n, const char* key) const {
    std::vector<int64_t> v;
    const json* a = attr(n, key);
    if (!a) return v;
    try {
      const json& l = a->at("list");
      if (l.contains("i"))
        for (const auto& e : l.at("i")) v.push_back(e.is_string() ? std::stoll(e.get<std::string>()) : e.get<int64_t>());
    } catch (const std::exception& e) {
      fail(n, std::string("attribute '") + key + "' is not an integer list (" + e.what() + ")");
    }
    return v;
  }
  std::string attr_str(const RawNode& n, const char* key, const std::string& dflt = "") const {
    const json* a = attr(n, key);
    if (!a || !a->contains("s")) return dflt;
    try {
      return b64decode(a->at("s").get<std::string>());
    } catch (const std::exception& e) {
      fail(n, std::string("attribute '") + key + "': " + e.what());
    }
  }
  std::vector<std::string> attr_strs(const RawNode& n, const char* key) const {
    std::vector<std::string> v;
    const json* a = attr(n, key);
    if (!a) return v;
    try {
      const json& l = a->at("list");
      if (l.contains("s"))
        for (const auto& e : l.at("s")) v.push_back(b64decode(e.get<std::string>()));
    } catch (const std::exception& e) {
      fail(n, std::string("attribute '") + key + "' is not a string list (" + e.what() + ")");
    }
    return v;
  }
  bool attr_bool(const RawNode& n, const char* key) const {
    const json* a = attr(n, key);
    if (!a || !a->contains("b")) return false;
    const json& b = a->at("b");
    return b.is_boolean() ? b.get<bool>() : false;
  }
  int64_t attr_int(const RawNode& n, const char* key, int64_t dflt) const {
    const json* a = attr(n, key);
    if (!a || !a->contains("i")) return dflt;
    const json& i = a->at("i");
    try {
      return i.is_string() ? std::stoll(i.get<std::string>()) : i.get<int64_t>();
    } catch (const std::exception&) {
      fail(n, std::string("attribute '") + key + "' is not an integer");
    }
  }

  Graph run(std::string_view text, const std::function<std::vector<uint8_t>(const std::string&)>& load) {
    json root;
    try {
      root = json::parse(text);
    } catch (const json::parse_error& e) {
      throw FormatError(src_ + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!root.is_object() || !root.contains("modelTopology") || !root["modelTopology"].is_object())
      throw FormatError(src_ + ": no \"modelTopology\" object (not a tfjs graph model)");
    const json& topo = root["modelTopology"];
    if (!topo.contains("node") || !topo["node"].is_array())
      throw FormatError(src_ + ": modelTopology has no \"node\" list (a layers model? only graph models are read)");

    // weights
    // A graph without weights (every constant folded) is legal here; the
    // weights reader itself refuses an empty manifest.
    size_t listed = 0;
    if (root.contains("weightsManifest") && root["weightsManifest"].is_array())
      for (const auto& g : root["weightsManifest"])
        if (g.is_object() && g.contains("weights") && g["weights"].is_array()) listed += g["weights"].size();
    if (listed) for (auto& t : io::read_tfjs(text, load)) {
      std::string name = t.name;
      weights_.emplace(name, std::move(t));
    }

    // raw nodes
    std::vector<RawNode> raw;
    std::set<std::string> seen;
    size_t idx = 0;
    for (const auto& jn : topo["node"]) {
      RawNode r;
      if (!jn.is_object() || !jn.contains("name") || !jn["name"].is_string() || !jn.contains("op") || !jn["op"].is_string())
        throw FormatError(src_ + ": modelTopology.node[" + std::to_string(idx) + "] needs string \"name\" and \"op\"");
      r.name = jn["name"].get<std::string>();
      r.op = jn["op"].get<std::string>();
      // every op must be known (checked first, so the message names the op)
      static const std::set<std::string> known = {
          "Placeholder", "Const", "Identity", "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative",
          "FusedDepthwiseConv2dNative", "MatMul", "_FusedMatMul", "BiasAdd", "Add", "AddV2", "Mul", "Relu",
          "Relu6", "Pad", "MaxPool", "AvgPool", "Mean", "Reshape", "Squeeze", "ConcatV2", "Softmax", "Sigmoid"};
      if (!known.count(r.op))
        throw FormatError(src_ + ": node '" + r.name + "' has op '" + r.op + "', which squish does not support (supported: " +
                          kSupported + ")");
      if (jn.contains("attr")) r.attr = &jn["attr"];
      if (jn.contains("input")) {
        if (!jn["input"].is_array()) fail(r, "\"input\" is not a list");
        for (const auto& in : jn["input"]) {
          if (!in.is_string()) fail(r, "an input is not a string");
          std::string s = in.get<std::string>();
          if (!s.empty() && s[0] == '^') continue;  // control dependency
          const auto colon = s.find(':');
          if (colon != std::string::npos) {
            const std::string port = s.substr(colon + 1);
            if (port != "0") fail(r, "input '" + s + "' uses output " + port + " of a multi-output op (not supported)");
            s = s.substr(0, colon);
          }
          r.inputs.push_back(s);
        }
      }
      if (!seen.insert(r.name).second) fail(r, "duplicate node name");
      raw.push_back(std::move(r));
      ++idx;
    }
    for (const auto& r : raw) raw_by_name_[r.name] = &r;
    for (const auto& r : raw)
      for (const auto& in : r.inputs)
        if (!raw_by_name_.count(in)) fail(r, "input '" + in + "' names no node");

    // Const nodes: each must have a weight
    for (const auto& r : raw)
      if (r.op == "Const" && !weights_.count(r.name)) fail(r, "constant has no entry in the weightsManifest");

    // topological order (DFS over inputs, file order as tie-break)
    std::unordered_map<std::string, int> state;
    std::vector<const RawNode*> order;
    std::function<void(const RawNode&)> visit = [&](const RawNode& r) {
      int& s = state[r.name];
      if (s == 2) return;
      if (s == 1) fail(r, "the graph has a cycle through this node");
      s = 1;
      for (const auto& in : r.inputs) visit(*raw_by_name_.at(in));
      state[r.name] = 2;
      order.push_back(&r);
    };
    for (const auto& r : raw) visit(r);

    Graph g;
    g.source = src_;
    for (const RawNode* r : order) convert(*r, g);

    // consumers, for outputs without signature
    std::set<std::string> consumed;
    for (const auto& r : raw)
      for (const auto& in : r.inputs) consumed.insert(in);

    // signature: userDefinedMetadata.signature wins over "signature" (as GraphModel)
    const json* sig = nullptr;
    if (root.contains("signature") && root["signature"].is_object()) sig = &root["signature"];
    if (root.contains("userDefinedMetadata") && root["userDefinedMetadata"].is_object() &&
        root["userDefinedMetadata"].contains("signature") && root["userDefinedMetadata"]["signature"].is_object())
      sig = &root["userDefinedMetadata"]["signature"];
    auto sig_names = [&](const char* key) {
      std::vector<std::string> names;
      if (!sig || !sig->contains(key) || !(*sig)[key].is_object()) return names;
      for (const auto& [k, v] : (*sig)[key].items()) {
        if (!v.is_object() || !v.contains("name") || !v["name"].is_string()) continue;
        std::string n = v["name"].get<std::string>();
        n = n.substr(0, n.find(':'));
        if (std::find(names.begin(), names.end(), n) == names.end() && raw_by_name_.count(n)) names.push_back(n);
      }
      return names;
    };
    std::vector<std::string> outs = sig_names("outputs");
    if (outs.empty())
      for (const auto& r : raw)
        if (!consumed.count(r.name)) outs.push_back(r.name);
    for (const auto& o : outs) {
      g.outputs.push_back(o);
      g.output_nodes.push_back(resolve(o));
    }
    std::vector<std::string> ins = sig_names("inputs");
    if (ins.empty())
      for (const auto& r : raw)
        if (r.op == "Placeholder") ins.push_back(r.name);
    for (const auto& i : ins) {
      if (raw_by_name_.at(i)->op != "Placeholder") fail(*raw_by_name_.at(i), "signature input is not a Placeholder");
      g.inputs.push_back(i);
    }
    // consts referenced by nodes
    for (auto& n : g.nodes)
      for (auto& in : n.inputs)
        if (!g.consts.count(in) && weights_.count(in) && !g.find(in)) add_const(g, in);
    for (const auto& o : g.output_nodes)
      if (!g.find(o) && weights_.count(o) && !g.consts.count(o)) add_const(g, o);
    return g;
  }

 private:
  std::string src_;
  std::map<std::string, Tensor> weights_;
  std::unordered_map<std::string, const RawNode*> raw_by_name_;
  std::unordered_map<std::string, std::string> alias_;  // Identity -> producer
  std::map<std::string, std::vector<int64_t>> shapes_;  // per-image shapes of node outputs and consts

  std::string resolve(const std::string& name) const {
    std::string n = name;
    for (int guard = 0; guard < 100000; ++guard) {
      auto it = alias_.find(n);
      if (it == alias_.end()) return n;
      n = it->second;
    }
    return n;
  }

  void add_const(Graph& g, const std::string& name) {
    const Tensor& t = weights_.at(name);
    if (t.dtype != DType::F32) throw FormatError(src_ + ": constant '" + name + "' is " + std::string(dtype_name(t.dtype)) + " where a float32 tensor is needed");
    g.consts.emplace(name, t);
  }

  bool is_const(const std::string& name) const {
    auto it = raw_by_name_.find(name);
    return it != raw_by_name_.end() && it->second->op == "Const";
  }

  std::vector<int64_t> int_const(const RawNode& n, const std::string& cname, const char* what) const {
    if (!is_const(cname)) fail(n, std::string(what) + " input '" + cname + "' is not a constant");
    const Tensor& t = weights_.at(cname);
    std::vector<int64_t> v;
    if (t.dtype == DType::I32) {
      for (size_t i = 0; i < t.numel(); ++i) {
        int32_t x;
        std::memcpy(&x, &t.data[4 * i], 4);
        v.push_back(x);
      }
    } else if (t.dtype == DType::F32) {
      for (float f : t.to_float()) v.push_back(static_cast<int64_t>(f));
    } else {
      fail(n, std::string(what) + " constant '" + cname + "' has dtype " + std::string(dtype_name(t.dtype)));
    }
    return v;
  }

  std::vector<int64_t> shape_of(const RawNode& n, const std::string& name) const {
    auto it = shapes_.find(name);
    if (it != shapes_.end()) return it->second;
    auto w = weights_.find(name);
    if (w != weights_.end()) return std::vector<int64_t>(w->second.shape.begin(), w->second.shape.end());
    fail(n, "no shape known for input '" + name + "'");
  }

  const Tensor& float_const(const RawNode& n, const std::string& name, const char* what) const {
    if (!is_const(name)) fail(n, std::string(what) + " '" + name + "' must be a constant");
    const Tensor& t = weights_.at(name);
    if (t.dtype != DType::F32) fail(n, std::string(what) + " '" + name + "' is not float32");
    return t;
  }

  void check_nhwc(const RawNode& n) const {
    const std::string df = attr_str(n, "data_format", "NHWC");
    if (df != "NHWC") fail(n, "data_format '" + df + "' (only NHWC is supported)");
  }

  // SAME / VALID / EXPLICIT padding of a window op over the input shape.
  void resolve_padding(const RawNode& n, Node& out, const std::vector<int64_t>& in, int kh, int kw) const {
    const std::string pad = attr_str(n, "padding", "VALID");
    if (in.size() != 4) fail(n, "input is not 4-D (NHWC)");
    if (pad == "VALID") {
      out.pads = {0, 0, 0, 0};
    } else if (pad == "SAME") {
      out.pad_same = true;
      const int64_t eh = (int64_t(kh) - 1) * out.dilations[0] + 1, ew = (int64_t(kw) - 1) * out.dilations[1] + 1;
      const int64_t oh = (in[1] + out.strides[0] - 1) / out.strides[0], ow = (in[2] + out.strides[1] - 1) / out.strides[1];
      const int64_t ph = std::max<int64_t>(0, (oh - 1) * out.strides[0] + eh - in[1]);
      const int64_t pw = std::max<int64_t>(0, (ow - 1) * out.strides[1] + ew - in[2]);
      out.pads = {int(ph / 2), int(ph - ph / 2), int(pw / 2), int(pw - pw / 2)};
    } else if (pad == "EXPLICIT") {
      const auto e = attr_ints(n, "explicit_paddings");
      if (e.size() != 8) fail(n, "EXPLICIT padding needs 8 explicit_paddings, got " + std::to_string(e.size()));
      if (e[0] || e[1] || e[6] || e[7]) fail(n, "explicit_paddings pad the batch or channel dimension");
      for (auto v : e)
        if (v < 0 || v > 1 << 20) fail(n, "explicit_paddings value out of range");
      out.pads = {int(e[2]), int(e[3]), int(e[4]), int(e[5])};
    } else {
      fail(n, "padding '" + pad + "' (SAME, VALID or EXPLICIT)");
    }
  }

  std::array<int, 2> hw_attr(const RawNode& n, const char* key) const {
    auto v = attr_ints(n, key);
    if (v.empty()) return {1, 1};
    if (v.size() != 4) fail(n, std::string("attribute '") + key + "' needs 4 values (NHWC)");
    if (v[0] != 1 || v[3] != 1) fail(n, std::string("attribute '") + key + "' must be 1 on batch and channels");
    if (v[1] < 1 || v[2] < 1 || v[1] > 1 << 16 || v[2] > 1 << 16) fail(n, std::string("attribute '") + key + "' out of range");
    return {int(v[1]), int(v[2])};
  }

  std::vector<int64_t> window_out(const RawNode& n, const Node& o, const std::vector<int64_t>& in, int kh, int kw, int64_t c) const {
    const int64_t eh = (int64_t(kh) - 1) * o.dilations[0] + 1, ew = (int64_t(kw) - 1) * o.dilations[1] + 1;
    const int64_t hp = in[1] + o.pads[0] + o.pads[1], wp = in[2] + o.pads[2] + o.pads[3];
    if (hp < eh || wp < ew) fail(n, "window larger than the padded input");
    return {in[0], (hp - eh) / o.strides[0] + 1, (wp - ew) / o.strides[1] + 1, c};
  }

  void fused(const RawNode& n, Node& o, size_t base_inputs) const {
    const auto ops = attr_strs(n, "fused_ops");
    size_t i = 0;
    if (i < ops.size() && ops[i] == "BiasAdd") {
      o.has_bias = true;
      ++i;
    }
    if (i < ops.size()) {
      if (ops[i] == "Relu") o.act = Act::Relu;
      else if (ops[i] == "Relu6") o.act = Act::Relu6;
      else fail(n, "fused op '" + ops[i] + "' is not supported (BiasAdd, Relu, Relu6)");
      ++i;
    }
    if (i != ops.size()) fail(n, "fused op list has '" + ops[i] + "' after the activation (not supported)");
    const size_t want = base_inputs + (o.has_bias ? 1 : 0);
    if (n.inputs.size() != want)
      fail(n, "has " + std::to_string(n.inputs.size()) + " inputs; fused ops need " + std::to_string(want));
  }

  static std::vector<int64_t> broadcast(const std::vector<int64_t>& a, const std::vector<int64_t>& b, bool& ok) {
    ok = true;
    const size_t r = std::max(a.size(), b.size());
    std::vector<int64_t> out(r);
    for (size_t i = 0; i < r; ++i) {
      const int64_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
      const int64_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
      if (da != db && da != 1 && db != 1) ok = false;
      out[i] = std::max(da, db);
    }
    return out;
  }

  void convert(const RawNode& n, Graph& g) {
    if (n.op == "Const") return;
    if (n.op == "Identity") {
      if (n.inputs.size() != 1) fail(n, "Identity needs one input");
      alias_[n.name] = resolve(n.inputs[0]);
      return;
    }
    Node o;
    o.name = n.name;
    o.tf_op = n.op;
    std::vector<std::string> in;
    for (const auto& s : n.inputs) in.push_back(resolve(s));
    auto need = [&](size_t k) {
      if (in.size() != k) fail(n, "needs " + std::to_string(k) + " inputs, has " + std::to_string(in.size()));
    };
    const std::string& op = n.op;
    if (op == "Placeholder") {
      o.op = Op::Input;
      const json* s = attr(n, "shape");
      if (!s || !s->contains("shape")) fail(n, "Placeholder without a shape attribute");
      const json& sh = s->at("shape");
      if (sh.contains("dim"))
        for (const auto& d : sh.at("dim")) {
          int64_t v = -1;
          if (d.contains("size")) v = d["size"].is_string() ? std::stoll(d["size"].get<std::string>()) : d["size"].get<int64_t>();
          o.shape.push_back(v);
        }
      if (o.shape.empty()) fail(n, "Placeholder of unknown rank");
      o.out_shape = o.shape;
      o.out_shape[0] = 1;
      for (size_t i = 1; i < o.out_shape.size(); ++i)
        if (o.out_shape[i] < 1) fail(n, "Placeholder dimension " + std::to_string(i) + " is unknown (" + std::to_string(o.out_shape[i]) + "); squish needs fixed sizes besides the batch");
    } else if (op == "Conv2D" || op == "_FusedConv2D" || op == "DepthwiseConv2dNative" || op == "FusedDepthwiseConv2dNative") {
      const bool dw = op.find("Depthwise") != std::string::npos;
      o.op = dw ? Op::DepthwiseConv2D : Op::Conv2D;
      if (op[0] == '_' || op.rfind("Fused", 0) == 0) fused(n, o, 2);
      else need(2);
      check_nhwc(n);
      o.strides = hw_attr(n, "strides");
      o.dilations = hw_attr(n, "dilations");
      if (is_const(in[0])) fail(n, "input 0 is a constant");
      const Tensor& f = float_const(n, in[1], "filter");
      if (f.shape.size() != 4) fail(n, "filter '" + in[1] + "' is not 4-D");
      const auto xs = shape_of(n, in[0]);
      if (xs.size() != 4) fail(n, "input is not 4-D (NHWC)");
      if (int64_t(f.shape[2]) != xs[3])
        fail(n, "filter " + shape_string(f.shape) + " does not match " + std::to_string(xs[3]) + " input channels");
      resolve_padding(n, o, xs, int(f.shape[0]), int(f.shape[1]));
      const int64_t oc = dw ? int64_t(f.shape[2] * f.shape[3]) : int64_t(f.shape[3]);
      if (o.has_bias) {
        const Tensor& b = float_const(n, in.back(), "bias");
        if (b.numel() != size_t(oc)) fail(n, "bias '" + in.back() + "' has " + std::to_string(b.numel()) + " values for " + std::to_string(oc) + " channels");
      }
      o.out_shape = window_out(n, o, xs, int(f.shape[0]), int(f.shape[1]), oc);
    } else if (op == "MatMul" || op == "_FusedMatMul") {
      o.op = Op::MatMul;
      if (op[0] == '_') fused(n, o, 2);
      else need(2);
      if (attr_bool(n, "transpose_a")) fail(n, "transpose_a is not supported");
      const Tensor& w = float_const(n, in[1], "weight");
      if (w.shape.size() != 2) fail(n, "weight '" + in[1] + "' is not 2-D");
      std::string wname = in[1];
      size_t K = w.shape[0], M = w.shape[1];
      if (attr_bool(n, "transpose_b")) {
        std::swap(K, M);
        wname = in[1] + "/T";
        if (!weights_.count(wname)) {
          const auto v = w.to_float();
          std::vector<float> t(v.size());
          for (size_t k = 0; k < K; ++k)
            for (size_t m = 0; m < M; ++m) t[k * M + m] = v[m * K + k];
          weights_.emplace(wname, Tensor::from_float(wname, {K, M}, t));
          shapes_[wname] = {int64_t(K), int64_t(M)};
        }
        in[1] = wname;
      }
      const auto xs = shape_of(n, in[0]);
      if (xs.size() != 2 || xs[1] != int64_t(K)) fail(n, "input shape does not match weight [" + std::to_string(K) + ", " + std::to_string(M) + "]");
      if (o.has_bias && float_const(n, in.back(), "bias").numel() != M) fail(n, "bias size does not match");
      o.out_shape = {xs[0], int64_t(M)};
    } else if (op == "BiasAdd") {
      o.op = Op::BiasAdd;
      need(2);
      check_nhwc(n);
      const auto xs = shape_of(n, in[0]);
      if (float_const(n, in[1], "bias").numel() != size_t(xs.back())) fail(n, "bias size does not match the last dimension");
      o.out_shape = xs;
    } else if (op == "Add" || op == "AddV2" || op == "Mul") {
      o.op = op == "Mul" ? Op::Mul : Op::Add;
      need(2);
      if (is_const(in[0]) && is_const(in[1])) fail(n, "both operands are constants");
      if (is_const(in[0])) std::swap(in[0], in[1]);
      if (o.op == Op::Mul && !is_const(in[1])) fail(n, "Mul of two tensors is not supported (one operand must be a constant)");
      if (is_const(in[1])) float_const(n, in[1], "operand");
      bool ok;
      o.out_shape = broadcast(shape_of(n, in[0]), shape_of(n, in[1]), ok);
      if (!ok) fail(n, "operand shapes do not broadcast");
      if (o.out_shape != shape_of(n, in[0]) && !(o.op == Op::Add && !is_const(in[1])))
        fail(n, "a constant operand may not enlarge the tensor");
    } else if (op == "Relu" || op == "Relu6" || op == "Sigmoid" || op == "Softmax") {
      o.op = op == "Relu" ? Op::Relu : op == "Relu6" ? Op::Relu6 : op == "Sigmoid" ? Op::Sigmoid : Op::Softmax;
      need(1);
      o.out_shape = shape_of(n, in[0]);
    } else if (op == "Pad") {
      o.op = Op::Pad;
      need(2);
      const auto xs = shape_of(n, in[0]);
      o.pad_list = int_const(n, in[1], "paddings");
      if (o.pad_list.size() != 2 * xs.size()) fail(n, "paddings do not have 2 values per dimension");
      if (o.pad_list[0] || o.pad_list[1]) fail(n, "padding of the batch dimension is not supported");
      o.out_shape = xs;
      for (size_t d = 0; d < xs.size(); ++d) {
        if (o.pad_list[2 * d] < 0 || o.pad_list[2 * d + 1] < 0) fail(n, "negative padding");
        o.out_shape[d] += o.pad_list[2 * d] + o.pad_list[2 * d + 1];
      }
      in.resize(1);
    } else if (op == "MaxPool" || op == "AvgPool") {
      o.op = op == "MaxPool" ? Op::MaxPool : Op::AvgPool;
      need(1);
      check_nhwc(n);
      o.ksize = hw_attr(n, "ksize");
      o.strides = hw_attr(n, "strides");
      const auto xs = shape_of(n, in[0]);
      resolve_padding(n, o, xs, o.ksize[0], o.ksize[1]);
      o.out_shape = window_out(n, o, xs, o.ksize[0], o.ksize[1], xs.size() == 4 ? xs[3] : 0);
    } else if (op == "Mean") {
      o.op = Op::Mean;
      need(2);
      const auto xs = shape_of(n, in[0]);
      for (auto a : int_const(n, in[1], "reduction_indices")) {
        if (a < 0) a += int64_t(xs.size());
        if (a < 0 || a >= int64_t(xs.size())) fail(n, "reduction axis out of range");
        if (a == 0) fail(n, "reduction over the batch dimension is not supported");
        if (std::find(o.axes.begin(), o.axes.end(), int(a)) == o.axes.end()) o.axes.push_back(int(a));
      }
      std::sort(o.axes.begin(), o.axes.end());
      o.keep_dims = attr_bool(n, "keep_dims");
      for (size_t d = 0; d < xs.size(); ++d) {
        const bool red = std::find(o.axes.begin(), o.axes.end(), int(d)) != o.axes.end();
        if (!red) o.out_shape.push_back(xs[d]);
        else if (o.keep_dims) o.out_shape.push_back(1);
      }
      in.resize(1);
    } else if (op == "Reshape") {
      o.op = Op::Reshape;
      need(2);
      const auto xs = shape_of(n, in[0]);
      o.shape = int_const(n, in[1], "shape");
      int64_t numel = 1, known = 1;
      int neg = -1;
      for (auto v : xs) numel *= v;
      o.out_shape = o.shape;
      for (size_t d = 0; d < o.shape.size(); ++d) {
        if (o.shape[d] == -1) {
          if (neg >= 0) fail(n, "more than one -1 in the target shape");
          neg = int(d);
        } else if (o.shape[d] < 0) {
          fail(n, "negative dimension in the target shape");
        } else {
          known *= o.shape[d];
        }
      }
      if (neg >= 0) {
        if (known == 0 || numel % known) fail(n, "target shape does not divide the input size");
        o.out_shape[neg] = numel / known;
      } else if (known != numel) {
        fail(n, "target shape has " + std::to_string(known) + " elements, input " + std::to_string(numel));
      }
      if (o.out_shape.empty() || o.out_shape[0] != 1) fail(n, "target shape must keep the batch dimension first (size 1 or -1 per image)");
      in.resize(1);
    } else if (op == "Squeeze") {
      o.op = Op::Squeeze;
      need(1);
      const auto xs = shape_of(n, in[0]);
      for (auto a : attr_ints(n, "squeeze_dims")) {
        if (a < 0) a += int64_t(xs.size());
        if (a < 1 || a >= int64_t(xs.size())) fail(n, "squeeze axis out of range (or the batch axis)");
        if (xs[a] != 1) fail(n, "squeezes a dimension of size " + std::to_string(xs[a]));
        o.axes.push_back(int(a));
      }
      if (o.axes.empty())
        for (size_t d = 1; d < xs.size(); ++d)
          if (xs[d] == 1) o.axes.push_back(int(d));
      std::sort(o.axes.begin(), o.axes.end());
      for (size_t d = 0; d < xs.size(); ++d)
        if (std::find(o.axes.begin(), o.axes.end(), int(d)) == o.axes.end()) o.out_shape.push_back(xs[d]);
    } else if (op == "ConcatV2") {
      o.op = Op::Concat;
      if (in.size() < 2) fail(n, "ConcatV2 needs tensors and an axis");
      const auto ax = int_const(n, in.back(), "axis");
      if (ax.size() != 1) fail(n, "axis is not a scalar");
      in.pop_back();
      const auto x0 = shape_of(n, in[0]);
      int64_t a = ax[0] < 0 ? ax[0] + int64_t(x0.size()) : ax[0];
      if (a < 1 || a >= int64_t(x0.size())) fail(n, "concat axis out of range (or the batch axis)");
      o.axis = int(a);
      o.out_shape = x0;
      o.out_shape[a] = 0;
      for (const auto& s : in) {
        const auto xs = shape_of(n, s);
        if (xs.size() != x0.size()) fail(n, "inputs of different rank");
        for (size_t d = 0; d < xs.size(); ++d)
          if (int64_t(d) != a && xs[d] != x0[d]) fail(n, "input '" + s + "' does not match in dimension " + std::to_string(d));
        o.out_shape[a] += xs[a];
      }
    }
    int64_t count = 1;
    for (auto d : o.out_shape) {
      if (d < 0 || d > (int64_t(1) << 30)) fail(n, "inferred output dimension " + std::to_string(d) + " out of range");
      count *= std::max<int64_t>(d, 1);
      if (count > (int64_t(1) << 30)) fail(n, "output of more than 2^30 elements per image");
    }
    o.inputs = in;
    shapes_[o.name] = o.out_shape;
    g.nodes.push_back(std::move(o));
  }
};

}  // namespace

Graph read_tfjs_graph(std::string_view model_json, const std::function<std::vector<uint8_t>(const std::string&)>& load_shard,
                      const std::string& source) {
  Importer imp(source);
  try {
    return imp.run(model_json, load_shard);
  } catch (const nlohmann::json::exception& e) {  // a field of the wrong JSON type
    throw FormatError(source + ": malformed model.json (" + std::string(e.what()) + ")");
  } catch (const std::invalid_argument& e) {  // std::stoll on a non-number
    throw FormatError(source + ": malformed number in model.json (" + std::string(e.what()) + ")");
  } catch (const std::out_of_range& e) {
    throw FormatError(source + ": number out of range in model.json (" + std::string(e.what()) + ")");
  }
}

Graph load_tfjs_graph(const std::string& path) {
  const std::vector<uint8_t> text = io::read_file(path);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return read_tfjs_graph(
      std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
      [&dir, &path](const std::string& shard) {
        if (shard.find("..") != std::string::npos || (!shard.empty() && shard[0] == '/'))
          throw FormatError(path + ": shard path '" + shard + "' leaves the model folder");
        return io::read_file((dir / shard).string());
      },
      path);
}

}  // namespace squish::graph
