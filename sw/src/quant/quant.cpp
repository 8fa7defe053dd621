#include "squish/quant/quant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "squish/error.hpp"
#include "squish/requant/requant.hpp"

namespace squish::quant {

std::string_view to_string(Scheme s) {
  switch (s) {
    case Scheme::Raw: return "raw";
    case Scheme::Affine: return "affine";
    case Scheme::Tfjs: return "tfjs-affine";
    case Scheme::Codebook: return "kmeans";
    case Scheme::Pot: return "pot";
    case Scheme::Apot: return "apot";
  }
  return "unknown";
}
std::string_view to_string(Rounding r) { return r == Rounding::HalfEven ? "half-even" : "half-away"; }
Rounding rounding_from_string(std::string_view s) {
  if (s == "even" || s == "half-even") return Rounding::HalfEven;
  if (s == "away" || s == "half-away") return Rounding::HalfAway;
  throw UsageError("unknown rounding '" + std::string(s) + "' (even, away)");
}

float round_float(float t, Rounding r) {
  if (r == Rounding::HalfAway) return std::round(t);
  return std::nearbyint(t);  // default FE_TONEAREST: ties to even
}

int32_t QuantParams::qmin() const {
  switch (scheme) {
    case Scheme::Affine:
      if (!is_signed) return 0;
      return narrow ? -((1 << (bits - 1)) - 1) : -(1 << (bits - 1));
    case Scheme::Pot:
    case Scheme::Apot: return -(static_cast<int32_t>(codebook.size()) - 1);
    default: return 0;
  }
}
int32_t QuantParams::qmax() const {
  switch (scheme) {
    case Scheme::Affine: return is_signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    case Scheme::Tfjs: return (1 << bits) - 1;
    case Scheme::Codebook: return static_cast<int32_t>(codebook.size()) - 1;
    case Scheme::Pot:
    case Scheme::Apot: return static_cast<int32_t>(codebook.size()) - 1;
    default: return 0;
  }
}

std::vector<uint32_t> channel_of(std::span<const size_t> shape, int axis) {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  std::vector<uint32_t> ch(n, 0);
  if (axis < 0) return ch;
  size_t inner = 1;
  for (size_t k = static_cast<size_t>(axis) + 1; k < shape.size(); ++k) inner *= shape[k];
  const size_t dim = shape[static_cast<size_t>(axis)];
  for (size_t i = 0; i < n; ++i) ch[i] = static_cast<uint32_t>((i / inner) % dim);
  return ch;
}

size_t channel_count(std::span<const size_t> shape, int axis) {
  if (axis < 0) return 1;
  if (static_cast<size_t>(axis) >= shape.size()) throw UsageError("channel axis " + std::to_string(axis) + " out of range for rank " + std::to_string(shape.size()));
  return shape[static_cast<size_t>(axis)];
}

namespace {

void set_multiplier(ChannelParams& c) {
  c.multiplier = 0;
  c.shift = 0;
  if (std::isfinite(c.scale) && c.scale >= 0 && c.scale < 1073741824.0) {
    const auto m = requant::quantize_multiplier(c.scale);
    if (m.shift >= requant::kMinShift && m.shift <= requant::kMaxShift) {
      c.multiplier = m.multiplier;
      c.shift = static_cast<int8_t>(m.shift);
    }
  }
}

int32_t clamp_round(float t, Rounding r, int32_t zp, int32_t lo, int32_t hi) {
  if (std::isnan(t)) return std::clamp(zp, lo, hi);
  const double v = static_cast<double>(round_float(t, r)) + zp;
  if (v <= lo) return lo;
  if (v >= hi) return hi;
  return static_cast<int32_t>(v);
}

// Nearest level index in a sorted unit table for magnitude m (ties to the larger level).
int32_t nearest_level(const std::vector<float>& lv, double m) {
  const auto it = std::lower_bound(lv.begin(), lv.end(), m);
  size_t hi = static_cast<size_t>(it - lv.begin());
  if (hi >= lv.size()) return static_cast<int32_t>(lv.size() - 1);
  if (hi == 0) return 0;
  const double dlo = m - lv[hi - 1], dhi = lv[hi] - m;
  return static_cast<int32_t>(dhi <= dlo ? hi : hi - 1);
}

Quantized quantize_levels(std::span<const float> x, std::span<const size_t> shape, const QuantSpec& s) {
  Quantized out;
  auto& p = out.params;
  p.scheme = s.scheme;
  p.bits = s.bits;
  p.is_signed = true;
  p.rounding = s.rounding;
  p.channel_axis = s.channel_axis;
  p.codebook = s.scheme == Scheme::Pot ? pot_levels(s.bits) : apot_levels(s.bits);
  const size_t nch = channel_count(shape, s.channel_axis);
  const auto ch = channel_of(shape, s.channel_axis);
  std::vector<double> maxabs(nch, 0.0);
  for (size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i])) maxabs[ch[i]] = std::max(maxabs[ch[i]], static_cast<double>(std::fabs(x[i])));
  const double top = p.codebook.back();
  p.channels.resize(nch);
  out.codes.assign(x.size(), 0);
  // Candidate scales per channel: PoT uses powers of two (a shift in hardware),
  // trying 2^ceil and 2^(ceil-1) of max|x|/top; APoT uses max|x|/top. The
  // candidate with the lower squared error wins (ties: the larger scale).
  std::vector<std::vector<double>> cands(nch);
  for (size_t c = 0; c < nch; ++c) {
    if (maxabs[c] == 0) {
      cands[c] = {1.0};
    } else if (s.scheme == Scheme::Pot) {
      const int e = static_cast<int>(std::ceil(std::log2(maxabs[c] / top)));
      cands[c] = {std::ldexp(1.0, e), std::ldexp(1.0, e - 1)};
    } else {
      cands[c] = {static_cast<double>(static_cast<float>(maxabs[c] / top))};
    }
  }
  std::vector<std::vector<double>> err(nch);
  for (size_t c = 0; c < nch; ++c) err[c].assign(cands[c].size(), 0.0);
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = ch[i];
    for (size_t k = 0; k < cands[c].size(); ++k) {
      const double m = std::fabs(static_cast<double>(x[i])) / cands[c][k];
      const double v = static_cast<double>(static_cast<float>(p.codebook[static_cast<size_t>(nearest_level(p.codebook, m))] * cands[c][k]));
      const double d = std::fabs(static_cast<double>(x[i])) - v;
      err[c][k] += std::isfinite(d) ? d * d : 0.0;
    }
  }
  for (size_t c = 0; c < nch; ++c) {
    size_t best = 0;
    for (size_t k = 1; k < cands[c].size(); ++k)
      if (err[c][k] < err[c][best]) best = k;
    p.channels[c].scale = cands[c][best];
    set_multiplier(p.channels[c]);
  }
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) && !std::isinf(x[i])) continue;  // NaN -> 0
    const double sc = p.channels[ch[i]].scale;
    const int32_t lvl = nearest_level(p.codebook, std::fabs(static_cast<double>(x[i])) / sc);
    out.codes[i] = std::signbit(x[i]) ? -lvl : lvl;
  }
  return out;
}

