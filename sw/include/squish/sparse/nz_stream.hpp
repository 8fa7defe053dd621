// Bit-accurate model of the RTL sparse weight decoder (rtl/sparse/
// sparse_decoder.sv): which payloads it accepts, and the nonzero stream
// (docs/datapath.md) it emits for them.
#pragma once

#include <string>
#include <vector>

#include "squish/datapath/datapath.hpp"
#include "squish/sparse/sparse.hpp"

namespace squish::sparse {

/// Why the RTL decoder rejects this (otherwise valid) encoding at its header,
/// or an empty string if it accepts it: formats COO-1D, RLC, bitmap, CSR, CSC,
/// N:M; 2-D; signed values of exactly the precision's bits; output rows <=
/// 2^kRowWidth and columns <= 2^kIdxWidth (CSC: rows = d_1, columns = d_0).
std::string rtl_header_problem(const Encoding& e, datapath::WPrec p);

/// Output rows and columns of the stream (CSC transposes).
Matrix2d nz_stream_shape(const Encoding& e);

/// The nonzero stream the RTL emits: the decoded matrix (its transpose for CSC,
/// whose outer dimension becomes the rows) packed by datapath::pack_dense --
/// zeros dropped (RLC padding and N:M filler included), entries in column order
/// in the lowest slots, full beats first, the row's last beat flagged, one
/// mask-0 beat per empty row. UsageError if rtl_header_problem() is not empty.
std::vector<datapath::NzBeat> nz_stream(const Encoding& e, datapath::WPrec p);

}  // namespace squish::sparse
