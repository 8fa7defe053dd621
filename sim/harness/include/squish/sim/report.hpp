// squish::sim — the one-line result every showcase prints for `make sim`.
//
//   SHOWCASE <block> | vectors=<n> | cycles=<n> | <PASS|FAIL> | <free text>
//
// scripts/sim.sh collects these lines into the summary table.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace squish::sim {

inline void showcase_line(const std::string& block, uint64_t vectors, uint64_t cycles, bool pass,
                          const std::string& detail = {}) {
  std::printf("SHOWCASE %s | vectors=%llu | cycles=%llu | %s | %s\n", block.c_str(),
              static_cast<unsigned long long>(vectors), static_cast<unsigned long long>(cycles),
              pass ? "PASS" : "FAIL", detail.c_str());
  std::fflush(stdout);
}

}  // namespace squish::sim
