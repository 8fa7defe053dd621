// make sim showcase for rtl/nms: detector-like frames (squish::nms::detector_frame,
// fixed seeds) through the unit under light backpressure; the keep lists must
// equal the golden model's and OpenCV's NMSBoxes'.
#include <cstdio>
#include <string>

#include "squish/nms/nms.hpp"
#include "squish/rtl/nms.hpp"
#include "squish/sim/report.hpp"

#include <opencv2/dnn.hpp>

using namespace squish;

int main() {
  bool all = true;
  for (size_t n : {size_t{1000}, size_t{8000}}) {
    nms::DetectorParams p;
    p.n = n;
    p.objects = n == 1000 ? 40 : 150;
    p.background_max = 0.305f;
    p.seed = 2026;
    const auto f = nms::detector_frame(p);
    nms::Options o;
    o.has_score_threshold = true;
    o.score_threshold = 0.3f;
    o.iou_threshold = 0.45f;
    o.empty_union = nms::EmptyUnion::IouOne;  // OpenCV's rule (no empty boxes here anyway)
    rtl::NmsRunOptions ro;
    ro.backpressure = 1;
    ro.seed = 7;
    const auto hw = rtl::nms_hw_boxes(f.boxes, f.scores, f.classes);
    const auto r = rtl::nms_run(hw, rtl::nms_hw_config(o), ro);
    const auto model = nms::greedy(f.boxes, f.scores, f.classes, o);
    bool pass = r.kept == model && r.protocol_error.empty() && !r.err_kept_full;
    std::string detail = "detector frame, " + std::to_string(r.candidates) + " above score 0.3, " +
                         std::to_string(r.kept.size()) + " kept; RTL == model";
    std::vector<cv::Rect> rects;
    for (const auto& b : f.boxes)
      rects.emplace_back(static_cast<int>(b.x1), static_cast<int>(b.y1), static_cast<int>(b.x2 - b.x1),
                         static_cast<int>(b.y2 - b.y1));
    std::vector<int> cv_keep;
    cv::dnn::NMSBoxes(rects, f.scores, o.score_threshold, o.iou_threshold, cv_keep);
    const bool cv_ok = std::vector<uint32_t>(cv_keep.begin(), cv_keep.end()) == model;
    pass &= cv_ok;
    detail += cv_ok ? " == OpenCV NMSBoxes" : " != OpenCV NMSBoxes";
    detail += "; light backpressure (" + std::to_string(r.cycles) + " cycles with stalls)";
    all &= pass;
    squish::sim::showcase_line("nms/n=" + std::to_string(n), n, r.cycles, pass, detail);
  }
  return all ? 0 : 1;
}
