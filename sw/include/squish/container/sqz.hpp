// The .sqz container: a versioned file of per-tensor sections, each with its own
// CRC-32, holding everything a decoder needs (shape, dtype, pruning record,
// quantization parameters incl. per-channel scales and fixed-point multipliers,
// sparse format, entropy coder and its parameters, entry points for parallel
// decode, payload). docs/format.md specifies the bytes.
//
// The reader treats every input as hostile: it never reads outside the buffer,
// and rejects bad magic, unknown major version, truncation, CRC mismatch and
// inconsistent fields with a FormatError naming the section and byte offset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "squish/entropy/codec.hpp"
#include "squish/prune/prune.hpp"
#include "squish/quant/quant.hpp"
#include "squish/sparse/sparse.hpp"
#include "squish/tensor.hpp"

namespace squish::container {

inline constexpr uint8_t kMagic[8] = {0x89, 'S', 'Q', 'Z', '\r', '\n', 0x1a, '\n'};
/// Version written by default (2.0: compact metadata, docs/format.md). Readers
/// take majors 1 and 2 and reject others.
inline constexpr uint16_t kVersionMajor = 2;
inline constexpr uint16_t kVersionMajorV1 = 1;  ///< the first layout, still read and writable
inline constexpr uint16_t kVersionMinor = 0;  ///< readers accept any minor
inline constexpr uint32_t kSectionMagic = 0x43455351;  ///< "QSEC" little-endian
/// Dense coder-none payloads get an entry point every this many symbols
/// (4096 * bits is a whole number of bytes for every width).
inline constexpr uint64_t kEntryInterval = 4096;
/// Largest tensor a reader will materialize (elements); larger is a FormatError.
inline constexpr uint64_t kMaxElements = uint64_t{1} << 28;

/// A place where a decoder can start: symbol `symbol` begins at payload byte `byte`.
struct EntryPoint {
  uint64_t symbol = 0;
  uint64_t byte = 0;
  bool operator==(const EntryPoint&) const = default;
};

struct PruneRecord {
  prune::Method method = prune::Method::None;
  uint8_t n = 0, m = 0;               ///< N:M
  uint8_t block_rows = 0, block_cols = 0;
  uint8_t norm = 0;                   ///< channels: 1 = L1, 2 = L2
  double sparsity = 0;                ///< requested fraction
};

struct Section {
  std::string name;
  DType dtype = DType::F32;           ///< element type of the source tensor
  std::vector<size_t> shape;
  quant::QuantParams quant;           ///< scheme Raw: payload is the source bytes
  PruneRecord prune;
  uint64_t nonzero = 0;               ///< elements whose dequantized value is not 0
  double signal_energy = 0;           ///< sum of x^2 over the original values
  double error_energy = 0;            ///< sum of (x - x^)^2 against the original
  sparse::Format sparse_format = sparse::Format::Dense;
  sparse::Params sparse_params;
  entropy::CoderId coder = entropy::CoderId::None;
  entropy::CoderParams coder_params;
  std::vector<EntryPoint> entries;
  std::vector<uint8_t> payload;

  // Filled by parse(): where the section sits in the file (incl. its CRC).
  uint64_t file_offset = 0;
  uint64_t file_bytes = 0;
};

struct Container {
  uint16_t version_minor = kVersionMinor;
  /// Layout serialize() writes (1 or 2); parse() sets the file's.
  uint16_t version_major = kVersionMajor;
  std::string source;  ///< free text: the input it was made from
  std::vector<Section> sections;
  uint64_t header_bytes = 0;  ///< filled by parse()
};

std::vector<uint8_t> serialize(const Container& c);
/// Bytes of a section in the file that are not its name or payload (section
/// metadata, its CRC and its header-table entry): the container's overhead per
/// tensor in the layout `version_major`.
uint64_t section_metadata_bytes(const Section& s, uint16_t version_major = kVersionMajor);
/// Parses and checks a whole file (magic, version, table, every CRC, every field).
/// check_crc = false skips only the CRC comparisons (fuzzing reaches the field
/// parsers that way); every other check stays.
Container parse(std::span<const uint8_t> bytes, uint64_t max_elements = kMaxElements, bool check_crc = true);

/// Fills payload, entries, sparse/coder parameters of a quantized section from
/// its codes, using s.sparse_format and s.coder as requested; with sparse_auto
/// the smallest of dense packing and every applicable sparse format wins (see
/// docs/format.md for the fall-backs). Requires s.quant and s.shape to be set.
void encode_codes(Section& s, std::span<const int32_t> codes, bool sparse_auto = false);
/// Decodes a quantized section's codes (checks ranges).
std::vector<int32_t> decode_codes(const Section& s, uint64_t max_elements = kMaxElements);
/// The stream of entropy-coder symbols for codes (code & mask, one per weight).
std::vector<uint16_t> symbols_of(const quant::QuantParams& q, std::span<const int32_t> codes);
/// Decodes a section to a tensor: float32 for quantized sections, the source
/// dtype for Raw ones.
Tensor decode_tensor(const Section& s, uint64_t max_elements = kMaxElements);

}  // namespace squish::container
