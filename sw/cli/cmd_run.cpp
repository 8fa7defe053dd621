// squish run MODEL(.json|.sqz) --input IN.npy --engine float|golden|rtl -o OUT.npz
// [--calib CALIB.npy] [compress options] [--json]: runs a network on a batch of
// inputs with the float engine, the golden int8 engine, or the int8 engine on
// the RTL accelerator (every layer then compared with the golden engine).
#include <cstdio>
#include <map>

#include "args.hpp"
#include "cli.hpp"
#include "net_options.hpp"
#include "run_report.hpp"
#include "squish/io/npy.hpp"
#include "squish/json.hpp"
#include "squish/runtime/float_engine.hpp"

namespace squish::cli {

namespace {

Tensor image_of(const Tensor& in, size_t i) {
  Tensor t;
  t.name = in.name;
  t.dtype = in.dtype;
  t.shape = in.shape;
  const size_t per = in.data.size() / in.shape[0];
  t.shape[0] = 1;
  t.data.assign(in.data.begin() + static_cast<std::ptrdiff_t>(i * per),
                in.data.begin() + static_cast<std::ptrdiff_t>((i + 1) * per));
  return t;
}

}  // namespace

NetRun run_network(const std::string& model, const Tensor& input, const std::string& engine, const NetArgs& na,
                   const container::CompressOptions& co, bool want_float_values) {
  NetRun r;
  r.engine = engine;
  if (input.shape.empty() || input.shape[0] == 0) throw FormatError("input: an empty batch");
  if (!dtype_is_float(input.dtype)) throw FormatError("input: expected float32 values, got " + std::string(dtype_name(input.dtype)));
  const size_t N = input.shape[0];
  r.images = N;
  NetProgress prog(!na.quiet);
  if (engine == "float") {
    if (!is_model_json(model)) throw UsageError("--engine float runs a model.json (a .sqz holds the quantized network)");
    const graph::Graph g = graph::load_tfjs_graph(model);
    std::vector<std::vector<Tensor>> parts;
    for (size_t i = 0; i < N; ++i) {
      prog.step(i, N, "float");
      parts.push_back(runtime::run_float(g, image_of(input, i), false).outputs);
    }
    prog.done();
    for (size_t k = 0; k < g.outputs.size(); ++k) {
      Tensor t = parts[0][k];
      for (size_t i = 1; i < N; ++i) t.data.insert(t.data.end(), parts[i][k].data.begin(), parts[i][k].data.end());
      t.shape[0] = N;
      r.outputs.push_back(std::move(t));
    }
    (void)want_float_values;
    return r;
  }
  if (engine != "golden" && engine != "rtl") throw UsageError("--engine: float, golden or rtl");
  const auto net = load_or_quantize(model, na, co, &prog, &r.model_bytes);
  auto dev = runtime::make_device(engine);
  std::unique_ptr<runtime::Device> gold;
  if (engine == "rtl") {
    gold = runtime::make_device("golden");
    r.compared = true;
    r.bit_exact = true;
  }
  std::vector<std::vector<Tensor>> parts;
  for (size_t i = 0; i < N; ++i) {
    prog.step(i, N, engine.c_str());
    const Tensor img = image_of(input, i);
    auto res = runtime::run_int8(net, img, *dev, r.compared);
    if (r.compared) {
      const auto ref = runtime::run_int8(net, img, *gold, true);
      for (size_t k = 0; k < res.layers.size() && k < ref.layers.size(); ++k)
        if (res.layers[k].out != ref.layers[k].out) {
          if (r.bit_exact)
            r.first_mismatch = "image " + std::to_string(i) + ", layer '" + res.layers[k].name + "'";
          r.bit_exact = false;
        }
      for (size_t k = 0; k < res.outputs.size(); ++k)
        if (res.outputs[k].data != ref.outputs[k].data) {
          if (r.bit_exact) r.first_mismatch = "image " + std::to_string(i) + ", output '" + res.outputs[k].name + "'";
          r.bit_exact = false;
        }
    }
    for (auto& L : res.layers) L.out.clear();
    r.layers.insert(r.layers.end(), res.layers.begin(), res.layers.end());
    parts.push_back(std::move(res.outputs));
  }
  prog.done();
  for (size_t k = 0; k < parts[0].size(); ++k) {
    Tensor t = parts[0][k];
    for (size_t i = 1; i < N; ++i) t.data.insert(t.data.end(), parts[i][k].data.begin(), parts[i][k].data.end());
    t.shape[0] = N;
    r.outputs.push_back(std::move(t));
  }
  r.int8 = true;
  return r;
}

json::Value run_json(const NetRun& r) {
  // Per-layer figures summed over the images, in graph order.
  std::vector<std::string> order;
  std::map<std::string, runtime::LayerRecord> agg;
  for (const auto& L : r.layers) {
    auto it = agg.find(L.name);
    if (it == agg.end()) {
      order.push_back(L.name);
      agg[L.name] = L;
      continue;
    }
    auto& A = it->second;
    A.macs += L.macs;
    A.stats.cycles += L.stats.cycles;
    A.stats.macs_performed += L.stats.macs_performed;
    A.weight_bytes += L.weight_bytes;
  }
  json::Value doc;
  doc["engine"] = r.engine;
  doc["images"] = static_cast<unsigned long long>(r.images);
  json::Array layers;
  uint64_t cycles = 0, dev_macs = 0, host_macs = 0, wbytes = 0, performed = 0;
  for (const auto& name : order) {
    const auto& L = agg[name];
    json::Value l;
    l["name"] = L.name;
    l["op"] = L.op;
    l["engine"] = L.on_device ? "rtl" : "host";
    l["macs"] = static_cast<unsigned long long>(L.macs);
    l["macs_performed"] = static_cast<unsigned long long>(L.stats.macs_performed);
    l["cycles"] = static_cast<unsigned long long>(L.stats.cycles);
    l["weight_bytes"] = static_cast<unsigned long long>(L.weight_bytes);
    l["effective_macs_per_cycle"] = L.stats.cycles ? static_cast<double>(L.macs) / static_cast<double>(L.stats.cycles) : 0.0;
    json::Array sh;
    for (auto d : L.out_shape) sh.emplace_back(static_cast<unsigned long long>(d));
    l["out_shape"] = sh;
    layers.push_back(l);
    cycles += L.stats.cycles;
    (L.on_device ? dev_macs : host_macs) += L.macs;
    wbytes += L.weight_bytes;
    performed += L.stats.macs_performed;
  }
  doc["layers"] = layers;
  json::Value t;
  t["cycles"] = static_cast<unsigned long long>(cycles);
  t["macs"] = static_cast<unsigned long long>(dev_macs + host_macs);
  t["macs_performed"] = static_cast<unsigned long long>(performed);
  t["effective_macs_per_cycle"] = cycles ? static_cast<double>(dev_macs) / static_cast<double>(cycles) : 0.0;
  t["rtl_mac_fraction"] = dev_macs + host_macs ? static_cast<double>(dev_macs) / static_cast<double>(dev_macs + host_macs) : 0.0;
  t["weight_bytes"] = static_cast<unsigned long long>(wbytes);
  t["model_bytes"] = static_cast<unsigned long long>(r.model_bytes);
  const double n = r.images ? static_cast<double>(r.images) : 1.0;
  t["cycles_per_inference"] = static_cast<double>(cycles) / n;
  t["weight_bytes_per_inference"] = static_cast<double>(wbytes) / n;
  if (r.compared) t["bit_exact"] = r.bit_exact;
  else t["bit_exact"] = nullptr;
  if (!r.first_mismatch.empty()) t["first_mismatch"] = r.first_mismatch;
  doc["total"] = t;
  return doc;
}

int cmd_run(Args args) {
  std::string model, in, out, engine = "golden";
  bool js = false;
  NetArgs na;
  ArgParser p("run", "MODEL(.json|.sqz) --input IN.npy --engine float|golden|rtl -o OUT.npz [--calib CALIB.npy] [options] [--json]");
  p.positional("MODEL", &model);
  p.option("--input", &in, "inputs, float32 NHWC, already preprocessed; N images run N inferences", "IN.npy");
  p.option("--engine", &engine, "float (model.json as written), golden (int8 engine, C++ models) or rtl (int8 on the Verilated top, checked against golden)", "E");
  p.option("-o", &out, "outputs: one float32 array per graph output, [N, ...], keyed by output name", "OUT.npz");
  p.flag("--json", &js, "per-layer and total figures as JSON on stdout");
  p.flag("--quiet", &na.quiet, "no progress on stderr");
  add_net_options(p, na);
  if (!p.parse(args)) return kOk;
  if (in.empty()) throw UsageError("missing --input IN.npy");
  if (out.empty()) throw UsageError("missing -o OUT.npz");
  const auto co = finish_net_options(na);
  const Tensor input = io::read_npy(io::read_file(in), in);
  const NetRun r = run_network(model, input, engine, na, co, false);
  write_atomic(out, io::write_npz(r.outputs));
  if (js) std::printf("%s\n", run_json(r).dump(1).c_str());
  if (r.compared && !r.bit_exact) {
    std::fprintf(stderr, "squish run: RTL and golden differ (first at %s)\n", r.first_mismatch.c_str());
    return 3;
  }
  return kOk;
}

}  // namespace squish::cli
