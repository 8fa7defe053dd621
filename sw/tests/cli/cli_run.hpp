// Runs the squish binary (built beside the test executable) from the CLI tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace cli_test {

inline std::string squish_bin() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "squish").string();
}

struct Run {
  int code;         ///< exit status (-1: killed by a signal)
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// `squish ARGS`, in folder `cwd` when given, with `env` ("NAME=value ...")
/// prefixed to the command line when given.
inline Run run(const std::string& args, const std::string& cwd = "", const std::string& env = "") {
  namespace fs = std::filesystem;
  static int n = 0;
  const std::string errf =
      (fs::temp_directory_path() / ("squish_cli_err_" + std::to_string(getpid()) + "_" + std::to_string(n++))).string();
  const std::string cmd = (cwd.empty() ? "" : "cd '" + cwd + "' && ") + (env.empty() ? "" : env + " ") + squish_bin() +
                          " " + args + " 2>" + errf;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
  const int st = pclose(p);
  std::ifstream ef(errf);
  std::string err((std::istreambuf_iterator<char>(ef)), std::istreambuf_iterator<char>());
  fs::remove(errf);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out, err};
}

}  // namespace cli_test
