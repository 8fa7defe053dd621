// squish compress IN -o OUT.sqz [options]: prune, quantize, sparse-encode,
// entropy-code and write a .sqz container; verifies the file decodes to exactly
// the dequantized values before returning (unless --no-verify).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "args.hpp"
#include "cli.hpp"
#include "squish/container/compress.hpp"
#include "squish/container/report.hpp"
#include "squish/io/npy.hpp"
#include "squish/io/tfjs.hpp"

namespace squish::cli {

namespace {
std::pair<unsigned, unsigned> parse_pair(const std::string& opt, const std::string& v, char sep) {
  const auto p = v.find(sep);
  if (p == std::string::npos) throw UsageError(opt + ": expected A" + std::string(1, sep) + "B, got '" + v + "'");
  return {parse_number<unsigned>(opt, v.substr(0, p), 1, 4096), parse_number<unsigned>(opt, v.substr(p + 1), 1, 4096)};
}
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t a = 0;
  while (a <= s.size()) {
    const size_t b = s.find(',', a);
    const std::string t = s.substr(a, b == std::string::npos ? std::string::npos : b - a);
    if (!t.empty()) out.push_back(t);
    if (b == std::string::npos) break;
    a = b + 1;
  }
  return out;
}
}  // namespace

bool is_model_compress(Args args);
int cmd_compress_model(Args args);

