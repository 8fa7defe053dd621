// squish::nms: the exact model against independent references — exact rational
// arithmetic, OpenCV's NMSBoxes/softNMSBoxes, and torchvision's nms through the
// committed golden vectors in golden/nms/.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "squish/error.hpp"
#include "squish/nms/nms.hpp"

#include <opencv2/dnn.hpp>

using namespace squish::nms;

namespace {

// Independent exact comparison of I/U against float t: compare I * 2^k with
// t * 2^k * U as integers after scaling t to an integer by frexp (long double
// arithmetic is exact for the 24-bit mantissa).
int cmp_ratio(uint64_t i, uint64_t u, float t) {  // sign(I/U - t), u > 0
  int e;
  const double m = std::frexp(static_cast<double>(t), &e);  // t = m * 2^e, m in [0.5,1)
  const auto mi = static_cast<int64_t>(std::ldexp(m, 24));  // exact: t has 24 bits
  const int s = 24 - e;                                     // t = mi / 2^s
  // compare i * 2^s with mi * u ; s may be large, use __int128 with saturation
  if (s >= 90) return i > 0 ? 1 : (mi == 0 ? 0 : -1);
  __int128 lhs = static_cast<__int128>(i);
  __int128 rhs = static_cast<__int128>(mi) * static_cast<__int128>(u);
  if (s >= 0) lhs <<= s;
  else rhs <<= -s;
  return lhs > rhs ? 1 : (lhs < rhs ? -1 : 0);
}

std::vector<Box> random_boxes(std::mt19937_64& g, size_t n, int64_t range, int64_t max_side, bool allow_empty) {
  std::vector<Box> v(n);
  std::uniform_int_distribution<int64_t> pos(0, range), side(allow_empty ? 0 : 1, max_side);
  for (auto& b : v) {
    b.x1 = pos(g);
    b.y1 = pos(g);
    b.x2 = b.x1 + side(g);
    b.y2 = b.y1 + side(g);
  }
  return v;
}

std::vector<float> random_scores(std::mt19937_64& g, size_t n, int distinct) {
  std::vector<float> s(n);
  std::uniform_int_distribution<int> d(0, distinct - 1);
  for (auto& x : s) x = static_cast<float>(d(g) + 1) / static_cast<float>(distinct);  // many ties
  return s;
}

// True when some pair's exact IoU is within float rounding of t: there the float
// references may legitimately disagree with the exact model.
bool near_threshold(std::span<const Box> b, float t, bool plus_one) {
  for (size_t i = 0; i < b.size(); ++i)
    for (size_t j = i + 1; j < b.size(); ++j) {
      const auto iu = inter_union(b[i], b[j], plus_one);
      if (iu.uni == 0) continue;
      const double iou = static_cast<double>(iu.inter) / static_cast<double>(iu.uni);
      if (std::fabs(iou - t) <= 1e-6 && cmp_ratio(iu.inter, iu.uni, t) != 0) return true;
    }
  return false;
}

}  // namespace

