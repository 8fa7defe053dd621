// Greedy NMS (exact and float paths), Soft-NMS, MaxpoolNMS-style approximation.
#include "squish/nms/nms.hpp"

#include <algorithm>
#include <cstdint>
#include <bit>
#include <cmath>
#include <map>
#include <random>
#include <tuple>
#include <type_traits>

#include "squish/error.hpp"

namespace squish::nms {

namespace {
__extension__ typedef unsigned __int128 u128;  // mant * U needs up to 24 + 64 bits
}  // namespace

uint32_t score_key(float s) {
  if (std::isnan(s)) throw UsageError("nms: score is NaN");
  if (s == 0.0f) s = 0.0f;  // -0 orders like +0
  const uint32_t b = std::bit_cast<uint32_t>(s);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

Threshold Threshold::from(float t, Overlap cmp) {
  if (std::isnan(t)) throw UsageError("nms: IoU threshold is NaN");
  const bool ge = cmp == Overlap::GreaterEqual;
  // IoU lies in [0, 1]: t < 0 suppresses every pair (same as IoU >= 0);
  // t > 1 suppresses none (same as IoU > 1).
  if (t < 0.0f) return {0, 0, true};
  if (t > 1.0f) return {1u << 23, 23, false};
  if (t == 0.0f) return {0, 0, ge};
  const uint32_t b = std::bit_cast<uint32_t>(t);
  const uint32_t exp = (b >> 23) & 0xffu;
  uint32_t mant = b & 0x7fffffu;
  int e;  // t = mant * 2^e exactly
  if (exp == 0) {
    e = -149;
  } else {
    mant |= 1u << 23;
    e = static_cast<int>(exp) - 150;
  }
  // Canonical form: drop trailing zero bits of the mantissa.
  while ((mant & 1u) == 0 && e < 0) {
    mant >>= 1;
    ++e;
  }
  // t <= 1 so e <= 0. A shift beyond 63 is exact to clamp: mant*U < 2^59, so
  // floor(mant*U / 2^63) = 0 with a non-zero remainder, the same decision as the
  // true shift for every I.
  const uint32_t shift = static_cast<uint32_t>(std::min(-e, 63));
  return {mant, shift, ge};
}

bool Threshold::suppresses(uint64_t inter, uint64_t uni) const {
  const u128 p = static_cast<u128>(mant) * uni;
  const u128 q = p >> shift;
  const bool exact = shift == 0 ? true : (p & ((static_cast<u128>(1) << shift) - 1)) == 0;
  return inter > q || (ge && inter == q && exact);
}

InterUnion inter_union(const Box& a, const Box& b, bool plus_one) {
  const int64_t p = plus_one ? 1 : 0;
  const int64_t iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1) + p;
  const int64_t ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1) + p;
  const uint64_t inter = (iw > 0 && ih > 0) ? static_cast<uint64_t>(iw) * static_cast<uint64_t>(ih) : 0;
  const uint64_t aa = static_cast<uint64_t>(a.x2 - a.x1 + p) * static_cast<uint64_t>(a.y2 - a.y1 + p);
  const uint64_t ab = static_cast<uint64_t>(b.x2 - b.x1 + p) * static_cast<uint64_t>(b.y2 - b.y1 + p);
  return {inter, aa + ab - inter};
}

bool suppresses(const Box& k, const Box& c, const Threshold& t, const Options& o) {
  auto iu = inter_union(k, c, o.plus_one);
  if (iu.uni == 0) {
    if (o.empty_union == EmptyUnion::NoSuppress) return false;
    iu = {1, 1};
  }
  return t.suppresses(iu.inter, iu.uni);
}

