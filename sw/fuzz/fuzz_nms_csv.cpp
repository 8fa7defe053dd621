// Fuzz target: the `squish nms` CSV reader and NMS on whatever it accepts.
// Bad input must raise squish::Error (never crash or hang); accepted input must
// give a keep list of distinct in-range indices in non-increasing score order,
// identical between the exact path and a second run (determinism).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "squish/error.hpp"
#include "squish/nms/nms.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace squish::nms;
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Csv c;
  try {
    c = parse_csv(text, "fuzz");
  } catch (const squish::Error&) {
    return 0;
  }
  Options o;
  o.iou_threshold = size % 2 ? 0.5f : 0.3f;
  o.suppress_when = size % 3 ? Overlap::Greater : Overlap::GreaterEqual;
  o.class_aware = c.has_class && size % 5 == 0;
  std::vector<uint32_t> kept;
  try {
    kept = c.is_integer ? greedy(c.boxes, c.scores, c.classes, o)
                        : greedy_float(c.boxes_f, c.scores, c.classes, o, FloatIou::Torchvision);
  } catch (const squish::Error&) {
    return 0;  // e.g. NaN score or a coordinate beyond +-2^30
  }
  std::set<uint32_t> seen;
  for (size_t k = 0; k < kept.size(); ++k) {
    if (kept[k] >= c.scores.size() || !seen.insert(kept[k]).second) std::abort();
    if (k > 0 && c.scores[kept[k]] > c.scores[kept[k - 1]]) std::abort();
  }
  const auto again = c.is_integer ? greedy(c.boxes, c.scores, c.classes, o)
                                  : greedy_float(c.boxes_f, c.scores, c.classes, o, FloatIou::Torchvision);
  if (again != kept) std::abort();
  return 0;
}
