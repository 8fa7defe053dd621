// A small JSON value type for output (no parser): ordered objects, arrays,
// numbers, strings; written by nlohmann-json.
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
#include <nlohmann/json.hpp>
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

  /// Serialized by nlohmann-json: doubles in the shortest form that reads back
  /// to the same double; strings escaped (invalid UTF-8 bytes replaced by U+FFFD).
  std::string dump(int indent = -1) const {
    return to_nlohmann().dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }

 private:
  nlohmann::ordered_json to_nlohmann() const {
    using J = nlohmann::ordered_json;
    if (std::holds_alternative<std::nullptr_t>(v_)) return nullptr;
    if (auto* b = std::get_if<bool>(&v_)) return *b;
    if (auto* i = std::get_if<int64_t>(&v_)) return *i;
    if (auto* d = std::get_if<double>(&v_)) return std::isfinite(*d) ? J(*d) : J(nullptr);  // JSON has no inf/nan
    if (auto* s = std::get_if<std::string>(&v_)) return *s;
    if (auto* a = std::get_if<std::shared_ptr<Array>>(&v_)) {
      J out = J::array();
      for (const auto& x : **a) out.push_back(x.to_nlohmann());
      return out;
    }
    J out = J::object();
    for (const auto& [k, x] : *std::get<std::shared_ptr<Object>>(v_)) out[k] = x.to_nlohmann();
    return out;
  }

  std::variant<std::nullptr_t, bool, int64_t, double, std::string, std::shared_ptr<Array>, std::shared_ptr<Object>> v_;
};

}  // namespace squish::json
