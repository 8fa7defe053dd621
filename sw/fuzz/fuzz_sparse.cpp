// Fuzz target for the sparse payload deserializer: any input either parses
// into a valid Encoding (which must then decode, re-serialize to the same
// bytes, and re-encode to the same Encoding) or throws FormatError. Anything
// else — a crash, an out-of-bounds read under ASan, another exception — is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "squish/error.hpp"
#include "squish/sparse/sparse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace squish::sparse;
  const std::span<const uint8_t> in(data, size);
  Encoding e;
  try {
    e = deserialize(in, 1 << 16);
  } catch (const squish::FormatError&) {
    return 0;
  }
  const auto dense = decode(e, 1 << 16);  // must not throw: deserialize validated it
  if (serialize(e) != std::vector<uint8_t>(in.begin(), in.end())) std::abort();  // canonical bitstreams only
  const Encoding again = encode(e.format, dense, e.shape, e.params);
  if (!(again == e)) std::abort();
  return 0;
}
