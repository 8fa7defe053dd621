// squish::softmax — bit-accurate models of the softmax hardware families the
// survey's Table XIV lists, written from the papers' descriptions (parameters
// we had to choose are stated in docs/softmax.md), plus TFLite's int8
// reference kernel and squish's own unit. Every variant takes the same input —
// int16 logits x with F fraction bits (logit = x * 2^-F) — and returns the
// probabilities its hardware would output, decoded to double.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace squish::softmax {

struct Variant {
  std::string id;       ///< short name used on the command line and in JSON
  std::string title;    ///< "Yuan (SOCC 2016)"
  std::string exp_method;
  std::string div_method;
  std::string output;   ///< output format, e.g. "Q0.16"
  std::function<std::vector<double>(std::span<const int16_t>, unsigned)> run;
};

/// Every variant, in table order (squish last).
const std::vector<Variant>& variants();

// The individual models (outputs in their native integer format).
std::vector<uint16_t> yuan_lut_log(std::span<const int16_t> x, unsigned frac_bits);
std::vector<uint16_t> base2_shift(std::span<const int16_t> x, unsigned frac_bits);
std::vector<uint16_t> glut_split(std::span<const int16_t> x, unsigned frac_bits);
std::vector<uint16_t> geng_plf(std::span<const int16_t> x, unsigned frac_bits);
std::vector<uint16_t> ibert_softmax(std::span<const int16_t> x, unsigned frac_bits);
std::vector<int8_t> tflite_int8_softmax(std::span<const int16_t> x, unsigned frac_bits);

/// gemmlowp-compatible fixed-point primitives used by the TFLite model,
/// exposed so tests can check them against Debian's libgemmlowp-dev.
namespace fxp {
int32_t srdhm(int32_t a, int32_t b);                   ///< SaturatingRoundingDoublingHighMul
int32_t rounding_divide_by_pot(int32_t x, int exponent);
int32_t saturating_shift_left(int32_t x, int exponent);  ///< SaturatingRoundingMultiplyByPOT, exponent > 0
int32_t exp_on_negative_values_q5_26(int32_t a);      ///< Q5.26 in, Q0.31 out
int32_t one_over_one_plus_x_q0_31(int32_t a);         ///< Q0.31 in, Q0.31 out
}  // namespace fxp

}  // namespace squish::softmax