namespace {

void check_inputs(size_t nb, size_t ns, size_t nc, const char* what) {
  if (nb != ns)
    throw UsageError(std::string(what) + ": " + std::to_string(nb) + " boxes but " + std::to_string(ns) + " scores");
  if (nc != 0 && nc != nb)
    throw UsageError(std::string(what) + ": " + std::to_string(nb) + " boxes but " + std::to_string(nc) +
                     " class ids");
}

template <class B>
void check_box(const B& b, size_t i, const char* what) {
  if constexpr (std::is_same_v<B, Box>) {
    constexpr int64_t lim = int64_t{1} << 30;  // keeps areas and unions exact in 64 bits
    if (b.x1 < -lim || b.y1 < -lim || b.x2 > lim || b.y2 > lim)
      throw UsageError(std::string(what) + ": box " + std::to_string(i) + " has a coordinate beyond +-2^30");
  }
  if (!(b.x2 >= b.x1 && b.y2 >= b.y1))
    throw UsageError(std::string(what) + ": box " + std::to_string(i) + " has x2 < x1 or y2 < y1");
}

// Candidates after the score filter, stably sorted by descending score, cut to top_k.
std::vector<uint32_t> candidates(std::span<const float> scores, const Options& o) {
  std::vector<uint32_t> idx;
  const uint32_t thr = o.has_score_threshold ? score_key(o.score_threshold) : 0;
  std::vector<uint32_t> key(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    key[i] = score_key(scores[i]);
    if (!o.has_score_threshold || key[i] > thr || (o.score_cmp == ScoreCmp::GreaterEqual && key[i] == thr))
      idx.push_back(static_cast<uint32_t>(i));
  }
  std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return key[a] > key[b]; });
  if (o.top_k > 0 && idx.size() > o.top_k) idx.resize(o.top_k);
  return idx;
}

// The kept boxes of greedy() and greedy_float() bucketed by grid cell. A box
// covering more than 64 cells goes to `big` and is checked for every
// candidate; `stamp` makes each kept box checked once per candidate.
struct KeptGrid {
  size_t gw = 0, gh = 0;
  std::vector<std::vector<uint32_t>> cells;
  std::vector<uint32_t> big, stamp;
  void init(size_t w, size_t h, size_t nboxes) {
    gw = w, gh = h;
    cells.resize(w * h);
    stamp.assign(nboxes, UINT32_MAX);
  }
  // Calls check(k) for the big boxes and every kept box in the cells
  // [cx0, cx1] x [cy0, cy1], until keep turns false.
  template <class F>
  void visit(size_t cx0, size_t cx1, size_t cy0, size_t cy1, uint32_t ci, const bool& keep, F&& check) {
    for (uint32_t k : big) {
      check(k);
      if (!keep) return;
    }
    for (size_t y = cy0; keep && y <= cy1; ++y)
      for (size_t x = cx0; keep && x <= cx1; ++x)
        for (uint32_t k : cells[y * gw + x]) {
          if (stamp[k] == ci) continue;
          stamp[k] = ci;
          check(k);
          if (!keep) break;
        }
  }
  void insert(uint32_t c, size_t cx0, size_t cx1, size_t cy0, size_t cy1) {
    if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > 64) {
      big.push_back(c);
      return;
    }
    for (size_t y = cy0; y <= cy1; ++y)
      for (size_t x = cx0; x <= cx1; ++x) cells[y * gw + x].push_back(c);
  }
};

}  // namespace

