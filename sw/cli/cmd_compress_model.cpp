// squish compress MODEL.json --calib CALIB.npy [options] -o M.sqz: quantizes a
// network for the int8 engine (calibrated activations, compressed weights) into
// a .sqz network file (docs/format.md, "Network files"). Reached from
// cmd_compress when --calib is given.
#include <cstdio>

#include "args.hpp"
#include "cli.hpp"
#include "net_options.hpp"
#include "squish/io/npy.hpp"

namespace squish::cli {

bool is_model_compress(Args args) {
  for (const auto& a : args)
    if (a == "--calib" || a.rfind("--calib=", 0) == 0) return true;
  return false;
}

int cmd_compress_model(Args args) {
  std::string model, out;
  bool quiet = false;
  NetArgs na;
  ArgParser p("compress", "MODEL.json --calib CALIB.npy -o OUT.sqz [options]   (a network for squish run/detect)");
  p.positional("MODEL", &model);
  p.option("-o", &out, "output .sqz network file", "OUT.sqz");
  p.flag("--quiet", &quiet, "no summary");
  add_net_options(p, na);
  if (!p.parse(args)) return kOk;
  if (out.empty()) throw UsageError("missing -o OUT.sqz");
  if (!is_model_json(model)) throw UsageError(model + ": --calib quantizes a tfjs graph model (model.json)");
  const auto co = finish_net_options(na);
  NetProgress prog(!quiet);
  const auto net = load_or_quantize(model, na, co, &prog, nullptr);
  const auto bytes = runtime::save_network(net);
  // Check the file reads back to the same network before keeping it.
  const auto back = runtime::load_network(bytes, out);
  if (back.act != net.act || back.sections.sections.size() != net.sections.sections.size())
    throw Error("verification failed: the network file does not read back (a bug; please report)");
  write_atomic(out, bytes);
  if (!quiet) {
    uint64_t wbytes = 0, weights = 0;
    for (const auto& s : net.sections.sections)
      if (s.name.size() > 8 && s.name.compare(s.name.size() - 8, 8, "/weights") == 0) {
        wbytes += s.payload.size();
        weights += s.shape[0] * s.shape[1];
      }
    std::fprintf(stderr, "%s: %zu layers, %llu weights in %llu payload bytes (%.3f bits/weight), file %zu bytes%s\n", out.c_str(),
                 net.filter_shape.size(), static_cast<unsigned long long>(weights), static_cast<unsigned long long>(wbytes),
                 weights ? 8.0 * static_cast<double>(wbytes) / static_cast<double>(weights) : 0.0, bytes.size(),
                 co.bit_budget > 0 ? (", mixed precision " + std::to_string(net.mp_avg_bits) + " bits/weight before widening to 2/4/8").c_str() : "");
  }
  return kOk;
}

}  // namespace squish::cli
