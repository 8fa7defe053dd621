// Fuzz target: the .sqz reader and every section decoder (dense packing, sparse
// payloads, entropy coders, dequantization) on hostile bytes.
#include <cstddef>
#include <cstdint>

#include "squish/container/sqz.hpp"
#include "squish/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // With CRC checks (the real reader), then without them so that mutated
  // fields reach the section parsers and decoders instead of stopping at a CRC.
  for (bool crc : {true, false}) {
    try {
      const auto c = squish::container::parse({data, size}, uint64_t{1} << 20, crc);
      for (const auto& s : c.sections) {
        try {
          (void)squish::container::decode_tensor(s, uint64_t{1} << 20);
        } catch (const squish::Error&) {
        }
      }
    } catch (const squish::Error&) {
    }
  }
  return 0;
}
