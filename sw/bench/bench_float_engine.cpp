// The float32 engine on the real models and data (docs/network.md): BlazeFace-front
// on the 200 LFW crops (faces found / false positives at score 0.75) and the
// astronaut, emotion on the 100 LFW faces (top-1 histogram), time per image.
// Inputs: build/data from scripts/make-inputs.py (made here when missing);
// models: build/models/human-models (scripts/fetch-models.sh, run by make bench).
// Writes $SQUISH_REPORTS/bench/float_engine.{json,md}.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "squish/error.hpp"
#include "squish/graph/graph.hpp"
#include "squish/io/npy.hpp"
#include "squish/nms/nms.hpp"
#include "squish/runtime/float_engine.hpp"

using namespace squish;
namespace fs = std::filesystem;

namespace {

std::string env_or(const char* k, const std::string& d) {
  const char* v = std::getenv(k);
  return v && *v ? v : d;
}

const Tensor& out(const runtime::FloatResult& r, const std::string& name) {
  for (const auto& t : r.outputs)
    if (t.name == name) return t;
  throw FormatError("no output " + name);
}

struct Anchor {
  float cx, cy;
};
// MediaPipe's BlazeFace-front anchors: 16x16 grid x 2 anchors (stride 8), then
// 8x8 x 6 (strides 16, 16, 16 merged), w = h = 1.
std::vector<Anchor> anchors_front() {
  std::vector<Anchor> a;
  for (auto [grid, per] : {std::pair{16, 2}, std::pair{8, 6}})
    for (int y = 0; y < grid; ++y)
      for (int x = 0; x < grid; ++x)
        for (int k = 0; k < per; ++k) a.push_back({(float(x) + 0.5f) / float(grid), (float(y) + 0.5f) / float(grid)});
  return a;
}

struct Det {
  nms::BoxF box;  // pixels of the 128x128 input
  float score;
};

std::vector<Det> detect(const runtime::FloatResult& r, size_t img, float score_thr) {
  static const auto anchors = anchors_front();
  const auto s0 = out(r, "Identity").to_float(), s1 = out(r, "Identity_1").to_float();
  const auto r0 = out(r, "Identity_2").to_float(), r1 = out(r, "Identity_3").to_float();
  std::vector<nms::BoxF> boxes;
  std::vector<float> scores;
  for (size_t i = 0; i < 896; ++i) {
    const bool first = i < 512;
    const size_t j = first ? i : i - 512;
    const float raw = first ? s0[img * 512 + j] : s1[img * 384 + j];
    const float sc = float(1.0 / (1.0 + std::exp(-double(std::clamp(raw, -100.0f, 100.0f)))));
    if (sc < score_thr) continue;
    const float* reg = first ? &r0[(img * 512 + j) * 16] : &r1[(img * 384 + j) * 16];
    const float cx = reg[0] / 128.0f + anchors[i].cx, cy = reg[1] / 128.0f + anchors[i].cy;
    const float w = reg[2] / 128.0f, h = reg[3] / 128.0f;
    boxes.push_back({(cx - w / 2) * 128, (cy - h / 2) * 128, (cx + w / 2) * 128, (cy + h / 2) * 128});
    scores.push_back(sc);
  }
  nms::Options o;
  o.iou_threshold = 0.3f;
  const auto keep = nms::greedy_float(boxes, scores, {}, o, nms::FloatIou::Torchvision);
  std::vector<Det> d;
  for (auto k : keep) d.push_back({boxes[k], scores[k]});
  return d;
}

double iou(const nms::BoxF& a, const nms::BoxF& b) {
  const double iw = std::max(0.0, double(std::min(a.x2, b.x2)) - std::max(a.x1, b.x1));
  const double ih = std::max(0.0, double(std::min(a.y2, b.y2)) - std::max(a.y1, b.y1));
  const double i = iw * ih;
  const double u = double(a.x2 - a.x1) * (a.y2 - a.y1) + double(b.x2 - b.x1) * (b.y2 - b.y1) - i;
  return u > 0 ? i / u : 0;
}

}  // namespace

