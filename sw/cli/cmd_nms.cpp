// squish nms — greedy non-maximum suppression of boxes from a CSV file.
// Prints the kept input rows (0-based, header excluded), one per line, in keep
// order. Integer coordinates use the exact model (or the RTL unit with
// --engine rtl); decimal coordinates use the float path (torchvision's IoU
// arithmetic, or OpenCV's with --float-iou opencv).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "args.hpp"
#include "cli.hpp"
#include "squish/error.hpp"
#include "squish/nms/nms.hpp"

#if defined(SQUISH_HAVE_RTL) && defined(SQUISH_HAVE_RTL_NMS)
#include "squish/rtl/nms.hpp"
#endif

namespace squish::cli {

int cmd_nms(Args args) {
  ArgParser p("nms", "BOXES.csv [options]   (CSV header, then x1,y1,x2,y2,score[,class])");
  std::string path, engine = "golden", float_iou = "torchvision";
  nms::Options o;
  bool ge = false, score_ge = false, class_aware = false, plus_one = false, empty_one = false, stats = false;
  p.positional("BOXES.csv", &path);
  p.option("--iou", [&](const std::string& v) { o.iou_threshold = parse_number<float>("--iou", v, -1e30f, 1e30f); },
           "IoU threshold (float32, default 0.5); suppress when IoU > it", "T");
  p.flag("--ge", &ge, "suppress when IoU >= threshold (py-faster-rcnn) instead of >");
  p.option("--score",
           [&](const std::string& v) {
             o.has_score_threshold = true;
             o.score_threshold = parse_number<float>("--score", v, -1e30f, 1e30f);
           },
           "only boxes with score > S take part (OpenCV NMSBoxes)", "S");
  p.flag("--score-ge", &score_ge, "score threshold keeps score >= S instead of >");
  p.option("--top-k", [&](const std::string& v) { o.top_k = parse_number<size_t>("--top-k", v, 0, 1u << 30); },
           "only the N best-scoring candidates (0 = all)", "N");
  p.option("--max-output",
           [&](const std::string& v) { o.max_output = parse_number<size_t>("--max-output", v, 0, 1u << 30); },
           "stop after M kept boxes (0 = no limit)", "M");
  p.option("--eta", [&](const std::string& v) { o.eta = parse_number<float>("--eta", v, 0.0f, 1.0f); },
           "OpenCV adaptive threshold factor (golden engine only)", "E");
  p.flag("--class-aware", &class_aware, "boxes only suppress boxes of the same class (6th column)");
  p.flag("--plus-one", &plus_one, "areas (x2-x1+1)(y2-y1+1)");
  p.flag("--empty-iou-one", &empty_one, "IoU of two empty boxes is 1 (OpenCV) instead of no suppression");
  p.option("--engine", &engine, "golden (C++ model, default) or rtl (Verilated nms_unit)", "E");
  p.option("--float-iou", &float_iou, "decimal boxes: torchvision (default) or opencv IoU arithmetic", "A");
  p.flag("--stats", &stats, "print candidates, kept and (rtl) cycles to stderr");
  if (!p.parse(args)) return kOk;
  o.suppress_when = ge ? nms::Overlap::GreaterEqual : nms::Overlap::Greater;
  o.score_cmp = score_ge ? nms::ScoreCmp::GreaterEqual : nms::ScoreCmp::Greater;
  o.class_aware = class_aware;
  o.plus_one = plus_one;
  o.empty_union = empty_one ? nms::EmptyUnion::IouOne : nms::EmptyUnion::NoSuppress;
  if (std::isnan(o.iou_threshold)) throw UsageError("--iou must be a number");
  if (engine != "golden" && engine != "rtl") throw UsageError("--engine must be golden or rtl, not '" + engine + "'");
  if (float_iou != "torchvision" && float_iou != "opencv")
    throw UsageError("--float-iou must be torchvision or opencv, not '" + float_iou + "'");

  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  const nms::Csv csv = nms::parse_csv(ss.str(), path);
  if (class_aware && !csv.has_class) throw UsageError("--class-aware needs a 6th column 'class' in " + path);

  std::vector<uint32_t> kept;
  if (engine == "rtl") {
#if defined(SQUISH_HAVE_RTL) && defined(SQUISH_HAVE_RTL_NMS)
    if (!csv.is_integer) throw UsageError("--engine rtl needs integer coordinates (the unit takes 16-bit integers)");
    const auto hw = rtl::nms_hw_boxes(csv.boxes, csv.scores, csv.classes);
    const auto r = rtl::nms_run(hw, rtl::nms_hw_config(o), {});
    if (r.err_kept_full)
      std::fprintf(stderr, "squish nms: warning: the unit's kept list filled up; output stops at %u boxes\n",
                   rtl::nms_params(rtl::NmsVariant::Full).max_kept);
    kept = r.kept;
    if (stats)
      std::fprintf(stderr, "candidates %u kept %zu cycles %llu passes %u\n", r.candidates, kept.size(),
                   static_cast<unsigned long long>(r.cycles), r.passes);
#else
    throw UsageError("this squish was built without the RTL (--engine rtl unavailable)");
#endif
  } else {
    kept = csv.is_integer ? nms::greedy(csv.boxes, csv.scores, csv.classes, o)
                          : nms::greedy_float(csv.boxes_f, csv.scores, csv.classes, o,
                                              float_iou == "opencv" ? nms::FloatIou::OpenCV
                                                                    : nms::FloatIou::Torchvision);
    if (stats) std::fprintf(stderr, "boxes %zu kept %zu\n", csv.scores.size(), kept.size());
  }
  for (uint32_t k : kept) std::printf("%u\n", k);
  return kOk;
}

}  // namespace squish::cli
