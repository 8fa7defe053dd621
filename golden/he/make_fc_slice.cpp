// Makes golden/he/face_expression_fc_int8.npy: the last dense layer of
// face-api's face_expression model (tfjs "fc/weights", [256, 7] float32 stored
// as uint8-affine codes) through squish's quantization path: symmetric signed
// 8-bit codes, narrow range [-127, 127], one scale per output row, half-even
// rounding; transposed to out x in = 7 x 256 (row j = the weights of output j).
// Build and run from the repo root (after scripts/fetch-models.sh and a build):
//   g++ -std=c++20 -O2 -Isw/include golden/he/make_fc_slice.cpp build/sw/libsquish_core.a -o build/make_fc_slice
//   build/make_fc_slice build/models/face-api/model/face_expression_model-weights_manifest.json golden/he/face_expression_fc_int8.npy
#include <cstdio>
#include <string>

#include "squish/io/npy.hpp"
#include "squish/io/tfjs.hpp"
#include "squish/quant/quant.hpp"
#include "squish/tensor.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_fc_slice MANIFEST.json OUT.npy\n");
    return 1;
  }
  for (const auto& t : squish::io::load_tfjs(argv[1])) {
    if (t.name != "fc/weights") continue;
    const size_t in = t.shape[0], out = t.shape[1];
    const auto f = t.to_float();
    std::vector<float> wt(out * in);  // transpose [in, out] -> [out, in]
    for (size_t i = 0; i < in; ++i)
      for (size_t j = 0; j < out; ++j) wt[j * in + i] = f[i * out + j];
    squish::quant::QuantSpec spec;
    spec.bits = 8;
    spec.symmetric = true;
    spec.is_signed = true;
    spec.narrow = true;
    spec.channel_axis = 0;
    const std::vector<size_t> shape = {out, in};
    const auto q = squish::quant::quantize(wt, shape, spec);
    squish::Tensor o;
    o.name = "fc_int8";
    o.shape = shape;
    o.dtype = squish::DType::I8;
    for (int32_t c : q.codes) o.data.push_back(static_cast<uint8_t>(static_cast<int8_t>(c)));
    squish::io::write_file(argv[2], squish::io::write_npy(o));
    std::printf("wrote %s: %zu x %zu int8, scales", argv[2], out, in);
    for (const auto& c : q.params.channels) std::printf(" %.6g", c.scale);
    std::printf("\n");
    return 0;
  }
  std::fprintf(stderr, "no fc/weights in %s\n", argv[1]);
  return 2;
}
