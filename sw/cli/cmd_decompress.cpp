// squish decompress FILE.sqz -o DIR|OUT.npz: dequantized float32 tensors (raw
// sections in their own dtype), as one .npz or one .npy per tensor under DIR
// (a '/' in a tensor name becomes a subfolder). Nothing is written until every
// tensor decoded and checked; the output then replaces the old one atomically.
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "args.hpp"
#include "cli.hpp"
#include "common.hpp"
#include "squish/container/sqz.hpp"
#include "squish/error.hpp"
#include "squish/io/npy.hpp"
#include "squish/io/safe_write.hpp"

namespace squish::cli {

// Entropy block: --engine rtl (sw/cli/entropy_rtl.cpp).
int run_entropy_rtl(const container::Container& c, bool json_out, json::Value* report);

int cmd_decompress(Args args) {
  std::string in, out, engine = "golden";
  bool quiet = false, json_out = false, compress = false, allow_nonfinite = false;
  uint64_t max_elements = kDefaultMaxElements;
  ArgParser p("decompress", "FILE.sqz -o DIR|OUT.npz");
  p.positional("FILE", &in);
  p.option("-o", &out, "output: a file ending in .npz, or a folder (new, or one holding only .npy files; replaced as a whole)", "DIR|OUT.npz");
  p.flag("--quiet", &quiet, "no progress and no summary");
  p.flag("--compress", &compress, "with OUT.npz: deflate the members (as numpy.savez_compressed)");
  p.choice("--engine", &engine, {"golden", "rtl"},
           "golden (C++ decoders, default), or rtl: also decode every entropy-coded payload on its RTL decoder, "
           "check it against the C++ decoder and report cycles and weights/cycle");
  p.flag("--json", &json_out, "print the summary (and with --engine rtl the cycle report) as JSON on stdout");
  p.flag("--allow-nonfinite", &allow_nonfinite, "write tensors that decode to NaN/Inf instead of exit 2");
  add_max_elements(p, &max_elements);
  if (!p.parse(args)) return kOk;
  if (out.empty()) throw UsageError("missing -o DIR|OUT.npz");
  namespace fs = std::filesystem;
  const fs::path op(out);
  const bool to_npz = op.extension() == ".npz";
  std::error_code ec;
  if (!to_npz && !op.extension().empty() && !fs::is_directory(op, ec) && out.back() != '/')
    throw UsageError("-o '" + out + "': a .npz file or a folder (write '" + out + "/' to name a folder with a dot)");
  if (compress && !to_npz) throw UsageError("--compress applies to a .npz output");
  guard_output(out, {in});

  const auto bytes = io::read_file(in);
  const auto c = naming_file(in, [&] { return container::parse(bytes); });
  check_container(c, in, bytes.size(), max_elements);
  json::Value report = json::Object{{"file", in}, {"output", out}, {"engine", engine}};
  if (engine == "rtl") run_entropy_rtl(c, json_out, &report);  // entropy block
  const Progress prog(quiet || json_out);
  std::vector<Tensor> ts;
  size_t nonfinite = 0;
  for (size_t k = 0; k < c.sections.size(); ++k) {
    prog.step(k, c.sections.size(), c.sections[k].name);
    ts.push_back(naming_file(in, [&] { return container::decode_tensor(c.sections[k], max_elements); }));
    if (ts.back().dtype == DType::F32) {
      std::vector<float> v(ts.back().numel());
      if (!v.empty()) std::memcpy(v.data(), ts.back().data.data(), 4 * v.size());
      nonfinite += check_finite(v, in + ": section " + std::to_string(k), ts.back().name, allow_nonfinite);
    }
  }
  prog.done();
  if (to_npz) {
    io::write_file(out, io::write_npz(ts, compress));
  } else {
    io::FolderWriter w(out);
    for (const auto& t : ts) {
      io::check_tensor_name(t.name, in + ": tensor");
      w.write(t.name + ".npy", io::write_npy(t));
    }
    w.commit();
  }
  if (json_out) {
    report["tensors"] = ts.size();
    report["nonfinite_values"] = nonfinite;
    print_json(report);
  } else if (!quiet) {
    std::fprintf(stderr, "%s: %zu tensors written to %s\n", in.c_str(), ts.size(), out.c_str());
  }
  return kOk;
}

}  // namespace squish::cli