std::vector<uint32_t> greedy(std::span<const Box> boxes, std::span<const float> scores,
                             std::span<const uint32_t> classes, const Options& o) {
  check_inputs(boxes.size(), scores.size(), classes.size(), "nms");
  for (size_t i = 0; i < boxes.size(); ++i) check_box(boxes[i], i, "nms");
  float thr = o.iou_threshold;
  Threshold t = Threshold::from(thr, o.suppress_when);
  std::vector<uint32_t> kept;
  const auto cand = candidates(scores, o);
  // Spatial grid over the kept boxes. With a positive threshold (and no
  // "empty boxes overlap" rule without +1 areas), a kept box suppresses a
  // candidate only if their areas intersect, and two intersecting boxes share a
  // grid cell; so checking the kept boxes of the candidate's cells gives the
  // same keep decisions as checking all of them, in O(n · boxes per cell)
  // instead of O(n · kept). The keep order and list are unchanged.
  const bool use_grid = cand.size() > 256 && t.mant > 0 && (o.empty_union == EmptyUnion::NoSuppress || o.plus_one);
  int64_t cell = 1, gx0 = 0, gy0 = 0;
  size_t gw = 0, gh = 0;
  KeptGrid grid;
  auto span_of = [&](const Box& b, size_t& cx0, size_t& cx1, size_t& cy0, size_t& cy1) {
    cx0 = static_cast<size_t>((b.x1 - gx0) / cell);
    cx1 = std::min(gw - 1, static_cast<size_t>((b.x2 - gx0) / cell));
    cy0 = static_cast<size_t>((b.y1 - gy0) / cell);
    cy1 = std::min(gh - 1, static_cast<size_t>((b.y2 - gy0) / cell));
  };
  if (use_grid) {
    int64_t x0 = boxes[cand[0]].x1, y0 = boxes[cand[0]].y1, x1 = boxes[cand[0]].x2, y1 = boxes[cand[0]].y2;
    long double wsum = 0;
    for (uint32_t c : cand) {
      const Box& b = boxes[c];
      x0 = std::min(x0, b.x1), y0 = std::min(y0, b.y1), x1 = std::max(x1, b.x2), y1 = std::max(y1, b.y2);
      wsum += static_cast<long double>(b.x2 - b.x1) + static_cast<long double>(b.y2 - b.y1);
    }
    cell = std::max<int64_t>(1, static_cast<int64_t>(wsum / (2.0L * static_cast<long double>(cand.size()))) + 1);
    // At most ~4 cells per candidate overall.
    while (static_cast<long double>((x1 - x0) / cell + 1) * static_cast<long double>((y1 - y0) / cell + 1) >
           4.0L * static_cast<long double>(cand.size()))
      cell *= 2;
    gx0 = x0, gy0 = y0;
    gw = static_cast<size_t>((x1 - x0) / cell + 1), gh = static_cast<size_t>((y1 - y0) / cell + 1);
    grid.init(gw, gh, boxes.size());
  }
  for (uint32_t ci = 0; ci < cand.size(); ++ci) {
    const uint32_t c = cand[ci];
    bool keep = true;
    const Box& cb = boxes[c];
    const int64_t p1 = o.plus_one ? 1 : 0;
    auto check = [&](uint32_t k) {
      if (o.class_aware && !classes.empty() && classes[k] != classes[c]) return;
      const Box& kb = boxes[k];
      // Grid path: disjoint boxes never suppress (see above); skip the exact test.
      if (use_grid && (std::min(kb.x2, cb.x2) - std::max(kb.x1, cb.x1) + p1 <= 0 ||
                       std::min(kb.y2, cb.y2) - std::max(kb.y1, cb.y1) + p1 <= 0))
        return;
      if (suppresses(kb, cb, t, o)) keep = false;
    };
    if (use_grid) {
      size_t cx0, cx1, cy0, cy1;
      span_of(boxes[c], cx0, cx1, cy0, cy1);
      grid.visit(cx0, cx1, cy0, cy1, ci, keep, check);
    } else {
      for (uint32_t k : kept) {
        check(k);
        if (!keep) break;
      }
    }
    if (!keep) continue;
    kept.push_back(c);
    if (use_grid) {
      size_t cx0, cx1, cy0, cy1;
      span_of(boxes[c], cx0, cx1, cy0, cy1);
      grid.insert(c, cx0, cx1, cy0, cy1);
    }
    if (o.max_output > 0 && kept.size() >= o.max_output) break;
    if (o.eta < 1.0f && thr > 0.5f) {
      thr *= o.eta;
      t = Threshold::from(thr, o.suppress_when);
    }
  }
  return kept;
}

