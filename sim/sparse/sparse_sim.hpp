// Shared by the sparse decoder's testbench, showcase and benchmark: beat and
// word types, reading a beat off the Verilated decoder, and running payloads
// through it with seeded backpressure.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <vector>

#include <algorithm>
#include <filesystem>
#include <string>

#include "Vsparse_decoder.h"
#include "Vsparse_decoder_wide.h"
#include "squish/error.hpp"
#include "squish/io/tfjs.hpp"
#include "squish/prune/prune.hpp"
#include "squish/quant/quant.hpp"
#include "squish/datapath/datapath.hpp"
#include "squish/sim/stream.hpp"
#include "squish/sparse/bits.hpp"
#include "squish/sparse/nz_stream.hpp"

namespace squish::sim::sparse {

namespace dp = squish::datapath;

struct Word {
  uint32_t data = 0;
  bool last = false;
  bool operator==(const Word&) const = default;
};

/// A nonzero-stream beat as seen on the decoder's ports.
struct Beat {
  uint64_t mask = 0;
  std::array<uint16_t, dp::kSlots> col{};
  std::array<int8_t, dp::kSlots> val{};
  uint32_t row = 0;
  bool row_last = false, last = false;
  bool operator==(const Beat&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Beat& b) {
  os << "{row " << b.row << (b.row_last ? " row_last" : "") << (b.last ? " last" : "") << " mask 0x" << std::hex
     << b.mask << std::dec << " [";
  for (unsigned s = 0; s < dp::kSlots; ++s)
    if ((b.mask >> s) & 1) os << " " << b.col[s] << ":" << int{b.val[s]};
  return os << " ]}";
}

inline Beat from_nz(const dp::NzBeat& n) {
  Beat b;
  b.mask = n.mask;
  for (unsigned s = 0; s < dp::kSlots; ++s) {
    b.col[s] = (n.mask >> s) & 1 ? n.col[s] : 0;
    b.val[s] = (n.mask >> s) & 1 ? n.val[s] : 0;
  }
  b.row = n.row;
  b.row_last = n.row_last;
  b.last = n.last;
  return b;
}

inline std::vector<Beat> expected_beats(const squish::sparse::Encoding& e, dp::WPrec p) {
  std::vector<Beat> v;
  for (const auto& n : squish::sparse::nz_stream(e, p)) v.push_back(from_nz(n));
  return v;
}

template <size_t N>
inline uint32_t wide_bits(const VlWide<N>& w, unsigned lsb, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned b = lsb + i;
    v |= uint64_t{(w[b / 32] >> (b % 32)) & 1u} << i;
  }
  return static_cast<uint32_t>(v);
}

template <class Model>
inline Beat read_beat(const Model& m) {
  Beat b;
  b.mask = m.nz_mask_o;
  for (unsigned s = 0; s < dp::kSlots; ++s) {
    b.col[s] = static_cast<uint16_t>(wide_bits(m.nz_col_o, s * dp::kIdxWidth, dp::kIdxWidth));
    b.val[s] = static_cast<int8_t>(wide_bits(m.nz_val_o, s * 8, 8));
  }
  b.row = m.nz_row_o;
  b.row_last = m.nz_row_last_o;
  b.last = m.nz_last_o;
  return b;
}

inline std::vector<Word> words_of(const std::vector<uint8_t>& payload) {
  std::vector<Word> w;
  for (uint32_t x : squish::sparse::to_words(payload)) w.push_back({x, false});
  if (!w.empty()) w.back().last = true;
  return w;
}

/// Drives words into a decoder and collects its beats.
struct Harness {
  Dut<Vsparse_decoder>& dut;
  StreamDriver<Word> drv;
  StreamSink<Beat> sink;
  Harness(Dut<Vsparse_decoder>& d, Backpressure bp)
      : dut(d),
        drv(d, d.model().in_valid_i, d.model().in_ready_o,
            [&m = d.model()](const Word& w) {
              m.in_data_i = w.data;
              m.in_last_i = w.last;
            },
            bp),
        sink(d, d.model().nz_valid_o, d.model().nz_ready_i, [&m = d.model()] { return read_beat(m); }, bp) {}
};

template <class Model>
inline void set_wprec(Model& m, dp::WPrec p) { m.wprec_i = static_cast<uint8_t>(p); }

// ---- the wide variant: kWideWords payload words per beat, K = kWideK ----------
inline constexpr unsigned kWideWords = 8;  ///< -GInWords of Vsparse_decoder_wide (sim/sparse/block.cmake)
inline constexpr unsigned kWideK = 16;     ///< -GEntriesPerCycle

struct WideWord {
  std::array<uint32_t, kWideWords> w{};
  bool last = false;
  bool operator==(const WideWord&) const = default;
};

/// Groups payload words into beats; the final beat is filled with zero words.
inline std::vector<WideWord> wide_words_of(const std::vector<uint8_t>& payload) {
  const auto words = squish::sparse::to_words(payload);
  std::vector<WideWord> v((words.size() + kWideWords - 1) / kWideWords);
  for (size_t i = 0; i < words.size(); ++i) v[i / kWideWords].w[i % kWideWords] = words[i];
  if (!v.empty()) v.back().last = true;
  return v;
}

struct WideHarness {
  Dut<Vsparse_decoder_wide>& dut;
  StreamDriver<WideWord> drv;
  StreamSink<Beat> sink;
  WideHarness(Dut<Vsparse_decoder_wide>& d, Backpressure bp)
      : dut(d),
        drv(d, d.model().in_valid_i, d.model().in_ready_o,
            [&m = d.model()](const WideWord& w) {
              for (unsigned i = 0; i < kWideWords; ++i) m.in_data_i[i] = w.w[i];
              m.in_last_i = w.last;
            },
            bp),
        sink(d, d.model().nz_valid_o, d.model().nz_ready_i, [&m = d.model()] { return read_beat(m); }, bp) {}
};

/// A real layer as quantized codes: W[out][in] (row-major) and the same codes
/// in the tfjs kernel layout K[in][out] (what CSC is applied to).
struct RealLayer {
  std::string name;
  uint32_t out = 0, in = 0;
  std::vector<int32_t> w, k;
  size_t nnz = 0;
};

/// Loads a 1x1 convolution kernel [1,1,in,out] from a tfjs manifest, prunes it
/// (unstructured `sparsity`, or N:M along the input dimension when nm_n > 0) and
/// quantizes it symmetric per tensor at the precision's bits.
inline RealLayer load_real_layer(const std::string& manifest, const std::string& tensor, dp::WPrec p,
                                 double sparsity, unsigned nm_n = 0, unsigned nm_m = 4) {
  const auto tensors = squish::io::load_tfjs(manifest);
  const auto it = std::find_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == tensor; });
  if (it == tensors.end() || it->shape.size() != 4 || it->shape[0] != 1 || it->shape[1] != 1)
    throw squish::UsageError("no 1x1 kernel '" + tensor + "' in " + manifest);
  const auto kf = it->to_float();
  RealLayer l;
  l.name = tensor;
  l.in = static_cast<uint32_t>(it->shape[2]);
  l.out = static_cast<uint32_t>(it->shape[3]);
  std::vector<float> w(size_t{l.out} * l.in);
  for (size_t i = 0; i < l.in; ++i)
    for (size_t o = 0; o < l.out; ++o) w[o * l.in + i] = kf[i * l.out + o];
  squish::prune::PruneSpec ps;
  ps.method = nm_n ? squish::prune::Method::Nm : squish::prune::Method::Unstructured;
  ps.sparsity = sparsity;
  ps.n = nm_n ? nm_n : 2;
  ps.m = nm_m;
  const std::vector<size_t> shape = {l.out, l.in};
  if (sparsity > 0 || nm_n) squish::prune::prune(w, shape, ps);
  squish::quant::QuantSpec qs;
  qs.bits = static_cast<unsigned>(dp::weight_bits(p));
  l.w = squish::quant::quantize(w, shape, qs).codes;
  l.k.resize(l.w.size());
  for (size_t o = 0; o < l.out; ++o)
    for (size_t i = 0; i < l.in; ++i) l.k[i * l.out + o] = l.w[o * l.in + i];
  l.nnz = static_cast<size_t>(std::count_if(l.w.begin(), l.w.end(), [](int32_t v) { return v != 0; }));
  return l;
}

