// Host-side int8 kernels with TFLite reference-kernel arithmetic (int8_ops.hpp).
#include "squish/runtime/int8_ops.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "squish/error.hpp"
#include "squish/requant/requant.hpp"
#include "squish/tensor.hpp"

namespace squish::runtime {

namespace {
int32_t clamp8(int64_t v, int32_t lo = -128, int32_t hi = 127) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, lo, hi));
}
// TFLite's QuantizeMultiplier on a real multiplier (any size the helpers take).
requant::QuantizedMultiplier qm(double real) {
  if (!(real >= 0) || !std::isfinite(real)) throw UsageError("int8 engine: bad real multiplier " + std::to_string(real));
  if (real >= 1e9) throw UsageError("int8 engine: real multiplier " + std::to_string(real) + " out of range (degenerate scales)");
  return requant::quantize_multiplier(real);
}
int32_t mbqm(int32_t x, const requant::QuantizedMultiplier& m) {
  return requant::multiply_by_quantized_multiplier(x, m.multiplier, m.shift);
}
void need_rank4(const QTensor& x, const char* what) {
  if (x.shape.size() != 4) throw UsageError(std::string(what) + ": expects an NHWC tensor, got " + shape_string(x.shape));
}
size_t out_dim(size_t in, int k, int s, int d, int pa, int pb, const char* what) {
  const int64_t eff = int64_t{d} * (k - 1) + 1;
  const int64_t span = static_cast<int64_t>(in) + pa + pb - eff;
  if (span < 0 || s < 1) throw UsageError(std::string(what) + ": window larger than the padded input");
  return static_cast<size_t>(span / s + 1);
}
}  // namespace

QParams choose_qparams(double rmin, double rmax) {
  rmin = std::min(rmin, 0.0);
  rmax = std::max(rmax, 0.0);
  if (!std::isfinite(rmin) || !std::isfinite(rmax)) throw UsageError("calibration range is not finite");
  if (rmin == rmax) return {1.0, 0};
  const double qmin = -128, qmax = 127;
  const double scale = (rmax - rmin) / (qmax - qmin);
  const double zp_min = qmin - rmin / scale, zp_max = qmax - rmax / scale;
  const double err_min = std::abs(qmin) + std::abs(rmin / scale);
  const double err_max = std::abs(qmax) + std::abs(rmax / scale);
  const double zpd = err_min < err_max ? zp_min : zp_max;
  int32_t zp;
  if (zpd < qmin) zp = -128;
  else if (zpd > qmax) zp = 127;
  else zp = static_cast<int32_t>(std::round(zpd));
  // TFLite keeps the scale as a float32 in the tensor's quantization parameters.
  return {static_cast<double>(static_cast<float>(scale)), zp};
}

int8_t quantize_value(float x, const QParams& q) {
  const float t = x / static_cast<float>(q.scale);
  if (std::isnan(t)) return static_cast<int8_t>(clamp8(q.zero_point));
  const double r = std::round(static_cast<double>(t));
  return static_cast<int8_t>(clamp8(static_cast<int64_t>(std::clamp(r, -1e9, 1e9)) + q.zero_point));
}

float dequantize_value(int8_t q, const QParams& p) {
  return static_cast<float>(p.scale * (static_cast<int32_t>(q) - p.zero_point));
}

std::array<int32_t, 2> act_bounds(int act, const QParams& q) {
  if (act == 0) return {-128, 127};
  const int32_t lo = std::max(-128, q.zero_point);
  if (act == 1) return {lo, 127};
  const int64_t six = q.zero_point + static_cast<int64_t>(std::round(6.0 / q.scale));
  return {lo, static_cast<int32_t>(std::clamp<int64_t>(six, lo, 127))};
}

