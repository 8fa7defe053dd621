// Reference behaviour of the rtl/common cells, stated independently of the RTL:
// what leaves a FIFO or skid buffer is what went in; an upsizer groups elements
// into words of Ratio, closing a word early at `last`; a downsizer flattens.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

namespace squish::sim::common {

struct Beat {  // a narrow beat: 8 data bits + last
  uint32_t data = 0;
  bool last = false;
  bool operator==(const Beat&) const = default;
};
inline std::ostream& operator<<(std::ostream& os, const Beat& b) {
  return os << "{data=0x" << std::hex << b.data << std::dec << " last=" << b.last << "}";
}

struct WideBeat {  // Ratio elements, element k at bits [k*W +: W]
  uint64_t data = 0;
  unsigned count = 0;
  bool last = false;
  bool operator==(const WideBeat&) const = default;
};
inline std::ostream& operator<<(std::ostream& os, const WideBeat& b) {
  return os << "{data=0x" << std::hex << b.data << std::dec << " count=" << b.count << " last=" << b.last << "}";
}

inline std::vector<WideBeat> pack(const std::vector<Beat>& in, unsigned width, unsigned ratio) {
  std::vector<WideBeat> out;
  WideBeat cur;
  for (const auto& b : in) {
    cur.data |= static_cast<uint64_t>(b.data) << (cur.count * width);
    ++cur.count;
    if (cur.count == ratio || b.last) {
      cur.last = b.last;
      out.push_back(cur);
      cur = {};
    }
  }
  return out;
}

inline std::vector<Beat> unpack(const std::vector<WideBeat>& in, unsigned width, unsigned ratio) {
  std::vector<Beat> out;
  const uint64_t mask = (uint64_t{1} << width) - 1;
  for (const auto& w : in) {
    const unsigned n = (w.count == 0 || w.count > ratio) ? ratio : w.count;
    for (unsigned k = 0; k < n; ++k)
      out.push_back({static_cast<uint32_t>((w.data >> (k * width)) & mask), w.last && k == n - 1});
  }
  return out;
}

}  // namespace squish::sim::common