TEST(NmsThreshold, MatchesExactRationalComparison) {
  std::mt19937_64 g(7);
  std::uniform_int_distribution<uint64_t> uu(1, (1ull << 34));
  int checked = 0, equal_cases = 0;
  for (int it = 0; it < 200000; ++it) {
    const uint64_t u = it % 3 == 0 ? (g() % 64) + 1 : uu(g);
    const uint64_t i = g() % (u + 1);
    float t;
    switch (it % 5) {
      case 0: t = std::bit_cast<float>(static_cast<uint32_t>(g() % 0x3f800001u)); break;  // any float in [0,1]
      case 1: t = static_cast<float>(i) / static_cast<float>(u); break;                     // near the IoU
      case 2: t = static_cast<float>(static_cast<double>(i) / static_cast<double>(u)); break;
      case 3: t = static_cast<float>(g() % 17) / 16.0f; break;                               // exact dyadics
      default: t = std::bit_cast<float>(static_cast<uint32_t>(g() % 0x00800000u)); break;    // subnormals
    }
    const int c = cmp_ratio(i, u, t);
    equal_cases += c == 0;
    EXPECT_EQ(Threshold::from(t, Overlap::Greater).suppresses(i, u), c > 0) << i << "/" << u << " vs " << t;
    EXPECT_EQ(Threshold::from(t, Overlap::GreaterEqual).suppresses(i, u), c >= 0) << i << "/" << u << " vs " << t;
    ++checked;
  }
  EXPECT_GT(equal_cases, 1000) << "the test must hit IoU == t exactly";
  // Out-of-range thresholds behave as the comparison says for IoU in [0,1].
  EXPECT_TRUE(Threshold::from(-0.5f, Overlap::Greater).suppresses(0, 7));
  EXPECT_FALSE(Threshold::from(1.5f, Overlap::GreaterEqual).suppresses(7, 7));
  EXPECT_TRUE(Threshold::from(1.0f, Overlap::GreaterEqual).suppresses(7, 7));
  EXPECT_FALSE(Threshold::from(1.0f, Overlap::Greater).suppresses(7, 7));
  EXPECT_THROW(Threshold::from(NAN, Overlap::Greater), squish::UsageError);
}

TEST(NmsScoreKey, OrdersLikeFloat) {
  std::mt19937_64 g(3);
  for (int it = 0; it < 100000; ++it) {
    float a = std::bit_cast<float>(static_cast<uint32_t>(g())), b = std::bit_cast<float>(static_cast<uint32_t>(g()));
    if (it % 4 == 0) b = a;
    if (it % 7 == 0) a = -0.0f;
    if (std::isnan(a) || std::isnan(b)) continue;
    EXPECT_EQ(score_key(a) > score_key(b), a > b) << a << " " << b;
    EXPECT_EQ(score_key(a) == score_key(b), a == b) << a << " " << b;
  }
  EXPECT_THROW(score_key(NAN), squish::UsageError);
}

TEST(NmsModel, DirectedSemantics) {
  // Two 2x1-overlapping boxes with IoU exactly 1/3 and 1/2.
  const std::vector<Box> b = {{0, 0, 4, 4}, {0, 0, 4, 2}, {2, 0, 6, 4}};
  const std::vector<float> s = {0.9f, 0.8f, 0.7f};
  Options o;
  o.iou_threshold = 0.5f;  // IoU(0,1) = 8/16 = 0.5, IoU(0,2) = 8/24 = 1/3
  EXPECT_EQ(greedy(b, s, {}, o), (std::vector<uint32_t>{0, 1, 2}));
  o.suppress_when = Overlap::GreaterEqual;
  EXPECT_EQ(greedy(b, s, {}, o), (std::vector<uint32_t>{0, 2}));
  o.iou_threshold = 1.0f / 3.0f;  // float(1/3) = 0x3eaaaaab > 1/3, so IoU 1/3 > t is false
  o.suppress_when = Overlap::Greater;
  EXPECT_EQ(greedy(b, s, {}, o), (std::vector<uint32_t>{0, 2}));
  o.iou_threshold = std::nextafter(1.0f / 3.0f, 0.0f);  // the float just below 1/3
  EXPECT_EQ(greedy(b, s, {}, o), (std::vector<uint32_t>{0}));
  // +1 convention: areas 25, 15, 25; inter(0,1) = 15 -> 15/25 = 0.6.
  o.iou_threshold = 0.55f;
  o.plus_one = false;
  EXPECT_EQ(greedy(b, s, {}, o), (std::vector<uint32_t>{0, 1, 2}));
  o.plus_one = true;
  EXPECT_EQ(greedy(b, s, {}, o), (std::vector<uint32_t>{0, 2}));
  // Ties by lower index; score threshold > vs >=; max_output; top_k.
  Options t;
  const std::vector<float> tie = {0.5f, 0.7f, 0.7f};
  const std::vector<Box> far = {{0, 0, 1, 1}, {10, 10, 11, 11}, {20, 20, 21, 21}};
  EXPECT_EQ(greedy(far, tie, {}, t), (std::vector<uint32_t>{1, 2, 0}));
  t.has_score_threshold = true;
  t.score_threshold = 0.5f;
  EXPECT_EQ(greedy(far, tie, {}, t), (std::vector<uint32_t>{1, 2}));
  t.score_cmp = ScoreCmp::GreaterEqual;
  EXPECT_EQ(greedy(far, tie, {}, t), (std::vector<uint32_t>{1, 2, 0}));
  t.max_output = 2;
  EXPECT_EQ(greedy(far, tie, {}, t), (std::vector<uint32_t>{1, 2}));
  t.max_output = 0;
  t.top_k = 1;
  EXPECT_EQ(greedy(far, tie, {}, t), (std::vector<uint32_t>{1}));
  // Class-aware: identical boxes of different classes both survive.
  const std::vector<Box> same = {{0, 0, 9, 9}, {0, 0, 9, 9}, {0, 0, 9, 9}};
  const std::vector<uint32_t> cls = {3, 4, 3};
  Options c;
  EXPECT_EQ(greedy(same, s, cls, c), (std::vector<uint32_t>{0}));
  c.class_aware = true;
  EXPECT_EQ(greedy(same, s, cls, c), (std::vector<uint32_t>{0, 1}));
  // Empty boxes: union 0.
  const std::vector<Box> empty = {{5, 5, 5, 5}, {5, 5, 5, 5}};
  Options e;
  EXPECT_EQ(greedy(empty, std::vector<float>{1.0f, 0.5f}, {}, e).size(), 2u);
  e.empty_union = EmptyUnion::IouOne;
  EXPECT_EQ(greedy(empty, std::vector<float>{1.0f, 0.5f}, {}, e).size(), 1u);
}

