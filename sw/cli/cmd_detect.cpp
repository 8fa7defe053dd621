// squish detect MODEL --input IN.npy --anchors ANCHORS.npy|128|256 --score S --iou T
// --engine float|golden|rtl [-o OUT.csv] [--json]: runs a BlazeFace-style SSD
// detector, decodes its boxes as MediaPipe does and suppresses overlaps with
// greedy NMS on the device (the RTL NMS unit with --engine rtl).
#include <cmath>
#include <cstdio>
#include <cstring>

#include "args.hpp"
#include "cli.hpp"
#include "net_options.hpp"
#include "run_report.hpp"
#include "squish/io/npy.hpp"
#include "squish/json.hpp"
#include "squish/runtime/blazeface.hpp"

namespace squish::cli {

namespace {

struct Head {
  const Tensor* reg = nullptr;
  const Tensor* score = nullptr;
  size_t anchors = 0;
};

// Pairs the outputs [N, A, R] (R >= 4) with [N, A, 1] (or [N, A]) by anchor count,
// larger counts (finer strides) first, as the anchor generator orders them.
std::vector<Head> heads_of(const std::vector<Tensor>& outs) {
  std::vector<const Tensor*> regs, scores;
  for (const auto& t : outs) {
    if (t.shape.size() == 3 && t.shape[2] >= 4) regs.push_back(&t);
    else if ((t.shape.size() == 3 && t.shape[2] == 1) || t.shape.size() == 2) scores.push_back(&t);
  }
  if (regs.empty() || regs.size() != scores.size())
    throw FormatError("detect: the model's outputs are not SSD regressors [N, A, R>=4] and scores [N, A, 1] in pairs");
  std::vector<Head> h;
  for (const Tensor* r : regs) {
    Head x;
    x.reg = r;
    x.anchors = r->shape[1];
    for (const Tensor* s : scores)
      if (s->shape[1] == x.anchors) {
        bool used = false;
        for (const auto& y : h) used = used || y.score == s;
        if (!used) {
          x.score = s;
          break;
        }
      }
    if (!x.score) throw FormatError("detect: no score output with " + std::to_string(x.anchors) + " anchors for '" + r->name + "'");
    h.push_back(x);
  }
  std::stable_sort(h.begin(), h.end(), [](const Head& a, const Head& b) { return a.anchors > b.anchors; });
  const size_t R = h[0].reg->shape[2];
  for (const auto& x : h)
    if (x.reg->shape[2] != R) throw FormatError("detect: regressor outputs of different widths");
  return h;
}

}  // namespace

int cmd_detect(Args args) {
  std::string model, in, out, engine = "golden", anchors_arg, write_anchors;
  double score = 0.75, iou = 0.3;
  bool js = false;
  NetArgs na;
  ArgParser p("detect", "MODEL --input IN.npy --anchors ANCHORS.npy|128|256 --score S --iou T --engine float|golden|rtl [-o OUT.csv] [options]");
  p.positional("MODEL", &model, false);
  p.option("--input", &in, "inputs, float32 NHWC, preprocessed (BlazeFace: RGB in [-1, 1])", "IN.npy");
  p.option("--anchors", &anchors_arg, "anchor table N x 4 (centre x, centre y, w, h; normalised) or 128 / 256 for the built-in BlazeFace anchors", "A");
  p.option("--write-anchors", &write_anchors, "write the built-in anchors of --anchors 128|256 as .npy (no model needed)", "OUT.npy");
  p.option("--score", [&](const std::string& v) { score = parse_number<double>("--score", v, 0, 1); }, "keep boxes with score >= S (default 0.75)", "S");
  p.option("--iou", [&](const std::string& v) { iou = parse_number<double>("--iou", v, 0, 1); }, "suppress a box whose IoU with a kept box is > T (default 0.3)", "T");
  p.option("--engine", &engine, "float, golden or rtl (network and NMS on the RTL, checked against golden)", "E");
  p.option("-o", &out, "kept boxes as CSV x1,y1,x2,y2,score in input pixels, keep order (default stdout); with N > 1 images a leading image column", "OUT.csv");
  p.flag("--json", &js, "per-image boxes and the run's figures as JSON on stdout");
  p.flag("--quiet", &na.quiet, "no progress on stderr");
  add_net_options(p, na);
  if (!p.parse(args)) return kOk;
  if (anchors_arg.empty()) throw UsageError("missing --anchors ANCHORS.npy|128|256");
  const bool builtin = anchors_arg == "128" || anchors_arg == "256";
  if (!write_anchors.empty()) {
    if (!builtin) throw UsageError("--write-anchors needs --anchors 128 or 256");
    const auto a = runtime::blazeface_anchors(std::stoi(anchors_arg));
    std::vector<float> v;
    for (const auto& x : a) v.insert(v.end(), x.begin(), x.end());
    write_atomic(write_anchors, io::write_npy(Tensor::from_float("anchors", {a.size(), 4}, v)));
    if (model.empty()) return kOk;
  }
  if (model.empty()) throw UsageError("missing MODEL");
  if (in.empty()) throw UsageError("missing --input IN.npy");
  if (js && out.empty()) throw UsageError("--json writes JSON on stdout: give the CSV a file with -o");
  const auto co = finish_net_options(na);
  const Tensor input = io::read_npy(io::read_file(in), in);
  if (input.shape.size() != 4 || input.shape[1] != input.shape[2])
    throw FormatError(in + ": expected square N x H x W x C images, got " + shape_string(input.shape));
  const int size = static_cast<int>(input.shape[1]);
  const auto anchors = builtin ? runtime::blazeface_anchors(std::stoi(anchors_arg))
                               : runtime::anchors_from_tensor(io::read_npy(io::read_file(anchors_arg), anchors_arg));
  NetRun r = run_network(model, input, engine, na, co, false);
  const auto heads = heads_of(r.outputs);
  size_t total_anchors = 0;
  for (const auto& h : heads) total_anchors += h.anchors;
  if (total_anchors != anchors.size())
    throw FormatError("detect: the model has " + std::to_string(total_anchors) + " anchors, the table " + std::to_string(anchors.size()));
  const size_t R = heads[0].reg->shape[2];
  auto dev = runtime::make_device(engine == "rtl" ? "rtl" : "golden");
  std::unique_ptr<runtime::Device> gold = engine == "rtl" ? runtime::make_device("golden") : nullptr;
  nms::Options opt;
  opt.iou_threshold = static_cast<float>(iou);
  opt.suppress_when = nms::Overlap::Greater;
  opt.has_score_threshold = true;
  opt.score_threshold = static_cast<float>(score);
  opt.score_cmp = nms::ScoreCmp::GreaterEqual;
  const size_t N = input.shape[0];
  std::string csv = N > 1 ? "image,x1,y1,x2,y2,score\n" : "x1,y1,x2,y2,score\n";
  json::Array images;
  uint64_t nms_cycles = 0;
  std::vector<std::vector<float>> regv, scv;
  for (const auto& h : heads) {
    regv.push_back(h.reg->to_float());
    scv.push_back(h.score->to_float());
  }
  for (size_t i = 0; i < N; ++i) {
    std::vector<float> reg, sc;
    for (size_t hi = 0; hi < heads.size(); ++hi) {
      const auto& h = heads[hi];
      const auto& rv = regv[hi];
      const auto& sv = scv[hi];
      reg.insert(reg.end(), rv.begin() + static_cast<std::ptrdiff_t>(i * h.anchors * R),
                 rv.begin() + static_cast<std::ptrdiff_t>((i + 1) * h.anchors * R));
      sc.insert(sc.end(), sv.begin() + static_cast<std::ptrdiff_t>(i * h.anchors), sv.begin() + static_cast<std::ptrdiff_t>((i + 1) * h.anchors));
    }
    const auto dets = runtime::decode_blazeface(reg, R, sc, anchors, size);
    std::vector<nms::Box> boxes;
    std::vector<float> scores;
    for (const auto& d : dets) {
      boxes.push_back(runtime::nms_box(d));
      scores.push_back(d.score);
    }
    runtime::LayerStats st;
    const auto keep = dev->nms(boxes, scores, opt, &st);
    nms_cycles += st.cycles;
    if (gold && gold->nms(boxes, scores, opt) != keep) {
      if (r.bit_exact) r.first_mismatch = "image " + std::to_string(i) + ", NMS";
      r.bit_exact = false;
    }
    json::Array jb;
    for (uint32_t k : keep) {
      const auto& d = dets[k];
      char line[160];
      std::snprintf(line, sizeof line, "%.3f,%.3f,%.3f,%.3f,%.6f\n", d.x1 * size, d.y1 * size, d.x2 * size, d.y2 * size, d.score);
      if (N > 1) csv += std::to_string(i) + ",";
      csv += line;
      jb.push_back(json::Array{d.x1 * size, d.y1 * size, d.x2 * size, d.y2 * size, static_cast<double>(d.score)});
    }
    images.push_back(jb);
  }
  if (out.empty()) std::fputs(csv.c_str(), stdout);
  else write_atomic(out, std::vector<uint8_t>(csv.begin(), csv.end()));
  if (js) {
    json::Value doc = run_json(r);
    doc["nms_cycles"] = static_cast<unsigned long long>(nms_cycles);
    doc["boxes"] = images;
    std::printf("%s\n", doc.dump(1).c_str());
  }
  if (r.compared && !r.bit_exact) {
    std::fprintf(stderr, "squish detect: RTL and golden differ (first at %s)\n", r.first_mismatch.c_str());
    return 3;
  }
  return kOk;
}

}  // namespace squish::cli
