// Option parsing for squish subcommands, on CLI11 (libcli11-dev): --name VALUE,
// --name=VALUE, flags, positionals, --help. Unknown options, missing values,
// extra arguments and an option given twice are UsageErrors (exit 1).
//
//   ArgParser p("compress", "IN -o OUT.sqz [options]");
//   std::string out; bool quiet = false; std::string in;
//   p.option("-o", &out, "output file").flag("--quiet", &quiet, "no progress");
//   p.positional("IN", &in);
//   if (!p.parse(args)) return kOk;   // --help was printed
//
// Numbers go through parse_number (strict: no NaN/Inf, integers without a
// fraction or exponent, the valid range in the message); lists through
// split_list (an empty item is a usage error).
#pragma once

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "cli.hpp"
#include "squish/error.hpp"

namespace squish::cli {

class ArgParser {
 public:
  ArgParser(std::string command, std::string synopsis)
      : cmd_(std::move(command)), synopsis_(std::move(synopsis)),
        app_(std::make_unique<CLI::App>("usage: squish " + cmd_ + " " + synopsis_, "squish " + cmd_)) {
    app_->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::Throw);
    app_->set_help_flag("-h,--help", "this text");
    app_->allow_extras(false);
  }

  ArgParser& flag(std::string name, bool* out, std::string help) {
    app_->add_flag_callback(name, [out] { *out = true; }, help)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    return *this;
  }
  ArgParser& option(std::string name, std::string* out, std::string help, std::string metavar = "VALUE") {
    app_->add_option_function<std::string>(name, [out](const std::string& v) { *out = v; }, help)->type_name(metavar);
    return *this;
  }
  /// Option with a custom handler (e.g. numeric conversion with range checks).
  ArgParser& option(std::string name, std::function<void(const std::string&)> f, std::string help,
                    std::string metavar = "VALUE") {
    app_->add_option_function<std::string>(name, std::move(f), help)->type_name(metavar);
    return *this;
  }
  /// An option restricted to `choices` (the message lists them).
  ArgParser& choice(std::string name, std::string* out, std::vector<std::string> choices, std::string help) {
    std::string meta;
    for (const auto& c : choices) meta += (meta.empty() ? "" : "|") + c;
    const std::string n = name;
    app_->add_option_function<std::string>(
            name,
            [out, choices, n, meta](const std::string& v) {
              for (const auto& c : choices)
                if (c == v) {
                  *out = v;
                  return;
                }
              throw UsageError(n + " must be one of " + meta + ", not '" + v + "'");
            },
            help)
        ->type_name(meta);
    return *this;
  }
  ArgParser& positional(std::string name, std::string* out, bool required = true) {
    auto* o = app_->add_option(name, *out, "");
    if (required) o->required();
    return *this;
  }
  /// True when the option (or flag) appeared on the command line.
  bool given(const std::string& name) const {
    const auto* o = app_->get_option_no_throw(name);
    return o && o->count() > 0;
  }

  /// Returns false if --help was given (help already printed to stdout).
  bool parse(Args args) {
    std::vector<std::string> rev(args.rbegin(), args.rend());
    try {
      app_->parse(rev);
    } catch (const CLI::CallForHelp&) {
      print_help(stdout);
      return false;
    } catch (const CLI::ParseError& e) {
      std::string msg = e.what();
      if (dynamic_cast<const CLI::ExtrasError*>(&e)) msg = "unexpected argument(s): " + extras_of(msg);
      throw UsageError(msg + " (see 'squish " + cmd_ + " --help')");
    }
    return true;
  }

  void print_help(std::FILE* f) const {
    const std::string h = app_->help();
    std::fputs(h.c_str(), f);
  }

 private:
  static std::string extras_of(const std::string& m) {
    const auto p = m.find(':');
    return p == std::string::npos ? m : m.substr(p + 2);
  }
  std::string cmd_, synopsis_;
  std::unique_ptr<CLI::App> app_;
};

/// Parses a number with range checking; throws UsageError naming the option
/// and the valid range. NaN and infinities are refused; an integral T accepts
/// only an optional sign and digits ("4.0" and "4e0" are not integers).
template <class T>
T parse_number(const std::string& opt, const std::string& s, T lo, T hi) {
  auto range = [&] {
    std::ostringstream r;
    r << "[" << +lo << ", " << +hi << "]";
    return r.str();
  };
  if (s.empty()) throw UsageError(opt + ": empty value; expected a number in " + range());
  long double v = 0;
  if constexpr (std::is_integral_v<T>) {
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) throw UsageError(opt + ": '" + s + "' is not an integer in " + range());
    for (size_t k = i; k < s.size(); ++k)
      if (s[k] < '0' || s[k] > '9') throw UsageError(opt + ": '" + s + "' is not an integer in " + range());
    if (s.size() - i > 19) throw UsageError(opt + ": " + s + " is out of range " + range());
    errno = 0;
    v = static_cast<long double>(s[0] == '-' ? static_cast<long double>(std::strtoll(s.c_str(), nullptr, 10))
                                             : static_cast<long double>(std::strtoull(s.c_str(), nullptr, 10)));
  } else {
    char* end = nullptr;
    errno = 0;
    v = std::strtold(s.c_str(), &end);
    if (end != s.c_str() + s.size() || std::isspace(static_cast<unsigned char>(s[0])))
      throw UsageError(opt + ": '" + s + "' is not a number in " + range());
    if (!std::isfinite(v)) throw UsageError(opt + ": '" + s + "' is not a finite number; expected " + range());
  }
  if (v < static_cast<long double>(lo) || v > static_cast<long double>(hi))
    throw UsageError(opt + ": " + s + " is out of range " + range());
  return static_cast<T>(v);
}

/// Splits a comma-separated list; an empty list or an empty item is a UsageError.
inline std::vector<std::string> split_list(const std::string& opt, const std::string& s) {
  std::vector<std::string> out;
  size_t a = 0;
  for (;;) {
    const size_t b = s.find(',', a);
    std::string item = s.substr(a, b == std::string::npos ? std::string::npos : b - a);
    if (item.empty()) throw UsageError(opt + ": empty item in the list '" + s + "' (expected A,B,...)");
    out.push_back(std::move(item));
    if (b == std::string::npos) break;
    a = b + 1;
  }
  return out;
}

}  // namespace squish::cli
