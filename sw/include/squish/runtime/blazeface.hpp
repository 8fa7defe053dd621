// MediaPipe BlazeFace SSD post-processing: the anchor generator
// (SsdAnchorsCalculator with the face detector's options), box decoding
// (TensorsToDetectionsCalculator) and the integer boxes the NMS unit takes.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "squish/nms/nms.hpp"
#include "squish/tensor.hpp"

namespace squish::runtime {

/// One anchor: centre x, centre y, width, height, normalised to the input.
using Anchor = std::array<float, 4>;

/// MediaPipe's anchors for BlazeFace: input 128 (front model: strides 8, 16,
/// 16, 16) or 256 (back model: strides 16, 32, 32, 32); 2 anchors per cell at
/// the first stride and 6 at the second, centres ((x + 0.5) / fw, (y + 0.5) / fh),
/// w = h = 1 (fixed anchor size). 896 anchors either way. UsageError otherwise.
std::vector<Anchor> blazeface_anchors(int input_size);

/// Reads an N x 4 anchor table (.npy, float32) into anchors; FormatError if not N x 4.
std::vector<Anchor> anchors_from_tensor(const Tensor& t);

struct Detection {
  float x1, y1, x2, y2;  ///< normalised box corners
  float score;           ///< sigmoid of the clipped raw score
  std::array<float, 12> keypoints{};  ///< 6 (x, y), normalised
};

/// Decodes one image: raw regressors (anchors x R, R >= 4: dx, dy, w, h, then
/// keypoints) and raw scores (anchors), both scaled by input_size:
///   cx = raw0 / size * aw + ax, cy = raw1 / size * ah + ay, w = raw2 / size * aw,
///   h = raw3 / size * ah; score = 1 / (1 + exp(-clip(s, -100, 100))).
std::vector<Detection> decode_blazeface(std::span<const float> regressors, size_t r_per_anchor,
                                        std::span<const float> scores, std::span<const Anchor> anchors, int input_size);

/// Integer box for the NMS unit: round((v + 0.5) * 2^14) per coordinate,
/// clamped to [0, 65535] (16-bit unsigned coordinates; normalised boxes in
/// [-0.5, 3.5) keep their exact geometry up to rounding).
nms::Box nms_box(const Detection& d);

}  // namespace squish::runtime
