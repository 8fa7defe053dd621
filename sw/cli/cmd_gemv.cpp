// squish gemv: run a real layer (float W, X) through the sparse datapath,
// either the golden model or the Verilated RTL, with the golden stack doing
// the pruning, quantization and sparse encoding on the way in.
#include <cstdio>
#include <cstring>
#include <string>

#include "args.hpp"
#include "cli.hpp"
#include "common.hpp"
#include "squish/datapath/layer.hpp"
#include "squish/io/npy.hpp"
#include "squish/json.hpp"
#include "squish/runtime/block_engines.hpp"

namespace squish::cli {

namespace {
std::pair<unsigned, unsigned> parse_nm(const std::string& v) {
  const auto p = v.find(':');
  if (p == std::string::npos) throw UsageError("--prune-nm: expected N:M, got '" + v + "'");
  return {parse_number<unsigned>("--prune-nm", v.substr(0, p), 1, 16),
          parse_number<unsigned>("--prune-nm", v.substr(p + 1), 1, 16)};
}
}  // namespace

int cmd_gemv(Args args) {
  std::string wpath, xpath, out, engine = "golden", output = "requant", format = "bitmap";
  bool as_json = false, relu = false, allow_nonfinite = false, quiet = false;
  datapath::LayerSpec spec;
  int set_prune = 0;
  unsigned batch = 0;
  ArgParser p("gemv", "--weights W.npy --input X.npy --engine golden|rtl -o Y.npy [options]");
  p.option("--weights", &wpath, "weights, float32 out x in", "W.npy");
  p.option("--input", &xpath, "activations, float32 in or B x in", "X.npy");
  p.option("-o", &out, "output .npy (int32 accumulators or int8 outputs, B x out)", "Y.npy");
  p.option("--prune-unstructured", [&](const std::string& v) {
    spec.prune.method = prune::Method::Unstructured;
    spec.prune.sparsity = parse_number<double>("--prune-unstructured", v, 0, 1);
    ++set_prune;
  }, "magnitude-prune this fraction of the weights", "S");
  p.option("--prune-nm", [&](const std::string& v) {
    auto [n, m] = parse_nm(v);
    spec.prune.method = prune::Method::Nm;
    spec.prune.n = n;
    spec.prune.m = m;
    ++set_prune;
  }, "keep N of every M weights along a row (2:4, 1:4)", "N:M");
  std::string bits_s = "8";
  p.choice("--bits", &bits_s, {"8", "4", "2"}, "weight bits (default 8)");
  p.choice("--sparse-format", &format, {"bitmap", "csr", "csc", "rlc", "coo", "coo1d", "nm", "dense"}, "sparse format (default bitmap)");
  p.option("--rlc-run-bits", [&](const std::string& v) { spec.rlc_run_bits = parse_number<unsigned>("--rlc-run-bits", v, 1, 16); },
           "RLC zero-run field width (default 4)", "B");
  p.option("--batch", [&](const std::string& v) { batch = parse_number<unsigned>("--batch", v, 1, datapath::kMaxBatch); },
           "vectors per pass sharing each decoded weight, 1..4 (default: min(B, 4))", "B");
  p.choice("--engine", &engine, {"golden", "rtl"}, "golden (C++ model, default) or rtl (Verilated datapath)");
  p.choice("--output", &output, {"requant", "acc"}, "requant (int8, default) or acc (int32 accumulators)");
  p.flag("--allow-nonfinite", &allow_nonfinite, "accept NaN/Inf in W or X (quantized as clamped) instead of exit 2");
  p.flag("--relu", &relu, "fuse a ReLU into the requantization");
  p.flag("--json", &as_json, "print a JSON object on stdout");
  p.flag("--quiet", &quiet, "no progress on stderr");
  if (!p.parse(args)) return kOk;
  if (wpath.empty() || xpath.empty() || out.empty()) throw UsageError("--weights, --input and -o are required");
  spec.bits = std::stoi(bits_s);
  if (p.given("--rlc-run-bits") && format != "rlc") throw UsageError("--rlc-run-bits applies to --sparse-format rlc");
  if (p.given("--relu") && output == "acc") throw UsageError("--relu applies to --output requant (accumulators are not activated)");
  guard_output(out, {wpath, xpath});
  std::unique_ptr<runtime::BlockEngines> rtl;
  if (engine == "rtl") rtl = runtime::make_block_engines();
  if (set_prune > 1) throw UsageError("choose one of --prune-unstructured and --prune-nm");
  if (spec.bits != 8 && spec.bits != 4 && spec.bits != 2) throw UsageError("--bits must be 8, 4 or 2");
  spec.format = sparse::format_from_string(format);
  spec.relu = relu;
  if (spec.format == sparse::Format::Nm && spec.prune.method != prune::Method::Nm)
    throw UsageError("--sparse-format nm needs --prune-nm N:M");

  const Tensor W = io::read_npy(io::read_file(wpath), wpath);
  const Tensor X = io::read_npy(io::read_file(xpath), xpath);
  if (W.shape.size() != 2) throw FormatError(wpath + ": weights must be 2-D (out x in), got " + shape_string(W.shape));
  if (X.shape.size() != 1 && X.shape.size() != 2)
    throw FormatError(xpath + ": input must be 1-D or 2-D, got " + shape_string(X.shape));
  const size_t rows = W.shape[0], cols = W.shape[1];
  const size_t n = X.shape.size() == 1 ? 1 : X.shape[0];
  const size_t xin = X.shape.back();
  if (rows == 0 || cols == 0 || n == 0)
    throw FormatError(std::string(rows == 0 || cols == 0 ? wpath : xpath) + ": empty tensor (shape " +
                      shape_string(rows == 0 || cols == 0 ? W.shape : X.shape) + ")");
  if (xin != cols)
    throw FormatError(xpath + ": input length " + std::to_string(xin) + " does not match the weights' " +
                      std::to_string(cols) + " inputs");
  if (cols > datapath::kActDepth)
    throw UsageError("layers up to " + std::to_string(datapath::kActDepth) + " inputs fit the datapath; " + wpath +
                     " has " + std::to_string(cols));
  if (batch == 0) batch = static_cast<unsigned>(std::min<size_t>(n, datapath::kMaxBatch));
  const auto wf = W.to_float();
  const auto xf = X.to_float();
  check_finite(wf, wpath, "weights", allow_nonfinite);
  check_finite(xf, xpath, "input", allow_nonfinite);
  const auto L = datapath::prepare_layer(wf, rows, cols, xf, n, spec);

  std::vector<datapath::Output> outs;
  datapath::Counters k;
  bool error = false, matches = true;
  // Formats with an RTL decoder run through it (payload words in); Dense and
  // COO have none and feed the datapath the nonzero stream directly.
  const bool through_decoder = spec.format != sparse::Format::Dense && spec.format != sparse::Format::Coo;
  std::vector<uint8_t> payload;
  if (rtl && through_decoder) payload = sparse::serialize(L.encoding);
  const Progress prog(quiet || as_json);
  for (size_t v0 = 0; v0 < n; v0 += batch) {
    const uint32_t b = static_cast<uint32_t>(std::min<size_t>(batch, n - v0));
    auto cfg = L.config(b);
    cfg.relu = relu;
    std::span<const int8_t> xs(L.x_codes.data() + v0 * cols, b * cols);
    const auto gold = datapath::run(L.beats, cfg, xs, L.channels);
    std::vector<datapath::Output> pass = gold.outputs;
    datapath::Counters pk = gold.counters;
    bool perr = gold.error;
    if (rtl) {
      prog.step(v0 / batch, (n + batch - 1) / batch, "rtl pass");
      const auto r = through_decoder ? rtl->sparse_datapath(payload, rows, cfg, xs, L.channels)
                                     : rtl->datapath(L.beats, cfg, xs, L.channels);
      matches = matches && r.outputs == gold.outputs && r.error == gold.error;
      pass = r.outputs;
      pk = r.counters;
      perr = r.error;
    }
    for (auto o : pass) {
      o.batch += static_cast<uint32_t>(v0);
      outs.push_back(o);
    }
    k.cycles_busy += pk.cycles_busy;
    k.cycles_starved += pk.cycles_starved;
    k.cycles_blocked += pk.cycles_blocked;
    k.macs_performed += pk.macs_performed;
    k.macs_skipped += pk.macs_skipped;
    error = error || perr;
  }

  prog.done();
  // Output tensor n x rows (or rows for a 1-D input).
  Tensor Y;
  Y.name = "y";
  Y.shape = X.shape.size() == 1 ? std::vector<size_t>{rows} : std::vector<size_t>{n, rows};
  if (output == "acc") {
    Y.dtype = DType::I32;
    Y.data.assign(n * rows * 4, 0);
    for (const auto& o : outs) std::memcpy(&Y.data[(o.batch * rows + o.row) * 4], &o.acc, 4);
  } else {
    Y.dtype = DType::I8;
    Y.data.assign(n * rows, 0);
    for (const auto& o : outs) Y.data[o.batch * rows + o.row] = static_cast<uint8_t>(o.q);
  }
  io::write_file(out, io::write_npy(Y));

  const double density = static_cast<double>(L.nonzeros) / static_cast<double>(rows * cols);
  if (as_json) {
    json::Value j = json::Object{{"engine", engine},
                                 {"cycles", k.cycles()},
                                 {"macs_performed", k.macs_performed},
                                 {"macs_skipped", k.macs_skipped},
                                 {"effective_macs_per_cycle", k.effective_macs_per_cycle()},
                                 {"lanes", datapath::kLanes}};
    j["cycles_busy"] = k.cycles_busy;
    j["cycles_starved"] = k.cycles_starved;
    j["cycles_blocked"] = k.cycles_blocked;
    j["rows"] = rows;
    j["cols"] = cols;
    j["vectors"] = n;
    j["batch"] = batch;
    j["bits"] = spec.bits;
    j["sparse_format"] = std::string(sparse::to_string(spec.format));
    j["density"] = density;
    j["input_scale"] = L.x_scale;
    j["input_zero_point"] = L.x_zp;
    j["output_scale"] = L.y_scale;
    j["output_zero_point"] = L.y_zp;
    j["error"] = error;
    if (engine == "rtl") {
      j["matches_golden"] = matches;
      j["through_decoder"] = through_decoder;
    }
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("layer %zux%zu, %zu vector(s) in passes of %u, %s weights, %s, density %.4f\n", rows, cols, n, batch,
                datapath::to_string(L.wprec), std::string(sparse::to_string(spec.format)).c_str(), density);
    std::printf("input quantized: scale %.9g, zero point %d (int8); output: scale %.9g, zero point %d\n", L.x_scale,
                L.x_zp, L.y_scale, L.y_zp);
    std::printf("%s: cycles %llu (busy %llu, starved %llu, blocked %llu), MACs performed %llu, skipped %llu, "
                "effective %.3f MACs/cycle on %u lanes\n",
                engine == "rtl" ? "rtl counters" : "golden model (PE array alone, predicted)",
                static_cast<unsigned long long>(k.cycles()), static_cast<unsigned long long>(k.cycles_busy),
                static_cast<unsigned long long>(k.cycles_starved), static_cast<unsigned long long>(k.cycles_blocked),
                static_cast<unsigned long long>(k.macs_performed), static_cast<unsigned long long>(k.macs_skipped),
                k.effective_macs_per_cycle(), datapath::kLanes);
    if (engine == "rtl")
      std::printf("rtl (%s) vs golden model: %s\n",
                  through_decoder ? "sparse decoder + datapath, payload words in" : "datapath, nonzero stream in",
                  matches ? "bit-exact" : "MISMATCH");
    if (error) std::printf("datapath error flag raised\n");
    std::printf("wrote %s (%s)\n", out.c_str(), output == "acc" ? "int32 accumulators" : "int8 outputs");
  }
  if (!matches) {
    std::fprintf(stderr, "squish gemv: the RTL and the golden model disagree (%s written from the RTL's outputs)\n", out.c_str());
    return kMismatch;
  }
  return error ? kBadInput : kOk;
}

}  // namespace squish::cli
