// Float32 engine: TensorFlow.js CPU-backend arithmetic, one image at a time.
#include "squish/runtime/float_engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "squish/error.hpp"

namespace squish::runtime {

namespace {

using graph::Act;
using graph::Node;
using graph::Op;

struct FT {
  std::vector<int64_t> shape;
  std::vector<float> v;
};

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string sh(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// y + x*w rounded once to float32 (JavaScript: double arithmetic, stored to a Float32Array).
inline float madd(float y, float x, float w) {
  return static_cast<float>(static_cast<double>(y) + static_cast<double>(x) * static_cast<double>(w));
}

inline float activate(float v, Act a) {
  switch (a) {
    case Act::None: return v;
    case Act::Relu: return v < 0 ? 0.0f : v;
    case Act::Relu6: return v < 0 ? 0.0f : (v > 6 ? 6.0f : v);
  }
  return v;
}

void bias_act(FT& y, const Node& n, const float* bias) {
  const int64_t c = y.shape.back();
  const int64_t m = numel(y.shape) / c;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < c; ++j) {
      float& v = y.v[size_t(i * c + j)];
      if (bias) v = v + bias[j];
      v = activate(v, n.act);
    }
}

FT conv2d(const Node& n, const FT& x, const Tensor& f, const std::vector<float>& w, bool depthwise) {
  const int64_t H = x.shape[1], W = x.shape[2], C = x.shape[3];
  const int64_t KH = int64_t(f.shape[0]), KW = int64_t(f.shape[1]);
  const int64_t M = int64_t(f.shape[3]);
  const int64_t O = depthwise ? C * M : M;
  const int sh_ = n.strides[0], sw = n.strides[1], dh = n.dilations[0], dw = n.dilations[1];
  const int64_t OH = (H + n.pads[0] + n.pads[1] - ((KH - 1) * dh + 1)) / sh_ + 1;
  const int64_t OW = (W + n.pads[2] + n.pads[3] - ((KW - 1) * dw + 1)) / sw + 1;
  FT y{{1, OH, OW, O}, std::vector<float>(size_t(OH * OW * O), 0.0f)};
  for (int64_t oy = 0; oy < OH; ++oy)
    for (int64_t ox = 0; ox < OW; ++ox) {
      float* acc = &y.v[size_t((oy * OW + ox) * O)];
      for (int64_t kh = 0; kh < KH; ++kh) {
        const int64_t iy = oy * sh_ - n.pads[0] + kh * dh;
        if (iy < 0 || iy >= H) continue;
        for (int64_t kw = 0; kw < KW; ++kw) {
          const int64_t ix = ox * sw - n.pads[2] + kw * dw;
          if (ix < 0 || ix >= W) continue;
          const float* xp = &x.v[size_t((iy * W + ix) * C)];
          const float* wp = &w[size_t((kh * KW + kw) * C * M)];
          if (depthwise) {
            for (int64_t c = 0; c < C; ++c)
              for (int64_t q = 0; q < M; ++q) acc[c * M + q] = madd(acc[c * M + q], xp[c], wp[c * M + q]);
          } else {
            for (int64_t c = 0; c < C; ++c) {
              const float xv = xp[c];
              const float* wr = wp + c * M;
              for (int64_t o = 0; o < M; ++o) acc[o] = madd(acc[o], xv, wr[o]);
            }
          }
        }
      }
    }
  return y;
}

FT matmul(const FT& x, const Tensor& wt, const std::vector<float>& w) {
  const int64_t R = x.shape[0], K = x.shape[1], M = int64_t(wt.shape[1]);
  constexpr int64_t kBlock = 48;  // the tfjs CPU backend's blockSize
  FT y{{R, M}, std::vector<float>(size_t(R * M), 0.0f)};
  for (int64_t i = 0; i < R; ++i)
    for (int64_t j = 0; j < M; ++j) {
      float r = 0;
      for (int64_t k0 = 0; k0 < K; k0 += kBlock) {
        double s = 0;
        for (int64_t k = k0; k < std::min(K, k0 + kBlock); ++k)
          s += static_cast<double>(x.v[size_t(i * K + k)]) * static_cast<double>(w[size_t(k * M + j)]);
        r = static_cast<float>(static_cast<double>(r) + s);
      }
      y.v[size_t(i * M + j)] = r;
    }
  return y;
}

// numpy broadcasting of b onto a's shape (out shape given)
template <class F>
FT binary(const FT& a, const FT& b, const std::vector<int64_t>& out, F op) {
  const size_t r = out.size();
  auto strides_for = [&](const std::vector<int64_t>& s) {
    std::vector<int64_t> st(r, 0);
    int64_t acc = 1;
    for (size_t i = 0; i < s.size(); ++i) {
      const size_t d = s.size() - 1 - i;
      const size_t od = r - 1 - i;
      st[od] = s[d] == 1 ? 0 : acc;
      acc *= s[d];
    }
    return st;
  };
  const auto sa = strides_for(a.shape), sb = strides_for(b.shape);
  FT y{out, std::vector<float>(size_t(numel(out)))};
  std::vector<int64_t> idx(r, 0);
  for (size_t i = 0; i < y.v.size(); ++i) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < r; ++d) {
      ia += idx[d] * sa[d];
      ib += idx[d] * sb[d];
    }
    y.v[i] = op(a.v[size_t(ia)], b.v[size_t(ib)]);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return y;
}

FT pool(const Node& n, const FT& x, bool is_max) {
  const int64_t H = x.shape[1], W = x.shape[2], C = x.shape[3];
  const int64_t KH = n.ksize[0], KW = n.ksize[1];
  const int64_t OH = (H + n.pads[0] + n.pads[1] - KH) / n.strides[0] + 1;
  const int64_t OW = (W + n.pads[2] + n.pads[3] - KW) / n.strides[1] + 1;
  FT y{{1, OH, OW, C}, std::vector<float>(size_t(OH * OW * C))};
  for (int64_t oy = 0; oy < OH; ++oy)
    for (int64_t ox = 0; ox < OW; ++ox) {
      const int64_t y0 = oy * n.strides[0] - n.pads[0], x0 = ox * n.strides[1] - n.pads[2];
      const int64_t ya = std::max<int64_t>(0, y0), yb = std::min(H, y0 + KH);
      const int64_t xa = std::max<int64_t>(0, x0), xb = std::min(W, x0 + KW);
      for (int64_t c = 0; c < C; ++c) {
        float mx = -std::numeric_limits<float>::infinity();
        double sum = 0;
        int cnt = 0;
        for (int64_t iy = ya; iy < yb; ++iy)
          for (int64_t ix = xa; ix < xb; ++ix) {
            const float p = x.v[size_t((iy * W + ix) * C + c)];
            if (p > mx) mx = p;
            sum += p;
            ++cnt;
          }
        y.v[size_t((oy * OW + ox) * C + c)] = is_max ? mx : static_cast<float>(sum / cnt);
      }
    }
  return y;
}

FT mean(const Node& n, const FT& x) {
  // tfjs: x / count (float32), then a double sum over the reduced axes in row-major order.
  const size_t r = x.shape.size();
  std::vector<int> kept, red;
  for (size_t d = 0; d < r; ++d)
    (std::find(n.axes.begin(), n.axes.end(), int(d)) != n.axes.end() ? red : kept).push_back(int(d));
  int64_t cnt = 1;
  for (int d : red) cnt *= x.shape[size_t(d)];
  std::vector<int64_t> st(r, 1);
  for (size_t d = r - 1; d-- > 0;) st[d] = st[d + 1] * x.shape[d + 1];
  int64_t nout = 1;
  for (int d : kept) nout *= x.shape[size_t(d)];
  FT y{n.out_shape, std::vector<float>(size_t(nout))};
  const float fc = static_cast<float>(cnt);
  std::vector<int64_t> ko(kept.size(), 0);
  for (int64_t o = 0; o < nout; ++o) {
    int64_t base = 0;
    for (size_t k = 0; k < kept.size(); ++k) base += ko[k] * st[size_t(kept[k])];
    std::vector<int64_t> ri(red.size(), 0);
    double s = 0;
    for (int64_t j = 0; j < cnt; ++j) {
      int64_t off = base;
      for (size_t k = 0; k < red.size(); ++k) off += ri[k] * st[size_t(red[k])];
      s += static_cast<double>(x.v[size_t(off)] / fc);
      for (size_t k = red.size(); k-- > 0;) {
        if (++ri[k] < x.shape[size_t(red[k])]) break;
        ri[k] = 0;
      }
    }
    y.v[size_t(o)] = static_cast<float>(s);
    for (size_t k = kept.size(); k-- > 0;) {
      if (++ko[k] < x.shape[size_t(kept[k])]) break;
      ko[k] = 0;
    }
  }
  return y;
}

FT softmax(const FT& x) {
  FT y = x;
  const int64_t c = x.shape.back();
  const int64_t m = numel(x.shape) / c;
  for (int64_t i = 0; i < m; ++i) {
    float* p = &y.v[size_t(i * c)];
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < c; ++j) mx = std::max(mx, p[j]);
    double s = 0;
    for (int64_t j = 0; j < c; ++j) {
      p[j] = static_cast<float>(std::exp(static_cast<double>(p[j] - mx)));
      s += p[j];
    }
    const float fs = static_cast<float>(s);
    for (int64_t j = 0; j < c; ++j) p[j] = p[j] / fs;
  }
  return y;
}