int main() {
  try {
    const std::string root = env_or("SQUISH_ROOT", SQUISH_ROOT);
    const std::string models = env_or("SQUISH_MODELS", root + "/build/models") + "/human-models/models";
    const std::string data = root + "/build/data";
    if (!fs::exists(data + "/blazeface_lfw.npy")) {
      const std::string cmd = "/usr/bin/python3 " + root + "/scripts/make-inputs.py " + data;
      if (std::system(cmd.c_str()) != 0) throw IoError("could not make the inputs: " + cmd);
    }
    for (const char* m : {"blazeface-front", "emotion"})
      if (!fs::exists(models + "/" + m + ".json"))
        throw IoError(models + "/" + m + ".json missing: run scripts/fetch-models.sh");
    auto load = [](const std::string& p) { return io::read_npy(io::read_file(p), fs::path(p).stem().string()); };
    nlohmann::ordered_json rep;
    std::ostringstream md;
    md << "## Float engine on real data (bench_float_engine)\n\n";

    // BlazeFace on the 200 LFW crops
    const auto bg = graph::load_tfjs_graph(models + "/blazeface-front.json");
    const Tensor lfw = load(data + "/blazeface_lfw.npy");
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    const auto br = runtime::run_float(bg, lfw);
    const double bms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / double(lfw.shape[0]);
    const double bcpu = 1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC / double(lfw.shape[0]);
    int found = 0, fp = 0;
    double iou_sum = 0;
    const nms::BoxF centre{32, 32, 96, 96};
    for (size_t i = 0; i < lfw.shape[0]; ++i) {
      const auto d = detect(br, i, 0.75f);
      if (i < 100) {
        if (!d.empty()) {
          ++found;
          iou_sum += iou(d[0].box, centre);
        }
      } else {
        fp += d.empty() ? 0 : 1;
      }
    }
    const Tensor astro = load(data + "/astronaut_128.npy");
    const auto ar = runtime::run_float(bg, astro);
    const auto ad = detect(ar, 0, 0.75f);
    rep["blazeface_front"] = {{"ms_per_image", bms},
                              {"cpu_ms_per_image", bcpu},
                              {"faces_found_of_100", found},
                              {"false_positives_of_100", fp},
                              {"mean_iou_top_box_vs_pasted_square", found ? iou_sum / found : 0.0},
                              {"astronaut_boxes", ad.size()}};
    if (!ad.empty())
      rep["blazeface_front"]["astronaut_top_box"] = {ad[0].box.x1, ad[0].box.y1, ad[0].box.x2, ad[0].box.y2, ad[0].score};
    std::printf("blazeface-front: %.1f ms/image wall, %.1f ms CPU; score >= 0.75: %d of 100 faces found, %d of 100 non-faces; mean IoU(top box, pasted 64x64 square) %.3f; astronaut: %zu boxes\n",
                bms, bcpu, found, fp, found ? iou_sum / found : 0.0, ad.size());

    // emotion on the 100 faces
    const auto eg = graph::load_tfjs_graph(models + "/emotion.json");
    const Tensor faces = load(data + "/emotion_faces.npy");
    t0 = std::chrono::steady_clock::now();
    c0 = std::clock();
    const auto er = runtime::run_float(eg, faces);
    const double ems = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / double(faces.shape[0]);
    const double ecpu = 1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC / double(faces.shape[0]);
    static const char* kLabels[7] = {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"};
    std::vector<int> hist(7, 0);
    const auto p = er.outputs.at(0).to_float();
    for (size_t i = 0; i < faces.shape[0]; ++i) hist[size_t(std::max_element(&p[i * 7], &p[i * 7 + 7]) - &p[i * 7])]++;
    nlohmann::ordered_json h;
    std::printf("emotion: %.1f ms/image wall, %.1f ms CPU; top-1 over 100 LFW faces:", ems, ecpu);
    for (int k = 0; k < 7; ++k) {
      h[kLabels[k]] = hist[size_t(k)];
      std::printf(" %s %d", kLabels[k], hist[size_t(k)]);
    }
    std::printf("\n");
    rep["emotion"] = {{"ms_per_image", ems}, {"cpu_ms_per_image", ecpu}, {"top1_histogram", h}};

    md << "| model | data | ms/image (wall / CPU) | result |\n|---|---|---|---|\n";
    md << "| blazeface-front | 200 LFW crops (64x64 in a 128x128 grey canvas) | " << bms << " / " << bcpu << " | score >= 0.75: " << found
       << "/100 faces, " << fp << "/100 non-faces |\n";
    md << "| emotion | 100 LFW faces (64x64 grey) | " << ems << " / " << ecpu << " | top-1: " << h.dump() << " |\n";
    const std::string reports = env_or("SQUISH_REPORTS", root + "/build/reports") + "/bench";
    fs::create_directories(reports);
    std::ofstream(reports + "/float_engine.json") << rep.dump(2) << "\n";
    std::ofstream(reports + "/float_engine.md") << md.str();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_float_engine: %s\n", e.what());
    return 2;
  }
}
