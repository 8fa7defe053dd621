// The golden int8 engine: quantization with calibration and integer inference
// (int8_engine.hpp, docs/network.md "Int8 engine").
#include "squish/runtime/int8_engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "squish/error.hpp"
#include "squish/requant/requant.hpp"

namespace squish::runtime {

using graph::Node;
using graph::Op;

void Calibration::observe(const std::string& name, std::span<const float> v) {
  Range& r = ranges[name];
  for (float x : v) {
    if (!std::isfinite(x)) throw UsageError("calibration: tensor '" + name + "' holds a non-finite value");
    r.min = std::min(r.min, static_cast<double>(x));
    r.max = std::max(r.max, static_cast<double>(x));
  }
  ++r.count;
}

void Calibration::observe_all(const std::map<std::string, Tensor>& values) {
  for (const auto& [name, t] : values) {
    if (!dtype_is_float(t.dtype)) continue;
    const auto f = t.to_float();
    observe(name, f);
  }
}

container::CompressOptions engine_weight_options(container::CompressOptions o) {
  if (o.quant.scheme != quant::Scheme::Affine)
    throw UsageError("the int8 engine takes affine weights only (the datapath multiplies integer codes): no --kmeans/--pot/--apot");
  if (o.lossless) throw UsageError("--lossless does not apply to a network's weights (they become per-channel symmetric codes)");
  o.quant.symmetric = true;
  o.quant.is_signed = true;
  o.quant.narrow = true;
  o.per_channel = true;
  o.channels_last = false;
  o.channel_axis = 0;
  o.requantize_tfjs = true;
  o.keep_float.clear();
  if (o.bit_budget <= 0 && o.quant.bits != 8 && o.quant.bits != 4 && o.quant.bits != 2)
    throw UsageError("--bits " + std::to_string(o.quant.bits) + ": the datapath takes 8, 4 or 2-bit weights");
  if (o.prune.method == prune::Method::Channels) o.prune.channel_axis = 0;
  if (o.sparse_format == sparse::Format::Csc)
    throw UsageError("--sparse-format csc streams columns; the datapath takes rows (use csr)");
  if (o.prune.method == prune::Method::Blocks)
    throw UsageError("--prune-blocks is not supported for networks (choose unstructured, N:M or channels)");
  return o;
}

const container::Section* QuantNet::find(const std::string& name) const {
  for (const auto& s : sections.sections)
    if (s.name == name) return &s;
  return nullptr;
}

namespace {

bool is_weighted(Op op) { return op == Op::Conv2D || op == Op::DepthwiseConv2D || op == Op::MatMul; }
// Ops whose output keeps the input's quantization (TFLite requires it).
bool keeps_params(Op op) {
  return op == Op::Pad || op == Op::MaxPool || op == Op::AvgPool || op == Op::Reshape || op == Op::Squeeze;
}
int act_code(graph::Act a) { return a == graph::Act::None ? 0 : a == graph::Act::Relu ? 1 : 2; }

const Tensor& const_of(const graph::Graph& g, const std::string& name, const Node& n) {
  auto it = g.consts.find(name);
  if (it == g.consts.end())
    throw FormatError("node '" + n.name + "' (" + n.tf_op + "): input '" + name + "' is not a constant");
  return it->second;
}

// The filter of a weighted node as a rows x cols matrix (see the header).
Tensor weight_matrix(const Node& n, const Tensor& f, std::vector<size_t>* fshape) {
  const auto v = f.to_float();
  *fshape = f.shape;
  std::vector<float> m(v.size());
  size_t rows = 0, cols = 0;
  if (n.op == Op::Conv2D) {
    if (f.shape.size() != 4) throw FormatError("node '" + n.name + "': Conv2D filter " + shape_string(f.shape) + " is not HWIO");
    const size_t K = f.shape[0] * f.shape[1] * f.shape[2], O = f.shape[3];
    rows = O, cols = K;
    for (size_t k = 0; k < K; ++k)
      for (size_t o = 0; o < O; ++o) m[o * K + k] = v[k * O + o];
  } else if (n.op == Op::DepthwiseConv2D) {
    if (f.shape.size() != 4) throw FormatError("node '" + n.name + "': depthwise filter " + shape_string(f.shape) + " is not H W C M");
    const size_t T = f.shape[0] * f.shape[1], CM = f.shape[2] * f.shape[3];
    rows = CM, cols = T;
    for (size_t t = 0; t < T; ++t)
      for (size_t c = 0; c < CM; ++c) m[c * T + t] = v[t * CM + c];
  } else {
    if (f.shape.size() != 2) throw FormatError("node '" + n.name + "': MatMul weight " + shape_string(f.shape) + " is not [K, N]");
    const size_t K = f.shape[0], N = f.shape[1];
    rows = N, cols = K;
    for (size_t k = 0; k < K; ++k)
      for (size_t o = 0; o < N; ++o) m[o * K + k] = v[k * N + o];
  }
  return Tensor::from_float(n.name + "/weights", {rows, cols}, m);
}

QParams params_of(const QuantNet& net, const std::string& name) {
  auto it = net.act.find(name);
  if (it == net.act.end()) throw FormatError("network: no activation quantization for '" + name + "'");
  return it->second;
}

}  // namespace

QuantNet quantize_network(const graph::Graph& g, const Calibration& cal, const container::CompressOptions& wopt) {
  const auto o = engine_weight_options(wopt);
  QuantNet net;
  net.graph = g;
  net.graph.consts.clear();
  net.source = g.source;
  auto range_of = [&](const std::string& name) {
    auto it = cal.ranges.find(name);
    if (it == cal.ranges.end() || it->second.count == 0)
      throw UsageError("calibration: no values observed for '" + name + "'");
    return it->second;
  };
  std::vector<Tensor> wts;
  std::vector<const Node*> wnodes;
  for (const Node& n : g.nodes) {
    if (n.op == Op::Softmax || n.op == Op::Sigmoid) {
      // Float outputs; their inputs carry the int8 parameters.
      continue;
    }
    if (keeps_params(n.op)) {
      if (n.inputs.empty()) throw FormatError("node '" + n.name + "' has no input");
      net.act[n.name] = params_of(net, n.inputs[0]);
    } else {
      const auto r = range_of(n.name);
      net.ranges[n.name] = r;
      net.act[n.name] = choose_qparams(r.min, r.max);
    }
    if (is_weighted(n.op)) {
      if (n.inputs.size() < 2) throw FormatError("node '" + n.name + "' (" + n.tf_op + "): no filter input");
      std::vector<size_t> fs;
      wts.push_back(weight_matrix(n, const_of(g, n.inputs[1], n), &fs));
      net.filter_shape[n.name] = fs;
      wnodes.push_back(&n);
    }
    // Host constants (Add / Mul / BiasAdd / Concat operands).
    if (n.op == Op::Add || n.op == Op::Mul || n.op == Op::BiasAdd || n.op == Op::Concat) {
      for (const auto& in : n.inputs) {
        auto it = g.consts.find(in);
        if (it == g.consts.end()) continue;
        const auto v = it->second.to_float();
        double lo = 0, hi = 0;
        for (float x : v) {
          if (!std::isfinite(x)) throw FormatError("constant '" + in + "' holds a non-finite value");
          lo = std::min<double>(lo, x), hi = std::max<double>(hi, x);
        }
        net.graph.consts[in] = it->second;
        net.act[in] = choose_qparams(lo, hi);
      }
    }
  }
  container::CompressOptions co = o;
  co.source = g.source;
  auto res = container::compress(wts, co);
  net.mp_avg_bits = res.mp_avg_bits;
  for (size_t i = 0; i < wnodes.size(); ++i) {
    const Node& n = *wnodes[i];
    container::Section& ws = res.container.sections[i];
    // Mixed precision may choose 3, 5, 6 or 7 bits; the datapath takes 2, 4 and
    // 8-bit codes, so such sections are stored at the next width (same codes,
    // same scales, same dequantized values).
    if (ws.quant.bits != 2 && ws.quant.bits != 4 && ws.quant.bits != 8) {
      const auto codes = container::decode_codes(ws);
      ws.quant.bits = ws.quant.bits < 4 ? 4 : 8;
      container::encode_codes(ws, codes, o.sparse_auto);
    }
    const size_t rows = ws.shape[0];
    const double si = net.act.at(n.inputs[0]).scale;
    std::vector<float> bias(rows, 0.0f);
    if (n.has_bias) {
      const auto b = const_of(g, n.inputs.back(), n).to_float();
      if (b.size() != rows) throw FormatError("node '" + n.name + "': bias of " + std::to_string(b.size()) + " values for " + std::to_string(rows) + " channels");
      bias = b;
    }
    std::vector<int32_t> bq(rows);
    for (size_t r = 0; r < rows; ++r) {
      double sw = ws.quant.channels.size() == rows ? ws.quant.channels[r].scale : ws.quant.channels[0].scale;
      if (!(sw > 0)) sw = net.act.at(n.name).scale / si / 256;  // all-zero channel: any scale works
      const double q = std::round(bias[r] / (si * sw));
      bq[r] = static_cast<int32_t>(std::clamp(q, -2147483648.0, 2147483647.0));
    }
    container::Section bs;
    bs.name = n.name + "/bias";
    bs.dtype = DType::I32;
    bs.shape = {rows};
    bs.quant.scheme = quant::Scheme::Raw;
    bs.quant.bits = 32;
    bs.quant.channels.resize(1);
    bs.payload.resize(4 * rows);
    std::memcpy(bs.payload.data(), bq.data(), 4 * rows);
    net.sections.sections.push_back(std::move(ws));
    net.sections.sections.push_back(std::move(bs));
  }
  net.sections.source = g.source;
  return net;
}

// ---------------------------------------------------------------------------
// Inference

namespace {

datapath::WPrec wprec_of(unsigned bits) {
  if (bits <= 2) return datapath::WPrec::Int2;
  if (bits <= 4) return datapath::WPrec::Int4;
  if (bits <= 8) return datapath::WPrec::Int8;
  throw FormatError("weight codes of " + std::to_string(bits) + " bits do not fit the datapath");
}

QTensor quantize_const(const Tensor& t, const QParams& q) {
  QTensor y;
  y.q = q;
  y.shape = t.shape;
  const auto v = t.to_float();
  y.v.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) y.v[i] = quantize_value(v[i], q);
  return y;
}

struct Runner {
  const QuantNet& net;
  Device& dev;
  bool keep;
  std::map<std::string, QTensor> vals;
  std::map<std::string, Tensor> fvals;  // float outputs (Softmax, Sigmoid)
  std::vector<LayerRecord>* recs;

