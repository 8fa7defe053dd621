#include "squish/container/compress.hpp"

#include <cmath>

#include "squish/error.hpp"
#include "squish/quant/mixed.hpp"
#include "squish/stats/stats.hpp"

namespace squish::container {

namespace {

enum class Role { Raw, Small, Lossless, Weight };

Role role_of(const Tensor& t, const CompressOptions& o) {
  if (!dtype_is_float(t.dtype)) return Role::Raw;
  for (const auto& k : o.keep_float)
    if (!k.empty() && t.name.find(k) != std::string::npos) return Role::Raw;
  if (o.lossless && !(t.tfjs && t.tfjs->code_bits == 8)) return Role::Raw;
  if (t.shape.size() < 2) return Role::Small;
  const bool plain8 = o.quant.scheme == quant::Scheme::Affine && o.quant.bits == 8 && !o.per_channel &&
                      o.prune.method == prune::Method::None && o.bit_budget <= 0;
  if (plain8 && !o.requantize_tfjs && t.tfjs && t.tfjs->code_bits == 8) return Role::Lossless;
  return Role::Weight;
}

int axis_for(const Tensor& t, const CompressOptions& o) {
  if (t.shape.size() < 2) return -1;
  const int a = o.channel_axis >= 0 ? o.channel_axis : (o.channels_last ? static_cast<int>(t.shape.size()) - 1 : 0);
  if (a >= static_cast<int>(t.shape.size())) throw UsageError("channel axis " + std::to_string(a) + " out of range for '" + t.name + "' " + shape_string(t.shape));
  return a;
}

quant::QuantSpec spec_for(const Tensor& t, const CompressOptions& o, unsigned bits) {
  quant::QuantSpec s = o.quant;
  s.bits = bits;
  if (s.scheme == quant::Scheme::Codebook && o.bit_budget > 0) s.kmeans_k = 1u << bits;
  s.channel_axis = o.per_channel ? axis_for(t, o) : -1;
  s.kmeans_keep_zero = o.prune.method != prune::Method::None;
  return s;
}

}  // namespace

CompressResult compress(std::span<const Tensor> tensors, const CompressOptions& o) {
  prune::check(o.prune);
  if (o.bit_budget > 0 && !(o.bit_budget >= o.min_bits && o.bit_budget <= o.max_bits))
    throw UsageError("bit budget " + std::to_string(o.bit_budget) + " outside [" + std::to_string(o.min_bits) + ", " + std::to_string(o.max_bits) + "]");
  if (o.bit_budget > 0 && o.quant.scheme == quant::Scheme::Raw) throw UsageError("a bit budget needs a quantizer");
  if (o.lossless && (o.prune.method != prune::Method::None || o.bit_budget > 0 || o.per_channel || o.requantize_tfjs ||
                     o.quant.scheme != quant::Scheme::Affine || o.quant.bits != 8))
    throw UsageError("lossless mode excludes pruning, --bits other than 8, bit budgets, per-channel, --requantize and non-uniform quantizers");
  CompressResult res;
  res.container.source = o.source;
  const size_t nt = tensors.size();
  std::vector<Role> roles(nt);
  std::vector<std::vector<float>> orig(nt), work(nt);
  for (size_t i = 0; i < nt; ++i) {
    tensors[i].validate();
    roles[i] = role_of(tensors[i], o);
    if (roles[i] != Role::Raw) {
      orig[i] = tensors[i].to_float();
      work[i] = orig[i];
    }
  }
  // Pruning (weights only).
  std::vector<size_t> kept(nt, 0);
  if (o.prune.method == prune::Method::Global) {
    std::vector<std::span<float>> spans;
    for (size_t i = 0; i < nt; ++i)
      if (roles[i] == Role::Weight) spans.emplace_back(work[i]);
    prune::prune_global(spans, o.prune.sparsity);
  } else if (o.prune.method != prune::Method::None) {
    for (size_t i = 0; i < nt; ++i)
      if (roles[i] == Role::Weight) {
        prune::PruneSpec ps = o.prune;
        if (ps.method == prune::Method::Channels) ps.channel_axis = axis_for(tensors[i], o);
        prune::prune(work[i], tensors[i].shape, ps);
      }
  }
  for (size_t i = 0; i < nt; ++i) kept[i] = roles[i] == Role::Raw ? tensors[i].numel() : prune::count_nonzero(work[i]);

  // Bits per weight tensor: fixed, or a rate-distortion allocation.
  std::vector<unsigned> bits(nt, o.quant.bits);
  if (o.bit_budget > 0) {
    std::vector<quant::RdTensor> rd;
    std::vector<size_t> idx;
    for (size_t i = 0; i < nt; ++i) {
      if (roles[i] != Role::Weight) continue;
      quant::RdTensor r;
      r.weights = tensors[i].numel();
      for (unsigned b = o.min_bits; b <= o.max_bits; ++b) {
        if (o.progress) o.progress(i, nt, "rate-distortion " + tensors[i].name + " @" + std::to_string(b) + "b");
        const auto q = quant::quantize(work[i], tensors[i].shape, spec_for(tensors[i], o, b));
        const auto x = quant::dequantize(q.params, q.codes, tensors[i].shape);
        const double e = stats::error_energy(orig[i], x);
        const double sig = stats::energy(orig[i]);
        r.error.push_back(o.mp_relative ? (sig > 0 ? e / sig : 0.0) : e);
      }
      rd.push_back(std::move(r));
      idx.push_back(i);
    }
    const auto a = quant::allocate_bits(rd, o.min_bits, o.bit_budget);
    for (size_t k = 0; k < idx.size(); ++k) bits[idx[k]] = a.bits[k];
    res.mp_avg_bits = a.avg_bits;
    res.mp_budget_met = a.budget_met;
  }

  for (size_t i = 0; i < nt; ++i) {
    const Tensor& t = tensors[i];
    if (o.progress) o.progress(i, nt, t.name);
    Section s;
    s.name = t.name;
    s.dtype = t.dtype;
    s.shape = t.shape;
    s.coder = o.coder;
    s.coder_params = o.coder_params;
    s.sparse_format = o.sparse_format;
    s.sparse_params.rlc_run_bits = o.rlc_run_bits;
    s.sparse_params.nm_n = o.prune.method == prune::Method::Nm ? static_cast<uint8_t>(o.prune.n) : 2;
    s.sparse_params.nm_m = o.prune.method == prune::Method::Nm ? static_cast<uint8_t>(o.prune.m) : 4;
    TensorReport rep;
    rep.name = t.name;
    rep.numel = t.numel();
    rep.kept = kept[i];
    std::vector<float> expected;
    if (roles[i] == Role::Raw) {
      s.quant.scheme = quant::Scheme::Raw;
      s.quant.bits = static_cast<unsigned>(8 * dtype_size(t.dtype));
      s.quant.channels.resize(1);
      s.coder = entropy::CoderId::None;
      s.sparse_format = sparse::Format::Dense;
      s.payload = t.data;
      const auto f = t.to_float();
      s.signal_energy = stats::energy(f);
      s.nonzero = prune::count_nonzero(f);
      rep.role = "raw";
      rep.bits = s.quant.bits;
    } else {
      quant::Quantized q;
      if (roles[i] == Role::Lossless || (roles[i] == Role::Small && t.tfjs && t.tfjs->code_bits == 8 && !o.requantize_tfjs)) {
        q = quant::from_tfjs(t.tfjs->codes, 8, t.tfjs->scale, t.tfjs->min);
        rep.role = roles[i] == Role::Small ? "small" : "lossless";
      } else if (roles[i] == Role::Small) {
        quant::QuantSpec sp;
        sp.scheme = quant::Scheme::Affine;
        sp.bits = 8;
        sp.rounding = o.quant.rounding;
        sp.symmetric = o.quant.scheme == quant::Scheme::Affine ? o.quant.symmetric : true;
        sp.is_signed = o.quant.scheme == quant::Scheme::Affine ? o.quant.is_signed : true;
        sp.narrow = o.quant.narrow;
        q = quant::quantize(work[i], t.shape, sp);
        rep.role = "small";
      } else {
        q = quant::quantize(work[i], t.shape, spec_for(t, o, bits[i]));
        rep.role = "weight";
      }
      s.quant = q.params;
      if (roles[i] == Role::Weight) {
        s.prune.method = o.prune.method;
        s.prune.sparsity = o.prune.sparsity;
        s.prune.n = static_cast<uint8_t>(o.prune.n);
        s.prune.m = static_cast<uint8_t>(o.prune.m);
        s.prune.block_rows = static_cast<uint8_t>(std::min(o.prune.block_rows, 255u));
        s.prune.block_cols = static_cast<uint8_t>(std::min(o.prune.block_cols, 255u));
        s.prune.norm = static_cast<uint8_t>(o.prune.norm);
        if (o.prune.method == prune::Method::None) s.prune = PruneRecord{};
      }
      expected = quant::dequantize(q.params, q.codes, t.shape);
      s.signal_energy = stats::energy(orig[i]);
      s.error_energy = stats::error_energy(orig[i], expected);
      s.nonzero = prune::count_nonzero(expected);
      if (q.params.bits > 8) {  // 16-bit tfjs codes kept as they are: packed dense only
        s.coder = entropy::CoderId::None;
        s.sparse_format = sparse::Format::Dense;
      }
      encode_codes(s, q.codes, o.sparse_auto);
      rep.bits = q.params.bits;
    }
    res.container.sections.push_back(std::move(s));
    res.tensors.push_back(std::move(rep));
    res.expected.push_back(std::move(expected));
  }
  return res;
}

}  // namespace squish::container
