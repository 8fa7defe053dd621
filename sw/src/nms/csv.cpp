// CSV reader for `squish nms`: header line, then x1,y1,x2,y2,score[,class].
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "squish/error.hpp"
#include "squish/nms/nms.hpp"

namespace squish::nms {

namespace {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return s.substr(a, b - a);
}

}  // namespace

Csv parse_csv(const std::string& text, const std::string& where) {
  Csv out;
  std::istringstream in(text);
  std::string line;
  size_t lineno = 0;
  bool header = true;
  size_t columns = 0;
  std::vector<double> coords;  // 4 per row, kept until we know integer vs decimal
  while (std::getline(in, line)) {
    ++lineno;
    if (trim(line).empty()) continue;
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) f.push_back(trim(cell));
    if (header) {
      header = false;
      if (f.size() != 5 && f.size() != 6)
        throw FormatError(where + ":" + std::to_string(lineno) +
                          ": header must name 5 or 6 columns (x1,y1,x2,y2,score[,class])");
      static const char* const kNames[6] = {"x1", "y1", "x2", "y2", "score", "class"};
      for (size_t c = 0; c < f.size(); ++c) {
        std::string n = f[c];
        for (auto& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (n != kNames[c])
          throw FormatError(where + ":" + std::to_string(lineno) + ": header column " + std::to_string(c + 1) + " is '" + f[c] +
                            "', expected '" + kNames[c] + "' (the first line must be the header x1,y1,x2,y2,score[,class])");
      }
      columns = f.size();
      out.has_class = columns == 6;
      continue;
    }
    const std::string at = where + ":" + std::to_string(lineno);
    if (f.size() != columns)
      throw FormatError(at + ": expected " + std::to_string(columns) + " columns, found " + std::to_string(f.size()));
    double v[5];
    for (size_t c = 0; c < 5; ++c) {
      const char* s = f[c].c_str();
      char* end = nullptr;
      errno = 0;
      v[c] = std::strtod(s, &end);
      if (f[c].empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v[c]))
        throw FormatError(at + ": column " + std::to_string(c + 1) + " is not a finite number: '" + f[c] + "'");
      if (c < 4 && v[c] != std::floor(v[c])) out.is_integer = false;
    }
    if (v[2] < v[0] || v[3] < v[1]) throw FormatError(at + ": x2 < x1 or y2 < y1");
    for (size_t c = 0; c < 4; ++c) coords.push_back(v[c]);
    out.scores.push_back(static_cast<float>(v[4]));
    if (out.has_class) {
      char* end = nullptr;
      errno = 0;
      const long long k = std::strtoll(f[5].c_str(), &end, 10);
      if (f[5].empty() || *end != '\0' || errno == ERANGE || k < 0 || k > 0xffffffffll)
        throw FormatError(at + ": class must be a non-negative integer: '" + f[5] + "'");
      out.classes.push_back(static_cast<uint32_t>(k));
    }
  }
  if (header) throw FormatError(where + ": empty file (a header line is required)");
  for (size_t i = 0; i < coords.size(); i += 4) {
    out.boxes_f.push_back({static_cast<float>(coords[i]), static_cast<float>(coords[i + 1]),
                           static_cast<float>(coords[i + 2]), static_cast<float>(coords[i + 3])});
    if (out.is_integer) {
      for (size_t c = 0; c < 4; ++c)
        if (std::fabs(coords[i + c]) > 9.0e15) throw FormatError(where + ": coordinate too large for exact integers");
      out.boxes.push_back({static_cast<int64_t>(coords[i]), static_cast<int64_t>(coords[i + 1]),
                           static_cast<int64_t>(coords[i + 2]), static_cast<int64_t>(coords[i + 3])});
    }
  }
  return out;
}

}  // namespace squish::nms