QTensor pad(const QTensor& x, std::span<const int64_t> pads) {
  const size_t r = x.shape.size();
  if (pads.size() != 2 * r) throw UsageError("Pad: " + std::to_string(pads.size()) + " pad values for a rank-" + std::to_string(r) + " tensor");
  QTensor y;
  y.q = x.q;
  y.shape.resize(r);
  for (size_t d = 0; d < r; ++d) {
    if (pads[2 * d] < 0 || pads[2 * d + 1] < 0) throw UsageError("Pad: negative padding");
    y.shape[d] = x.shape[d] + static_cast<size_t>(pads[2 * d] + pads[2 * d + 1]);
  }
  y.v.assign(shape_numel(y.shape), static_cast<int8_t>(x.q.zero_point));
  if (x.v.empty()) return y;
  // Walk the input in C order, writing to the shifted position.
  std::vector<size_t> idx(r, 0), ystride(r, 1);
  for (size_t d = r; d-- > 1;) ystride[d - 1] = ystride[d] * y.shape[d];
  for (size_t i = 0; i < x.v.size(); ++i) {
    size_t o = 0;
    for (size_t d = 0; d < r; ++d) o += (idx[d] + static_cast<size_t>(pads[2 * d])) * ystride[d];
    y.v[o] = x.v[i];
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  return y;
}

namespace {
template <class F>
QTensor pool(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s, std::array<int, 4> pads, const char* what,
             F reduce) {
  need_rank4(x, what);
  const size_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  const size_t OH = out_dim(H, k[0], s[0], 1, pads[0], pads[1], what);
  const size_t OW = out_dim(W, k[1], s[1], 1, pads[2], pads[3], what);
  QTensor y;
  y.q = x.q;
  y.shape = {N, OH, OW, C};
  y.v.resize(N * OH * OW * C);
  for (size_t n = 0; n < N; ++n)
    for (size_t oh = 0; oh < OH; ++oh)
      for (size_t ow = 0; ow < OW; ++ow) {
        const int64_t ih0 = static_cast<int64_t>(oh) * s[0] - pads[0];
        const int64_t iw0 = static_cast<int64_t>(ow) * s[1] - pads[2];
        const int64_t h0 = std::max<int64_t>(0, -ih0), h1 = std::min<int64_t>(k[0], static_cast<int64_t>(H) - ih0);
        const int64_t w0 = std::max<int64_t>(0, -iw0), w1 = std::min<int64_t>(k[1], static_cast<int64_t>(W) - iw0);
        for (size_t c = 0; c < C; ++c) {
          auto at = [&](int64_t fh, int64_t fw) {
            return x.v[((n * H + static_cast<size_t>(ih0 + fh)) * W + static_cast<size_t>(iw0 + fw)) * C + c];
          };
          y.v[((n * OH + oh) * OW + ow) * C + c] = static_cast<int8_t>(reduce(at, h0, h1, w0, w1));
        }
      }
  return y;
}
}  // namespace

QTensor max_pool(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s, std::array<int, 4> pads, int32_t lo,
                 int32_t hi) {
  return pool(x, k, s, pads, "MaxPool", [&](auto at, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    int32_t m = -128;
    for (int64_t fh = h0; fh < h1; ++fh)
      for (int64_t fw = w0; fw < w1; ++fw) m = std::max<int32_t>(m, at(fh, fw));
    return clamp8(m, lo, hi);
  });
}

QTensor avg_pool(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s, std::array<int, 4> pads, int32_t lo,
                 int32_t hi) {
  return pool(x, k, s, pads, "AvgPool", [&](auto at, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    int32_t acc = 0, cnt = 0;
    for (int64_t fh = h0; fh < h1; ++fh)
      for (int64_t fw = w0; fw < w1; ++fw) {
        acc += at(fh, fw);
        ++cnt;
      }
    if (cnt == 0) throw UsageError("AvgPool: a window with no input element");
    acc = acc > 0 ? (acc + cnt / 2) / cnt : (acc - cnt / 2) / cnt;
    return clamp8(acc, lo, hi);
  });
}

QTensor mean_hw(const QTensor& x, const QParams& out, bool keep_dims) {
  need_rank4(x, "Mean");
  const size_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  const auto m = qm(x.q.scale / out.scale);
  const int32_t cnt = static_cast<int32_t>(H * W);
  QTensor y;
  y.q = out;
  y.shape = keep_dims ? std::vector<size_t>{N, 1, 1, C} : std::vector<size_t>{N, C};
  y.v.resize(N * C);
  for (size_t n = 0; n < N; ++n)
    for (size_t c = 0; c < C; ++c) {
      int32_t acc = 0;
      for (size_t i = 0; i < H * W; ++i) acc += x.v[(n * H * W + i) * C + c] - x.q.zero_point;
      acc = mbqm(acc, m);
      acc = acc > 0 ? (acc + cnt / 2) / cnt : (acc - cnt / 2) / cnt;
      y.v[n * C + c] = static_cast<int8_t>(clamp8(int64_t{acc} + out.zero_point));
    }
  return y;
}

namespace {
void check_broadcast(const QTensor& a, const QTensor& b, const char* what) {
  if (b.v.empty() || a.v.size() % b.v.size() != 0)
    throw UsageError(std::string(what) + ": cannot broadcast " + shape_string(b.shape) + " to " + shape_string(a.shape));
}
}  // namespace

QTensor add(const QTensor& a, const QTensor& b, const QParams& out, int32_t lo, int32_t hi) {
  if (b.v.size() > a.v.size()) return add(b, a, out, lo, hi);
  check_broadcast(a, b, "Add");
  constexpr int kLeftShift = 20;
  const double twice_max = 2 * std::max(a.q.scale, b.q.scale);
  const auto m1 = qm(a.q.scale / twice_max), m2 = qm(b.q.scale / twice_max);
  const auto mo = qm(twice_max / ((1 << kLeftShift) * out.scale));
  QTensor y;
  y.q = out;
  y.shape = a.shape;
  y.v.resize(a.v.size());
  const size_t nb = b.v.size();
  for (size_t i = 0; i < a.v.size(); ++i) {
    const int32_t x1 = (a.v[i] - a.q.zero_point) * (1 << kLeftShift);
    const int32_t x2 = (b.v[i % nb] - b.q.zero_point) * (1 << kLeftShift);
    const int32_t sum = mbqm(x1, m1) + mbqm(x2, m2);
    y.v[i] = static_cast<int8_t>(clamp8(int64_t{mbqm(sum, mo)} + out.zero_point, lo, hi));
  }
  return y;
}

QTensor mul(const QTensor& a, const QTensor& b, const QParams& out, int32_t lo, int32_t hi) {
  if (b.v.size() > a.v.size()) return mul(b, a, out, lo, hi);
  check_broadcast(a, b, "Mul");
  const auto m = qm(a.q.scale * b.q.scale / out.scale);
  QTensor y;
  y.q = out;
  y.shape = a.shape;
  y.v.resize(a.v.size());
  const size_t nb = b.v.size();
  for (size_t i = 0; i < a.v.size(); ++i) {
    const int32_t p = (a.v[i] - a.q.zero_point) * (b.v[i % nb] - b.q.zero_point);
    y.v[i] = static_cast<int8_t>(clamp8(int64_t{mbqm(p, m)} + out.zero_point, lo, hi));
  }
  return y;
}

QTensor requantize_tensor(const QTensor& x, const QParams& out, int32_t lo, int32_t hi) {
  const auto m = qm(x.q.scale / out.scale);
  QTensor y;
  y.q = out;
  y.shape = x.shape;
  y.v.resize(x.v.size());
  for (size_t i = 0; i < x.v.size(); ++i)
    y.v[i] = static_cast<int8_t>(clamp8(int64_t{mbqm(x.v[i] - x.q.zero_point, m)} + out.zero_point, lo, hi));
  return y;
}

QTensor concat(std::span<const QTensor* const> xs, int axis, const QParams& out) {
  if (xs.empty()) throw UsageError("Concat: no inputs");
  const size_t r = xs[0]->shape.size();
  if (axis < 0) axis += static_cast<int>(r);
  if (axis < 0 || static_cast<size_t>(axis) >= r) throw UsageError("Concat: axis out of range");
  const size_t ax = static_cast<size_t>(axis);
  size_t outer = 1, inner = 1;
  for (size_t d = 0; d < ax; ++d) outer *= xs[0]->shape[d];
  for (size_t d = ax + 1; d < r; ++d) inner *= xs[0]->shape[d];
  QTensor y;
  y.q = out;
  y.shape = xs[0]->shape;
  y.shape[ax] = 0;
  for (const QTensor* x : xs) {
    if (x->shape.size() != r) throw UsageError("Concat: inputs of different rank");
    for (size_t d = 0; d < r; ++d)
      if (d != ax && x->shape[d] != xs[0]->shape[d])
        throw UsageError("Concat: " + shape_string(x->shape) + " does not match " + shape_string(xs[0]->shape));
    y.shape[ax] += x->shape[ax];
  }
  y.v.resize(shape_numel(y.shape));
  const size_t yrow = y.shape[ax] * inner;
  size_t off = 0;
  for (const QTensor* x : xs) {
    const size_t xrow = x->shape[ax] * inner;
    const bool same = x->q == out;
    const float scale = static_cast<float>(x->q.scale) * (1.0f / static_cast<float>(out.scale));
    const float bias = -static_cast<float>(x->q.zero_point) * scale;
    for (size_t o = 0; o < outer; ++o)
      for (size_t j = 0; j < xrow; ++j) {
        const int8_t q = x->v[o * xrow + j];
        int8_t v = q;
        if (!same) v = static_cast<int8_t>(clamp8(static_cast<int64_t>(std::round(q * scale + bias)) + out.zero_point));
        y.v[o * yrow + off + j] = v;
      }
    off += xrow;
  }
  return y;
}

std::vector<int8_t> im2col(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s, std::array<int, 2> d,
                           std::array<int, 4> pads, size_t* oh_out, size_t* ow_out) {
  need_rank4(x, "Conv2D");
  const size_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  const size_t OH = out_dim(H, k[0], s[0], d[0], pads[0], pads[1], "Conv2D");
  const size_t OW = out_dim(W, k[1], s[1], d[1], pads[2], pads[3], "Conv2D");
  const size_t cols = static_cast<size_t>(k[0]) * k[1] * C;
  std::vector<int8_t> out(N * OH * OW * cols, static_cast<int8_t>(x.q.zero_point));
  size_t row = 0;
  for (size_t n = 0; n < N; ++n)
    for (size_t oh = 0; oh < OH; ++oh)
      for (size_t ow = 0; ow < OW; ++ow, ++row) {
        int8_t* dst = out.data() + row * cols;
        for (int kh = 0; kh < k[0]; ++kh) {
          const int64_t ih = static_cast<int64_t>(oh) * s[0] - pads[0] + int64_t{kh} * d[0];
          for (int kw = 0; kw < k[1]; ++kw) {
            const int64_t iw = static_cast<int64_t>(ow) * s[1] - pads[2] + int64_t{kw} * d[1];
            int8_t* t = dst + (static_cast<size_t>(kh) * k[1] + kw) * C;
            if (ih < 0 || iw < 0 || ih >= static_cast<int64_t>(H) || iw >= static_cast<int64_t>(W)) continue;
            const int8_t* src = x.v.data() + ((n * H + static_cast<size_t>(ih)) * W + static_cast<size_t>(iw)) * C;
            std::copy(src, src + C, t);
          }
        }
      }
  *oh_out = OH;
  *ow_out = OW;
  return out;
}

std::vector<int8_t> depthwise_patches(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s,
                                      std::array<int, 2> d, std::array<int, 4> pads, int multiplier, size_t* oh_out,
                                      size_t* ow_out) {
  need_rank4(x, "DepthwiseConv2D");
  if (multiplier < 1) throw UsageError("DepthwiseConv2D: channel multiplier < 1");
  const size_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  const size_t OH = out_dim(H, k[0], s[0], d[0], pads[0], pads[1], "DepthwiseConv2D");
  const size_t OW = out_dim(W, k[1], s[1], d[1], pads[2], pads[3], "DepthwiseConv2D");
  const size_t taps = static_cast<size_t>(k[0]) * k[1];
  const size_t M = static_cast<size_t>(multiplier);
  const size_t cols = C * M * taps;
  std::vector<int8_t> out(N * OH * OW * cols, static_cast<int8_t>(x.q.zero_point));
  size_t row = 0;
  for (size_t n = 0; n < N; ++n)
    for (size_t oh = 0; oh < OH; ++oh)
      for (size_t ow = 0; ow < OW; ++ow, ++row) {
        int8_t* dst = out.data() + row * cols;
        for (int kh = 0; kh < k[0]; ++kh) {
          const int64_t ih = static_cast<int64_t>(oh) * s[0] - pads[0] + int64_t{kh} * d[0];
          for (int kw = 0; kw < k[1]; ++kw) {
            const int64_t iw = static_cast<int64_t>(ow) * s[1] - pads[2] + int64_t{kw} * d[1];
            if (ih < 0 || iw < 0 || ih >= static_cast<int64_t>(H) || iw >= static_cast<int64_t>(W)) continue;
            const size_t tap = static_cast<size_t>(kh) * k[1] + kw;
            const int8_t* src = x.v.data() + ((n * H + static_cast<size_t>(ih)) * W + static_cast<size_t>(iw)) * C;
            for (size_t c = 0; c < C; ++c)
              for (size_t m = 0; m < M; ++m) dst[(c * M + m) * taps + tap] = src[c];
          }
        }
      }
  *oh_out = OH;
  *ow_out = OW;
  return out;
}

}  // namespace squish::runtime
