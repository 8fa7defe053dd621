// Testbench for rtl/nms/nms_unit: bit-exact keep lists against squish::nms::greedy
// on random, clustered (detector-like), all-disjoint, all-identical, zero-area and
// maximum-size inputs, at three backpressure levels, in both builds of the unit
// (Full: default parameters; Small: 3 lanes, 16 sorter cells so frames need
// several passes, 32 kept slots so the kept list overflows).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <algorithm>
#include <random>

#include "squish/error.hpp"
#include "squish/nms/nms.hpp"
#include "squish/rtl/nms.hpp"
#include "squish/sim/gtest.hpp"

using namespace squish;
using namespace squish::sim;
using rtl::NmsVariant;

namespace {

struct Case {
  std::vector<nms::Box> boxes;
  std::vector<float> scores;
  std::vector<uint32_t> classes;
  nms::Options opt;
  std::string what;
};

// What the unit must produce: greedy NMS, cut at its kept-list capacity.
std::vector<uint32_t> expected(const Case& c, NmsVariant v) {
  nms::Options o = c.opt;
  const unsigned cap = rtl::nms_params(v).max_kept;
  if (o.max_output == 0 || o.max_output > cap) o.max_output = cap;
  return nms::greedy(c.boxes, c.scores, c.classes, o);
}

struct Tally {
  int frames = 0, kept = 0, multipass = 0, overflow = 0;
};

rtl::NmsRunResult check(const Case& c, NmsVariant v, Backpressure bp, uint64_t seed, Tally* tally = nullptr) {
  rtl::NmsRunOptions ro;
  ro.variant = v;
  ro.backpressure = static_cast<int>(bp);
  ro.seed = seed;
  if (const char* t = std::getenv("SQUISH_TRACE"); t && std::string(t) == "1")
    ro.trace_path = test_options().trace_path;
  const auto hw = rtl::nms_hw_boxes(c.boxes, c.scores, c.classes, v);
  const auto r = rtl::nms_run(hw, rtl::nms_hw_config(c.opt), ro);
  const auto want = expected(c, v);
  EXPECT_EQ(r.kept, want) << c.what;
  EXPECT_TRUE(r.protocol_error.empty()) << c.what << ": " << r.protocol_error;
  EXPECT_TRUE(r.last_ok) << c.what << ": last must be set on exactly the final beat";
  EXPECT_EQ(r.none_beat, want.empty()) << c.what;
  EXPECT_EQ(r.kept_count, want.size()) << c.what;
  const unsigned cap = rtl::nms_params(v).max_kept;
  const size_t full = nms::greedy(c.boxes, c.scores, c.classes, [&] {
                        auto o = c.opt;
                        o.max_output = 0;
                        return o;
                      }()).size();
  const bool overflow = (c.opt.max_output == 0 || c.opt.max_output > cap) && full > cap;
  EXPECT_EQ(r.err_kept_full, overflow) << c.what;
  EXPECT_FALSE(r.err_too_many) << c.what;
  if (tally) {
    ++tally->frames;
    tally->kept += static_cast<int>(r.kept.size());
    tally->multipass += r.passes > 1;
    tally->overflow += r.err_kept_full;
  }
  return r;
}

std::vector<float> tied_scores(std::mt19937_64& g, size_t n, int levels) {
  std::vector<float> s(n);
  for (auto& x : s) x = static_cast<float>(g() % levels + 1) / static_cast<float>(levels);
  return s;
}

Case random_case(std::mt19937_64& g, size_t n, int64_t range, int64_t side, bool allow_empty) {
  Case c;
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = static_cast<int64_t>(g() % range), y = static_cast<int64_t>(g() % range);
    const int64_t lo = allow_empty ? 0 : 1;
    c.boxes.push_back({x, y, x + lo + static_cast<int64_t>(g() % side), y + lo + static_cast<int64_t>(g() % side)});
    c.classes.push_back(static_cast<uint32_t>(g() % 3));
  }
  c.scores = tied_scores(g, n, 30);
  return c;
}

// A random mix of every semantic option the unit implements.
void randomize_options(std::mt19937_64& g, nms::Options& o) {
  const float thr[] = {0.0f, 0.3f, 0.45f, 0.5f, 0.7f, 1.0f};
  o.iou_threshold = thr[g() % 6];
  o.suppress_when = g() % 3 == 0 ? nms::Overlap::GreaterEqual : nms::Overlap::Greater;
  o.plus_one = g() % 4 == 0;
  o.has_score_threshold = g() % 2 == 0;
  o.score_threshold = static_cast<float>(g() % 10) / 10.0f;
  o.score_cmp = g() % 2 ? nms::ScoreCmp::GreaterEqual : nms::ScoreCmp::Greater;
  o.top_k = g() % 4 == 0 ? g() % 40 : 0;
  o.max_output = g() % 4 == 0 ? g() % 30 : 0;
  o.class_aware = g() % 3 == 0;
  o.empty_union = g() % 2 ? nms::EmptyUnion::IouOne : nms::EmptyUnion::NoSuppress;
}

}  // namespace

