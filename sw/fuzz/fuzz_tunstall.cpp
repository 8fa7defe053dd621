// Fuzz target for the tunstall decoder (body shared with the other entropy decoders,
// see entropy_fuzz.hpp).
#include "entropy_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return squish::fuzz::fuzz_entropy_decoder(squish::entropy::CoderId::Tunstall, data, size);
}
