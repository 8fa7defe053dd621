// Host-side integer kernels of the int8 engine, with the arithmetic of
// TensorFlow Lite's reference kernels (reference_ops / reference_integer_ops),
// and the activation quantization TFLite's converter uses. Tensors are NHWC
// int8 with one (scale, zero point) per tensor. docs/network.md, "Int8 engine".
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace squish::runtime {

/// Per-tensor affine int8 parameters: real = scale * (q - zero_point).
struct QParams {
  double scale = 1;
  int32_t zero_point = 0;
  bool operator==(const QParams&) const = default;
};

/// TFLite's ChooseQuantizationParams<int8_t> over [min(rmin, 0), max(rmax, 0)]:
/// scale = (rmax - rmin) / 255, zero point from whichever end has the smaller
/// error, rounded half away from zero and clamped to [-128, 127]. An all-zero
/// range gives scale 1, zero point 0 (TFLite would give scale 0).
QParams choose_qparams(double rmin, double rmax);

/// TFLite AffineQuantize: clamp(round_half_away(x / scale) + zero_point, -128, 127).
int8_t quantize_value(float x, const QParams& q);
float dequantize_value(int8_t q, const QParams& p);

/// An int8 activation tensor.
struct QTensor {
  std::vector<size_t> shape;  ///< NHWC (or [N, K] after a Reshape)
  std::vector<int8_t> v;
  QParams q;
  size_t numel() const { return v.size(); }
};

/// Quantized bounds of a fused activation on an output with parameters q:
/// None [-128, 127], Relu [max(-128, zp), 127], Relu6 [.., min(127, zp + round(6 / scale))].
std::array<int32_t, 2> act_bounds(int act /*0 None, 1 Relu, 2 Relu6*/, const QParams& q);

/// Pad with the input's zero point (constant 0 in real terms). pads: 2 per dim.
QTensor pad(const QTensor& x, std::span<const int64_t> pads);

/// MaxPool (TFLite reference): max over the window's in-bounds elements, then
/// clamped to [lo, hi]; output parameters are the input's.
QTensor max_pool(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s, std::array<int, 4> pads,
                 int32_t lo = -128, int32_t hi = 127);
/// AvgPool (TFLite reference): sum over the in-bounds elements, divided by their
/// count rounding half away from zero, clamped; output parameters are the input's.
QTensor avg_pool(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s, std::array<int, 4> pads,
                 int32_t lo = -128, int32_t hi = 127);

/// Mean over H and W of NHWC (reference_integer_ops::Mean): acc = sum (q - zp_in),
/// MultiplyByQuantizedMultiplier(acc, QuantizeMultiplier(s_in / s_out)), divided by
/// the count rounding half away, + zp_out, clamped. Keeps dims as [N,1,1,C] when
/// keep_dims, else [N, C].
QTensor mean_hw(const QTensor& x, const QParams& out, bool keep_dims);

/// Quantized Add (reference_integer_ops::Add, left shift 20): each input is
/// offset, shifted left 20, scaled by s_i / (2 max(s1, s2)); the sum scaled by
/// 2 max(s1, s2) / (2^20 s_out), + zp_out, clamped to [lo, hi]. b broadcasts
/// when it has fewer elements and its numel divides a's (trailing broadcast).
QTensor add(const QTensor& a, const QTensor& b, const QParams& out, int32_t lo = -128, int32_t hi = 127);

/// Quantized Mul (reference_integer_ops::Mul): (a - zp_a)(b - zp_b), scaled by
/// s_a s_b / s_out, + zp_out, clamped. Broadcast as add().
QTensor mul(const QTensor& a, const QTensor& b, const QParams& out, int32_t lo = -128, int32_t hi = 127);

/// Requantize to new parameters (TFLite's Requantize / quantized ReLU):
/// MultiplyByQuantizedMultiplier(q - zp_in, s_in / s_out) + zp_out, clamped to [lo, hi].
QTensor requantize_tensor(const QTensor& x, const QParams& out, int32_t lo = -128, int32_t hi = 127);

/// Concatenation along `axis` (TFLite reference ConcatenationWithScaling): inputs
/// with the output's parameters are copied, others rescaled in float:
/// round(q * s_in/s_out - zp_in * s_in/s_out) + zp_out, clamped.
QTensor concat(std::span<const QTensor* const> xs, int axis, const QParams& out);

/// im2col of an NHWC tensor for a KH x KW convolution: one row per output pixel
/// (n, oh, ow), cols = KH*KW*C in (kh, kw, c) order; out-of-bounds taps take the
/// input zero point. Returns the rows and sets oh/ow.
std::vector<int8_t> im2col(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s, std::array<int, 2> d,
                           std::array<int, 4> pads, size_t* oh, size_t* ow);
/// Depthwise patches: one row per output pixel, cols = C*M*KH*KW in (channel
/// c*M+m, tap kh*KW+kw) order, out-of-bounds taps at the zero point.
std::vector<int8_t> depthwise_patches(const QTensor& x, std::array<int, 2> k, std::array<int, 2> s,
                                      std::array<int, 2> d, std::array<int, 4> pads, int multiplier, size_t* oh,
                                      size_t* ow);

}  // namespace squish::runtime