TEST(NmsParams, ModelAndRtlAgree) {
  const auto p = rtl::nms_params(NmsVariant::Full);
  EXPECT_EQ(p.coord_bits, nms::hw::kCoordBits);
  EXPECT_EQ(p.class_bits, nms::hw::kClassBits);
  EXPECT_EQ(p.lanes, nms::hw::kLanes);
  EXPECT_EQ(p.max_boxes, nms::hw::kMaxBoxes);
  EXPECT_EQ(p.sort_cap, 1024u);
  EXPECT_EQ(p.max_kept, 1024u);
  const auto s = rtl::nms_params(NmsVariant::Small);
  EXPECT_EQ(s.coord_bits, nms::hw::kCoordBits);
  EXPECT_EQ(s.sort_cap, 16u);
  EXPECT_EQ(s.max_kept, 32u);
}

class NmsRandom : public BackpressureTest {};
class NmsCorners : public BackpressureTest {};
class NmsDetector : public BackpressureTest {};

// Random boxes with tied scores and random options, on the Small build: frames
// larger than its 16 sorter cells take several passes, and frames keeping more
// than 32 boxes end with err_kept_full.
TEST_P(NmsRandom, BitExactVsModel) {
  std::mt19937_64 g(test_seed());
  Tally t;
  for (int it = 0; it < 40; ++it) {
    Case c = random_case(g, 1 + g() % 150, 200, 60, it % 5 == 0);
    randomize_options(g, c.opt);
    c.what = "frame " + std::to_string(it) + " n=" + std::to_string(c.boxes.size());
    check(c, NmsVariant::Small, GetParam(), g(), &t);
    if (HasFailure()) return;
  }
  std::printf("[nms] %d random frames bit-exact: %d boxes kept, %d needed several sorter passes, %d filled the "
              "kept list\n", t.frames, t.kept, t.multipass, t.overflow);
  EXPECT_GE(t.multipass, 5) << "the test must exercise multi-pass selection";
}

TEST_P(NmsCorners, DisjointIdenticalZeroAreaMaxSize) {
  std::mt19937_64 g(test_seed());
  const auto bp = GetParam();
  std::vector<Case> cases;
  {  // all disjoint: nothing suppressed (more than the Small build's 32 slots)
    Case c;
    for (int64_t i = 0; i < 100; ++i) c.boxes.push_back({i * 20, 5, i * 20 + 19, 30});
    c.scores = tied_scores(g, 100, 7);
    c.what = "all disjoint";
    cases.push_back(c);
  }
  {  // all identical: the best (lowest index among ties) survives alone
    Case c;
    c.boxes.assign(90, nms::Box{100, 100, 200, 180});
    c.scores = tied_scores(g, 90, 3);
    c.what = "all identical";
    cases.push_back(c);
  }
  for (int e = 0; e < 2; ++e) {  // zero-area boxes, both empty-union rules
    Case c = random_case(g, 80, 8, 3, true);
    c.classes.clear();
    c.opt.empty_union = e ? nms::EmptyUnion::IouOne : nms::EmptyUnion::NoSuppress;
    c.what = e ? "zero area, IoU(empty, empty) = 1" : "zero area, never suppress";
    cases.push_back(c);
  }
  for (int po = 0; po < 2; ++po) {  // maximum-size boxes at the coordinate limits
    Case c;
    const int64_t M = 65535;
    c.boxes = {{0, 0, M, M}, {1, 1, M, M}, {0, 0, M / 2, M}, {M / 2, 0, M, M}, {M, M, M, M}, {0, 0, M, 0},
               {0, 0, M - 1, M - 1}, {1, 0, M, M - 1}};
    c.scores = {0.5f, 0.5f, 0.9f, 0.9f, 1.0f, 1.0f, 0.25f, 0.3f};
    c.opt.plus_one = po;
    c.opt.iou_threshold = 0.45f;
    c.what = po ? "max size, +1" : "max size";
    cases.push_back(c);
  }
  {  // IoU exactly at the threshold, both comparisons
    for (int ge = 0; ge < 2; ++ge) {
      Case c;
      c.boxes = {{0, 0, 4, 4}, {0, 0, 4, 2}, {2, 0, 6, 4}, {0, 0, 4, 4}};
      c.scores = {0.9f, 0.8f, 0.7f, 0.1f};
      c.opt.iou_threshold = 0.5f;
      c.opt.suppress_when = ge ? nms::Overlap::GreaterEqual : nms::Overlap::Greater;
      c.what = ge ? "IoU == t, >=" : "IoU == t, >";
      cases.push_back(c);
    }
  }
  {  // empty frame, and a frame where nothing passes the score threshold
    Case c;
    c.what = "empty frame";
    cases.push_back(c);
    Case d = random_case(g, 10, 50, 20, false);
    d.opt.has_score_threshold = true;
    d.opt.score_threshold = 2.0f;
    d.what = "all below score threshold";
    cases.push_back(d);
  }
  {  // negative and signed-zero scores order exactly like floats
    Case c = random_case(g, 40, 40, 30, false);
    for (size_t i = 0; i < c.scores.size(); ++i) c.scores[i] = (i % 3 == 0) ? -c.scores[i] : c.scores[i];
    c.scores[1] = -0.0f;
    c.scores[2] = 0.0f;
    c.what = "negative and signed-zero scores";
    cases.push_back(c);
  }
  for (const auto& c : cases) {
    check(c, NmsVariant::Small, bp, g());
    check(c, NmsVariant::Full, bp, g());
  }
}