  const QTensor& in(const Node& n, size_t i) {
    if (i >= n.inputs.size()) throw FormatError("node '" + n.name + "' (" + n.tf_op + "): missing input " + std::to_string(i));
    const std::string& name = n.inputs[i];
    auto it = vals.find(name);
    if (it != vals.end()) return it->second;
    auto c = net.graph.consts.find(name);
    if (c != net.graph.consts.end()) {
      return vals.emplace(name, quantize_const(c->second, params_of(net, name))).first->second;
    }
    throw FormatError("node '" + n.name + "' (" + n.tf_op + "): input '" + name + "' has no int8 value (a float-only output used inside the network?)");
  }

  QTensor gemm_layer(const Node& n, LayerRecord& rec) {
    const QTensor& x = in(n, 0);
    const QParams qo = params_of(net, n.name);
    const container::Section* ws = net.find(n.name + "/weights");
    const container::Section* bs = net.find(n.name + "/bias");
    if (!ws || !bs) throw FormatError("network: layer '" + n.name + "' has no weights/bias sections");
    const auto& fs = net.filter_shape.at(n.name);
    GemmJob job;
    job.name = n.name;
    job.rows = static_cast<uint32_t>(ws->shape.at(0));
    job.cols = static_cast<uint32_t>(ws->shape.at(1));
    job.wprec = wprec_of(ws->quant.bits);
    job.weights = ws;
    job.act_zp = x.q.zero_point;
    job.out_zp = qo.zero_point;
    const auto b = act_bounds(act_code(n.act), qo);
    job.out_min = b[0];
    job.out_max = b[1];
    if (bs->payload.size() != 4 * size_t{job.rows}) throw FormatError("section '" + bs->name + "': wrong size");
    job.channels.resize(job.rows);
    for (uint32_t r = 0; r < job.rows; ++r) {
      double sw = ws->quant.channels.size() == job.rows ? ws->quant.channels[r].scale : ws->quant.channels.at(0).scale;
      if (!(sw > 0)) sw = qo.scale / x.q.scale / 256;
      const auto m = requant::quantize_multiplier(x.q.scale * sw / qo.scale);
      std::memcpy(&job.channels[r].bias, bs->payload.data() + 4 * r, 4);
      job.channels[r].multiplier = m.multiplier;
      job.channels[r].shift = m.shift;
    }
    QTensor y;
    y.q = qo;
    std::vector<int8_t> acts;
    size_t npix = 0;
    if (n.op == Op::MatMul) {
      if (x.shape.size() != 2 || x.shape[1] != job.cols)
        throw FormatError("node '" + n.name + "': MatMul input " + shape_string(x.shape) + " does not match K = " + std::to_string(job.cols));
      npix = x.shape[0];
      y.shape = {npix, job.rows};
      y.v = dev.gemm(job, x.v, npix, &rec.stats);
    } else {
      const std::array<int, 2> k{static_cast<int>(fs[0]), static_cast<int>(fs[1])};
      size_t oh = 0, ow = 0;
      if (x.shape.size() != 4 || x.shape[3] != fs[2])
        throw FormatError("node '" + n.name + "': input " + shape_string(x.shape) + " does not match filter " + shape_string(fs));
      if (n.op == Op::Conv2D) {
        acts = im2col(x, k, n.strides, n.dilations, n.pads, &oh, &ow);
      } else {
        job.depthwise = true;
        acts = depthwise_patches(x, k, n.strides, n.dilations, n.pads, static_cast<int>(fs[3]), &oh, &ow);
      }
      npix = x.shape[0] * oh * ow;
      y.shape = {x.shape[0], oh, ow, job.rows};
      y.v = dev.gemm(job, acts, npix, &rec.stats);
    }
    rec.on_device = true;
    rec.macs = uint64_t{job.rows} * job.cols * npix;
    rec.weight_bytes = ws->payload.size();
    return y;
  }

