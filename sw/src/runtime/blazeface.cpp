// BlazeFace post-processing (blazeface.hpp).
#include "squish/runtime/blazeface.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "squish/error.hpp"

namespace squish::runtime {

std::vector<Anchor> blazeface_anchors(int input_size) {
  std::vector<int> strides;
  if (input_size == 128) strides = {8, 16, 16, 16};
  else if (input_size == 256) strides = {16, 32, 32, 32};
  else throw UsageError("built-in BlazeFace anchors exist for 128x128 (front) and 256x256 (back) inputs, not " + std::to_string(input_size));
  std::vector<Anchor> out;
  size_t layer = 0;
  while (layer < strides.size()) {
    // Layers of the same stride share one feature map; each contributes two
    // anchors per cell (aspect ratio 1 and the interpolated scale).
    size_t last = layer, per_cell = 0;
    while (last < strides.size() && strides[last] == strides[layer]) {
      per_cell += 2;
      ++last;
    }
    const int fm = static_cast<int>(std::ceil(static_cast<double>(input_size) / strides[layer]));
    for (int y = 0; y < fm; ++y)
      for (int x = 0; x < fm; ++x)
        for (size_t a = 0; a < per_cell; ++a)
          out.push_back({(x + 0.5f) / static_cast<float>(fm), (y + 0.5f) / static_cast<float>(fm), 1.0f, 1.0f});
    layer = last;
  }
  return out;
}

std::vector<Anchor> anchors_from_tensor(const Tensor& t) {
  if (t.shape.size() != 2 || t.shape[1] != 4) throw FormatError("anchors '" + t.name + "': expected N x 4, got " + shape_string(t.shape));
  const auto v = t.to_float();
  std::vector<Anchor> a(t.shape[0]);
  for (size_t i = 0; i < a.size(); ++i) a[i] = {v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]};
  return a;
}

std::vector<Detection> decode_blazeface(std::span<const float> reg, size_t R, std::span<const float> scores,
                                        std::span<const Anchor> anchors, int input_size) {
  const size_t n = anchors.size();
  if (R < 4 || reg.size() != n * R || scores.size() != n)
    throw FormatError("detect: " + std::to_string(n) + " anchors but " + std::to_string(reg.size()) + " regressor values and " +
                      std::to_string(scores.size()) + " scores");
  const float s = static_cast<float>(input_size);
  std::vector<Detection> out(n);
  for (size_t i = 0; i < n; ++i) {
    const float* r = reg.data() + i * R;
    const Anchor& a = anchors[i];
    const float cx = r[0] / s * a[2] + a[0], cy = r[1] / s * a[3] + a[1];
    const float w = r[2] / s * a[2], h = r[3] / s * a[3];
    Detection d;
    d.x1 = cx - w / 2, d.y1 = cy - h / 2, d.x2 = cx + w / 2, d.y2 = cy + h / 2;
    const float sc = std::clamp(scores[i], -100.0f, 100.0f);
    d.score = 1.0f / (1.0f + std::exp(-sc));
    for (size_t k = 0; k < 6 && 4 + 2 * k + 1 < R; ++k) {
      d.keypoints[2 * k] = r[4 + 2 * k] / s * a[2] + a[0];
      d.keypoints[2 * k + 1] = r[4 + 2 * k + 1] / s * a[3] + a[1];
    }
    out[i] = d;
  }
  return out;
}

nms::Box nms_box(const Detection& d) {
  auto q = [](float v) {
    const double t = std::round((static_cast<double>(v) + 0.5) * 16384.0);
    return static_cast<int64_t>(std::clamp(t, 0.0, 65535.0));
  };
  nms::Box b{q(d.x1), q(d.y1), q(d.x2), q(d.y2)};
  if (b.x2 < b.x1) b.x2 = b.x1;
  if (b.y2 < b.y1) b.y2 = b.y1;
  return b;
}

}  // namespace squish::runtime
