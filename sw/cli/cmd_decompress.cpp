// squish decompress FILE.sqz -o DIR|OUT.npz: dequantized float32 tensors (raw
// sections in their own dtype), as one .npz or one .npy per tensor under DIR
// (a '/' in a tensor name becomes a subfolder).
#include <cstdio>
#include <filesystem>

#include "args.hpp"
#include "cli.hpp"
#include "squish/container/sqz.hpp"
#include "squish/error.hpp"
#include "squish/io/npy.hpp"

namespace squish::cli {

// Entropy block: --engine rtl (sw/cli/entropy_rtl.cpp).
int run_entropy_rtl(const container::Container& c, bool json_out);

int cmd_decompress(Args args) {
  std::string in, out;
  bool quiet = false;
  ArgParser p("decompress", "FILE.sqz -o DIR|OUT.npz");
  p.positional("FILE", &in);
  p.option("-o", &out, "output folder, or a file ending in .npz", "DIR|OUT.npz");
  p.flag("--quiet", &quiet, "no summary");
  // Entropy block: decode entropy-coded payloads on the Verilated decoders too.
  std::string engine = "sw";
  bool json_out = false;
  p.option("--engine", &engine, "sw, or rtl: also decode every entropy-coded payload on its RTL decoder, "
           "check it against the C++ decoder and print cycles and weights/cycle", "sw|rtl");
  p.flag("--json", &json_out, "with --engine rtl: the cycle report as JSON on stdout");
  if (!p.parse(args)) return kOk;
  if (engine != "sw" && engine != "rtl") throw UsageError("--engine must be sw or rtl");
  if (out.empty()) throw UsageError("missing -o DIR|OUT.npz");
  const auto c = container::parse(io::read_file(in));
  if (engine == "rtl") run_entropy_rtl(c, json_out);  // entropy block
  std::vector<Tensor> ts;
  for (const auto& s : c.sections) ts.push_back(container::decode_tensor(s));
  namespace fs = std::filesystem;
  if (out.size() > 4 && out.substr(out.size() - 4) == ".npz") {
    io::write_file(out, io::write_npz(ts));
  } else {
    for (const auto& t : ts) {
      if (t.name.empty() || t.name.find("..") != std::string::npos || t.name[0] == '/')
        throw FormatError("tensor name '" + t.name + "' cannot be a file name under " + out);
      const fs::path path = fs::path(out) / (t.name + ".npy");
      std::error_code ec;
      fs::create_directories(path.parent_path(), ec);
      if (ec) throw IoError("cannot create folder '" + path.parent_path().string() + "': " + ec.message());
      io::write_file(path.string(), io::write_npy(t));
    }
  }
  if (!quiet) std::fprintf(stderr, "%s: %zu tensors written to %s\n", in.c_str(), ts.size(), out.c_str());
  return kOk;
}

}  // namespace squish::cli