TEST(NmsModel, RejectsBadInput) {
  const std::vector<Box> b = {{0, 0, 4, 4}, {5, 5, 4, 6}};
  const std::vector<float> s = {0.9f, 0.8f};
  EXPECT_THROW(greedy(b, s, {}, Options{}), squish::UsageError);  // x2 < x1
  const std::vector<Box> ok = {{0, 0, 4, 4}, {5, 5, 6, 6}};
  EXPECT_THROW(greedy(ok, std::vector<float>{0.5f}, {}, Options{}), squish::UsageError);
  EXPECT_THROW(greedy(ok, std::vector<float>{0.5f, NAN}, {}, Options{}), squish::UsageError);
  EXPECT_THROW(greedy(ok, s, std::vector<uint32_t>{1}, Options{}), squish::UsageError);
  EXPECT_THROW(parse_csv("x1,y1,x2,y2\n"), squish::FormatError);
  EXPECT_THROW(parse_csv("x1,y1,x2,y2,score\n1,2,3,4\n"), squish::FormatError);
  EXPECT_THROW(parse_csv("x1,y1,x2,y2,score\n1,2,3,x,0.5\n"), squish::FormatError);
  EXPECT_THROW(parse_csv("x1,y1,x2,y2,score\n5,2,3,4,0.5\n"), squish::FormatError);
  const auto c = parse_csv("x1,y1,x2,y2,score,class\n1,2,3,4,0.5,7\n1.5,2,3,4,0.25,1\n");
  EXPECT_FALSE(c.is_integer);
  EXPECT_EQ(c.classes, (std::vector<uint32_t>{7, 1}));
  EXPECT_EQ(c.scores[1], 0.25f);
}