std::vector<uint32_t> greedy_float(std::span<const BoxF> boxes, std::span<const float> scores,
                                   std::span<const uint32_t> classes, const Options& o, FloatIou how) {
  check_inputs(boxes.size(), scores.size(), classes.size(), "nms");
  for (size_t i = 0; i < boxes.size(); ++i) check_box(boxes[i], i, "nms");
  const float p = o.plus_one ? 1.0f : 0.0f;
  auto overlap = [&](const BoxF& a, const BoxF& b) -> float {
    if (how == FloatIou::Torchvision) {
      const float iw = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1) + p);
      const float ih = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1) + p);
      const float inter = iw * ih;
      const float aa = (a.x2 - a.x1 + p) * (a.y2 - a.y1 + p);
      const float ab = (b.x2 - b.x1 + p) * (b.y2 - b.y1 + p);
      return inter / (aa + ab - inter);  // 0/0 = NaN never suppresses
    }
    // OpenCV jaccardDistance on Rect2d, then rectOverlap's 1 - float(distance).
    const double aa = (static_cast<double>(a.x2) - a.x1 + p) * (static_cast<double>(a.y2) - a.y1 + p);
    const double ab = (static_cast<double>(b.x2) - b.x1 + p) * (static_cast<double>(b.y2) - b.y1 + p);
    if (aa + ab <= 0.0) return 1.0f;
    const double iw = std::min<double>(a.x2, b.x2) - std::max<double>(a.x1, b.x1) + p;
    const double ih = std::min<double>(a.y2, b.y2) - std::max<double>(a.y1, b.y1) + p;
    const double inter = (iw > 0 && ih > 0) ? iw * ih : 0.0;
    return 1.0f - static_cast<float>(1.0 - inter / (aa + ab - inter));
  };
  float thr = o.iou_threshold;
  std::vector<uint32_t> kept;
  const auto cand = candidates(scores, o);
  // Spatial grid over the kept boxes, as in greedy(): with a threshold above 0
  // a pair whose (float) intersection is empty has IoU 0 (or NaN) and never
  // suppresses -- except OpenCV's rule that two empty boxes overlap fully,
  // which without +1 areas makes distant pairs suppress, so that case keeps the
  // plain loop. A pair with a non-empty float intersection satisfies
  // min(x2) - max(x1) + p > 0 exactly, so the intervals [x1, x2 + p] (and the
  // same in y) intersect and share a grid cell. Finite coordinates only.
  bool use_grid = cand.size() > 256 && thr > 0.0f && (how == FloatIou::Torchvision || p > 0.0f);
  for (size_t i = 0; use_grid && i < cand.size(); ++i) {
    const BoxF& b = boxes[cand[i]];
    use_grid = std::isfinite(b.x1) && std::isfinite(b.y1) && std::isfinite(b.x2) && std::isfinite(b.y2);
  }
  double cell = 1, gx0 = 0, gy0 = 0;
  size_t gw = 0, gh = 0;
  KeptGrid grid;
  auto cell_of = [&](double v, double v0, size_t n) {
    const double q = std::floor((v - v0) / cell);
    return q <= 0 ? size_t{0} : std::min(n - 1, static_cast<size_t>(q));
  };
  auto span_of = [&](const BoxF& b, size_t& cx0, size_t& cx1, size_t& cy0, size_t& cy1) {
    cx0 = cell_of(b.x1, gx0, gw);
    cx1 = cell_of(static_cast<double>(b.x2) + p, gx0, gw);
    cy0 = cell_of(b.y1, gy0, gh);
    cy1 = cell_of(static_cast<double>(b.y2) + p, gy0, gh);
  };
  if (use_grid) {
    double x0 = boxes[cand[0]].x1, y0 = boxes[cand[0]].y1, x1 = boxes[cand[0]].x2, y1 = boxes[cand[0]].y2;
    double wsum = 0;
    for (uint32_t c : cand) {
      const BoxF& b = boxes[c];
      x0 = std::min<double>(x0, b.x1), y0 = std::min<double>(y0, b.y1);
      x1 = std::max<double>(x1, static_cast<double>(b.x2) + p), y1 = std::max<double>(y1, static_cast<double>(b.y2) + p);
      wsum += (static_cast<double>(b.x2) - b.x1) + (static_cast<double>(b.y2) - b.y1);
    }
    cell = std::max(wsum / (2.0 * static_cast<double>(cand.size())), 1e-30);
    // At most ~4 cells per candidate overall (and a grid that fits size_t).
    while (((x1 - x0) / cell + 1) * ((y1 - y0) / cell + 1) > 4.0 * static_cast<double>(cand.size())) cell *= 2;
    gx0 = x0, gy0 = y0;
    gw = static_cast<size_t>((x1 - x0) / cell) + 1, gh = static_cast<size_t>((y1 - y0) / cell) + 1;
    grid.init(gw, gh, boxes.size());
  }
  for (uint32_t ci = 0; ci < cand.size(); ++ci) {
    const uint32_t c = cand[ci];
    bool keep = true;
    auto check = [&](uint32_t k) {
      if (o.class_aware && !classes.empty() && classes[k] != classes[c]) return;
      const float ov = overlap(boxes[c], boxes[k]);
      bool sup;
      if (how == FloatIou::Torchvision)
        sup = o.suppress_when == Overlap::Greater ? static_cast<double>(ov) > static_cast<double>(thr)
                                                  : static_cast<double>(ov) >= static_cast<double>(thr);
      else
        sup = o.suppress_when == Overlap::Greater ? !(ov <= thr) : !(ov < thr);
      if (sup) keep = false;
    };
    if (use_grid) {
      size_t cx0, cx1, cy0, cy1;
      span_of(boxes[c], cx0, cx1, cy0, cy1);
      grid.visit(cx0, cx1, cy0, cy1, ci, keep, check);
    } else {
      for (uint32_t k : kept) {
        check(k);
        if (!keep) break;
      }
    }
    if (!keep) continue;
    kept.push_back(c);
    if (use_grid) {
      size_t cx0, cx1, cy0, cy1;
      span_of(boxes[c], cx0, cx1, cy0, cy1);
      grid.insert(c, cx0, cx1, cy0, cy1);
    }
    if (o.max_output > 0 && kept.size() >= o.max_output) break;
    if (o.eta < 1.0f && thr > 0.5f) thr *= o.eta;
  }
  return kept;
}