FT pad(const Node& n, const FT& x) {
  const size_t r = x.shape.size();
  FT y{n.out_shape, std::vector<float>(size_t(numel(n.out_shape)), 0.0f)};
  std::vector<int64_t> st(r, 1);
  for (size_t d = r - 1; d-- > 0;) st[d] = st[d + 1] * y.shape[d + 1];
  std::vector<int64_t> idx(r, 0);
  for (size_t i = 0; i < x.v.size(); ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < r; ++d) off += (idx[d] + n.pad_list[2 * d]) * st[d];
    y.v[size_t(off)] = x.v[i];
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  return y;
}

FT concat(const Node& n, const std::vector<const FT*>& xs) {
  FT y{n.out_shape, {}};
  y.v.reserve(size_t(numel(n.out_shape)));
  int64_t outer = 1;
  for (int d = 0; d < n.axis; ++d) outer *= n.out_shape[size_t(d)];
  for (int64_t o = 0; o < outer; ++o)
    for (const FT* x : xs) {
      const int64_t inner = numel(x->shape) / outer;
      y.v.insert(y.v.end(), x->v.begin() + o * inner, x->v.begin() + (o + 1) * inner);
    }
  return y;
}

class Runner {
 public:
  explicit Runner(const graph::Graph& g) : g_(g) {
    for (const auto& [name, t] : g.consts) {
      FT c;
      for (auto d : t.shape) c.shape.push_back(int64_t(d));
      c.v = t.to_float();
      consts_.emplace(name, std::move(c));
    }
  }

