// Bit-accurate model of the sparse, mixed-precision datapath. See datapath.hpp
// and docs/datapath.md; the RTL is rtl/mac/mac_datapath.sv.
#include "squish/datapath/datapath.hpp"

#include <algorithm>
#include <limits>

#include "squish/error.hpp"
#include "squish/requant/requant.hpp"

namespace squish::datapath {

int weight_bits(WPrec p) { return p == WPrec::Int8 ? 8 : p == WPrec::Int4 ? 4 : 2; }
int products_per_lane(WPrec p) { return p == WPrec::Int8 ? 1 : p == WPrec::Int4 ? 2 : 4; }
unsigned slots_used(WPrec p) { return kLanes * static_cast<unsigned>(products_per_lane(p)); }
int weight_min(WPrec p) { return -(1 << (weight_bits(p) - 1)); }
int weight_max(WPrec p) { return (1 << (weight_bits(p) - 1)) - 1; }
const char* to_string(WPrec p) { return p == WPrec::Int8 ? "int8" : p == WPrec::Int4 ? "int4" : "int2"; }

WPrec wprec_from_bits(int bits) {
  switch (bits) {
    case 8: return WPrec::Int8;
    case 4: return WPrec::Int4;
    case 2: return WPrec::Int2;
    default: throw UsageError("weight precision must be 8, 4 or 2 bits, got " + std::to_string(bits));
  }
}

namespace {
std::vector<NzBeat> pack(std::span<const int8_t> w, size_t rows, size_t cols, WPrec p, bool keep_zeros);
}  // namespace

std::vector<NzBeat> pack_dense(std::span<const int8_t> w, size_t rows, size_t cols, WPrec p) {
  return pack(w, rows, cols, p, false);
}
std::vector<NzBeat> pack_every_weight(std::span<const int8_t> w, size_t rows, size_t cols, WPrec p) {
  return pack(w, rows, cols, p, true);
}

namespace {
std::vector<NzBeat> pack(std::span<const int8_t> w, size_t rows, size_t cols, WPrec p, bool keep_zeros) {
  if (w.size() != rows * cols)
    throw UsageError("pack_dense: weight buffer holds " + std::to_string(w.size()) + " values, expected " +
                     std::to_string(rows) + "x" + std::to_string(cols));
  if (cols > (size_t{1} << kIdxWidth))
    throw UsageError("pack_dense: " + std::to_string(cols) + " columns exceed the " + std::to_string(kIdxWidth) +
                     "-bit column index");
  if (rows > (size_t{1} << kRowWidth))
    throw UsageError("pack_dense: " + std::to_string(rows) + " rows exceed the " + std::to_string(kRowWidth) +
                     "-bit row index");
  const unsigned slots = slots_used(p);
  std::vector<NzBeat> beats;
  for (size_t r = 0; r < rows; ++r) {
    NzBeat b;
    b.row = static_cast<uint32_t>(r);
    unsigned s = 0;
    for (size_t c = 0; c < cols; ++c) {
      const int8_t v = w[r * cols + c];
      if (v == 0 && !keep_zeros) continue;
      if (v < weight_min(p) || v > weight_max(p))
        throw UsageError("pack_dense: weight " + std::to_string(v) + " at (" + std::to_string(r) + ", " +
                         std::to_string(c) + ") does not fit " + to_string(p));
      if (s == slots) {
        beats.push_back(b);
        b = NzBeat{};
        b.row = static_cast<uint32_t>(r);
        s = 0;
      }
      b.mask |= uint64_t{1} << s;
      b.col[s] = static_cast<uint16_t>(c);
      b.val[s] = v;
      ++s;
    }
    b.row_last = true;
    beats.push_back(b);
  }
  if (!beats.empty()) beats.back().last = true;
  return beats;
}
}  // namespace

namespace {
int32_t wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }
}  // namespace

int32_t requantize(int32_t acc, const Channel& ch, const Config& cfg) {
  return squish::requant::requantize(acc, ch.bias, ch.multiplier, ch.shift, cfg.out_zp, cfg.out_min, cfg.out_max,
                                     cfg.relu);
}

namespace {
void check_config(const Config& cfg) {
  if (cfg.batch < 1 || cfg.batch > kMaxBatch)
    throw UsageError("datapath: batch " + std::to_string(cfg.batch) + " outside 1.." + std::to_string(kMaxBatch));
  if (cfg.act_zp < -128 || cfg.act_zp > 127)
    throw UsageError("datapath: activation zero point " + std::to_string(cfg.act_zp) + " outside -128..127");
  if (cfg.out_zp < -128 || cfg.out_zp > 127)
    throw UsageError("datapath: output zero point " + std::to_string(cfg.out_zp) + " outside -128..127");
  if (cfg.out_min < -128 || cfg.out_max > 127 || cfg.out_min > cfg.out_max)
    throw UsageError("datapath: output clamp [" + std::to_string(cfg.out_min) + ", " + std::to_string(cfg.out_max) +
                     "] is not a sub-range of int8");
}
}  // namespace