SoftResult soft_nms(std::span<const Box> boxes, std::span<const float> scores, const SoftOptions& o) {
  check_inputs(boxes.size(), scores.size(), 0, "soft-nms");
  for (size_t i = 0; i < boxes.size(); ++i) check_box(boxes[i], i, "soft-nms");
  for (float s : scores) (void)score_key(s);
  if (o.method == SoftMethod::Gaussian && !(o.sigma > 0.0f)) throw UsageError("soft-nms: sigma must be > 0");
  // OpenCV's rectOverlap on integer Rects: IoU of two empty boxes is 1.
  auto overlap = [](const Box& a, const Box& b) -> float {
    const auto iu = inter_union(a, b, false);
    const uint64_t aa = static_cast<uint64_t>((a.x2 - a.x1) * (a.y2 - a.y1));
    const uint64_t ab = static_cast<uint64_t>((b.x2 - b.x1) * (b.y2 - b.y1));
    if (aa + ab == 0) return 1.0f;
    const double d = 1.0 - static_cast<double>(iu.inter) / static_cast<double>(iu.uni);
    return 1.0f - static_cast<float>(d);
  };
  struct Item {
    float s;
    uint32_t i;
  };
  std::vector<Item> v(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) v[i] = {scores[i], static_cast<uint32_t>(i)};
  const size_t top_k = o.top_k == 0 ? scores.size() : std::min(o.top_k, scores.size());
  SoftResult r;
  for (size_t start = 0; r.indices.size() < top_k && start < v.size(); ++start) {
    // Best remaining: highest score, lowest index on ties.
    size_t best = start;
    for (size_t j = start + 1; j < v.size(); ++j)
      if (v[j].s > v[best].s || (v[j].s == v[best].s && v[j].i < v[best].i)) best = j;
    if (v[best].s < o.score_threshold) break;
    r.indices.push_back(v[best].i);
    r.scores.push_back(v[best].s);
    std::swap(v[start], v[best]);
    for (size_t j = start + 1; j < v.size(); ++j) {
      if (v[j].s < o.score_threshold) continue;
      const float ov = overlap(boxes[v[start].i], boxes[v[j].i]);
      if (o.method == SoftMethod::Linear) {
        if (ov > o.iou_threshold) v[j].s *= 1.0f - ov;
      } else {
        const float den = o.sigma_convention == SigmaConvention::Paper ? o.sigma : 2.0f * o.sigma * o.sigma;
        v[j].s *= std::exp(-(ov * ov) / den);
      }
    }
  }
  return r;
}

