// Golden-stack preparation of a real layer for the datapath (layer.hpp).
#include "squish/datapath/layer.hpp"

#include <algorithm>
#include <cmath>

#include "squish/error.hpp"
#include "squish/quant/quant.hpp"
#include "squish/requant/requant.hpp"

namespace squish::datapath {

std::vector<NzBeat> stream_from_encoding(const sparse::Encoding& e, WPrec p) {
  using sparse::Format;
  sparse::validate(e);
  const auto mat = sparse::as_matrix(e.shape);
  // CSC streams its outer dimension (the encoded matrix's columns) as rows,
  // as rtl/sparse/sparse_decoder does: encode W^T (in x out) to get W's rows.
  const bool csc = e.format == Format::Csc;
  const size_t rows = csc ? mat.cols : mat.rows, cols = csc ? mat.rows : mat.cols;
  if (cols > (size_t{1} << kIdxWidth) || rows > (size_t{1} << kRowWidth))
    throw UsageError("stream_from_encoding: a " + std::to_string(rows) + "x" + std::to_string(cols) +
                     " matrix exceeds the datapath's index widths");
  std::vector<std::vector<std::pair<uint16_t, int32_t>>> per_row(rows);
  // Zeros (RLC padding entries, N:M filler slots, Dense zeros) are dropped, as
  // the decoder does; entries reach the array in column order.
  auto add = [&](uint64_t r, uint64_t c, int32_t v) {
    if (v != 0) per_row[r].push_back({static_cast<uint16_t>(c), v});
  };
  switch (e.format) {
    case Format::Dense:
      for (uint64_t i = 0; i < rows * cols; ++i) add(i / cols, i % cols, e.values[i]);
      break;
    case Format::Coo: {
      const size_t nd = e.shape.size();
      for (size_t k = 0; k < e.values.size(); ++k) {
        uint64_t flat = 0;
        for (size_t d = 0; d < nd; ++d) flat = flat * e.shape[d] + e.index[k * nd + d];
        add(flat / cols, flat % cols, e.values[k]);
      }
      break;
    }
    case Format::Coo1d:
      for (size_t k = 0; k < e.values.size(); ++k) add(e.index[k] / cols, e.index[k] % cols, e.values[k]);
      break;
    case Format::Rlc: {
      uint64_t pos = 0;
      for (size_t k = 0; k < e.values.size(); ++k) {
        pos += e.index[k];
        add(pos / cols, pos % cols, e.values[k]);
        ++pos;
      }
      break;
    }
    case Format::Bitmap: {
      size_t k = 0;
      for (uint64_t i = 0; i < rows * cols; ++i)
        if (e.mask[i]) add(i / cols, i % cols, e.values[k++]);
      break;
    }
    case Format::Csr:
      for (size_t r = 0; r < rows; ++r)
        for (uint32_t k = e.ptr[r]; k < e.ptr[r + 1]; ++k) add(r, e.index[k], e.values[k]);
      break;
    case Format::Csc:  // outer index = output row, inner (row of W^T) = column
      for (size_t o = 0; o < rows; ++o)
        for (uint32_t k = e.ptr[o]; k < e.ptr[o + 1]; ++k) add(o, e.index[k], e.values[k]);
      break;
    case Format::Nm: {
      size_t k = 0;
      const unsigned n = e.params.nm_n, m = e.params.nm_m;
      for (size_t r = 0; r < rows; ++r)
        for (size_t g = 0; g < cols; g += m) {
          const unsigned slots = std::min<unsigned>(n, static_cast<unsigned>(std::min<size_t>(m, cols - g)));
          for (unsigned s = 0; s < slots; ++s, ++k) add(r, g + e.index[k], e.values[k]);
        }
      break;
    }
  }
  const unsigned used = slots_used(p);
  std::vector<NzBeat> beats;
  for (size_t r = 0; r < rows; ++r) {
    NzBeat b;
    b.row = static_cast<uint32_t>(r);
    unsigned s = 0;
    std::stable_sort(per_row[r].begin(), per_row[r].end(),
                     [](const auto& a, const auto& b2) { return a.first < b2.first; });
    for (const auto& [c, v] : per_row[r]) {
      if (v < weight_min(p) || v > weight_max(p))
        throw UsageError("stream_from_encoding: code " + std::to_string(v) + " at row " + std::to_string(r) +
                         " does not fit " + to_string(p));
      if (s == used) {
        beats.push_back(b);
        b = NzBeat{};
        b.row = static_cast<uint32_t>(r);
        s = 0;
      }
      b.mask |= uint64_t{1} << s;
      b.col[s] = c;
      b.val[s] = static_cast<int8_t>(v);
      ++s;
    }
    b.row_last = true;
    beats.push_back(b);
  }
  if (!beats.empty()) beats.back().last = true;
  return beats;
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