// Class-aware NMS equals per-class NMS merged in score order (independent formulation).
TEST(NmsModel, ClassAwareEqualsPerClassMerge) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    DetectorParams p;
    p.n = 300;
    p.objects = 20;
    p.seed = seed;
    const Frame f = detector_frame(p);
    Options o;
    o.class_aware = true;
    o.has_score_threshold = true;
    o.score_threshold = 0.3f;
    const auto got = greedy(f.boxes, f.scores, f.classes, o);
    std::vector<uint32_t> merged;
    std::map<uint32_t, std::vector<size_t>> by_class;
    for (size_t i = 0; i < f.boxes.size(); ++i) by_class[f.classes[i]].push_back(i);
    for (auto& [cls, ids] : by_class) {
      std::vector<Box> b;
      std::vector<float> s;
      for (size_t i : ids) b.push_back(f.boxes[i]), s.push_back(f.scores[i]);
      Options oc = o;
      oc.class_aware = false;
      for (uint32_t k : greedy(b, s, {}, oc)) merged.push_back(static_cast<uint32_t>(ids[k]));
    }
    std::stable_sort(merged.begin(), merged.end(), [&](uint32_t a, uint32_t b) {
      return f.scores[a] > f.scores[b] || (f.scores[a] == f.scores[b] && a < b);
    });
    EXPECT_EQ(got, merged) << "seed " << seed;
  }
}

namespace {
std::vector<uint32_t> opencv_nms(std::span<const Box> b, std::span<const float> s, float score_thr, float iou,
                                 float eta, int top_k) {
  std::vector<cv::Rect> r;
  for (const auto& x : b)
    r.emplace_back(static_cast<int>(x.x1), static_cast<int>(x.y1), static_cast<int>(x.x2 - x.x1),
                   static_cast<int>(x.y2 - x.y1));
  std::vector<int> idx;
  cv::dnn::NMSBoxes(r, std::vector<float>(s.begin(), s.end()), score_thr, iou, idx, eta, top_k);
  return {idx.begin(), idx.end()};
}
}  // namespace

// Identical keep lists to OpenCV on random, clustered and degenerate integer boxes.
TEST(NmsOpenCV, IdenticalKeepListsExactPath) {
  std::mt19937_64 g(11);
  int compared = 0, skipped_near = 0, nontrivial = 0;
  const float thresholds[] = {0.3f, 0.45f, 0.5f, 0.7f};
  for (int it = 0; it < 400; ++it) {
    const int kind = it % 5;
    std::vector<Box> b;
    std::vector<float> s;
    size_t n = 50 + g() % 250;
    if (kind == 0) {  // random
      b = random_boxes(g, n, 500, 120, false);
      s = random_scores(g, n, 40);
    } else if (kind == 1) {  // clustered (detector-like)
      DetectorParams p;
      p.n = n;
      p.objects = 10 + g() % 20;
      p.boxes_per_object = 1 + g() % 8;
      if (p.objects * p.boxes_per_object > n) p.objects = n / p.boxes_per_object;
      p.seed = g();
      const Frame f = detector_frame(p);
      b = f.boxes;
      s = f.scores;
    } else if (kind == 2) {  // all identical
      b.assign(n, Box{10, 20, 110, 70});
      s = random_scores(g, n, 5);
    } else if (kind == 3) {  // zero-area boxes mixed in
      b = random_boxes(g, n, 60, 12, true);
      s = random_scores(g, n, 20);
    } else {  // all disjoint
      for (size_t i = 0; i < n; ++i) b.push_back({static_cast<int64_t>(i) * 10, 0, static_cast<int64_t>(i) * 10 + 9, 9});
      s = random_scores(g, n, 1000);
    }
    Options o;
    o.iou_threshold = thresholds[it % 4];
    o.has_score_threshold = true;
    o.score_threshold = (it % 3 == 0) ? 0.0f : 0.3f;
    o.empty_union = EmptyUnion::IouOne;  // OpenCV's jaccardDistance rule
    o.eta = (it % 7 == 0) ? 0.9f : 1.0f;
    o.top_k = (it % 11 == 0) ? 25 : 0;
    if (o.eta < 1.0f) o.iou_threshold = 0.7f;
    if (near_threshold(b, o.iou_threshold, false) || (o.eta < 1.0f)) {
      // eta moves the threshold through several float values; check them all.
      bool near = near_threshold(b, o.iou_threshold, false);
      for (float t = o.iou_threshold; o.eta < 1.0f && t > 0.5f; t *= o.eta) near |= near_threshold(b, t * o.eta, false);
      if (near) {
        ++skipped_near;
        continue;
      }
    }
    const auto want = opencv_nms(b, s, o.score_threshold, o.iou_threshold, o.eta, static_cast<int>(o.top_k));
    const auto got = greedy(b, s, {}, o);
    EXPECT_EQ(got, want) << "case " << it << " kind " << kind;
    ++compared;
    nontrivial += want.size() > 1 && want.size() < b.size();
  }
  std::printf("[nms] OpenCV NMSBoxes (int Rect): %d cases identical, %d skipped (IoU within 1e-6 of t)\n", compared,
              skipped_near);
  EXPECT_GE(compared, 300);
  EXPECT_GE(nontrivial, 100);
}