Quantized quantize_kmeans(std::span<const float> x, const QuantSpec& s) {
  if (s.kmeans_k < 2 || s.kmeans_k > 256) throw UsageError("k-means needs 2..256 centroids, got " + std::to_string(s.kmeans_k));
  Quantized out;
  auto& p = out.params;
  p.scheme = Scheme::Codebook;
  p.bits = 1;
  while ((1u << p.bits) < s.kmeans_k) ++p.bits;
  p.is_signed = false;
  p.zero_reserved = s.kmeans_keep_zero;
  p.channels.resize(1);
  p.channels[0].scale = 1;
  // Values to cluster: finite ones (nonzero ones when zero is reserved), sorted.
  std::vector<float> v;
  v.reserve(x.size());
  for (float f : x)
    if (std::isfinite(f) && !(s.kmeans_keep_zero && f == 0.0f)) v.push_back(f);
  std::sort(v.begin(), v.end());
  const unsigned k = s.kmeans_k - (s.kmeans_keep_zero ? 1u : 0u);
  std::vector<double> cent(k, 0.0);
  if (!v.empty()) {
    // Linear initialization over [min, max] (Han et al. found it best for weight sharing).
    const double lo = v.front(), hi = v.back();
    for (unsigned j = 0; j < k; ++j) cent[j] = k == 1 ? (lo + hi) / 2 : lo + (hi - lo) * j / (k - 1);
    std::vector<double> prefix(v.size() + 1, 0.0);
    for (size_t i = 0; i < v.size(); ++i) prefix[i + 1] = prefix[i] + v[i];
    // 1-D Lloyd: clusters are contiguous runs of the sorted values between midpoints.
    for (unsigned it = 0; it < s.kmeans_iters; ++it) {
      std::vector<double> next = cent;
      size_t start = 0;
      for (unsigned j = 0; j < k; ++j) {
        size_t end = v.size();
        if (j + 1 < k) {
          const double mid = (cent[j] + cent[j + 1]) / 2;
          end = static_cast<size_t>(std::upper_bound(v.begin() + static_cast<std::ptrdiff_t>(start), v.end(), mid) - v.begin());
        }
        if (end > start) next[j] = (prefix[end] - prefix[start]) / static_cast<double>(end - start);
        start = end;
      }
      std::sort(next.begin(), next.end());
      if (next == cent) break;
      cent = next;
    }
  }
  if (s.kmeans_keep_zero) p.codebook.push_back(0.0f);
  for (double c : cent) p.codebook.push_back(static_cast<float>(c));
  // Final assignment against the float32 codebook: nearest, ties to the lower index.
  out.codes.assign(x.size(), 0);
  const size_t first = s.kmeans_keep_zero ? 1 : 0;
  std::vector<std::pair<float, int32_t>> sorted;
  for (size_t j = first; j < p.codebook.size(); ++j) sorted.emplace_back(p.codebook[j], static_cast<int32_t>(j));
  std::stable_sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < x.size(); ++i) {
    const float f = x[i];
    if (s.kmeans_keep_zero && f == 0.0f) continue;
    if (std::isnan(f) || sorted.empty()) {
      out.codes[i] = static_cast<int32_t>(first);
      continue;
    }
    auto it = std::lower_bound(sorted.begin(), sorted.end(), f, [](const auto& a, float val) { return a.first < val; });
    int32_t best;
    if (it == sorted.end()) {
      best = sorted.back().second;
    } else if (it == sorted.begin()) {
      best = it->second;
    } else {
      const auto& a = *(it - 1);
      const auto& b = *it;
      const double da = static_cast<double>(f) - a.first, db = static_cast<double>(b.first) - f;
      best = db < da ? b.second : (da < db ? a.second : std::min(a.second, b.second));
    }
    out.codes[i] = best;
  }
  return out;
}

}  // namespace

