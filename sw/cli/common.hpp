// Pieces every squish command shares: the input/output guard, resource limits,
// the finiteness checks, progress on a terminal, and --json output.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "args.hpp"
#include "squish/container/sqz.hpp"
#include "squish/error.hpp"
#include "squish/json.hpp"
#include "squish/tensor.hpp"

namespace squish::cli {

/// Default cap on the elements a command decodes or loads from one input,
/// summed over its tensors (2^27 = 134 217 728; float32: 512 MiB);
/// --max-elements raises or lowers it.
inline constexpr uint64_t kDefaultMaxElements = uint64_t{1} << 27;
/// A .sqz may decode to at most this many elements per byte of file (besides
/// the cap above): 1024 per byte is 0.008 bits per weight, far below what any
/// coder reaches on real weights, and stops a 600-byte file from claiming 2^28.
inline constexpr uint64_t kMaxElementsPerByte = 1024;
/// ...with this floor, so small files with small tensors are never refused.
inline constexpr uint64_t kMinElementCap = uint64_t{1} << 20;

/// Adds --max-elements N (1..2^40) to a parser.
void add_max_elements(ArgParser& p, uint64_t* max_elements);

/// Refuses (UsageError) an output that is one of the inputs (io::check_output_not_input).
void guard_output(const std::string& out, const std::vector<std::string>& inputs);

/// Throws FormatError naming `file`, the tensor and the first index whose value
/// is NaN or infinite (float tensors only), unless `allow` (then it returns the
/// count of such values).
size_t check_finite(const Tensor& t, const std::string& file, bool allow);
size_t check_finite(std::span<const float> v, const std::string& file, const std::string& tensor, bool allow);

/// Checks a parsed container's declared sizes before anything is decoded:
/// total elements against max_elements and against kMaxElementsPerByte × file
/// size; every scale, offset, codebook entry and energy finite. FormatError
/// naming the file, section, tensor and byte offset.
void check_container(const container::Container& c, const std::string& file, uint64_t file_bytes, uint64_t max_elements);

/// Sum of the elements of tensors; FormatError naming `file` when over `max_elements`.
void check_total_elements(const std::vector<Tensor>& ts, const std::string& file, uint64_t max_elements);

/// Progress on stderr: only when stderr is a terminal and not --quiet.
class Progress {
 public:
  explicit Progress(bool quiet);
  bool on() const { return on_; }
  void step(size_t i, size_t n, const std::string& what) const;
  void done() const;

 private:
  bool on_;
};

/// Runs f(); a FormatError whose message does not start with `file` is
/// rethrown with "file: " in front, so every error names its file.
template <class F>
auto naming_file(const std::string& file, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const FormatError& e) {
    const std::string m = e.what();
    if (m.rfind(file, 0) == 0) throw;
    throw FormatError(file + ": " + m);
  }
}

/// Prints a JSON value on stdout (the --json output of every command).
void print_json(const json::Value& v);

}  // namespace squish::cli