int cmd_compress(Args args) {
  if (is_model_compress(args)) return cmd_compress_model(args);  // a network: cmd_compress_model.cpp
  using container::CompressOptions;
  CompressOptions o;
  std::string in, out, sparse_fmt = "dense", coder = "none", rounding = "even", norm = "l1";
  bool quiet = false, global = false, asym = false, uns = false, no_verify = false, pot = false, apot = false;
  int set_prune = 0, set_quant = 0;
  ArgParser p("compress", "IN(.npy|.npz|tfjs .json) -o OUT.sqz [options]");
  p.positional("IN", &in);
  p.option("-o", &out, "output .sqz file", "OUT.sqz");
  p.option("--prune-unstructured", [&](const std::string& v) { o.prune.method = prune::Method::Unstructured; o.prune.sparsity = parse_number<double>("--prune-unstructured", v, 0, 1); ++set_prune; }, "magnitude-prune this fraction of each weight tensor", "S");
  p.flag("--prune-global", &global, "with --prune-unstructured: one threshold over all weight tensors");
  p.option("--prune-nm", [&](const std::string& v) { auto [n, m] = parse_pair("--prune-nm", v, ':'); o.prune.method = prune::Method::Nm; o.prune.n = n; o.prune.m = m; ++set_prune; }, "keep N of every M along the last axis (2:4, 1:4, N<=M<=16)", "N:M");
  p.option("--prune-channels", [&](const std::string& v) { o.prune.method = prune::Method::Channels; o.prune.sparsity = parse_number<double>("--prune-channels", v, 0, 1); ++set_prune; }, "remove this fraction of output channels (smallest norm)", "S");
  p.option("--channel-norm", &norm, "norm for --prune-channels: l1 (default) or l2", "l1|l2");
  p.option("--prune-blocks", [&](const std::string& v) { o.prune.method = prune::Method::Blocks; o.prune.sparsity = parse_number<double>("--prune-blocks", v, 0, 1); ++set_prune; }, "remove this fraction of RxC blocks (smallest RMS)", "S");
  p.option("--block", [&](const std::string& v) { auto [r, c] = parse_pair("--block", v, 'x'); o.prune.block_rows = r; o.prune.block_cols = c; }, "block size for --prune-blocks (default 4x4)", "RxC");
  p.option("--bits", [&](const std::string& v) { o.quant.bits = parse_number<unsigned>("--bits", v, 2, 8); ++set_quant; }, "bits per weight, 2..8 (default 8)", "B");
  p.option("--bit-budget", [&](const std::string& v) { o.bit_budget = parse_number<double>("--bit-budget", v, 2, 8); ++set_quant; }, "mixed precision: average bits per weight, allocated per layer", "X");
  p.option("--mp-objective", [&](const std::string& v) {
    if (v == "mse") o.mp_relative = false;
    else if (v == "relative") o.mp_relative = true;
    else throw UsageError("--mp-objective: 'mse' or 'relative'");
  }, "with --bit-budget: minimize total squared error (mse, default) or the sum of per-layer relative errors", "mse|relative");
  p.flag("--per-channel", &o.per_channel, "one scale (and zero point) per output channel");
  p.option("--channel-axis", [&](const std::string& v) { o.channel_axis = parse_number<int>("--channel-axis", v, 0, 15); }, "output-channel axis (default: last for tfjs, 0 for .npy/.npz)", "A");
  p.flag("--asymmetric", &asym, "affine with a zero point (default symmetric)");
  p.flag("--unsigned", &uns, "unsigned codes [0, 2^b-1] (default signed)");
  p.flag("--clip", &o.quant.clip_search, "affine: clip each range to the fraction (1.00, 0.95, ... 0.30) with the least squared error");
  p.flag("--narrow", &o.quant.narrow, "signed range without -2^(b-1) (TFLite weights: [-127, 127])");
  p.option("--rounding", &rounding, "even (ONNX, PyTorch; default) or away (TFLite)", "even|away");
  p.option("--kmeans", [&](const std::string& v) { o.quant.scheme = quant::Scheme::Codebook; o.quant.kmeans_k = parse_number<unsigned>("--kmeans", v, 2, 256); }, "k-means codebook of K centroids per tensor (2..256)", "K");
  p.flag("--pot", &pot, "power-of-two levels (sign + exponent)");
  p.flag("--apot", &apot, "additive powers-of-two levels (two terms)");
  p.option("--keep-float", [&](const std::string& v) { for (auto& s : split(v)) o.keep_float.push_back(s); }, "store tensors whose name contains one of these (comma-separated) unchanged", "NAMES");
  p.flag("--lossless", &o.lossless, "8-bit with a tfjs model's own codes; tensors without them stay unchanged (bit-exact)");
  p.flag("--requantize", &o.requantize_tfjs, "never keep a tfjs model's own uint8 codes");
  p.option("--sparse-format", &sparse_fmt, "dense (default), auto, bitmap, csr, csc, rlc, coo, coo1d, nm", "F");
  p.option("--rlc-bits", [&](const std::string& v) { o.rlc_run_bits = parse_number<unsigned>("--rlc-bits", v, 1, 16); }, "run-length bits of --sparse-format rlc (default 4)", "B");
  p.option("--coder", &coder, "entropy coder: none (default), huffman, tunstall, rans", "C");
  p.flag("--no-verify", &no_verify, "skip decoding the written file to check it bit for bit");
  p.flag("--quiet", &quiet, "no progress or summary");
  if (!p.parse(args)) return kOk;
  if (out.empty()) throw UsageError("missing -o OUT.sqz");
  if (set_prune > 1) throw UsageError("choose one pruning method");
  if (global && o.prune.method != prune::Method::Unstructured) throw UsageError("--prune-global needs --prune-unstructured");
  if (global) o.prune.method = prune::Method::Global;
  if (norm == "l1") o.prune.norm = prune::Norm::L1;
  else if (norm == "l2") o.prune.norm = prune::Norm::L2;
  else throw UsageError("--channel-norm: 'l1' or 'l2'");
  if (set_quant > 1) throw UsageError("--bits and --bit-budget exclude each other");
  if ((pot ? 1 : 0) + (apot ? 1 : 0) + (o.quant.scheme == quant::Scheme::Codebook ? 1 : 0) > 1) throw UsageError("choose one of --kmeans, --pot, --apot");
  if (pot) o.quant.scheme = quant::Scheme::Pot;
  if (apot) o.quant.scheme = quant::Scheme::Apot;
  if ((asym || uns) && o.quant.scheme != quant::Scheme::Affine) throw UsageError("--asymmetric/--unsigned apply to affine quantization");
  if (o.quant.scheme == quant::Scheme::Codebook && o.per_channel) throw UsageError("k-means codebooks are per tensor");
  o.quant.symmetric = !asym;
  o.quant.is_signed = !uns;
  o.quant.rounding = quant::rounding_from_string(rounding);
  if (sparse_fmt == "auto") o.sparse_auto = true;
  else o.sparse_format = sparse::format_from_string(sparse_fmt);
  o.coder = entropy::coder_from_string(coder);
  auto ends = [&](const char* suf) { return in.size() >= std::strlen(suf) && in.compare(in.size() - std::strlen(suf), std::string::npos, suf) == 0; };
  o.channels_last = ends(".json");
  o.source = in;
  const bool tty = !quiet && isatty(fileno(stderr));
  if (tty)
    o.progress = [](size_t i, size_t n, const std::string& name) {
      std::fprintf(stderr, "\r\033[K[%zu/%zu] %.60s", i + 1, n, name.c_str());
      std::fflush(stderr);
    };
  const auto tensors = io::load_model(in);
  auto res = container::compress(tensors, o);
  if (tty) std::fprintf(stderr, "\r\033[K");
  const auto bytes = container::serialize(res.container);
  io::write_file(out, bytes);
  if (!no_verify) {
    const auto back = container::parse(io::read_file(out));
    for (size_t i = 0; i < back.sections.size(); ++i) {
      const Tensor t = container::decode_tensor(back.sections[i]);
      const bool raw = back.sections[i].quant.scheme == quant::Scheme::Raw;
      const bool same = raw ? t.data == tensors[i].data
                            : t.data.size() == 4 * res.expected[i].size() &&
                                  std::memcmp(t.data.data(), res.expected[i].data(), t.data.size()) == 0;
      if (!same) throw Error("verification failed: tensor '" + t.name + "' does not decode bit for bit (a bug; please report)");
    }
  }
  if (!quiet) {
    const auto f = container::figures(res.container.sections.empty() ? res.container : container::parse(bytes), bytes.size());
    std::fprintf(stderr, "%s: %zu tensors, %llu weights, %llu bytes, %.3f bits/weight, ratio %.2fx vs float32, SQNR %.2f dB%s\n",
                 out.c_str(), f.sections.size(), static_cast<unsigned long long>(f.elements), static_cast<unsigned long long>(f.file_bytes),
                 f.bits_per_weight, f.compression_ratio, f.sqnr_db, no_verify ? "" : ", verified");
    if (o.bit_budget > 0)
      std::fprintf(stderr, "mixed precision: budget %.3f, achieved %.3f bits/weight over weight tensors (%s)\n", o.bit_budget, res.mp_avg_bits,
                   res.mp_budget_met ? "met" : "NOT met");
  }
  return kOk;
}

}  // namespace squish::cli
