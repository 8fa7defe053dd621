// Shared pieces of the network commands (net_options.hpp).
#include "net_options.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "squish/io/npy.hpp"
#include "squish/runtime/float_engine.hpp"

namespace squish::cli {

namespace {
std::pair<unsigned, unsigned> parse_pair(const std::string& opt, const std::string& v, char sep) {
  const auto p = v.find(sep);
  if (p == std::string::npos) throw UsageError(opt + ": expected A" + std::string(1, sep) + "B, got '" + v + "'");
  return {parse_number<unsigned>(opt, v.substr(0, p), 1, 16), parse_number<unsigned>(opt, v.substr(p + 1), 1, 16)};
}
bool ends_with(const std::string& s, const char* suf) {
  const size_t n = std::strlen(suf);
  return s.size() >= n && s.compare(s.size() - n, n, suf) == 0;
}
}  // namespace

bool is_model_json(const std::string& path) { return ends_with(path, ".json"); }

void add_net_options(ArgParser& p, NetArgs& a, bool with_calib) {
  auto& o = a.o;
  if (with_calib)
    p.option("--calib", &a.calib, "calibration inputs (float32 NHWC .npy) for a model.json: activation ranges", "CALIB.npy");
  p.option("--prune-unstructured", [&](const std::string& v) { o.prune.method = prune::Method::Unstructured; o.prune.sparsity = parse_number<double>("--prune-unstructured", v, 0, 1); ++a.set_prune; }, "magnitude-prune this fraction of each weight tensor", "S");
  p.option("--prune-nm", [&](const std::string& v) { auto [n, m] = parse_pair("--prune-nm", v, ':'); o.prune.method = prune::Method::Nm; o.prune.n = n; o.prune.m = m; ++a.set_prune; }, "keep N of every M along the reduction axis (2:4, 1:4)", "N:M");
  p.option("--prune-channels", [&](const std::string& v) { o.prune.method = prune::Method::Channels; o.prune.sparsity = parse_number<double>("--prune-channels", v, 0, 1); ++a.set_prune; }, "remove this fraction of output channels (smallest norm)", "S");
  p.option("--channel-norm", &a.norm, "norm for --prune-channels: l1 (default) or l2", "l1|l2");
  p.option("--bits", [&](const std::string& v) { o.quant.bits = parse_number<unsigned>("--bits", v, 2, 8); ++a.set_quant; }, "bits per weight: 8 (default), 4 or 2", "B");
  p.option("--bit-budget", [&](const std::string& v) { o.bit_budget = parse_number<double>("--bit-budget", v, 2, 8); ++a.set_quant; }, "mixed precision: average bits per weight, allocated per layer", "X");
  p.option("--mp-objective", [&](const std::string& v) {
    if (v == "mse") o.mp_relative = false;
    else if (v == "relative") o.mp_relative = true;
    else throw UsageError("--mp-objective: 'mse' or 'relative'");
  }, "with --bit-budget: total squared error (mse, default) or sum of per-layer relative errors", "mse|relative");
  p.flag("--clip", &o.quant.clip_search, "clip each channel's range to the fraction with the least squared error");
  p.option("--rounding", &a.rounding, "even (default) or away (TFLite)", "even|away");
  p.option("--sparse-format", &a.sparse_fmt, "dense (default), auto, bitmap, csr, rlc, coo, coo1d, nm", "F");
  p.option("--rlc-bits", [&](const std::string& v) { o.rlc_run_bits = parse_number<unsigned>("--rlc-bits", v, 1, 16); }, "run-length bits of --sparse-format rlc (default 4)", "B");
  p.option("--coder", &a.coder, "entropy coder: none (default), huffman, tunstall, rans", "C");
}

container::CompressOptions finish_net_options(NetArgs& a) {
  auto o = a.o;
  if (a.set_prune > 1) throw UsageError("choose one pruning method");
  if (a.set_quant > 1) throw UsageError("--bits and --bit-budget exclude each other");
  if (a.norm == "l1") o.prune.norm = prune::Norm::L1;
  else if (a.norm == "l2") o.prune.norm = prune::Norm::L2;
  else throw UsageError("--channel-norm: 'l1' or 'l2'");
  o.quant.rounding = quant::rounding_from_string(a.rounding);
  if (a.sparse_fmt == "auto") o.sparse_auto = true;
  else o.sparse_format = sparse::format_from_string(a.sparse_fmt);
  o.coder = entropy::coder_from_string(a.coder);
  return runtime::engine_weight_options(o);
}

NetProgress::NetProgress(bool enabled) : on_(enabled && isatty(fileno(stderr))), t0_(std::chrono::steady_clock::now()) {}

void NetProgress::step(size_t i, size_t n, const char* what) {
  if (!on_) return;
  if (!shown_ && std::chrono::steady_clock::now() - t0_ < std::chrono::seconds(2)) return;
  shown_ = true;
  std::fprintf(stderr, "\r\033[K[%zu/%zu] %.60s", i + 1, n, what);
  std::fflush(stderr);
}

void NetProgress::done() {
  if (on_ && shown_) std::fprintf(stderr, "\r\033[K");
  shown_ = false;
}

runtime::QuantNet load_or_quantize(const std::string& model, const NetArgs& a, const container::CompressOptions& o,
                                   NetProgress* progress, uint64_t* model_bytes) {
  if (!is_model_json(model)) {
    const auto bytes = io::read_file(model);
    if (model_bytes) *model_bytes = bytes.size();
    return runtime::load_network(bytes, model);
  }
  if (a.calib.empty()) throw UsageError(model + ": an int8 run of a model.json needs --calib CALIB.npy (or a .sqz made by 'squish compress MODEL.json --calib ...')");
  const graph::Graph g = graph::load_tfjs_graph(model);
  const Tensor calib = io::read_npy(io::read_file(a.calib), a.calib);
  if (calib.shape.empty() || calib.shape[0] == 0) throw FormatError(a.calib + ": an empty calibration batch");
  // Calibrate in chunks of images: every node's float output over the batch.
  runtime::Calibration cal;
  const size_t N = calib.shape[0], per = calib.data.size() / N, chunk = 8;
  for (size_t i = 0; i < N; i += chunk) {
    const size_t n = std::min(chunk, N - i);
    Tensor part;
    part.name = calib.name;
    part.dtype = calib.dtype;
    part.shape = calib.shape;
    part.shape[0] = n;
    part.data.assign(calib.data.begin() + static_cast<std::ptrdiff_t>(i * per),
                     calib.data.begin() + static_cast<std::ptrdiff_t>((i + n) * per));
    if (progress) progress->step(i, N, "calibrating");
    auto fr = runtime::run_float(g, part, true);
    cal.observe_all(fr.values);
  }
  if (progress) progress->done();
  auto net = runtime::quantize_network(g, cal, o);
  if (model_bytes) *model_bytes = runtime::save_network(net).size();
  return net;
}

void write_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  try {
    io::write_file(tmp, bytes);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw IoError(path + ": cannot write (" + ec.message() + ")");
  }
}

}  // namespace squish::cli
