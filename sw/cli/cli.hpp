// Shared pieces of the squish CLI: argument access, exit codes.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace squish::cli {

enum Exit : int { kOk = 0, kUsage = 1, kBadInput = 2 };

using Args = std::span<const std::string>;

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(Args args);  ///< args exclude the program and command names
};

/// Every subcommand, in the order `squish help` lists them (defined in main.cpp).
std::span<const Command> commands();

}  // namespace squish::cli
