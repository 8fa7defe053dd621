// A real layer made ready for the datapath with the golden stack: prune,
// quantize (weights per output channel, symmetric; activations per tensor,
// affine int8), sparse-encode, turn the encoding into the nonzero stream a
// decoder of that format emits, and derive the per-channel requantization.
// Shared by `squish gemv`, the datapath showcase and the bench.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/datapath/datapath.hpp"
#include "squish/prune/prune.hpp"
#include "squish/sparse/sparse.hpp"

namespace squish::datapath {

/// The nonzero stream rtl/sparse/sparse_decoder emits for encoding e
/// (squish::sparse::nz_stream, the decoder's model; COO, which has no RTL
/// decoder, through decode + pack_dense; Dense is the no-skipping baseline,
/// pack_every_weight): per row,
/// the nonzero entries (RLC padding zeros, N:M filler slots and Dense zeros
/// dropped) in column order, packed into the lowest slots; one mask-0 beat per
/// empty row. CSC streams its outer dimension as rows (so a CSC encoding of
/// W^T, in x out, gives W's rows). Codes must fit `p`.
std::vector<NzBeat> stream_from_encoding(const sparse::Encoding& e, WPrec p);

struct LayerSpec {
  prune::PruneSpec prune;                       ///< None, Unstructured or Nm
  int bits = 8;                                 ///< weight bits: 8, 4 or 2
  sparse::Format format = sparse::Format::Bitmap;
  unsigned rlc_run_bits = 4;                    ///< RLC run field
  bool relu = false;
};

struct PreparedLayer {
  size_t rows = 0, cols = 0, vectors = 0;
  WPrec wprec = WPrec::Int8;
  std::vector<int8_t> w_codes;       ///< rows x cols, symmetric codes
  std::vector<double> w_scales;      ///< per row
  std::vector<int8_t> x_codes;       ///< vectors x cols
  double x_scale = 1;
  int32_t x_zp = 0;
  double y_scale = 1;                ///< output quantization (from the float result's range)
  int32_t y_zp = 0;
  std::vector<Channel> channels;     ///< per row: bias 0, multiplier, shift
  sparse::Encoding encoding;         ///< of W (rows x cols), or W^T for CSC
  std::vector<NzBeat> beats;
  size_t nonzeros = 0;
  /// Config for a pass over `batch` vectors.
  Config config(uint32_t batch) const;
};

/// W is rows x cols float (row-major), X is vectors x cols float.
PreparedLayer prepare_layer(std::span<const float> w, size_t rows, size_t cols, std::span<const float> x,
                            size_t vectors, const LayerSpec& spec);

}  // namespace squish::datapath
