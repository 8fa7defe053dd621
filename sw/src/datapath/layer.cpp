// Golden-stack preparation of a real layer for the datapath (layer.hpp).
#include "squish/datapath/layer.hpp"

#include <algorithm>
#include <cmath>

#include "squish/error.hpp"
#include "squish/quant/quant.hpp"
#include "squish/requant/requant.hpp"
#include "squish/sparse/nz_stream.hpp"

namespace squish::datapath {

std::vector<NzBeat> stream_from_encoding(const sparse::Encoding& e, WPrec p) {
  using sparse::Format;
  // The formats the RTL decoder takes: its own bit-accurate model says what it emits.
  if (e.format != Format::Dense && e.format != Format::Coo) {
    if (auto why = sparse::rtl_header_problem(e, p); !why.empty())
      throw UsageError("stream_from_encoding: the sparse decoder rejects this payload: " + why);
    return sparse::nz_stream(e, p);
  }
  // Dense and COO have no RTL decoder. Dense is the no-skipping baseline: every
  // weight, zeros included, is streamed. COO gets the zero-dropping stream.
  const auto mat = sparse::as_matrix(e.shape);
  if (mat.cols > (uint64_t{1} << kIdxWidth) || mat.rows > (uint64_t{1} << kRowWidth))
    throw UsageError("stream_from_encoding: a " + std::to_string(mat.rows) + "x" + std::to_string(mat.cols) +
                     " matrix exceeds the datapath's index widths");
  const auto codes = sparse::decode(e);
  std::vector<int8_t> w(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < weight_min(p) || codes[i] > weight_max(p))
      throw UsageError("stream_from_encoding: code " + std::to_string(codes[i]) + " at element " +
                       std::to_string(i) + " does not fit " + to_string(p));
    w[i] = static_cast<int8_t>(codes[i]);
  }
  return e.format == Format::Dense ? pack_every_weight(w, mat.rows, mat.cols, p) : pack_dense(w, mat.rows, mat.cols, p);
}

Config PreparedLayer::config(uint32_t batch) const {
  Config c;
  c.wprec = wprec;
  c.cols = static_cast<uint32_t>(cols);
  c.batch = batch;
  c.act_zp = x_zp;
  c.out_zp = y_zp;
  return c;
}

PreparedLayer prepare_layer(std::span<const float> w, size_t rows, size_t cols, std::span<const float> x,
                            size_t vectors, const LayerSpec& spec) {
  if (w.size() != rows * cols) throw UsageError("prepare_layer: weights are not " + std::to_string(rows) + "x" + std::to_string(cols));
  if (x.size() != vectors * cols) throw UsageError("prepare_layer: input is not " + std::to_string(vectors) + "x" + std::to_string(cols));
  if (rows == 0 || cols == 0 || vectors == 0) throw UsageError("prepare_layer: empty layer");
  PreparedLayer L;
  L.rows = rows;
  L.cols = cols;
  L.vectors = vectors;
  L.wprec = wprec_from_bits(spec.bits);

  // Prune (in a copy) and quantize the weights per output channel, symmetric.
  std::vector<float> wp(w.begin(), w.end());
  const size_t shape[2] = {rows, cols};
  if (spec.prune.method != prune::Method::None) prune::prune(wp, shape, spec.prune);
  quant::QuantSpec qs;
  qs.bits = static_cast<unsigned>(spec.bits);
  qs.symmetric = true;
  qs.is_signed = true;
  qs.channel_axis = 0;
  qs.rounding = quant::Rounding::HalfAway;
  const auto wq = quant::quantize(wp, shape, qs);
  L.w_codes.resize(rows * cols);
  for (size_t i = 0; i < rows * cols; ++i) {
    L.w_codes[i] = static_cast<int8_t>(wq.codes[i]);
    L.nonzeros += wq.codes[i] != 0;
  }
  for (const auto& ch : wq.params.channels) L.w_scales.push_back(ch.scale);

  // Activations: per tensor, affine signed int8 (TFLite convention).
  quant::QuantSpec as;
  as.bits = 8;
  as.symmetric = false;
  as.is_signed = true;
  as.rounding = quant::Rounding::HalfAway;
  const size_t xshape[2] = {vectors, cols};
  const auto xq = quant::quantize(x, xshape, as);
  L.x_scale = xq.params.channels.at(0).scale;
  L.x_zp = xq.params.channels.at(0).zero_point;
  L.x_codes.resize(vectors * cols);
  for (size_t i = 0; i < x.size(); ++i) L.x_codes[i] = static_cast<int8_t>(xq.codes[i]);

  // Output quantization from the range of the float product of the quantized
  // operands, then one fixed-point multiplier per output channel.
  double ymin = 0, ymax = 0;
  for (size_t v = 0; v < vectors; ++v)
    for (size_t r = 0; r < rows; ++r) {
      int64_t acc = 0;
      for (size_t c = 0; c < cols; ++c)
        acc += int64_t{L.w_codes[r * cols + c]} * (int64_t{L.x_codes[v * cols + c]} - L.x_zp);
      const double y = static_cast<double>(acc) * L.w_scales[r] * L.x_scale;
      ymin = std::min(ymin, y);
      ymax = std::max(ymax, y);
    }
  L.y_scale = ymax > ymin ? (ymax - ymin) / 255.0 : 1.0;
  L.y_zp = static_cast<int32_t>(std::clamp<double>(std::round(-128.0 - ymin / L.y_scale), -128, 127));
  for (size_t r = 0; r < rows; ++r) {
    const auto qm = requant::quantize_multiplier(L.w_scales[r] * L.x_scale / L.y_scale);
    L.channels.push_back({0, qm.multiplier, qm.shift});
  }

  // Sparse-encode the codes and derive the format's nonzero stream.
  std::vector<int32_t> codes(wq.codes.begin(), wq.codes.end());
  uint32_t eshape[2] = {static_cast<uint32_t>(rows), static_cast<uint32_t>(cols)};
  if (spec.format == sparse::Format::Csc) {  // CSC carries W^T (in x out), see stream_from_encoding
    std::vector<int32_t> t(rows * cols);
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < cols; ++c) t[c * rows + r] = codes[r * cols + c];
    codes.swap(t);
    std::swap(eshape[0], eshape[1]);
  }
  sparse::Params sp;
  sp.value_bits = static_cast<unsigned>(spec.bits);
  sp.value_signed = true;
  sp.rlc_run_bits = spec.rlc_run_bits;
  sp.nm_n = spec.prune.method == prune::Method::Nm ? spec.prune.n : 2;
  sp.nm_m = spec.prune.method == prune::Method::Nm ? spec.prune.m : 4;
  L.encoding = sparse::encode(spec.format, codes, eshape, sp);
  L.beats = stream_from_encoding(L.encoding, L.wprec);
  return L;
}

}  // namespace squish::datapath
