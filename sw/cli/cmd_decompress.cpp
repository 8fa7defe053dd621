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

int cmd_decompress(Args args) {
  std::string in, out;
  bool quiet = false;
  ArgParser p("decompress", "FILE.sqz -o DIR|OUT.npz");
  p.positional("FILE", &in);
  p.option("-o", &out, "output folder, or a file ending in .npz", "DIR|OUT.npz");
  p.flag("--quiet", &quiet, "no summary");
  if (!p.parse(args)) return kOk;
  if (out.empty()) throw UsageError("missing -o DIR|OUT.npz");
  const auto c = container::parse(io::read_file(in));
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
