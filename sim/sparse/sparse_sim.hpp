// Shared by the sparse decoder's testbench, showcase and benchmark: beat and
// word types, reading a beat off the Verilated decoder, and running payloads
// through it with seeded backpressure.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <vector>

#include "Vsparse_decoder.h"
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

inline Beat read_beat(const Vsparse_decoder& m) {
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

inline void set_wprec(Vsparse_decoder& m, dp::WPrec p) { m.wprec_i = static_cast<uint8_t>(p); }

}  // namespace squish::sim::sparse
