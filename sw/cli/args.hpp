// Option parsing for squish subcommands: --name VALUE, --name=VALUE, flags,
// positionals, --help. Unknown options and missing values are UsageErrors.
//
//   ArgParser p("compress", "IN -o OUT.sqz [options]");
//   std::string out; bool quiet = false; std::string in;
//   p.option("-o", &out, "output file").flag("--quiet", &quiet, "no progress");
//   p.positional("IN", &in);
//   if (!p.parse(args)) return kOk;   // --help was printed
#pragma once

#include <cctype>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "squish/error.hpp"

namespace squish::cli {

class ArgParser {
 public:
  ArgParser(std::string command, std::string synopsis) : cmd_(std::move(command)), synopsis_(std::move(synopsis)) {}

  ArgParser& flag(std::string name, bool* out, std::string help) {
    opts_.push_back({std::move(name), std::move(help), false, [out](const std::string&) { *out = true; }, ""});
    return *this;
  }
  ArgParser& option(std::string name, std::string* out, std::string help, std::string metavar = "VALUE") {
    opts_.push_back({std::move(name), std::move(help), true, [out](const std::string& v) { *out = v; }, metavar});
    return *this;
  }
  /// Option with a custom handler (e.g. numeric conversion with range checks).
  ArgParser& option(std::string name, std::function<void(const std::string&)> f, std::string help,
                    std::string metavar = "VALUE") {
    opts_.push_back({std::move(name), std::move(help), true, std::move(f), metavar});
    return *this;
  }
  ArgParser& positional(std::string name, std::string* out, bool required = true) {
    pos_.push_back({std::move(name), out, required});
    return *this;
  }

  /// Returns false if --help was given (help already printed to stdout).
  bool parse(Args args) {
    size_t next_pos = 0;
    for (size_t i = 0; i < args.size(); ++i) {
      std::string a = args[i];
      if (a == "-h" || a == "--help") {
        print_help(stdout);
        return false;
      }
      if (a.size() > 1 && a[0] == '-' && !is_number(a)) {
        std::string value;
        bool has_inline = false;
        if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
          value = a.substr(eq + 1);
          a = a.substr(0, eq);
          has_inline = true;
        }
        const Opt* o = find(a);
        if (!o) throw UsageError("unknown option '" + a + "' (see 'squish " + cmd_ + " --help')");
        if (o->takes_value) {
          if (!has_inline) {
            if (i + 1 >= args.size()) throw UsageError("option " + a + " needs a value");
            value = args[++i];
          }
          o->apply(value);
        } else {
          if (has_inline) throw UsageError("option " + a + " takes no value");
          o->apply("");
        }
      } else {
        if (next_pos >= pos_.size()) throw UsageError("unexpected argument '" + a + "'");
        *pos_[next_pos++].out = a;
      }
    }
    for (size_t k = next_pos; k < pos_.size(); ++k)
      if (pos_[k].required) throw UsageError("missing " + pos_[k].name + " (see 'squish " + cmd_ + " --help')");
    return true;
  }

  void print_help(std::FILE* f) const {
    std::fprintf(f, "usage: squish %s %s\n\noptions:\n", cmd_.c_str(), synopsis_.c_str());
    for (const auto& o : opts_) {
      std::string lhs = o.name + (o.takes_value ? " " + o.metavar : "");
      std::fprintf(f, "  %-26s %s\n", lhs.c_str(), o.help.c_str());
    }
    std::fprintf(f, "  %-26s %s\n", "-h, --help", "this text");
  }

 private:
  struct Opt {
    std::string name, help;
    bool takes_value;
    std::function<void(const std::string&)> apply;
    std::string metavar;
  };
  struct Pos {
    std::string name;
    std::string* out;
    bool required;
  };
  const Opt* find(const std::string& n) const {
    for (const auto& o : opts_)
      if (o.name == n) return &o;
    return nullptr;
  }
  static bool is_number(const std::string& s) {
    return s.size() > 1 && s[0] == '-' && (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
  }
  std::string cmd_, synopsis_;
  std::vector<Opt> opts_;
  std::vector<Pos> pos_;
};

/// Parses a number with range checking; throws UsageError naming the option.
template <class T>
T parse_number(const std::string& opt, const std::string& s, T lo, T hi) {
  size_t used = 0;
  long double v = 0;
  try {
    v = std::stold(s, &used);
  } catch (...) {
    used = 0;
  }
  if (used != s.size() || s.empty()) throw UsageError(opt + ": '" + s + "' is not a number");
  if (v < static_cast<long double>(lo) || v > static_cast<long double>(hi))
    throw UsageError(opt + ": " + s + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  if constexpr (std::is_integral_v<T>) {
    if (v != static_cast<long double>(static_cast<long long>(v))) throw UsageError(opt + ": '" + s + "' is not an integer");
  }
  return static_cast<T>(v);
}

}  // namespace squish::cli
