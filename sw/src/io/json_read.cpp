// JSON reading on nlohmann-json (nlohmann-json3-dev): RFC 8259, strict (no
// comments, no trailing commas), numbers converted exactly (round to nearest),
// invalid UTF-8 in strings rejected, nesting limited to 64 levels. The parsed
// document is turned into the JsonNode tree the rest of the library walks;
// duplicate object keys are a FormatError (nlohmann would keep the last).
#include "squish/io/json_read.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "squish/error.hpp"

namespace squish::io {

namespace {
constexpr int kMaxDepth = 64;

const char* kind(const JsonNode& n) {
  static const char* names[] = {"null", "bool", "number", "string", "array", "object"};
  return names[n.v_.index()];
}
[[noreturn]] void type_error(const JsonNode& n, std::string_view what, const char* want) {
  throw FormatError(std::string(what) + ": expected a JSON " + want + ", found " + kind(n));
}

JsonNode convert(const nlohmann::ordered_json& j) {
  JsonNode n;
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: break;
    case nlohmann::ordered_json::value_t::boolean: n.v_ = j.get<bool>(); break;
    case nlohmann::ordered_json::value_t::number_integer: n.v_ = static_cast<double>(j.get<int64_t>()); break;
    case nlohmann::ordered_json::value_t::number_unsigned: n.v_ = static_cast<double>(j.get<uint64_t>()); break;
    case nlohmann::ordered_json::value_t::number_float: n.v_ = j.get<double>(); break;
    case nlohmann::ordered_json::value_t::string: n.v_ = j.get<std::string>(); break;
    case nlohmann::ordered_json::value_t::array: {
      auto a = std::make_shared<JsonNode::Array>();
      a->reserve(j.size());
      for (const auto& x : j) a->push_back(convert(x));
      n.v_ = std::move(a);
      break;
    }
    case nlohmann::ordered_json::value_t::object: {
      auto o = std::make_shared<JsonNode::Object>();
      o->reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) o->emplace_back(it.key(), convert(it.value()));
      n.v_ = std::move(o);
      break;
    }
    default: throw FormatError("JSON: unsupported value type");
  }
  return n;
}
}  // namespace

double JsonNode::number(std::string_view what) const {
  if (!is_number()) type_error(*this, what, "number");
  return std::get<double>(v_);
}
const std::string& JsonNode::string(std::string_view what) const {
  if (!is_string()) type_error(*this, what, "string");
  return std::get<std::string>(v_);
}
const JsonNode::Array& JsonNode::array(std::string_view what) const {
  if (!is_array()) type_error(*this, what, "array");
  return *std::get<std::shared_ptr<Array>>(v_);
}
const JsonNode::Object& JsonNode::object(std::string_view what) const {
  if (!is_object()) type_error(*this, what, "object");
  return *std::get<std::shared_ptr<Object>>(v_);
}
const JsonNode* JsonNode::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : *std::get<std::shared_ptr<Object>>(v_))
    if (k == key) return &v;
  return nullptr;
}

JsonNode parse_json(std::string_view text) {
  using J = nlohmann::ordered_json;
  std::string dup;
  // The callback sees every key (to catch duplicates) and every nesting level.
  std::vector<std::unordered_set<std::string>> keys;
  J::parser_callback_t cb = [&](int depth, J::parse_event_t ev, J& parsed) {
    if (depth > kMaxDepth) throw FormatError("JSON: nesting deeper than " + std::to_string(kMaxDepth));
    if (ev == J::parse_event_t::object_start) keys.emplace_back();
    else if (ev == J::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    else if (ev == J::parse_event_t::key && !keys.empty()) {
      const auto& k = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(k).second && dup.empty()) dup = k;
    }
    return true;
  };
  J j;
  try {
    j = J::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const J::parse_error& e) {
    throw FormatError(std::string("JSON: ") + e.what() + " (byte " + std::to_string(e.byte) + ")");
  } catch (const J::exception& e) {
    throw FormatError(std::string("JSON: ") + e.what());
  }
  if (!dup.empty()) throw FormatError("JSON: duplicate object key '" + dup + "'");
  return convert(j);
}

}  // namespace squish::io