// The float path with OpenCV arithmetic matches NMSBoxes on decimal Rect2d boxes
// bit for bit, including near-threshold pairs.
TEST(NmsOpenCV, FloatPathMatchesRect2d) {
  std::mt19937_64 g(5);
  std::uniform_real_distribution<float> pos(0, 300), side(0.5f, 80);
  for (int it = 0; it < 200; ++it) {
    const size_t n = 20 + g() % 200;
    std::vector<BoxF> b(n);
    std::vector<cv::Rect2d> r;
    for (auto& x : b) {
      x.x1 = pos(g);
      x.y1 = pos(g);
      x.x2 = x.x1 + side(g);
      x.y2 = x.y1 + side(g);
      r.emplace_back(x.x1, x.y1, static_cast<double>(x.x2) - x.x1, static_cast<double>(x.y2) - x.y1);
    }
    const auto s = random_scores(g, n, 50);
    Options o;
    o.iou_threshold = 0.2f + 0.1f * static_cast<float>(it % 6);
    o.has_score_threshold = true;
    o.score_threshold = 0.2f;
    std::vector<int> idx;
    cv::dnn::NMSBoxes(r, s, o.score_threshold, o.iou_threshold, idx);
    EXPECT_EQ(greedy_float(b, s, {}, o, FloatIou::OpenCV), std::vector<uint32_t>(idx.begin(), idx.end()))
        << "case " << it;
  }
}

TEST(NmsOpenCV, SoftNmsMatches) {
  std::mt19937_64 g(9);
  int compared = 0;
  for (int it = 0; it < 120; ++it) {
    DetectorParams p;
    p.n = 60 + g() % 100;
    p.objects = 6;
    p.boxes_per_object = 6;
    p.width = 400;
    p.height = 300;
    p.seed = g();
    const Frame f = detector_frame(p);
    SoftOptions o;
    o.method = it % 2 ? SoftMethod::Gaussian : SoftMethod::Linear;
    o.sigma = 0.5f;
    o.iou_threshold = 0.3f;
    o.score_threshold = 0.05f;
    o.top_k = it % 3 == 0 ? 20 : 0;
    std::vector<cv::Rect> r;
    for (const auto& x : f.boxes)
      r.emplace_back(static_cast<int>(x.x1), static_cast<int>(x.y1), static_cast<int>(x.x2 - x.x1),
                     static_cast<int>(x.y2 - x.y1));
    std::vector<int> idx;
    std::vector<float> upd;
    cv::dnn::softNMSBoxes(r, f.scores, upd, o.score_threshold, o.iou_threshold, idx, o.top_k, o.sigma,
                          o.method == SoftMethod::Linear ? cv::dnn::SoftNMSMethod::SOFTNMS_LINEAR
                                                         : cv::dnn::SoftNMSMethod::SOFTNMS_GAUSSIAN);
    const auto got = soft_nms(f.boxes, f.scores, o);
    ASSERT_EQ(got.indices.size(), idx.size()) << "case " << it;
    EXPECT_EQ(got.indices, std::vector<uint32_t>(idx.begin(), idx.end())) << "case " << it;
    for (size_t k = 0; k < upd.size() && k < got.scores.size(); ++k)
      EXPECT_NEAR(got.scores[k], upd[k], 1e-6f * std::max(1.0f, upd[k])) << "case " << it << " rank " << k;
    ++compared;
  }
  EXPECT_EQ(compared, 120);
}

