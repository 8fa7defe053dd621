// Test data for the entropy decoders: seeded synthetic symbol streams, the
// committed real weight slices (golden/entropy/), and the "80 % pruned + 4-bit"
// transform the bench applies to whole models.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace squish::sim::entropy_data {

enum class Dist { Dense, Peaky, Sparse90, Sparse99, Single, Uniform, MaxLen };
inline const char* name(Dist d) {
  switch (d) {
    case Dist::Dense: return "dense";
    case Dist::Peaky: return "peaky";
    case Dist::Sparse90: return "sparse90";
    case Dist::Sparse99: return "sparse99";
    case Dist::Single: return "single";
    case Dist::Uniform: return "uniform";
    case Dist::MaxLen: return "maxlen";
  }
  return "?";
}
inline const Dist kAllDists[] = {Dist::Dense, Dist::Peaky,   Dist::Sparse90, Dist::Sparse99,
                                 Dist::Single, Dist::Uniform, Dist::MaxLen};

/// Two's complement codes of a rounded Laplace variable at `bits` bits, or
/// degenerate streams; MaxLen is geometric with p = 1/2 so that the Huffman
/// code reaches the 15-bit limit.
inline std::vector<uint16_t> make(Dist d, size_t n, unsigned bits, uint64_t seed) {
  std::mt19937_64 g(seed);
  const uint16_t mask = static_cast<uint16_t>((1u << bits) - 1);
  const int lim = (1 << (bits - 1)) - 1;
  auto laplace = [&](double scale) {
    std::exponential_distribution<double> e(1.0 / scale);
    const double v = e(g) * ((g() & 1) ? 1 : -1);
    return static_cast<uint16_t>(std::clamp(static_cast<int>(std::lround(v)), -lim - 1, lim) & mask);
  };
  const double wide = bits >= 8 ? 20.0 : 2.5;
  std::vector<uint16_t> v(n);
  for (auto& s : v) {
    switch (d) {
      case Dist::Dense: s = laplace(wide); break;
      case Dist::Peaky: s = laplace(bits >= 8 ? 1.5 : 0.6); break;
      case Dist::Sparse90: s = (g() % 100) < 90 ? 0 : laplace(wide); break;
      case Dist::Sparse99: s = (g() % 1000) < 990 ? 0 : laplace(wide); break;
      case Dist::Single: s = static_cast<uint16_t>(3 & mask); break;
      case Dist::Uniform: s = static_cast<uint16_t>(g() & mask); break;
      case Dist::MaxLen: {
        unsigned k = 0;
        while (k < mask && (g() & 1)) ++k;
        s = static_cast<uint16_t>(k);
        break;
      }
    }
  }
  return v;
}

inline std::string root() {
#ifdef SQUISH_ROOT
  return SQUISH_ROOT;
#else
  const char* r = std::getenv("SQUISH_ROOT");
  return r ? r : ".";
#endif
}

/// The committed real slices (uint8 codes as shipped).
struct Slice {
  std::string name;
  std::vector<uint16_t> codes;
  double scale, min;  ///< the tensor's dequantization (manifest)
};
inline std::vector<Slice> real_slices() {
  struct F {
    const char* file;
    double scale, min;
  };
  const F files[] = {
      {"face_recognition_model__conv32_1_conv1_conv_filters.u8", 0.0007328585666768691, -0.0974701893680236},
      {"ssd_mobilenetv1_model__MobilenetV1_Conv2d_5_pointwise_weights.u8", 0.008951201625898773,
       -1.1189002032373465}};
  std::vector<Slice> v;
  for (const auto& f : files) {
    std::ifstream in(root() + "/golden/entropy/" + f.file, std::ios::binary);
    std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    v.push_back({f.file, std::vector<uint16_t>(b.begin(), b.end()), f.scale, f.min});
  }
  return v;
}

/// 80 % magnitude pruning + symmetric 4-bit quantization of dequantized uint8
/// weights w = min + scale * q: the smallest 80 % of |w| become 0, the rest
/// round(w / s) clamped to [-7, 7] with s = max|w| / 7, as 4-bit two's complement.
inline std::vector<uint16_t> prune80_int4(const std::vector<uint16_t>& q, double scale, double min) {
  std::vector<double> w(q.size());
  for (size_t i = 0; i < q.size(); ++i) w[i] = min + scale * q[i];
  std::vector<double> mag(w.size());
  for (size_t i = 0; i < w.size(); ++i) mag[i] = std::fabs(w[i]);
  std::vector<double> sorted = mag;
  const size_t cut = sorted.size() * 8 / 10;
  double thr = 0;
  if (!sorted.empty()) {
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(std::min(cut, sorted.size() - 1)), sorted.end());
    thr = sorted[std::min(cut, sorted.size() - 1)];
  }
  double mx = 0;
  for (double m : mag) mx = std::max(mx, m);
  const double s = mx > 0 ? mx / 7.0 : 1.0;
  std::vector<uint16_t> out(q.size());
  for (size_t i = 0; i < w.size(); ++i) {
    int v = mag[i] < thr ? 0 : static_cast<int>(std::lround(w[i] / s));
    v = std::clamp(v, -7, 7);
    out[i] = static_cast<uint16_t>(v & 0xf);
  }
  return out;
}

}  // namespace squish::sim::entropy_data
