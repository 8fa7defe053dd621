#include "squish/io/json_read.hpp"

#include <cstdlib>
#include <string>

#include "squish/error.hpp"

namespace squish::io {

namespace {
const char* kind(const JsonNode& n) {
  static const char* names[] = {"null", "bool", "number", "string", "array", "object"};
  return names[n.v_.index()];
}
[[noreturn]] void type_error(const JsonNode& n, std::string_view what, const char* want) {
  throw FormatError(std::string(what) + ": expected a JSON " + want + ", found " + kind(n));
}

struct Parser {
  std::string_view s;
  size_t i = 0;
  [[noreturn]] void fail(const std::string& msg) const { throw FormatError("JSON: " + msg + " at byte " + std::to_string(i)); }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool lit(std::string_view w) {
    if (s.substr(i, w.size()) == w) {
      i += w.size();
      return true;
    }
    return false;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  unsigned hex4() {
    if (i + 4 > s.size()) fail("truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s[i++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad hex digit in \\u escape");
    }
    return v;
  }
  std::string str() {
    ++i;  // opening quote
    std::string out;
    for (;;) {
      if (i >= s.size()) fail("unterminated string");
      const char c = s[i++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) fail("unterminated escape");
      const char e = s[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xd800 && cp < 0xdc00 && lit("\\u")) {
            const unsigned lo = hex4();
            if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          utf8(out, cp);
          break;
        }
        default: fail("bad escape");
      }
    }
  }
  double num() {
    const size_t start = i;
    if (i < s.size() && s[i] == '-') ++i;
    auto digits = [&] {
      const size_t b = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      return i > b;
    };
    if (!digits()) fail("bad number");
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits()) fail("bad number");
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (!digits()) fail("bad number");
    }
    const std::string tok(s.substr(start, i - start));
    return std::strtod(tok.c_str(), nullptr);
  }
  JsonNode value(int depth) {
    if (depth > 64) fail("nesting deeper than 64");
    ws();
    if (i >= s.size()) fail("unexpected end of input");
    JsonNode n;
    const char c = s[i];
    if (c == '{') {
      ++i;
      auto obj = std::make_shared<JsonNode::Object>();
      ws();
      if (i < s.size() && s[i] == '}') {
        ++i;
      } else {
        for (;;) {
          ws();
          if (i >= s.size() || s[i] != '"') fail("expected a member name");
          std::string key = str();
          ws();
          if (i >= s.size() || s[i] != ':') fail("expected ':'");
          ++i;
          obj->emplace_back(std::move(key), value(depth + 1));
          ws();
          if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
          }
          if (i < s.size() && s[i] == '}') {
            ++i;
            break;
          }
          fail("expected ',' or '}'");
        }
      }
      n.v_ = obj;
    } else if (c == '[') {
      ++i;
      auto arr = std::make_shared<JsonNode::Array>();
      ws();
      if (i < s.size() && s[i] == ']') {
        ++i;
      } else {
        for (;;) {
          arr->push_back(value(depth + 1));
          ws();
          if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
          }
          if (i < s.size() && s[i] == ']') {
            ++i;
            break;
          }
          fail("expected ',' or ']'");
        }
      }
      n.v_ = arr;
    } else if (c == '"') {
      n.v_ = str();
    } else if (lit("true")) {
      n.v_ = true;
    } else if (lit("false")) {
      n.v_ = false;
    } else if (lit("null")) {
      n.v_ = std::monostate{};
    } else {
      n.v_ = num();
    }
    return n;
  }
};
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
  Parser p{text};
  JsonNode n = p.value(0);
  p.ws();
  if (p.i != text.size()) p.fail("trailing characters");
  return n;
}

}  // namespace squish::io
