// Fuzz target: .npy header parsing, and .npz (zip directory + DEFLATE) parsing.
#include <cstddef>
#include <cstdint>

#include "squish/error.hpp"
#include "squish/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)squish::io::read_npy({data, size}, "fuzz");
  } catch (const squish::Error&) {
  }
  try {
    (void)squish::io::read_npz({data, size});
  } catch (const squish::Error&) {
  }
  return 0;
}