  QTensor reshape(const Node& n, const QTensor& x) {
    QTensor y = x;
    if (n.op == Op::Squeeze) {
      y.shape.clear();
      for (size_t d = 0; d < x.shape.size(); ++d) {
        bool drop = false;
        if (n.axes.empty()) drop = x.shape[d] == 1;
        for (int a : n.axes) {
          const int aa = a < 0 ? a + static_cast<int>(x.shape.size()) : a;
          if (aa == static_cast<int>(d)) drop = true;
        }
        if (drop && x.shape[d] != 1) throw FormatError("node '" + n.name + "': squeezing a dimension of size " + std::to_string(x.shape[d]));
        if (!drop) y.shape.push_back(x.shape[d]);
      }
      return y;
    }
    const size_t total = x.v.size();
    size_t known = 1;
    int unknown = -1;
    y.shape.assign(n.shape.size(), 0);
    for (size_t d = 0; d < n.shape.size(); ++d) {
      if (n.shape[d] < 0) {
        if (unknown >= 0) throw FormatError("node '" + n.name + "': two -1 dims in the Reshape target");
        unknown = static_cast<int>(d);
      } else {
        // A fixed batch of 1 in the target stands for the running batch (one image).
        y.shape[d] = static_cast<size_t>(n.shape[d]);
        known *= y.shape[d];
      }
    }
    if (unknown >= 0) {
      if (known == 0 || total % known) throw FormatError("node '" + n.name + "': cannot reshape " + shape_string(x.shape));
      y.shape[static_cast<size_t>(unknown)] = total / known;
    }
    if (shape_numel(y.shape) != total)
      throw FormatError("node '" + n.name + "': cannot reshape " + shape_string(x.shape) + " to " + shape_string(y.shape));
    return y;
  }

