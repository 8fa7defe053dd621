// squish compress IN -o OUT.sqz [options]: prune, quantize, sparse-encode,
// entropy-code and write a .sqz container; verifies the file decodes to exactly
// the dequantized values before returning (unless --no-verify).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "args.hpp"
#include "cli.hpp"
#include "common.hpp"
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
}  // namespace

bool is_model_compress(Args args);
int cmd_compress_model(Args args);

int cmd_compress(Args args) {
  if (is_model_compress(args)) return cmd_compress_model(args);  // a network: cmd_compress_model.cpp
  using container::CompressOptions;
  CompressOptions o;
  std::string in, out, sparse_fmt = "dense", coder = "none", rounding = "even", norm = "l1";
  bool quiet = false, global = false, asym = false, uns = false, no_verify = false, pot = false, apot = false;
  bool allow_nonfinite = false, as_json = false;
  uint64_t max_elements = kDefaultMaxElements;
  int set_prune = 0, set_quant = 0;
  ArgParser p("compress", "IN(.npy|.npz|tfjs .json) -o OUT.sqz [options]");
  p.positional("IN", &in);
  p.option("-o", &out, "output .sqz file", "OUT.sqz");
  p.option("--prune-unstructured", [&](const std::string& v) { o.prune.method = prune::Method::Unstructured; o.prune.sparsity = parse_number<double>("--prune-unstructured", v, 0, 1); ++set_prune; }, "magnitude-prune this fraction of each weight tensor", "S");
  p.flag("--prune-global", &global, "with --prune-unstructured: one threshold over all weight tensors");
  p.option("--prune-nm", [&](const std::string& v) { auto [n, m] = parse_pair("--prune-nm", v, ':'); o.prune.method = prune::Method::Nm; o.prune.n = n; o.prune.m = m; ++set_prune; }, "keep N of every M along the last axis (2:4, 1:4, N<=M<=16)", "N:M");
  p.option("--prune-channels", [&](const std::string& v) { o.prune.method = prune::Method::Channels; o.prune.sparsity = parse_number<double>("--prune-channels", v, 0, 1); ++set_prune; }, "remove this fraction of output channels (smallest norm)", "S");
  p.choice("--channel-norm", &norm, {"l1", "l2"}, "norm for --prune-channels: l1 (default) or l2");
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
  p.choice("--rounding", &rounding, {"even", "away"}, "even (ONNX, PyTorch; default) or away (TFLite)");
  p.option("--kmeans", [&](const std::string& v) { o.quant.scheme = quant::Scheme::Codebook; o.quant.kmeans_k = parse_number<unsigned>("--kmeans", v, 2, 256); }, "k-means codebook of K centroids per tensor (2..256)", "K");
  p.flag("--pot", &pot, "power-of-two levels (sign + exponent)");
  p.flag("--apot", &apot, "additive powers-of-two levels (two terms)");
  p.option("--keep-float", [&](const std::string& v) { for (auto& s : split_list("--keep-float", v)) o.keep_float.push_back(s); }, "store tensors whose name contains one of these (comma-separated) unchanged", "NAMES");
  p.flag("--lossless", &o.lossless, "8-bit with a tfjs model's own codes; tensors without them stay unchanged (bit-exact)");
  p.flag("--requantize", &o.requantize_tfjs, "never keep a tfjs model's own uint8 codes");
  p.choice("--sparse-format", &sparse_fmt, {"dense", "auto", "bitmap", "csr", "csc", "rlc", "coo", "coo1d", "nm"}, "sparse payload format (default dense; auto: smallest per tensor)");
  p.option("--rlc-bits", [&](const std::string& v) { o.rlc_run_bits = parse_number<unsigned>("--rlc-bits", v, 1, 16); }, "run-length bits of --sparse-format rlc (default 4)", "B");
  p.choice("--coder", &coder, {"none", "huffman", "tunstall", "rans"}, "entropy coder (default none)");
  p.flag("--no-verify", &no_verify, "skip decoding the written file to check it bit for bit");
  p.flag("--quiet", &quiet, "no progress or summary");
  p.flag("--json", &as_json, "print the summary as JSON on stdout");
  p.flag("--allow-nonfinite", &allow_nonfinite, "accept NaN/Inf in float tensors (reported; quantized as the schemes clamp them) instead of exit 2");
  add_max_elements(p, &max_elements);
  if (!p.parse(args)) return kOk;
  if (out.empty()) throw UsageError("missing -o OUT.sqz");
  // Options that would silently do nothing are usage errors.
  if (p.given("--clip") && !asym) throw UsageError("--clip applies to affine ranges: add --asymmetric (or drop --clip)");
  if (uns && !asym) throw UsageError("--unsigned needs --asymmetric (symmetric unsigned codes would clamp every negative weight to 0)");
  if (uns && o.quant.narrow) throw UsageError("--narrow applies to signed codes; it conflicts with --unsigned");
  if (p.given("--rlc-bits") && sparse_fmt != "rlc" && sparse_fmt != "auto") throw UsageError("--rlc-bits applies to --sparse-format rlc or auto");
  if (p.given("--mp-objective") && !p.given("--bit-budget")) throw UsageError("--mp-objective applies with --bit-budget");
  if (p.given("--channel-norm") && o.prune.method != prune::Method::Channels) throw UsageError("--channel-norm applies with --prune-channels");
  if (p.given("--block") && o.prune.method != prune::Method::Blocks) throw UsageError("--block applies with --prune-blocks");
  if (o.lossless && (set_prune || o.bit_budget > 0 || (set_quant && o.quant.bits != 8) || o.per_channel || o.quant.scheme != quant::Scheme::Affine || pot || apot || asym))
    throw UsageError("--lossless keeps the input's values: it excludes pruning, --bits, --bit-budget, --per-channel and other schemes");
  if (o.lossless && o.requantize_tfjs) throw UsageError("--lossless and --requantize exclude each other");
  if (set_prune > 1) throw UsageError("choose one pruning method");
  if (global && o.prune.method != prune::Method::Unstructured) throw UsageError("--prune-global needs --prune-unstructured");
  if (global) o.prune.method = prune::Method::Global;
  if (norm == "l1") o.prune.norm = prune::Norm::L1;
  else if (norm == "l2") o.prune.norm = prune::Norm::L2;
  else throw UsageError("--channel-norm must be l1 or l2");
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
  // Refuse an output that is one of the inputs (a tfjs model's shards too)
  // before any work, and write nothing until the result is verified.
  guard_output(out, io::model_files(in));
  const Progress prog(quiet || as_json);
  if (prog.on())
    o.progress = [&prog](size_t i, size_t n, const std::string& name) { prog.step(i, n, name); };
  const auto tensors = naming_file(in, [&] { return io::load_model(in, max_elements); });
  check_total_elements(tensors, in, max_elements);
  size_t nonfinite = 0;
  for (const auto& t : tensors) nonfinite += check_finite(t, in, allow_nonfinite);
  auto res = container::compress(tensors, o);
  const auto bytes = container::serialize(res.container);
  if (!no_verify) {
    // Verified from the bytes about to be written, before they replace anything.
    const auto back = container::parse(bytes);
    for (size_t i = 0; i < back.sections.size(); ++i) {
      prog.step(i, back.sections.size(), "verify " + back.sections[i].name);
      const Tensor t = container::decode_tensor(back.sections[i]);
      const bool raw = back.sections[i].quant.scheme == quant::Scheme::Raw;
      const bool same = raw ? t.data == tensors[i].data
                            : t.data.size() == 4 * res.expected[i].size() &&
                                  std::memcmp(t.data.data(), res.expected[i].data(), t.data.size()) == 0;
      if (!same) throw Error("verification failed: tensor '" + t.name + "' does not decode bit for bit (a bug; please report); nothing was written");
    }
  }
  prog.done();
  io::write_file(out, bytes);
  const auto f = container::figures(container::parse(bytes), bytes.size());
  if (as_json) {
    json::Value j = container::to_json(f, out);
    j["verified"] = !no_verify;
    j["nonfinite_values"] = nonfinite;
    if (o.bit_budget > 0)
      j["mixed_precision"] = json::Object{{"budget_bits", o.bit_budget}, {"weight_code_bits", res.mp_avg_bits}, {"met", res.mp_budget_met}};
    print_json(j);
  } else if (!quiet) {
    std::fprintf(stderr, "%s: %zu tensors, %llu weights, %llu bytes, %.3f bits/weight (whole file), ratio %.2fx vs float32, SQNR %.2f dB%s\n",
                 out.c_str(), f.sections.size(), static_cast<unsigned long long>(f.elements), static_cast<unsigned long long>(f.file_bytes),
                 f.bits_per_weight, f.compression_ratio, f.sqnr_db, no_verify ? "" : ", verified");
    if (o.bit_budget > 0)
      std::fprintf(stderr,
                   "mixed precision: code width averaged over the weight tensors %.3f bits (budget %.3f, %s); the whole-file figure "
                   "above also counts 8-bit biases, parameters, headers and any entropy coding\n",
                   res.mp_avg_bits, o.bit_budget, res.mp_budget_met ? "met" : "NOT met");
    if (nonfinite)
      std::fprintf(stderr, "warning: %zu non-finite input value(s) were quantized (--allow-nonfinite)\n", nonfinite);
  }
  return kOk;
}

}  // namespace squish::cli
