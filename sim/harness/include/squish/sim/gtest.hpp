// squish::sim — GoogleTest glue: per-test seeds, trace/coverage file names, and
// running one testbench at several backpressure levels.
//
//   SQUISH_SEED=<n>     use this seed instead of one derived from the test name
//   SQUISH_TRACE=1      write build/waves/<Suite>.<Test>.fst (SQUISH_WAVES_DIR)
//   SQUISH_COVERAGE_DIR write Verilator coverage of passing tests there
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::sim {

/// "Suite.Test" or "Prefix/Suite.Test/param", made file-name safe.
inline std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string n = info ? std::string(info->test_suite_name()) + "." + info->name() : "no_test";
  for (char& c : n)
    if (c == '/') c = '_';
  return n;
}

/// The seed of the current test: SQUISH_SEED if set, else FNV-1a of its name,
/// so every test has its own stable seed and reruns reproduce it.
inline uint64_t test_seed() {
  if (const char* s = std::getenv("SQUISH_SEED"); s && *s) return std::strtoull(s, nullptr, 0);
  uint64_t h = 1469598103934665603ull;
  for (char c : current_test_name()) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

/// DutOptions for the current test: seed, watchdog, trace and coverage paths.
inline DutOptions test_options(uint64_t max_cycles = 10'000'000) {
  DutOptions o;
  o.seed = test_seed();
  o.max_cycles = max_cycles;
  o.name = current_test_name();
  const char* out = std::getenv("SQUISH_OUT");
  const std::string base = out && *out ? out : ".";
  if (const char* t = std::getenv("SQUISH_TRACE"); t && std::string(t) == "1") {
    const char* wd = std::getenv("SQUISH_WAVES_DIR");
    o.trace_path = (wd && *wd ? std::string(wd) : base + "/waves") + "/" + o.name + ".fst";
  }
  if (const char* c = std::getenv("SQUISH_COVERAGE_DIR"); c && *c) o.coverage_path = std::string(c) + "/" + o.name + ".dat";
  return o;
}

/// A Dut for a GoogleTest test: prints the seed with every failure, and
/// writes coverage only if the test passed.
template <class Model>
class TestDut : public Dut<Model> {
 public:
  explicit TestDut(uint64_t max_cycles = 10'000'000)
      : Dut<Model>(test_options(max_cycles)),
        seed_trace_(__FILE__, __LINE__,
                    "seed " + std::to_string(this->options().seed) + " (rerun with SQUISH_SEED=" +
                        std::to_string(this->options().seed) + ")") {}
  ~TestDut() {
    if (!::testing::Test::HasFailure()) this->write_coverage();
  }

 private:
  ::testing::ScopedTrace seed_trace_;
};

/// Fixture base for testbenches run at every backpressure level:
///   class FifoTest : public squish::sim::BackpressureTest {};
///   TEST_P(FifoTest, NoLoss) { auto bp = GetParam(); ... }
///   SQUISH_BACKPRESSURE_SUITE(FifoTest);
class BackpressureTest : public ::testing::TestWithParam<Backpressure> {};

}  // namespace squish::sim

#define SQUISH_BACKPRESSURE_SUITE(Suite)                                                                     \
  INSTANTIATE_TEST_SUITE_P(Bp, Suite,                                                                        \
                           ::testing::Values(::squish::sim::Backpressure::None,                              \
                                             ::squish::sim::Backpressure::Light,                             \
                                             ::squish::sim::Backpressure::Heavy),                            \
                           [](const ::testing::TestParamInfo<::squish::sim::Backpressure>& i) {              \
                             return std::string(::squish::sim::to_string(i.param));                          \
                           })

/// Fails the test with the scoreboard's first mismatch, and the sink's protocol error.
#define SQUISH_EXPECT_STREAM_OK(sink, sb)                                                  \
  do {                                                                                     \
    EXPECT_FALSE((sink).protocol_error().has_value()) << *(sink).protocol_error();         \
    EXPECT_TRUE((sb).ok()) << (sb).report();                                               \
  } while (0)