  void node(const Node& n) {
    LayerRecord rec;
    rec.name = n.name;
    rec.op = op_string(n.op);
    QTensor y;
    bool float_out = false;
    switch (n.op) {
      case Op::Input:
        throw FormatError("node '" + n.name + "': an input inside the graph");
      case Op::Conv2D:
      case Op::DepthwiseConv2D:
      case Op::MatMul:
        y = gemm_layer(n, rec);
        break;
      case Op::Pad:
        y = pad(in(n, 0), n.pad_list);
        break;
      case Op::MaxPool:
      case Op::AvgPool: {
        const QTensor& x = in(n, 0);
        const auto b = act_bounds(act_code(n.act), x.q);
        y = n.op == Op::MaxPool ? max_pool(x, n.ksize, n.strides, n.pads, b[0], b[1])
                                : avg_pool(x, n.ksize, n.strides, n.pads, b[0], b[1]);
        break;
      }
      case Op::Mean: {
        const QTensor& x = in(n, 0);
        std::vector<int> ax = n.axes;
        for (int& a : ax)
          if (a < 0) a += static_cast<int>(x.shape.size());
        std::sort(ax.begin(), ax.end());
        if (x.shape.size() != 4 || ax != std::vector<int>{1, 2})
          throw FormatError("node '" + n.name + "': Mean only over H and W of an NHWC tensor");
        y = mean_hw(x, params_of(net, n.name), n.keep_dims);
        break;
      }
      case Op::Add:
      case Op::BiasAdd:
      case Op::Mul: {
        const QTensor& a = in(n, 0);
        const QTensor& b = in(n, 1);
        const QParams qo = params_of(net, n.name);
        const auto bd = act_bounds(act_code(n.act), qo);
        y = n.op == Op::Mul ? mul(a, b, qo, bd[0], bd[1]) : add(a, b, qo, bd[0], bd[1]);
        break;
      }
      case Op::Relu:
      case Op::Relu6: {
        const QParams qo = params_of(net, n.name);
        const auto bd = act_bounds(n.op == Op::Relu ? 1 : 2, qo);
        y = requantize_tensor(in(n, 0), qo, bd[0], bd[1]);
        break;
      }
      case Op::Reshape:
      case Op::Squeeze:
        y = reshape(n, in(n, 0));
        break;
      case Op::Concat: {
        std::vector<const QTensor*> xs;
        for (size_t i = 0; i < n.inputs.size(); ++i) xs.push_back(&in(n, i));
        y = concat(xs, n.axis, params_of(net, n.name));
        break;
      }
      case Op::Softmax: {
        const QTensor& x = in(n, 0);
        if (x.shape.empty()) throw FormatError("node '" + n.name + "': softmax of a scalar");
        const size_t len = x.shape.back();
        std::vector<float> p(x.v.size());
        for (size_t r = 0; r < x.v.size() / len; ++r) {
          LayerStats st;
          const auto q16 = dev.softmax(std::span<const int8_t>(x.v).subspan(r * len, len), x.q.scale, x.q.zero_point, &st);
          for (size_t i = 0; i < len; ++i) p[r * len + i] = static_cast<float>(q16[i] / 65536.0);
          rec.stats.cycles += st.cycles;
          rec.stats.act_bytes_in += st.act_bytes_in;
          rec.stats.out_bytes += st.out_bytes;
        }
        rec.on_device = true;
        fvals[n.name] = Tensor::from_float(n.name, x.shape, p);
        rec.out_shape = x.shape;
        float_out = true;
        break;
      }
      case Op::Sigmoid: {
        const QTensor& x = in(n, 0);
        std::vector<float> p(x.v.size());
        for (size_t i = 0; i < p.size(); ++i) {
          const float v = dequantize_value(x.v[i], x.q);
          p[i] = 1.0f / (1.0f + std::exp(-v));
        }
        fvals[n.name] = Tensor::from_float(n.name, x.shape, p);
        rec.out_shape = x.shape;
        float_out = true;
        break;
      }
    }
    if (!float_out) {
      rec.out_shape = y.shape;
      rec.q = y.q;
      if (keep) rec.out = y.v;
      vals[n.name] = std::move(y);
    }
    recs->push_back(std::move(rec));
  }
};

}  // namespace

