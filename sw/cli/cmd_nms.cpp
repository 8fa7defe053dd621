// squish nms — greedy non-maximum suppression of boxes from a CSV file.
// Prints the kept input rows (0-based, header excluded), one per line, in keep
// order. Integer coordinates use the exact model (or the RTL unit with
// --engine rtl); decimal coordinates use the float path (torchvision's IoU
// arithmetic, or OpenCV's with --float-iou opencv).
#include <cmath>
#include <cstdio>
#include <string>

#include "args.hpp"
#include "cli.hpp"
#include "common.hpp"
#include "squish/error.hpp"
#include "squish/io/npy.hpp"
#include "squish/nms/nms.hpp"

#include "squish/json.hpp"
#include "squish/runtime/block_engines.hpp"

namespace squish::cli {

int cmd_nms(Args args) {
  ArgParser p("nms", "BOXES.csv [options]   (CSV header, then x1,y1,x2,y2,score[,class])");
  std::string path, engine = "golden", float_iou = "torchvision";
  nms::Options o;
  bool ge = false, score_ge = false, class_aware = false, plus_one = false, empty_one = false, stats = false, as_json = false;
  p.positional("BOXES.csv", &path);
  p.option("--iou", [&](const std::string& v) { o.iou_threshold = parse_number<float>("--iou", v, 0.0f, 1.0f); },
           "IoU threshold in [0, 1] (float32, default 0.5); suppress when IoU > it", "T");
  p.flag("--ge", &ge, "suppress when IoU >= threshold (py-faster-rcnn) instead of >");
  p.option("--score",
           [&](const std::string& v) {
             o.has_score_threshold = true;
             o.score_threshold = parse_number<float>("--score", v, -3.0e38f, 3.0e38f);
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
  p.choice("--engine", &engine, {"golden", "rtl"}, "golden (C++ model, default) or rtl (Verilated nms_unit, checked against the golden model: exit 3 if they differ)");
  p.choice("--float-iou", &float_iou, {"torchvision", "opencv"}, "decimal boxes: torchvision (default) or opencv IoU arithmetic");
  p.flag("--stats", &stats, "print candidates, kept and (rtl) cycles to stderr");
  p.flag("--json", &as_json, "print {\"kept\": [...], ...} as JSON on stdout instead of one index per line");
  if (!p.parse(args)) return kOk;
  o.suppress_when = ge ? nms::Overlap::GreaterEqual : nms::Overlap::Greater;
  o.score_cmp = score_ge ? nms::ScoreCmp::GreaterEqual : nms::ScoreCmp::Greater;
  o.class_aware = class_aware;
  o.plus_one = plus_one;
  o.empty_union = empty_one ? nms::EmptyUnion::IouOne : nms::EmptyUnion::NoSuppress;
  if (p.given("--score-ge") && !p.given("--score")) throw UsageError("--score-ge applies with --score");
  if (p.given("--eta") && engine == "rtl") throw UsageError("--eta: the RTL unit has no adaptive threshold (golden engine only)");
  if (p.given("--float-iou") && engine == "rtl") throw UsageError("--float-iou applies to the golden engine's decimal path");
  std::unique_ptr<runtime::BlockEngines> rtl;
  if (engine == "rtl") rtl = runtime::make_block_engines();

  const auto bytes = io::read_file(path);
  const nms::Csv csv = nms::parse_csv(std::string(bytes.begin(), bytes.end()), path);
  if (class_aware && !csv.has_class) throw UsageError("--class-aware needs a 6th column 'class' in " + path);

  std::vector<uint32_t> kept;
  bool matches = true;
  json::Value j = json::Object{{"file", path}, {"engine", engine}, {"boxes", csv.scores.size()}};
  if (rtl) {
    if (!csv.is_integer) throw UsageError("--engine rtl needs integer coordinates (the unit takes 16-bit integers)");
    const auto lim = rtl->nms_limits();
    if (csv.scores.size() > lim.max_boxes)
      throw FormatError(path + ": " + std::to_string(csv.scores.size()) + " boxes; the RTL unit holds at most " +
                        std::to_string(lim.max_boxes) + " per frame (use --engine golden, or split the frame)");
    const auto r = rtl->nms(csv.boxes, csv.scores, csv.classes, o);
    if (r.err_too_many)
      throw FormatError(path + ": more boxes than the RTL unit holds (" + std::to_string(lim.max_boxes) + "); nothing printed");
    if (r.err_kept_full)
      throw FormatError(path + ": the RTL unit's kept list filled up at " + std::to_string(lim.max_kept) +
                        " boxes before the frame ended, so its result would differ from greedy NMS; use --max-output " +
                        std::to_string(lim.max_kept) + " or less, or --engine golden");
    kept = r.kept;
    // like every block command's --engine rtl: the unit's keep list checked
    // against the golden model on the same frame
    matches = kept == nms::greedy(csv.boxes, csv.scores, csv.classes, o);
    j["bit_exact"] = matches;
    j["candidates"] = r.candidates;
    j["cycles"] = r.cycles;
    j["passes"] = r.passes;
    if (stats)
      std::fprintf(stderr, "candidates %u kept %zu cycles %llu passes %u\n", r.candidates, kept.size(),
                   static_cast<unsigned long long>(r.cycles), r.passes);
  } else {
    kept = csv.is_integer ? nms::greedy(csv.boxes, csv.scores, csv.classes, o)
                          : nms::greedy_float(csv.boxes_f, csv.scores, csv.classes, o,
                                              float_iou == "opencv" ? nms::FloatIou::OpenCV
                                                                    : nms::FloatIou::Torchvision);
    if (stats) std::fprintf(stderr, "boxes %zu kept %zu\n", csv.scores.size(), kept.size());
  }
  if (as_json) {
    json::Array a;
    for (uint32_t k : kept) a.push_back(k);
    j["kept"] = a;
    print_json(j);
  } else {
    for (uint32_t k : kept) std::printf("%u\n", k);
  }
  if (!matches) {
    std::fprintf(stderr, "squish nms: %s: the RTL unit's keep list differs from the golden model's (the RTL's is printed)\n",
                 path.c_str());
    return kMismatch;
  }
  return kOk;
}

}  // namespace squish::cli
