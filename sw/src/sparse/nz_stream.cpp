#include "squish/sparse/nz_stream.hpp"

#include "squish/error.hpp"

namespace squish::sparse {

std::string rtl_header_problem(const Encoding& e, datapath::WPrec p) {
  switch (e.format) {
    case Format::Coo1d:
    case Format::Rlc:
    case Format::Bitmap:
    case Format::Csr:
    case Format::Csc:
    case Format::Nm: break;
    default: return "format " + std::string(to_string(e.format)) + " has no RTL decoder";
  }
  if (e.shape.size() != 2) return "the RTL decodes 2-D matrices only";
  if (!e.params.value_signed) return "the RTL needs signed values";
  if (static_cast<int>(e.params.value_bits) != datapath::weight_bits(p))
    return std::to_string(e.params.value_bits) + "-bit values at " + datapath::to_string(p) + " precision";
  const auto m = nz_stream_shape(e);
  if (m.rows > (uint64_t{1} << datapath::kRowWidth)) return std::to_string(m.rows) + " rows exceed the row index";
  if (m.cols > (uint64_t{1} << datapath::kIdxWidth)) return std::to_string(m.cols) + " columns exceed the column index";
  return {};
}

Matrix2d nz_stream_shape(const Encoding& e) {
  if (e.shape.size() != 2) return as_matrix(e.shape);
  return e.format == Format::Csc ? Matrix2d{e.shape[1], e.shape[0]} : Matrix2d{e.shape[0], e.shape[1]};
}

std::vector<datapath::NzBeat> nz_stream(const Encoding& e, datapath::WPrec p) {
  if (auto why = rtl_header_problem(e, p); !why.empty()) throw UsageError("nz_stream: " + why);
  const auto dense = decode(e);
  const auto m = nz_stream_shape(e);
  std::vector<int8_t> w(dense.size());
  for (uint64_t r = 0; r < m.rows; ++r)
    for (uint64_t c = 0; c < m.cols; ++c)
      w[r * m.cols + c] = static_cast<int8_t>(e.format == Format::Csc ? dense[c * m.rows + r] : dense[r * m.cols + c]);
  return datapath::pack_dense(w, m.rows, m.cols, p);
}

}  // namespace squish::sparse