Int8Result run_int8(const QuantNet& net, const Tensor& input, Device& dev, bool keep_outputs) {
  const auto& g = net.graph;
  if (g.inputs.size() != 1) throw UsageError("network has " + std::to_string(g.inputs.size()) + " inputs; squish runs single-input graphs");
  if (input.shape.empty()) throw UsageError("input: a scalar is not a batch");
  const size_t N = input.shape[0];
  const size_t per = N ? input.numel() / N : 0;
  const auto xf = input.to_float();
  const QParams qin = params_of(net, g.inputs[0]);
  Int8Result res;
  std::vector<std::vector<float>> outs(g.outputs.size());
  std::vector<std::vector<size_t>> oshape(g.outputs.size());
  for (size_t img = 0; img < N; ++img) {
    Runner R{net, dev, keep_outputs, {}, {}, &res.layers};
    QTensor x;
    x.q = qin;
    x.shape = input.shape;
    x.shape[0] = 1;
    x.v.resize(per);
    for (size_t i = 0; i < per; ++i) x.v[i] = quantize_value(xf[img * per + i], qin);
    {
      LayerRecord rec;
      rec.name = g.inputs[0];
      rec.op = "Input";
      rec.out_shape = x.shape;
      rec.q = qin;
      if (keep_outputs) rec.out = x.v;
      res.layers.push_back(std::move(rec));
    }
    R.vals[g.inputs[0]] = std::move(x);
    for (const Node& n : g.nodes) {
      if (n.op == Op::Input) continue;
      R.node(n);
    }
    for (size_t k = 0; k < g.outputs.size(); ++k) {
      // The value of output k lives at output_nodes[k] when the importer says so.
      const std::string& name = k < g.output_nodes.size() ? g.output_nodes[k] : g.outputs[k];
      std::vector<float> v;
      std::vector<size_t> sh;
      if (auto f = R.fvals.find(name); f != R.fvals.end()) {
        v = f->second.to_float();
        sh = f->second.shape;
      } else if (auto q = R.vals.find(name); q != R.vals.end()) {
        v.resize(q->second.v.size());
        for (size_t i = 0; i < v.size(); ++i) v[i] = dequantize_value(q->second.v[i], q->second.q);
        sh = q->second.shape;
      } else {
        throw FormatError("network output '" + name + "' was not computed");
      }
      if (img == 0) oshape[k] = sh;
      outs[k].insert(outs[k].end(), v.begin(), v.end());
    }
  }
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    // Images ran one at a time with batch 1: [1, ...] becomes [N, ...]; a shape
    // without the batch dim (squeezed away) gets N prepended.
    auto sh = oshape[k];
    if (!sh.empty() && sh[0] == 1) sh[0] = N;
    else sh.insert(sh.begin(), N);
    res.outputs.push_back(Tensor::from_float(g.outputs[k], sh, outs[k]));
  }
  return res;
}

}  // namespace squish::runtime
