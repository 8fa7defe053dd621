// Per-tensor and total figures of a parsed .sqz (what `squish info` prints).
#pragma once

#include <string>
#include <vector>

#include "squish/container/sqz.hpp"
#include "squish/json.hpp"

namespace squish::container {

struct SectionFigures {
  std::string name;
  std::vector<size_t> shape;
  std::string scheme;        ///< raw, affine, tfjs-affine, kmeans, pot, apot
  unsigned bits = 0;
  uint64_t elements = 0;
  double density = 0;        ///< nonzero dequantized values / elements
  std::string sparse_format;
  std::string coder;
  uint64_t payload_bytes = 0;
  uint64_t section_bytes = 0;  ///< everything of the section incl. its CRC
  double bits_per_weight = 0;  ///< section_bytes * 8 / elements
  double entropy = 0;          ///< order-0 entropy of the coded symbols (bits/symbol; NaN for raw)
  double mse = 0;
  double sqnr_db = 0;
  double signal_energy = 0, error_energy = 0;
  uint64_t nonzero = 0;
};

struct Figures {
  std::vector<SectionFigures> sections;
  uint64_t file_bytes = 0, elements = 0, payload_bytes = 0, nonzero = 0;
  double bits_per_weight = 0;  ///< file_bytes * 8 / elements (headers, tables, CRCs included)
  double compression_ratio = 0;  ///< 4 * elements / file_bytes (against float32)
  double density = 0, entropy = 0, mse = 0, sqnr_db = 0;
};

/// Computes the figures (decodes every quantized section for its entropy).
Figures figures(const Container& c, uint64_t file_bytes);
json::Value to_json(const Figures& f, const std::string& file);

}  // namespace squish::container