std::vector<float> pot_levels(unsigned bits) {
  if (bits < 2 || bits > 8) throw UsageError("power-of-two quantization needs 2..8 bits, got " + std::to_string(bits));
  const int L = (1 << (bits - 1)) - 1;
  std::vector<float> lv(static_cast<size_t>(L) + 1, 0.0f);
  for (int j = 1; j <= L; ++j) lv[static_cast<size_t>(j)] = std::ldexp(1.0f, j - L);
  return lv;
}

std::vector<float> apot_levels(unsigned bits) {
  if (bits < 2 || bits > 8) throw UsageError("APoT quantization needs 2..8 bits, got " + std::to_string(bits));
  // Two additive terms (Li et al., ICLR 2020): term A in {0, 2^0, 2^-2, 2^-4, ...},
  // term B in {0, 2^-1, 2^-3, ...}; ka + kb = bits - 1 magnitude bits.
  const unsigned m = bits - 1, ka = (m + 1) / 2, kb = m / 2;
  std::vector<double> a = {0.0}, b = {0.0};
  for (unsigned j = 0; j + 1 < (1u << ka); ++j) a.push_back(std::ldexp(1.0, -2 * static_cast<int>(j)));
  for (unsigned j = 0; j + 1 < (1u << kb); ++j) b.push_back(std::ldexp(1.0, -2 * static_cast<int>(j) - 1));
  std::vector<float> lv;
  for (double x : a)
    for (double y : b) lv.push_back(static_cast<float>(x + y));
  // Sums whose terms are more than 24 binary places apart collapse in float32
  // (8 bits: 125 distinct magnitudes instead of 128); keep each level once.
  std::sort(lv.begin(), lv.end());
  lv.erase(std::unique(lv.begin(), lv.end()), lv.end());
  return lv;
}