TEST(NmsSoft, SigmaConventionsAndLinear) {
  const std::vector<Box> b = {{0, 0, 10, 10}, {0, 0, 10, 5}};  // IoU 0.5
  const std::vector<float> s = {1.0f, 0.8f};
  SoftOptions o;
  o.method = SoftMethod::Gaussian;
  o.sigma = 0.5f;
  EXPECT_NEAR(soft_nms(b, s, o).scores[1], 0.8 * std::exp(-0.25 / 0.5), 1e-6);
  o.sigma_convention = SigmaConvention::Variance;
  EXPECT_NEAR(soft_nms(b, s, o).scores[1], 0.8 * std::exp(-0.25 / 0.5), 1e-6);  // 2*0.5^2 = 0.5
  o.sigma = 0.25f;
  EXPECT_NEAR(soft_nms(b, s, o).scores[1], 0.8 * std::exp(-0.25 / 0.125), 1e-6);
  o.sigma_convention = SigmaConvention::Paper;
  EXPECT_NEAR(soft_nms(b, s, o).scores[1], 0.8 * std::exp(-0.25 / 0.25), 1e-6);
  o.method = SoftMethod::Linear;
  o.iou_threshold = 0.3f;
  EXPECT_NEAR(soft_nms(b, s, o).scores[1], 0.4, 1e-6);
}

TEST(NmsMaxpool, KeepsOnePeakPerIsolatedObject) {
  // Well separated objects of one scale: the approximation keeps each object's
  // best box, like greedy NMS.
  std::vector<Box> b;
  std::vector<float> s;
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 3; ++j) {
      b.push_back({k * 200 + j, 0 + j, k * 200 + 64 + j, 64 + j});
      s.push_back(0.9f - 0.1f * static_cast<float>(j) - 0.01f * static_cast<float>(k));
    }
  const auto mp = maxpool_nms(b, s, MaxpoolOptions{});
  EXPECT_EQ(mp, greedy(b, s, {}, Options{}));
}

// Keep lists from torchvision.ops.nms (golden/nms/*.txt, made by golden/nms/make_golden.py).
TEST(NmsTorchvision, GoldenKeepLists) {
  const std::string dir = std::string(SQUISH_ROOT) + "/golden/nms/";
  std::ifstream index(dir + "cases.txt");
  ASSERT_TRUE(index.good()) << "missing " << dir << "cases.txt";
  std::string name;
  int cases = 0, boxes_total = 0;
  while (index >> name) {
    std::ifstream in(dir + name + ".txt");
    ASSERT_TRUE(in.good()) << name;
    std::string tag;
    float iou = 0;
    size_t n = 0;
    uint32_t iou_bits = 0;
    in >> tag >> std::hex >> iou_bits >> std::dec >> tag >> n;
    iou = std::bit_cast<float>(iou_bits);
    std::vector<Box> b(n);
    std::vector<float> s(n);
    for (size_t i = 0; i < n; ++i) {
      uint32_t bits;
      in >> b[i].x1 >> b[i].y1 >> b[i].x2 >> b[i].y2 >> std::hex >> bits >> std::dec;
      s[i] = std::bit_cast<float>(bits);
    }
    in >> tag;
    ASSERT_EQ(tag, "keep") << name;
    std::vector<uint32_t> want;
    for (uint32_t k; in >> k;) want.push_back(k);
    Options o;
    o.iou_threshold = iou;
    EXPECT_EQ(greedy(b, s, {}, o), want) << name;
    std::vector<BoxF> bf;
    for (const auto& x : b)
      bf.push_back({static_cast<float>(x.x1), static_cast<float>(x.y1), static_cast<float>(x.x2), static_cast<float>(x.y2)});
    EXPECT_EQ(greedy_float(bf, s, {}, o, FloatIou::Torchvision), want) << name;
    ++cases;
    boxes_total += static_cast<int>(n);
  }
  std::printf("[nms] torchvision golden: %d cases, %d boxes, identical keep lists\n", cases, boxes_total);
  EXPECT_GE(cases, 10);
}