std::vector<uint32_t> maxpool_nms(std::span<const Box> boxes, std::span<const float> scores,
                                  const MaxpoolOptions& o) {
  check_inputs(boxes.size(), scores.size(), 0, "maxpool-nms");
  if (!(o.cell_fraction > 0.0f)) throw UsageError("maxpool-nms: cell_fraction must be > 0");
  // cell key (scale, cx, cy) -> best box (score key, lower index wins ties)
  using Cell = std::tuple<int, int64_t, int64_t>;
  std::map<Cell, uint32_t> best;
  std::vector<Cell> cell_of(boxes.size());
  std::vector<uint32_t> key(scores.size());
  auto better = [&](uint32_t a, uint32_t b) { return key[a] > key[b] || (key[a] == key[b] && a < b); };
  const uint32_t thr = o.has_score_threshold ? score_key(o.score_threshold) : 0;
  std::vector<char> live(boxes.size(), 0);
  for (size_t i = 0; i < boxes.size(); ++i) {
    check_box(boxes[i], i, "maxpool-nms");
    key[i] = score_key(scores[i]);
    if (o.has_score_threshold && key[i] <= thr) continue;
    live[i] = 1;
    const Box& b = boxes[i];
    const double side = std::sqrt(std::max<double>(1.0, static_cast<double>((b.x2 - b.x1) * (b.y2 - b.y1))));
    const int scale = static_cast<int>(std::floor(std::log2(side)));
    const double cell = std::max(1.0, std::ldexp(1.0, scale) * o.cell_fraction);
    const auto cx = static_cast<int64_t>(std::floor((b.x1 + b.x2) * 0.5 / cell));
    const auto cy = static_cast<int64_t>(std::floor((b.y1 + b.y2) * 0.5 / cell));
    cell_of[i] = {scale, cx, cy};
    auto [it, fresh] = best.try_emplace(cell_of[i], static_cast<uint32_t>(i));
    if (!fresh && better(static_cast<uint32_t>(i), it->second)) it->second = static_cast<uint32_t>(i);
  }
  std::vector<uint32_t> kept;
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (!live[i]) continue;
    const auto [s, cx, cy] = cell_of[i];
    if (best[cell_of[i]] != i) continue;
    bool peak = true;
    for (int dy = -1; dy <= 1 && peak; ++dy)
      for (int dx = -1; dx <= 1 && peak; ++dx) {
        if (dx == 0 && dy == 0) continue;
        auto it = best.find({s, cx + dx, cy + dy});
        if (it != best.end() && better(it->second, static_cast<uint32_t>(i))) peak = false;
      }
    if (peak) kept.push_back(static_cast<uint32_t>(i));
  }
  std::stable_sort(kept.begin(), kept.end(), [&](uint32_t a, uint32_t b) { return key[a] > key[b]; });
  return kept;
}