Counters predict_counters(std::span<const NzBeat> beats, const Config& cfg) {
  Counters k;
  uint64_t row_nnz = 0;
  for (const auto& b : beats) {
    k.cycles_busy += cfg.batch;
    k.macs_performed += uint64_t{b.entries()} * cfg.batch;
    row_nnz += b.entries();
    if (b.row_last) k.macs_skipped += (row_nnz < cfg.cols ? cfg.cols - row_nnz : 0) * cfg.batch;
    if (b.row_last || b.last) row_nnz = 0;
  }
  return k;
}

RunResult run(std::span<const NzBeat> beats, const Config& cfg, std::span<const int8_t> acts,
              std::span<const Channel> channels) {
  check_config(cfg);
  if (acts.size() != size_t{cfg.batch} * cfg.cols)
    throw UsageError("datapath: " + std::to_string(acts.size()) + " activations given, expected batch " +
                     std::to_string(cfg.batch) + " x " + std::to_string(cfg.cols) + " columns");
  RunResult res;
  auto flag = [&res](size_t i, const std::string& what) {
    if (!res.error) res.error_what = "beat " + std::to_string(i) + ": " + what;
    res.error = true;
  };
  const unsigned used = slots_used(cfg.wprec);
  const int wmin = weight_min(cfg.wprec), wmax = weight_max(cfg.wprec);
  std::array<int32_t, kMaxBatch> acc{};
  for (size_t i = 0; i < beats.size(); ++i) {
    const NzBeat& b = beats[i];
    if (b.last && !b.row_last) flag(i, "nz_last without nz_row_last");
    // Per-beat partial sum, exactly as the PE array forms it (fits 21 bits).
    std::array<int32_t, kMaxBatch> psum{};
    for (unsigned s = 0; s < kSlots; ++s) {
      if (!((b.mask >> s) & 1)) continue;
      if (s >= used) {
        flag(i, "slot " + std::to_string(s) + " set but " + to_string(cfg.wprec) + " uses " + std::to_string(used));
        continue;
      }
      if (b.col[s] >= cfg.cols) {
        flag(i, "slot " + std::to_string(s) + " column " + std::to_string(b.col[s]) + " >= " + std::to_string(cfg.cols));
        continue;
      }
      if (b.val[s] < wmin || b.val[s] > wmax) {
        flag(i, "slot " + std::to_string(s) + " weight " + std::to_string(b.val[s]) + " outside " +
                    to_string(cfg.wprec));
        continue;
      }
      for (unsigned v = 0; v < cfg.batch; ++v)
        psum[v] += int32_t{b.val[s]} * (int32_t{acts[size_t{v} * cfg.cols + b.col[s]]} - cfg.act_zp);
    }
    for (unsigned v = 0; v < cfg.batch; ++v) acc[v] = wrap32(int64_t{acc[v]} + psum[v]);
    if (b.row_last) {
      if (b.row >= channels.size())
        throw UsageError("datapath: row " + std::to_string(b.row) + " has no requantization channel (" +
                         std::to_string(channels.size()) + " given)");
      for (unsigned v = 0; v < cfg.batch; ++v) {
        Output o;
        o.row = b.row;
        o.batch = v;
        o.acc = acc[v];
        o.q = static_cast<int8_t>(requantize(acc[v], channels[b.row], cfg));
        o.last = b.last && v + 1 == cfg.batch;
        res.outputs.push_back(o);
        acc[v] = 0;
      }
    }
  }
  res.counters = predict_counters(beats, cfg);
  return res;
}

std::vector<int64_t> dense_reference(std::span<const int8_t> w, size_t rows, size_t cols,
                                     std::span<const int8_t> acts, size_t batch, int32_t act_zp) {
  if (w.size() != rows * cols || acts.size() != batch * cols)
    throw UsageError("dense_reference: operand sizes do not match " + std::to_string(rows) + "x" +
                     std::to_string(cols) + " and batch " + std::to_string(batch));
  std::vector<int64_t> out(batch * rows, 0);
  for (size_t b = 0; b < batch; ++b)
    for (size_t r = 0; r < rows; ++r) {
      int64_t s = 0;
      for (size_t c = 0; c < cols; ++c) s += int64_t{w[r * cols + c]} * (int64_t{acts[b * cols + c]} - act_zp);
      out[b * rows + r] = s;
    }
  return out;
}

}  // namespace squish::datapath