  const FT& get(const std::unordered_map<std::string, FT>& vals, const Node& n, const std::string& name) const {
    auto it = vals.find(name);
    if (it != vals.end()) return it->second;
    auto c = consts_.find(name);
    if (c != consts_.end()) return c->second;
    throw FormatError(g_.source + ": node '" + n.name + "': input '" + name + "' has no value");
  }

  std::unordered_map<std::string, FT> run(const FT& input) const {
    std::unordered_map<std::string, FT> vals;
    for (const Node& n : g_.nodes) {
      FT y;
      auto in = [&](size_t i) -> const FT& { return get(vals, n, n.inputs.at(i)); };
      switch (n.op) {
        case Op::Input: y = input; break;
        case Op::Conv2D:
        case Op::DepthwiseConv2D: {
          const Tensor& f = g_.consts.at(n.inputs[1]);
          y = conv2d(n, in(0), f, consts_.at(n.inputs[1]).v, n.op == Op::DepthwiseConv2D);
          bias_act(y, n, n.has_bias ? consts_.at(n.inputs.back()).v.data() : nullptr);
          break;
        }
        case Op::MatMul: {
          y = matmul(in(0), g_.consts.at(n.inputs[1]), consts_.at(n.inputs[1]).v);
          bias_act(y, n, n.has_bias ? consts_.at(n.inputs.back()).v.data() : nullptr);
          break;
        }
        case Op::BiasAdd:
          y = in(0);
          {
            Node tmp = n;
            tmp.act = Act::None;
            bias_act(y, tmp, in(1).v.data());
          }
          break;
        case Op::Add: y = binary(in(0), in(1), n.out_shape, [](float a, float b) { return a + b; }); break;
        case Op::Mul: y = binary(in(0), in(1), n.out_shape, [](float a, float b) { return a * b; }); break;
        case Op::Relu:
        case Op::Relu6:
          y = in(0);
          for (auto& v : y.v) v = activate(v, n.op == Op::Relu ? Act::Relu : Act::Relu6);
          break;
        case Op::Sigmoid:
          y = in(0);
          for (auto& v : y.v) v = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v))));
          break;
        case Op::Softmax: y = softmax(in(0)); break;
        case Op::Pad: y = pad(n, in(0)); break;
        case Op::MaxPool:
        case Op::AvgPool: y = pool(n, in(0), n.op == Op::MaxPool); break;
        case Op::Mean: y = mean(n, in(0)); break;
        case Op::Reshape:
        case Op::Squeeze:
          y = in(0);
          y.shape = n.out_shape;
          break;
        case Op::Concat: {
          std::vector<const FT*> xs;
          for (size_t i = 0; i < n.inputs.size(); ++i) xs.push_back(&in(i));
          y = concat(n, xs);
          break;
        }
      }
      if (numel(y.shape) != int64_t(y.v.size()) || (n.op != Op::Input && y.shape != n.out_shape))
        throw FormatError(g_.source + ": node '" + n.name + "' produced shape " + sh(y.shape) + ", import inferred " + sh(n.out_shape));
      vals[n.name] = std::move(y);
    }
    return vals;
  }

  const FT* lookup(const std::unordered_map<std::string, FT>& vals, const std::string& name) const {
    auto it = vals.find(name);
    if (it != vals.end()) return &it->second;
    auto c = consts_.find(name);
    return c == consts_.end() ? nullptr : &c->second;
  }

 private:
  const graph::Graph& g_;
  std::unordered_map<std::string, FT> consts_;
};