CycleEstimate estimate_cycles(std::span<const Box> boxes, std::span<const float> scores,
                              std::span<const uint32_t> classes, const Options& o, unsigned lanes, unsigned banks) {
  check_inputs(boxes.size(), scores.size(), classes.size(), "estimate_cycles");
  if (lanes == 0 || banks == 0) throw UsageError("estimate_cycles: lanes and banks must be > 0");
  CycleEstimate m;
  const uint32_t thr = o.has_score_threshold ? score_key(o.score_threshold) : 0;
  auto passes = [&](size_t k) {
    const uint32_t key = score_key(scores[k]);
    return !o.has_score_threshold || key > thr || (o.score_cmp == ScoreCmp::GreaterEqual && key == thr);
  };
  for (size_t i = 0; i < boxes.size(); i += lanes) {
    uint64_t s = 0;
    for (size_t k = i; k < std::min(boxes.size(), i + lanes); ++k) s += passes(k);
    m.ingest += std::max<uint64_t>(1, s);
  }
  if (boxes.empty()) m.ingest = 1;
  const auto order = candidates(scores, o);
  m.survivors = order.size();
  const Threshold t = Threshold::from(o.iou_threshold, o.suppress_when);
  const int64_t p = o.plus_one ? 1 : 0;
  std::vector<uint32_t> kept;
  for (uint32_t c : order) {
    std::vector<uint64_t> count(banks, 0);
    uint64_t first_sup = UINT64_MAX;
    const Box& b = boxes[c];
    for (size_t k = 0; k < kept.size(); ++k) {
      const Box& a = boxes[kept[k]];
      const bool hit = a.x1 < b.x2 + p && b.x1 < a.x2 + p && a.y1 < b.y2 + p && b.y1 < a.y2 + p;
      if (!hit) continue;  // (the unit's pre-test also passes empty pairs / t = 0 with >=; not modelled)
      if (o.class_aware && !classes.empty() && classes[kept[k]] != classes[c]) continue;
      const uint64_t pos = ++count[k % banks];
      if (suppresses(a, b, t, o)) first_sup = std::min(first_sup, pos);
    }
    const uint64_t busiest = std::max<uint64_t>(1, *std::max_element(count.begin(), count.end()));
    m.select += std::min(first_sup, busiest);
    if (first_sup == UINT64_MAX) kept.push_back(c);
  }
  m.kept = kept.size();
  m.total = m.ingest + m.select + 6;
  return m;
}

Frame detector_frame(const DetectorParams& p) {
  if (p.objects * p.boxes_per_object > p.n)
    throw UsageError("detector_frame: objects * boxes_per_object exceeds n");
  std::mt19937_64 g(p.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::lognormal_distribution<double> size(std::log(std::min(p.width, p.height) * 0.08), 0.6);
  Frame f;
  auto clampc = [](double v, int64_t hi) { return std::clamp<int64_t>(static_cast<int64_t>(std::lround(v)), 0, hi); };
  auto add = [&](double cx, double cy, double w, double h, float s, uint32_t cls) {
    Box b{clampc(cx - w / 2, p.width - 1), clampc(cy - h / 2, p.height - 1), clampc(cx + w / 2, p.width - 1),
          clampc(cy + h / 2, p.height - 1)};
    f.boxes.push_back(b);
    f.scores.push_back(s);
    f.classes.push_back(cls);
  };
  for (size_t k = 0; k < p.objects; ++k) {
    const double w = std::clamp(size(g), 8.0, p.width * 0.6);
    const double h = std::clamp(w * std::exp((u(g) - 0.5) * 1.2), 8.0, p.height * 0.6);
    const double cx = w / 2 + u(g) * (p.width - w), cy = h / 2 + u(g) * (p.height - h);
    const double conf = 0.35 + 0.65 * u(g);
    const uint32_t cls = static_cast<uint32_t>(g() % 4);
    for (size_t j = 0; j < p.boxes_per_object; ++j) {
      const double jx = (u(g) * 2 - 1) * p.jitter, jy = (u(g) * 2 - 1) * p.jitter;
      const double jw = 1 + (u(g) * 2 - 1) * p.jitter, jh = 1 + (u(g) * 2 - 1) * p.jitter;
      const float s = static_cast<float>(conf * std::pow(p.decay, static_cast<double>(j)) * (0.9 + 0.1 * u(g)));
      add(cx + jx * w, cy + jy * h, w * jw, h * jh, s, cls);
    }
  }
  while (f.boxes.size() < p.n) {
    const double w = std::clamp(size(g), 4.0, p.width * 0.5), h = std::clamp(size(g), 4.0, p.height * 0.5);
    add(w / 2 + u(g) * (p.width - w), h / 2 + u(g) * (p.height - h), w, h,
        static_cast<float>(u(g) * p.background_max), static_cast<uint32_t>(g() % 4));
  }
  // Detector heads emit boxes in anchor order, not grouped by object: shuffle.
  std::vector<size_t> perm(f.boxes.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::shuffle(perm.begin(), perm.end(), g);
  Frame out;
  for (size_t i : perm) {
    out.boxes.push_back(f.boxes[i]);
    out.scores.push_back(f.scores[i]);
    out.classes.push_back(f.classes[i]);
  }
  return out;
}

}  // namespace squish::nms