// Detector-like frames (squish::nms::detector_frame) on the Full build.
TEST_P(NmsDetector, BitExactVsModel) {
  std::mt19937_64 g(test_seed());
  for (int it = 0; it < 2; ++it) {
    nms::DetectorParams p;
    p.n = it == 0 ? 1000 : 2000;
    p.objects = it == 0 ? 40 : 80;
    p.seed = g();
    const auto f = nms::detector_frame(p);
    Case c{f.boxes, f.scores, f.classes, {}, "detector n=" + std::to_string(p.n)};
    c.opt.has_score_threshold = true;
    c.opt.score_threshold = 0.3f;
    c.opt.iou_threshold = 0.45f;
    c.opt.class_aware = it == 1;
    check(c, NmsVariant::Full, GetParam(), g());
  }
}

// Frames back to back through one unit: nothing of a frame leaks into the next
// (sorter, kept list, counters, output hold), including empty frames.
class NmsFrames : public BackpressureTest {};
TEST_P(NmsFrames, BackToBackFrames) {
  std::mt19937_64 g(test_seed());
  nms::Options o;
  o.has_score_threshold = true;
  o.score_threshold = 0.2f;
  o.iou_threshold = 0.4f;
  std::vector<Case> cases;
  std::vector<std::vector<rtl::NmsHwBox>> frames;
  for (int f = 0; f < 8; ++f) {
    Case c = f % 4 == 3 ? Case{} : random_case(g, 1 + g() % 100, 150, 50, false);
    c.classes.clear();
    c.opt = o;
    frames.push_back(rtl::nms_hw_boxes(c.boxes, c.scores, {}, NmsVariant::Small));
    cases.push_back(std::move(c));
  }
  rtl::NmsRunOptions ro;
  ro.variant = NmsVariant::Small;
  ro.backpressure = static_cast<int>(GetParam());
  ro.seed = g();
  const auto rs = rtl::nms_run_frames(frames, rtl::nms_hw_config(o), ro);
  ASSERT_EQ(rs.size(), cases.size());
  for (size_t f = 0; f < cases.size(); ++f) {
    const auto want = expected(cases[f], NmsVariant::Small);
    EXPECT_EQ(rs[f].kept, want) << "frame " << f;
    EXPECT_EQ(rs[f].none_beat, want.empty()) << "frame " << f;
    EXPECT_TRUE(rs[f].last_ok) << "frame " << f;
    EXPECT_EQ(rs[f].candidates, std::count_if(cases[f].scores.begin(), cases[f].scores.end(),
                                              [](float s) { return s > 0.2f; }))
        << "frame " << f;
    EXPECT_TRUE(rs[f].protocol_error.empty()) << rs[f].protocol_error;
  }
}
SQUISH_BACKPRESSURE_SUITE(NmsFrames);
SQUISH_BACKPRESSURE_SUITE(NmsRandom);
SQUISH_BACKPRESSURE_SUITE(NmsCorners);
SQUISH_BACKPRESSURE_SUITE(NmsDetector);

