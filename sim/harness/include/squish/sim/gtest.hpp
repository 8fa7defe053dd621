// squish::sim — GoogleTest glue: per-test seeds, trace/coverage file names, and
// running one testbench at several backpressure levels.
//
//   SQUISH_SEED=<n>      use this seed for every test (replays one failure)
//   SQUISH_RUN_SEED=<n>  fresh seeds: each test's seed is its fixed seed mixed
//                        with n (`make test` draws n at random for a second,
//                        fresh-seed pass of the RTL suites and prints it)
//   SQUISH_TRACE=1       write build/waves/<Suite>.<Test>.fst (SQUISH_WAVES_DIR)
//   SQUISH_COVERAGE_DIR  write Verilator coverage of passing tests there
//
// A failing test prints the one command that replays it:
//   REPLAY: SQUISH_SEED=<seed> <testbench> --gtest_filter=<Suite.Test>
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "squish/sim/dut.hpp"
#include "squish/sim/stream.hpp"

namespace squish::sim {

/// "Suite.Test" or "Prefix/Suite.Test/param", made file-name safe.
inline std::string test_name_of(const ::testing::TestInfo* info) {
  std::string n = info ? std::string(info->test_suite_name()) + "." + info->name() : "no_test";
  for (char& c : n)
    if (c == '/') c = '_';
  return n;
}
inline std::string current_test_name() { return test_name_of(::testing::UnitTest::GetInstance()->current_test_info()); }

/// The fixed seed of a test: FNV-1a of its name, so every test has its own
/// stable seed (the regression seed every run keeps).
inline uint64_t fixed_seed_of(const std::string& name) {
  uint64_t h = 1469598103934665603ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

/// The seed of a test: SQUISH_SEED if set; else the fixed seed, mixed with
/// SQUISH_RUN_SEED when that is set (a fresh seed per run).
inline uint64_t seed_of(const std::string& name) {
  if (const char* s = std::getenv("SQUISH_SEED"); s && *s) return std::strtoull(s, nullptr, 0);
  uint64_t h = fixed_seed_of(name);
  if (const char* r = std::getenv("SQUISH_RUN_SEED"); r && *r) {
    uint64_t z = h + std::strtoull(r, nullptr, 0) * 0x9e3779b97f4a7c15ull;  // splitmix64 finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    h = z ^ (z >> 31);
  }
  return h;
}
inline uint64_t test_seed() { return seed_of(current_test_name()); }

/// Prints, once per failing test, the command that replays it. (Works from
/// the TestInfo given at the start: gtest holds its lock while reporting a
/// failure, so current_test_info() must not be called from OnTestPartResult.)
class ReplayPrinter : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& info) override {
    printed_ = false;
    filter_ = std::string(info.test_suite_name()) + "." + info.name();
    seed_ = seed_of(test_name_of(&info));
  }
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (!r.failed() || printed_) return;
    printed_ = true;
    char exe[4096] = {0};
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    std::printf("REPLAY: SQUISH_SEED=%llu %s --gtest_filter='%s'\n", static_cast<unsigned long long>(seed_),
                n > 0 ? exe : "<testbench>", filter_.c_str());
    std::fflush(stdout);
  }

 private:
  bool printed_ = false;
  std::string filter_;
  uint64_t seed_ = 0;
};

/// Registered once per testbench, before RUN_ALL_TESTS (static initialisation);
/// coverage is only written by Duts of tests that have not failed.
inline const bool kReplayPrinterRegistered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new ReplayPrinter);
  coverage_gate() = [] { return !::testing::Test::HasFailure(); };
  return true;
}();

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
