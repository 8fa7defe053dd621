// A small JSON writer (no parser): ordered objects, arrays, numbers, strings.
// Copies of a Value share their arrays/objects (cheap to pass around).
// Used by `squish ... --json` and by the benchmark programs.
//
//   json::Value v = json::Object{{"cycles", 123}, {"ok", true}};
//   v["total"] = json::Object{{"weights", 10}};
//   std::cout << v.dump(2);
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace squish::json {

class Value;
using Array = std::vector<Value>;
/// Insertion-ordered object.
using Object = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}
  Value(bool b) : v_(b) {}
  Value(int x) : v_(static_cast<int64_t>(x)) {}
  Value(unsigned x) : v_(static_cast<int64_t>(x)) {}
  Value(long x) : v_(static_cast<int64_t>(x)) {}
  Value(unsigned long x) : v_(static_cast<int64_t>(x)) {}
  Value(long long x) : v_(static_cast<int64_t>(x)) {}
  Value(unsigned long long x) : v_(static_cast<int64_t>(x)) {}
  Value(double x) : v_(x) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

  /// Object member access; turns a null into an object, appends missing keys.
  Value& operator[](const std::string& key) {
    if (std::holds_alternative<std::nullptr_t>(v_)) v_ = std::make_shared<Object>();
    auto& o = *std::get<std::shared_ptr<Object>>(v_);
    for (auto& [k, val] : o)
      if (k == key) return val;
    o.emplace_back(key, Value());
    return o.back().second;
  }
  /// Appends to an array; turns a null into an array.
  void push_back(Value x) {
    if (std::holds_alternative<std::nullptr_t>(v_)) v_ = std::make_shared<Array>();
    std::get<std::shared_ptr<Array>>(v_)->push_back(std::move(x));
  }

  std::string dump(int indent = -1) const {
    std::string out;
    write(out, indent, 0);
    return out;
  }

 private:
  static void escape(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
    }
    out += '"';
  }
  static void newline(std::string& out, int indent, int depth) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * depth), ' ');
  }
  void write(std::string& out, int indent, int depth) const {
    if (std::holds_alternative<std::nullptr_t>(v_)) {
      out += "null";
    } else if (auto* b = std::get_if<bool>(&v_)) {
      out += *b ? "true" : "false";
    } else if (auto* i = std::get_if<int64_t>(&v_)) {
      out += std::to_string(*i);
    } else if (auto* d = std::get_if<double>(&v_)) {
      if (!std::isfinite(*d)) {
        out += "null";  // JSON has no inf/nan
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.10g", *d);
        out += buf;
      }
    } else if (auto* s = std::get_if<std::string>(&v_)) {
      escape(out, *s);
    } else if (auto* a = std::get_if<std::shared_ptr<Array>>(&v_)) {
      out += '[';
      bool first = true;
      for (const auto& x : **a) {
        if (!first) out += ',';
        first = false;
        newline(out, indent, depth + 1);
        x.write(out, indent, depth + 1);
      }
      if (!(*a)->empty()) newline(out, indent, depth);
      out += ']';
    } else if (auto* o = std::get_if<std::shared_ptr<Object>>(&v_)) {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : **o) {
        if (!first) out += ',';
        first = false;
        newline(out, indent, depth + 1);
        escape(out, k);
        out += indent < 0 ? ":" : ": ";
        x.write(out, indent, depth + 1);
      }
      if (!(*o)->empty()) newline(out, indent, depth);
      out += '}';
    }
  }

  std::variant<std::nullptr_t, bool, int64_t, double, std::string, std::shared_ptr<Array>, std::shared_ptr<Object>> v_;
};

}  // namespace squish::json