/// Encodes a real layer in format f (CSC on the kernel layout, the rest on W).
inline squish::sparse::Encoding encode_layer(const RealLayer& l, squish::sparse::Format f, dp::WPrec p,
                                             unsigned nm_n = 2, unsigned nm_m = 4, unsigned rlc_bits = 4) {
  squish::sparse::Params prm;
  prm.value_bits = static_cast<unsigned>(dp::weight_bits(p));
  prm.nm_n = nm_n;
  prm.nm_m = nm_m;
  prm.rlc_run_bits = rlc_bits;
  if (f == squish::sparse::Format::Csc)
    return squish::sparse::encode(f, l.k, std::vector<uint32_t>{l.in, l.out}, prm);
  return squish::sparse::encode(f, l.w, std::vector<uint32_t>{l.out, l.in}, prm);
}

/// One payload through a fresh decoder; cycles from reset release to the
/// last beat, and whether every beat matched the model.
struct Measured {
  uint64_t cycles = 0, words = 0, beats = 0, entries = 0, blocked = 0, starved = 0;
  bool match = false, error = false;
};

/// Runs one payload through a fresh decoder of either port width (Model with
/// its harness type and the function that turns the payload into input beats).
template <class Model, class H, class ToBeats>
Measured measure_with(const char* name, ToBeats to_beats, const squish::sparse::Encoding& e, dp::WPrec p,
                      Backpressure bp, uint64_t seed) {
  DutOptions o;
  o.seed = seed;
  o.name = name;
  Dut<Model> dut(o);
  set_wprec(dut.model(), p);
  dut.reset();
  H h(dut, bp);
  const auto beats_in = to_beats(squish::sparse::serialize(e));
  const auto want = expected_beats(e, p);
  h.drv.push(beats_in.begin(), beats_in.end());
  Measured m;
  m.cycles = dut.run_until([&] { return h.sink.count() >= want.size() || dut->error_o; },
                           200 * (beats_in.size() + want.size()) + 1000, "payload decoded");
  m.words = beats_in.size();
  m.beats = want.size();
  m.entries = dut->cnt_entries_o;
  m.blocked = dut->cnt_blocked_o;
  m.starved = dut->cnt_starved_o;
  m.error = dut->error_o;
  m.match = !m.error && h.sink.beats() == want && !h.sink.protocol_error();
  return m;
}

inline Measured measure(const squish::sparse::Encoding& e, dp::WPrec p, Backpressure bp, uint64_t seed = 1) {
  return measure_with<Vsparse_decoder, Harness>("sparse_decoder", [](const auto& b) { return words_of(b); }, e, p,
                                                bp, seed);
}

inline Measured measure_wide(const squish::sparse::Encoding& e, dp::WPrec p, Backpressure bp, uint64_t seed = 1) {
  return measure_with<Vsparse_decoder_wide, WideHarness>("sparse_decoder_wide",
                                                         [](const auto& b) { return wide_words_of(b); }, e, p, bp,
                                                         seed);
}

inline std::string golden_slice_manifest(const std::string& root) {
  return root + "/golden/models/ssd_mobilenetv1_slice/slice-weights_manifest.json";
}

}  // namespace squish::sim::sparse
