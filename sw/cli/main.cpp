// squish — command-line front end of the golden compression stack.
// Exit codes: 0 ok, 1 usage error, 2 bad input (unreadable, corrupt, wrong shape),
// 3 RTL/golden mismatch.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli.hpp"
#include "squish/error.hpp"
#include "squish/runtime/device.hpp"
#ifdef SQUISH_HAVE_RTL
#include "squish/he/engine.hpp"
#endif
#include "squish/io/safe_write.hpp"
#include "squish/runtime/block_engines.hpp"
#include "squish/version.hpp"

namespace squish::cli {

// Subcommands, one per cmd_<name>.cpp. Add a row here when you add a file.
int cmd_version(Args);
int cmd_compress(Args);
int cmd_info(Args);
int cmd_decompress(Args);
int cmd_softmax(Args);
int cmd_softmax_eval(Args);
int cmd_gemv(Args);
int cmd_nms(Args);
int cmd_run(Args);
int cmd_detect(Args);
int cmd_ntt(Args);
int cmd_he_layer(Args);

namespace {
const Command kCommands[] = {
    {"version", "print the version", cmd_version},
    {"compress", "prune, quantize and encode a model into .sqz", cmd_compress},
    {"info", "per-tensor and total figures of a .sqz", cmd_info},
    {"decompress", "dequantized tensors of a .sqz as .npz or .npy files", cmd_decompress},
    {"softmax", "Q0.16 softmax of logits (.npy), golden model or RTL", cmd_softmax},
    {"softmax-eval", "softmax variants vs float64: our Table XIV", cmd_softmax_eval},
    {"gemv", "run a pruned, quantized layer on the sparse datapath (golden or RTL)", cmd_gemv},
    {"nms", "greedy non-maximum suppression of boxes (CSV), golden model or RTL", cmd_nms},
    {"run", "run a network (model.json or .sqz): float, golden int8 or RTL", cmd_run},
    {"detect", "BlazeFace-style SSD detection: decode boxes, NMS on the device", cmd_detect},
    {"ntt", "negacyclic polynomial product mod (x^n + 1, Q) by NTT, golden model or RTL", cmd_ntt},
    {"he-layer", "int8 fc layer on BFV-encrypted activations, golden or RTL NTT", cmd_he_layer},
};
}  // namespace

std::span<const Command> commands() { return kCommands; }

int cmd_version(Args) {
  std::printf("squish %s\n", squish::version());
  return kOk;
}

}  // namespace squish::cli

namespace {
void usage(std::FILE* f) {
  std::fprintf(f, "usage: squish <command> [options]\n\ncommands:\n");
  for (const auto& c : squish::cli::commands())
    std::fprintf(f, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  std::fprintf(f, "\n'squish <command> --help' describes a command's options.\n");
}
}  // namespace

int main(int argc, char** argv) {
  using namespace squish::cli;
#if SQUISH_HAVE_RTL_DEVICE
  squish::runtime::register_rtl_device(&squish::runtime::make_rtl_device);
#endif
  // Interrupted runs remove their temporaries; the previous output stays.
  squish::io::install_signal_cleanup();
#ifdef SQUISH_HAVE_RTL
  // --engine rtl of the block commands (defined in sim/cli/, linked with squish_rtl).
  squish::runtime::register_block_engines(&squish::runtime::make_rtl_block_engines);
#endif
  std::vector<std::string> args(argv + 1, argv + argc);
#ifdef SQUISH_HAVE_RTL
  squish::he::register_rtl_polymul(&squish::he::rtl_polymul);
  squish::he::register_rtl_mul_plain(&squish::he::rtl_mul_plain);
#endif
  if (args.empty()) {
    usage(stderr);
    return kUsage;
  }
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    usage(stdout);
    return kOk;
  }
  if (args[0] == "--version") args[0] = "version";
  for (const auto& c : commands()) {
    if (c.name == args[0]) {
      try {
        return c.run(Args(args).subspan(1));
      } catch (const RtlMismatch& e) {
        std::fprintf(stderr, "squish %s: RTL/golden mismatch: %s\n", args[0].c_str(), e.what());
        return kMismatch;
      } catch (const squish::UsageError& e) {
        std::fprintf(stderr, "squish %s: %s\n", args[0].c_str(), e.what());
        return kUsage;
      } catch (const squish::Error& e) {
        std::fprintf(stderr, "squish %s: %s\n", args[0].c_str(), e.what());
        return kBadInput;
      } catch (const std::bad_alloc&) {
        std::fprintf(stderr,
                     "squish %s: out of memory: the input needs more memory than this machine has "
                     "(nothing was written; see --max-elements)\n",
                     args[0].c_str());
        return kBadInput;
      } catch (const std::length_error& e) {
        std::fprintf(stderr, "squish %s: the input is too large for this machine (%s); nothing was written\n",
                     args[0].c_str(), e.what());
        return kBadInput;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "squish %s: internal error: %s (nothing was written; please report)\n", args[0].c_str(), e.what());
        return kBadInput;
      }
    }
  }
  std::fprintf(stderr, "squish: unknown command '%s'\n", args[0].c_str());
  usage(stderr);
  return kUsage;
}