// Bad input never hangs: NaN scores are never candidates (flagged), boxes beyond
// MaxBoxes are dropped (flagged).
TEST(NmsErrors, NanScoresAndTooManyBoxes) {
  std::mt19937_64 g(test_seed());
  Case c = random_case(g, 60, 100, 40, false);
  auto hw = rtl::nms_hw_boxes(c.boxes, c.scores, c.classes, NmsVariant::Small);
  for (size_t i = 0; i < hw.size(); i += 7) hw[i].score_bits = 0x7fc00000u | static_cast<uint32_t>(i);
  auto model_scores = c.scores;
  for (size_t i = 0; i < hw.size(); i += 7) model_scores[i] = -INFINITY;
  nms::Options o;
  o.has_score_threshold = true;
  o.score_threshold = -INFINITY;  // -inf itself does not pass '>'
  o.max_output = 32;
  rtl::NmsRunOptions ro;
  ro.variant = NmsVariant::Small;
  ro.seed = g();
  auto r = rtl::nms_run(hw, rtl::nms_hw_config(o), ro);
  EXPECT_TRUE(r.nan_seen);
  EXPECT_EQ(r.kept, nms::greedy(c.boxes, model_scores, {}, o));

  // 600 boxes into a 512-box unit: the first 512 are processed.
  Case big = random_case(g, 600, 400, 30, false);
  auto hwb = rtl::nms_hw_boxes(std::span(big.boxes).first(512), std::span(big.scores).first(512), {},
                               NmsVariant::Small);
  for (size_t i = 512; i < 600; ++i)
    hwb.push_back({static_cast<uint32_t>(big.boxes[i].x1), static_cast<uint32_t>(big.boxes[i].y1),
                   static_cast<uint32_t>(big.boxes[i].x2), static_cast<uint32_t>(big.boxes[i].y2),
                   std::bit_cast<uint32_t>(big.scores[i]), 0});
  nms::Options ob;
  ob.max_output = 20;
  r = rtl::nms_run(hwb, rtl::nms_hw_config(ob), ro);
  EXPECT_TRUE(r.err_too_many);
  EXPECT_EQ(r.candidates, 512u);
  EXPECT_EQ(r.kept, nms::greedy(std::span(big.boxes).first(512), std::span(big.scores).first(512), {}, ob));
  nms::Options with_eta;
  with_eta.eta = 0.9f;
  EXPECT_THROW(rtl::nms_hw_config(with_eta), squish::UsageError);
}

// Throughput: with nothing overlapping and no backpressure, the unit takes one
// cycle per beat to ingest (one survivor per beat) and one per candidate.
TEST(NmsCycles, OneCyclePerBeatAndPerCandidate) {
  Case c;
  for (int64_t i = 0; i < 400; ++i) c.boxes.push_back({(i % 20) * 30, (i / 20) * 30, (i % 20) * 30 + 20, (i / 20) * 30 + 20});
  for (int64_t i = 0; i < 400; ++i) c.scores.push_back(i % 4 == 0 ? 0.9f - 0.001f * static_cast<float>(i) : 0.1f);
  c.opt.has_score_threshold = true;
  c.opt.score_threshold = 0.3f;
  const auto hw = rtl::nms_hw_boxes(c.boxes, c.scores, {}, NmsVariant::Full);
  const auto r = rtl::nms_run(hw, rtl::nms_hw_config(c.opt), {});
  EXPECT_EQ(r.kept, nms::greedy(c.boxes, c.scores, {}, c.opt));
  const uint64_t beats = 100, cands = 100;
  std::printf("[nms] 400 boxes, 100 survivors, none overlapping: %llu cycles (counter)\n",
              static_cast<unsigned long long>(r.cycles));
  EXPECT_LE(r.cycles, beats + cands + 8);
  EXPECT_GE(r.cycles, beats + cands);
}

// The cycle model (squish::nms::estimate_cycles, docs/nms.md) predicts the
// hardware counter exactly on detector-like frames without backpressure.
TEST(NmsCycles, CounterMatchesCycleModel) {
  const auto p = rtl::nms_params(NmsVariant::Full);
  for (uint64_t seed = 11; seed <= 13; ++seed) {
    nms::DetectorParams d;
    d.n = 1500;
    d.objects = 60;
    d.seed = seed;
    const auto f = nms::detector_frame(d);
    nms::Options o;
    o.has_score_threshold = true;
    o.score_threshold = 0.3f;
    o.iou_threshold = 0.45f;
    o.class_aware = seed == 12;
    const auto r = rtl::nms_run(rtl::nms_hw_boxes(f.boxes, f.scores, f.classes), rtl::nms_hw_config(o), {});
    const auto m = nms::estimate_cycles(f.boxes, f.scores, f.classes, o, p.lanes, p.banks);
    EXPECT_EQ(r.kept.size(), m.kept);
    EXPECT_EQ(r.cycles, m.total) << "seed " << seed << ": ingest " << m.ingest << " select " << m.select;
  }
}