Tensor stack(const std::string& name, const std::vector<const FT*>& per_image, size_t n) {
  std::vector<size_t> shape{n};
  const FT& f = *per_image[0];
  for (size_t d = 1; d < f.shape.size(); ++d) shape.push_back(size_t(f.shape[d]));
  if (f.shape.empty() || f.shape[0] != 1) {  // a constant: keep its shape, add the batch
    shape = {n};
    for (auto d : f.shape) shape.push_back(size_t(d));
  }
  std::vector<float> v;
  v.reserve(f.v.size() * n);
  for (const FT* p : per_image) v.insert(v.end(), p->v.begin(), p->v.end());
  return Tensor::from_float(name, shape, v);
}

}  // namespace

FloatResult run_float(const graph::Graph& g, const Tensor& input, bool keep_all) {
  if (g.inputs.size() != 1)
    throw UsageError(g.source + ": the float engine runs graphs with one input; this one has " + std::to_string(g.inputs.size()));
  const Node* in = g.find(g.inputs[0]);
  if (!in) throw FormatError(g.source + ": input '" + g.inputs[0] + "' is not a node");
  if (input.dtype != DType::F32 && input.dtype != DType::F16)
    throw FormatError("input '" + input.name + "': dtype " + std::string(dtype_name(input.dtype)) + " (float32 expected)");
  const auto& want = in->out_shape;  // [1, ...]
  bool ok = input.shape.size() == want.size() && !input.shape.empty() && input.shape[0] >= 1;
  for (size_t d = 1; ok && d < want.size(); ++d) ok = int64_t(input.shape[d]) == want[d];
  if (!ok) {
    std::vector<int64_t> w = want;
    w[0] = -1;
    throw FormatError("input '" + input.name + "' has shape " + shape_string(input.shape) + "; the graph's input '" + in->name +
                      "' takes " + sh(w) + " (N first)");
  }
  const size_t N = input.shape[0];
  const std::vector<float> all = input.to_float();
  const size_t per = all.size() / N;
  Runner runner(g);
  std::vector<std::unordered_map<std::string, FT>> results(N);
  for (size_t i = 0; i < N; ++i) {
    FT x{want, std::vector<float>(all.begin() + i * per, all.begin() + (i + 1) * per)};
    auto vals = runner.run(x);
    if (keep_all) {
      results[i] = std::move(vals);
    } else {
      for (const auto& o : g.output_nodes) {
        const FT* p = runner.lookup(vals, o);
        if (p) results[i][o] = *p;
      }
    }
  }
  FloatResult res;
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    std::vector<const FT*> per_image;
    for (size_t i = 0; i < N; ++i) {
      const FT* p = runner.lookup(results[i], g.output_nodes[k]);
      if (!p) throw FormatError(g.source + ": output '" + g.outputs[k] + "' has no value");
      per_image.push_back(p);
    }
    res.outputs.push_back(stack(g.outputs[k], per_image, N));
  }
  if (keep_all) {
    for (const Node& n : g.nodes) {
      std::vector<const FT*> per_image;
      for (size_t i = 0; i < N; ++i) per_image.push_back(&results[i].at(n.name));
      res.values.emplace(n.name, stack(n.name, per_image, N));
    }
    for (const auto& t : res.outputs) res.values.emplace(t.name, t);
  }
  return res;
}

}  // namespace squish::runtime
