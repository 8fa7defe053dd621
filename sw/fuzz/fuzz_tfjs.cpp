// Fuzz target: tfjs manifest JSON + weight decoding. Input layout: 2-byte
// little-endian JSON length, the JSON text, then the bytes every shard returns.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "squish/error.hpp"
#include "squish/io/tfjs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t n = data[0] | (data[1] << 8);
  if (n > size - 2) n = size - 2;
  const std::string_view json(reinterpret_cast<const char*>(data + 2), n);
  const std::vector<uint8_t> shard(data + 2 + n, data + size);
  try {
    (void)squish::io::read_tfjs(json, [&](const std::string&) {
      if (shard.size() > (1u << 20)) throw squish::FormatError("shard too big");
      return shard;
    });
  } catch (const squish::Error&) {
  }
  return 0;
}
