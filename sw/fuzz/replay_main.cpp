// Replay driver for fuzz targets when libFuzzer is not in use (g++ builds):
//   fuzz_<name>_replay <corpus-dir> <n-random>
// Runs LLVMFuzzerTestOneInput on every corpus file, then on n deterministic
// inputs: random bytes, and corpus files with random bit flips, truncations and
// splices. A crash, sanitizer report or uncaught exception fails the run.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<std::vector<uint8_t>> corpus;
  if (argc > 1 && fs::is_directory(argv[1])) {
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(argv[1]))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (auto& p : files) {
      std::ifstream f(p, std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
  }
  const long n = argc > 2 ? std::atol(argv[2]) : 10000;
  for (auto& c : corpus) LLVMFuzzerTestOneInput(c.data(), c.size());
  std::mt19937_64 rng(12345);
  for (long i = 0; i < n; ++i) {
    std::vector<uint8_t> buf;
    if (corpus.empty() || rng() % 4 == 0) {
      buf.resize(rng() % 512);
      for (auto& b : buf) b = static_cast<uint8_t>(rng());
    } else {
      buf = corpus[rng() % corpus.size()];
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits && !buf.empty(); ++e) {
        switch (rng() % 4) {
          case 0: buf[rng() % buf.size()] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
          case 1: buf.resize(rng() % buf.size()); break;
          case 2: buf[rng() % buf.size()] = static_cast<uint8_t>(rng()); break;
          case 3: {
            auto& o = corpus[rng() % corpus.size()];
            if (!o.empty()) buf.insert(buf.begin() + static_cast<long>(rng() % (buf.size() + 1)), o.begin(),
                                       o.begin() + static_cast<long>(rng() % o.size()));
            break;
          }
        }
      }
    }
    LLVMFuzzerTestOneInput(buf.data(), buf.size());
  }
  std::printf("fuzz replay: %zu corpus files + %ld generated inputs, no crash\n", corpus.size(), n);
  return 0;
}