Quantized quantize(std::span<const float> x, std::span<const size_t> shape, const QuantSpec& s) {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  if (n != x.size()) throw UsageError("quantize: " + std::to_string(x.size()) + " values for " + std::to_string(n) + " elements");
  if (s.channel_axis >= static_cast<int>(shape.size())) throw UsageError("channel axis " + std::to_string(s.channel_axis) + " out of range for rank " + std::to_string(shape.size()));
  if (s.scheme == Scheme::Codebook) return quantize_kmeans(x, s);
  if (s.scheme == Scheme::Pot || s.scheme == Scheme::Apot) return quantize_levels(x, shape, s);
  if (s.scheme != Scheme::Affine) throw UsageError("quantize: scheme " + std::string(to_string(s.scheme)) + " is not a quantizer");
  if (s.bits < 2 || s.bits > 8) throw UsageError("affine quantization needs 2..8 bits, got " + std::to_string(s.bits));
  Quantized out;
  auto& p = out.params;
  p.scheme = Scheme::Affine;
  p.bits = s.bits;
  p.is_signed = s.is_signed;
  p.narrow = s.is_signed && s.narrow;
  p.symmetric = s.symmetric;
  p.rounding = s.rounding;
  p.channel_axis = s.channel_axis;
  const int32_t qmin = p.qmin(), qmax = p.qmax();
  const size_t nch = channel_count(shape, s.channel_axis);
  const auto ch = channel_of(shape, s.channel_axis);
  std::vector<float> lo(nch, 0.0f), hi(nch, 0.0f);
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(x[i])) {
      lo[ch[i]] = std::min(lo[ch[i]], x[i]);
      hi[ch[i]] = std::max(hi[ch[i]], x[i]);
    }
  // Scale and zero point of a range [l, h] (l <= 0 <= h).
  auto range_params = [&](float l, float h) {
    float scale;
    int32_t zp = 0;
    if (s.symmetric) {
      const float m = s.is_signed ? std::max(-l, h) : h;
      scale = m > 0 ? static_cast<float>(static_cast<double>(m) / qmax) : 1.0f;
    } else {
      const double range = static_cast<double>(h) - static_cast<double>(l);
      scale = range > 0 ? static_cast<float>(range / (qmax - qmin)) : 1.0f;
      if (scale == 0.0f || !std::isfinite(scale)) scale = 1.0f;
      zp = clamp_round(static_cast<float>(qmin) - l / scale, s.rounding, 0, qmin, qmax);
    }
    if (scale == 0.0f || !std::isfinite(scale)) scale = 1.0f;  // subnormal max: all codes 0
    return std::pair{scale, zp};
  };
  if (s.clip_search) {
    // Per channel, the clip fraction of the range with the least squared error.
    std::vector<std::vector<float>> members(nch);
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(x[i])) members[ch[i]].push_back(x[i]);
    for (size_t c = 0; c < nch; ++c) {
      double best = INFINITY;
      float blo = lo[c], bhi = hi[c];
      for (int k = 0; k <= 14; ++k) {
        const float f = 1.0f - 0.05f * static_cast<float>(k);
        const auto [sc, zp] = range_params(lo[c] * f, hi[c] * f);
        double e = 0;
        for (float v : members[c]) {
          const int32_t q = clamp_round(v / sc, s.rounding, zp, qmin, qmax);
          const double d = static_cast<double>(v) - static_cast<float>(static_cast<double>(q - zp) * sc);
          e += d * d;
        }
        if (e < best) {
          best = e;
          blo = lo[c] * f;
          bhi = hi[c] * f;
        }
      }
      lo[c] = blo;
      hi[c] = bhi;
    }
  }
  p.channels.resize(nch);
  for (size_t c = 0; c < nch; ++c) {
    auto& cp = p.channels[c];
    const auto [scale, zp] = range_params(lo[c], hi[c]);
    cp.scale = scale;
    cp.zero_point = zp;
    set_multiplier(cp);
  }
  out.codes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& cp = p.channels[ch[i]];
    out.codes[i] = clamp_round(x[i] / static_cast<float>(cp.scale), s.rounding, cp.zero_point, qmin, qmax);
  }
  return out;
}

