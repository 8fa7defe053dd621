// Sparse encodings of integer tensors of quantized codes: COO, COO-1D, RLC,
// bitmap, CSR, CSC and N:M, plus plain dense packing. Each has an in-memory
// form (Encoding), an exact decode, a serialized bitstream (docs/format.md,
// "Sparse payloads") that the RTL decoders in rtl/sparse/ consume as
// little-endian 32-bit words, and overhead_bits() per the survey's Table XI.
//
// "Zero" is the code 0. Codes are value_bits-bit two's complement (signed) or
// plain binary (unsigned); for asymmetric quantization the caller encodes
// q - zero_point so that pruned weights are code 0.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace squish::sparse {

/// Format ids; the values are part of the serialized header (4 bits).
enum class Format : uint8_t { Dense = 0, Coo = 1, Coo1d = 2, Rlc = 3, Bitmap = 4, Csr = 5, Csc = 6, Nm = 7 };

std::string_view to_string(Format f);
/// "dense", "coo", "coo1d", "rlc", "bitmap", "csr", "csc", "nm"; UsageError otherwise.
Format format_from_string(std::string_view name);
/// Every format, in id order.
std::span<const Format> all_formats();

/// Bitmap payloads interleave masks and values in chunks of this many columns.
inline constexpr unsigned kBitmapChunk = 32;
/// Header words before the body: word 0, entry count, then one word per dim.
inline constexpr unsigned kHeaderFixedWords = 2;
inline constexpr unsigned kMaxDims = 8;
inline constexpr uint32_t kMagic = 0x53;  ///< bits [31:25] of header word 0

struct Params {
  unsigned value_bits = 8;    ///< 1..16 bits per stored value
  bool value_signed = true;   ///< two's complement values
  unsigned rlc_run_bits = 4;  ///< RLC: B, 1..16 bits per zero run
  unsigned nm_n = 2;          ///< N:M: at most N nonzeros ...
  unsigned nm_m = 4;          ///< ... in every group of M along the last dim (1 <= N <= M <= 16)
  bool operator==(const Params&) const = default;
};

/// An encoded tensor. Which arrays are used depends on the format:
///   Dense : values = every element in C order
///   Coo   : index = ndim coordinates per entry (entry-major), values
///   Coo1d : index = flat C-order index per entry, values
///   Rlc   : index = zero run before each entry (B bits), values (0 = padding entry)
///   Bitmap: mask = one 0/1 byte per element (C order), values = the nonzeros in C order
///   Csr   : ptr = indptr (rows + 1), index = column per entry, values   (2-D only)
///   Csc   : ptr = indptr (cols + 1), index = row per entry, values      (2-D only)
///   Nm    : index = position in its group of M per stored slot, values (0 = filler slot)
/// CSR/CSC arrays are exactly scipy.sparse's canonical (sorted, no duplicates) ones.
struct Encoding {
  Format format = Format::Dense;
  std::vector<uint32_t> shape;
  Params params;
  std::vector<uint32_t> ptr;
  std::vector<uint32_t> index;
  std::vector<uint8_t> mask;
  std::vector<int32_t> values;

  uint64_t elements() const;
  /// Stored entries (nonzeros, plus RLC padding zeros and N:M filler slots).
  uint64_t entries() const { return values.size(); }
  /// Nonzero values stored.
  uint64_t nnz() const;
  /// Index/metadata bits, Table XI:
  ///   COO NNZ*sum ceil(log2 d_i), COO-1D NNZ*ceil(log2 prod d_i), RLC NNZ*B (NNZ
  ///   counting stored entries incl. padding), bitmap prod d_i,
  ///   CSR NNZ*ceil(log2 d_1) + (d_0+1)*floor(log2 NNZ + 1),
  ///   CSC NNZ*ceil(log2 d_0) + (d_1+1)*floor(log2 NNZ + 1)  (0 pointer bits when NNZ = 0),
  ///   N:M slots*ceil(log2 M), dense 0.
  uint64_t overhead_bits() const;
  /// entries() * value_bits.
  uint64_t value_bits_total() const { return entries() * params.value_bits; }
  /// Exact size of serialize(): header + body padded to a 32-bit word.
  uint64_t serialized_bytes() const;
  bool operator==(const Encoding&) const = default;
};

/// Rows and columns the formats see: the last dim is the columns, all others
/// are flattened into rows (a 1-D tensor is one row).
struct Matrix2d {
  uint64_t rows, cols;
};
Matrix2d as_matrix(std::span<const uint32_t> shape);

/// Checks shape (1..8 dims, each >= 1, at most 2^31 elements) and params, and
/// that the format supports the shape (CSR/CSC need 2 dims); UsageError otherwise.
void check_params(Format f, std::span<const uint32_t> shape, const Params& p);

/// Encodes C-order codes. UsageError if a code does not fit value_bits, or for
/// N:M if a group holds more than N nonzeros.
Encoding encode(Format f, std::span<const int32_t> codes, std::span<const uint32_t> shape, const Params& p);
/// Exact inverse of encode(); validates the encoding (FormatError on any
/// inconsistency) and refuses tensors above max_elements.
std::vector<int32_t> decode(const Encoding& e, uint64_t max_elements = uint64_t{1} << 28);
/// Validates an Encoding: canonical order, ranges, counts. FormatError naming
/// the entry that is wrong.
void validate(const Encoding& e, uint64_t max_elements = uint64_t{1} << 28);

/// True if every group of M along the last dim holds at most N nonzeros.
bool fits_nm(std::span<const int32_t> codes, std::span<const uint32_t> shape, unsigned n, unsigned m);

/// The bitstream of docs/format.md (size a multiple of 4 bytes).
std::vector<uint8_t> serialize(const Encoding& e);
/// Parses and validates a bitstream; FormatError (with the byte/bit offset) on
/// any malformed, truncated or over-long input. Never reads out of bounds.
Encoding deserialize(std::span<const uint8_t> bytes, uint64_t max_elements = uint64_t{1} << 28);

/// What the header of a serialized payload says, and the exact sizes it
/// implies: a payload is header_bytes + body_bytes long (body_bytes a multiple
/// of 4), known before the body is read. Entropy-coded sparse sections
/// (docs/format.md) use this to know how many body bits the coder carries.
struct Header {
  Format format = Format::Dense;
  Params params;
  uint32_t entries = 0;
  std::vector<uint32_t> shape;
  uint64_t header_bytes = 0;
  uint64_t body_bytes = 0;
};
/// Parses and checks the header words at the start of `bytes` (magic, format,
/// params, shape, entry count against the element count). Reads nothing past
/// the header; FormatError on a malformed or truncated header.
Header read_header(std::span<const uint8_t> bytes, uint64_t max_elements = uint64_t{1} << 28);
/// Body bits (index/metadata plus values, before the padding to a word) of a
/// payload with this format, shape, params and entry count.
uint64_t body_bits(Format f, std::span<const uint32_t> shape, const Params& p, uint64_t entries);

/// Result of the automatic choice.
struct Choice {
  Format format;
  uint64_t bytes;  ///< serialized size of the winner
};
/// Encodes with every applicable format (N:M only if the tensor fits N:M with
/// p.nm_n:p.nm_m; CSR/CSC only for 2-D) and returns the smallest serialized
/// size; ties go to the lower format id.
Choice choose_auto(std::span<const int32_t> codes, std::span<const uint32_t> shape, const Params& p);

}  // namespace squish::sparse
