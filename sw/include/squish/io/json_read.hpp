// A strict JSON reader for tfjs manifests and model.json (RFC 8259, nesting
// limited to 64, duplicate keys rejected), on nlohmann-json; numbers round to
// the nearest double, exactly as JavaScript's do.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace squish::io {

class JsonNode {
 public:
  using Array = std::vector<JsonNode>;
  using Object = std::vector<std::pair<std::string, JsonNode>>;

  bool is_null() const { return v_.index() == 0; }
  bool is_bool() const { return v_.index() == 1; }
  bool is_number() const { return v_.index() == 2; }
  bool is_string() const { return v_.index() == 3; }
  bool is_array() const { return v_.index() == 4; }
  bool is_object() const { return v_.index() == 5; }

  /// Typed access; throws FormatError naming `what` if the type differs.
  double number(std::string_view what) const;
  const std::string& string(std::string_view what) const;
  const Array& array(std::string_view what) const;
  const Object& object(std::string_view what) const;
  /// Member lookup on an object (nullptr if absent or not an object).
  const JsonNode* find(std::string_view key) const;

  std::variant<std::monostate, bool, double, std::string, std::shared_ptr<Array>, std::shared_ptr<Object>> v_;
};

/// Parses a whole document; throws FormatError with the byte offset on error.
JsonNode parse_json(std::string_view text);

}  // namespace squish::io