Quantized from_tfjs(std::span<const uint16_t> codes, unsigned code_bits, double scale, double min) {
  if (code_bits != 8 && code_bits != 16) throw UsageError("tfjs codes are 8 or 16 bits");
  Quantized out;
  auto& p = out.params;
  p.scheme = Scheme::Tfjs;
  p.bits = code_bits;
  p.is_signed = false;
  p.symmetric = false;
  p.channels.resize(1);
  auto& c = p.channels[0];
  c.scale = scale;
  c.offset = min;
  const double z = scale != 0 && std::isfinite(scale) ? std::nearbyint(-min / scale) : 0.0;
  c.zero_point = static_cast<int32_t>(std::clamp(std::isfinite(z) ? z : 0.0, 0.0, static_cast<double>((1u << code_bits) - 1)));
  set_multiplier(c);
  out.codes.assign(codes.begin(), codes.end());
  return out;
}

void validate(const QuantParams& p, size_t nch) {
  auto bad = [](const std::string& m) { throw FormatError("quantization parameters: " + m); };
  if (p.channels.size() != nch) bad(std::to_string(p.channels.size()) + " channel entries, tensor has " + std::to_string(nch));
  switch (p.scheme) {
    case Scheme::Raw: break;
    case Scheme::Affine:
      if (p.bits < 2 || p.bits > 8) bad("affine bits " + std::to_string(p.bits));
      for (const auto& c : p.channels)
        if (!std::isfinite(c.scale) || c.zero_point < p.qmin() || c.zero_point > p.qmax()) bad("bad scale or zero point");
      break;
    case Scheme::Tfjs:
      if (p.bits != 8 && p.bits != 16) bad("tfjs bits " + std::to_string(p.bits));
      break;
    case Scheme::Codebook:
      if (p.bits < 1 || p.bits > 8 || p.codebook.size() < 2 || p.codebook.size() > (1u << p.bits))
        bad("codebook of " + std::to_string(p.codebook.size()) + " entries at " + std::to_string(p.bits) + " bits");
      break;
    case Scheme::Pot:
    case Scheme::Apot: {
      if (p.bits < 2 || p.bits > 8) bad("level bits " + std::to_string(p.bits));
      const auto want = p.scheme == Scheme::Pot ? pot_levels(p.bits) : apot_levels(p.bits);
      if (p.codebook != want) bad("level table does not match the scheme");
      break;
    }
    default: bad("unknown scheme " + std::to_string(static_cast<int>(p.scheme)));
  }
}

std::vector<float> dequantize(const QuantParams& p, std::span<const int32_t> codes, std::span<const size_t> shape) {
  const auto ch = channel_of(shape, p.channel_axis);
  if (ch.size() != codes.size()) throw FormatError("dequantize: " + std::to_string(codes.size()) + " codes for " + std::to_string(ch.size()) + " elements");
  std::vector<float> out(codes.size());
  const int32_t lo = p.qmin(), hi = p.qmax();
  for (size_t i = 0; i < codes.size(); ++i) {
    const int32_t q = codes[i];
    if (q < lo || q > hi) throw FormatError("code " + std::to_string(q) + " at element " + std::to_string(i) + " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    const auto& c = p.channels[ch[i]];
    switch (p.scheme) {
      case Scheme::Affine: out[i] = static_cast<float>(static_cast<double>(q - c.zero_point) * c.scale); break;
      case Scheme::Tfjs: out[i] = static_cast<float>(static_cast<double>(q) * c.scale + c.offset); break;
      case Scheme::Codebook: out[i] = p.codebook[static_cast<size_t>(q)]; break;
      case Scheme::Pot:
      case Scheme::Apot: {
        const float m = static_cast<float>(static_cast<double>(p.codebook[static_cast<size_t>(q < 0 ? -q : q)]) * c.scale);
        out[i] = q < 0 ? -m : m;
        break;
      }
      default: throw FormatError("dequantize: scheme " + std::string(to_string(p.scheme)) + " has no codes");
    }
  }
  return out;
}

}  // namespace squish::quant
