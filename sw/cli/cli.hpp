// Shared pieces of the squish CLI: argument access, exit codes.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace squish::cli {

/// Exit codes: 0 ok, 1 usage, 2 bad input (or an I/O failure), 3 the RTL and
/// the golden model disagree.
enum Exit : int { kOk = 0, kUsage = 1, kBadInput = 2, kMismatch = 3 };

using Args = std::span<const std::string>;

/// The RTL and the golden model disagree (exit 3).
class RtlMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(Args args);  ///< args exclude the program and command names
};

/// Every subcommand, in the order `squish help` lists them (defined in main.cpp).
std::span<const Command> commands();

}  // namespace squish::cli
