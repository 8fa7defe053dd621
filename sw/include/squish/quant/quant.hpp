// Quantization of float weights into integer codes, and the exact inverse
// (dequantization) that every decoder, software or RTL, must reproduce bit for
// bit. Semantics (docs/golden-stack.md has the full statement):
//
//  Affine   q = clamp(R(x / s) + z, qmin, qmax)   x / s in float32, R = rounding
//           x^ = float32((q - z) * s)              (exact product, rounded once)
//           signed: qmin = -2^(b-1) (narrow: -(2^(b-1)-1)), qmax = 2^(b-1)-1
//           unsigned: [0, 2^b - 1]. Symmetric: z = 0, s = float32(max|x| / qmax).
//           Asymmetric: [rmin, rmax] = [min(x,0), max(x,0)], s = float32((rmax-rmin)/(qmax-qmin)),
//           z = clamp(R(qmin - rmin / s)).
//  Tfjs     x^ = float32(c * scale + min) in double: the codes a tfjs model shipped (lossless).
//  Codebook x^ = codebook[q] (k-means, Deep Compression weight sharing).
//  Pot/Apot x^ = sign(q) * float32(level[|q|] * s): level = unit powers of two
//           (PoT) or sums of two powers of two (APoT); s per tensor/channel.
//
// Rounding R: HalfEven (ONNX QuantizeLinear, PyTorch) or HalfAway (TFLite).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace squish::quant {

/// Values are part of the .sqz format.
enum class Scheme : uint8_t { Raw = 0, Affine = 1, Tfjs = 2, Codebook = 3, Pot = 4, Apot = 5 };
enum class Rounding : uint8_t { HalfEven = 0, HalfAway = 1 };

std::string_view to_string(Scheme s);
std::string_view to_string(Rounding r);
Rounding rounding_from_string(std::string_view s);  ///< "even" | "away"

/// Rounds a float to an integer-valued float.
float round_float(float t, Rounding r);

/// What the user asks for.
struct QuantSpec {
  Scheme scheme = Scheme::Affine;
  unsigned bits = 8;        ///< 2..8 (Codebook: derived from kmeans_k)
  bool symmetric = true;    ///< Affine only
  bool is_signed = true;    ///< Affine only
  bool narrow = false;      ///< signed range without -2^(b-1) (TFLite weights: [-127, 127])
  Rounding rounding = Rounding::HalfEven;
  int channel_axis = -1;    ///< >= 0: one scale/zero point per slice along this axis
  unsigned kmeans_k = 16;   ///< Codebook: 2..256 centroids
  bool kmeans_keep_zero = false;  ///< Codebook: reserve index 0 for exact 0 (after pruning)
  unsigned kmeans_iters = 100;
  /// Affine only: instead of the full range, clip it to the fraction
  /// 1 - 0.05k (k = 0..14, down to 0.30) of [rmin, rmax] that gives the least
  /// squared error, per channel (ties: the wider range). Off = full range.
  bool clip_search = false;
};

/// One scale set per channel (one entry when per tensor).
struct ChannelParams {
  double scale = 1;       ///< float32-representable for Affine/Pot/Apot
  double offset = 0;      ///< Tfjs: min; others 0
  int32_t zero_point = 0; ///< code of real zero (Tfjs: nearest code, informative)
  int32_t multiplier = 0; ///< scale as gemmlowp fixed point: scale = multiplier * 2^(shift-31)
  int8_t shift = 0;
};

/// Everything a decoder needs to turn codes into floats (stored in .sqz).
struct QuantParams {
  Scheme scheme = Scheme::Raw;
  unsigned bits = 32;        ///< code width
  bool is_signed = false;    ///< codes are two's complement
  bool narrow = false;
  bool symmetric = true;
  bool zero_reserved = false; ///< Codebook: index 0 is exact zero
  Rounding rounding = Rounding::HalfEven;
  int channel_axis = -1;
  std::vector<ChannelParams> channels;  ///< size 1 when per tensor
  std::vector<float> codebook;          ///< Codebook centroids / Pot,Apot unit levels by |q|
  int32_t qmin() const;
  int32_t qmax() const;
};

struct Quantized {
  QuantParams params;
  std::vector<int32_t> codes;
};

/// Channel index of every element for `axis` (all zeros when axis < 0).
std::vector<uint32_t> channel_of(std::span<const size_t> shape, int axis);
/// Number of channels for `axis` (1 when axis < 0).
size_t channel_count(std::span<const size_t> shape, int axis);

/// Quantizes `x` (C order, `shape`). UsageError on an impossible spec.
Quantized quantize(std::span<const float> x, std::span<const size_t> shape, const QuantSpec& spec);
/// Wraps the codes a tfjs weight shipped (8 or 16 bits) as a lossless Tfjs scheme.
Quantized from_tfjs(std::span<const uint16_t> codes, unsigned code_bits, double scale, double min);
/// x^ for every code. FormatError if a code is out of range for the params.
std::vector<float> dequantize(const QuantParams& p, std::span<const int32_t> codes, std::span<const size_t> shape);
/// Checks params for internal consistency (used by the container reader).
void validate(const QuantParams& p, size_t nchannels_expected);

/// Unit level table (index = |q|, entry 0 = 0) of PoT / APoT at `bits` bits.
std::vector<float> pot_levels(unsigned bits);
std::vector<float> apot_levels(unsigned bits);

}  // namespace squish::quant
