// squish::sim — the clocked-DUT wrapper every testbench and RTL engine uses.
//
// One VerilatedContext per Dut (no global simulation state), randReset(2) with
// a seed, reset sequencing, a cycle counter, a watchdog that throws instead of
// hanging, optional FST tracing and coverage output. Stream drivers and sinks
// (stream.hpp) register as components; Dut::tick() runs them in a fixed order
// around each clock edge so handshakes are sampled after inputs settle:
//
//   1. every component drives its inputs for this cycle      (clk low)
//   2. eval()                  -> combinational outputs (ready_o, valid_o) settle
//   3. every component samples its handshake (valid && ready)
//   4. clk rises, eval()       -> registers update; trace both phases
//
// This header has no GoogleTest dependency so the CLI's RTL engines use it too.
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>
#if defined(SQUISH_SIM_COVERAGE) && SQUISH_SIM_COVERAGE
#include <verilated_cov.h>
#endif

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

namespace squish::sim {

/// Whether coverage may be written now (gtest.hpp installs "the current test
/// has not failed"); empty = always.
inline std::function<bool()>& coverage_gate() {
  static std::function<bool()> gate;
  return gate;
}

/// Thrown by the watchdog; the message says which limit was hit and where.
class Timeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Seeded random source shared by a Dut's components.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  bool chance(double p) { return p > 0.0 && std::uniform_real_distribution<double>(0, 1)(gen_) < p; }
  uint64_t next() { return gen_(); }
  template <class T>
  T uniform(T lo, T hi) {  // inclusive
    if constexpr (std::is_floating_point_v<T>) return std::uniform_real_distribution<T>(lo, hi)(gen_);
    else return static_cast<T>(std::uniform_int_distribution<int64_t>(lo, hi)(gen_));
  }
  std::mt19937_64& engine() { return gen_; }

 private:
  std::mt19937_64 gen_;
};

/// Something that takes part in every clock cycle (driver, sink, monitor).
class Component {
 public:
  virtual ~Component() = default;
  virtual void drive() {}   // set inputs for this cycle (before the edge)
  virtual void sample() {}  // observe settled handshakes (before the edge)
};

struct DutOptions {
  uint64_t seed = 1;
  uint64_t max_cycles = 10'000'000;  ///< watchdog: tick() throws past this
  std::string trace_path;            ///< FST file; empty = no trace
  std::string coverage_path;         ///< coverage .dat written by write_coverage(); empty: taken
                                     ///< from $SQUISH_COVERAGE_DIR (engines), see ~Dut
  std::string name = "dut";          ///< for messages
};

template <class Model>
class Dut {
 public:
  /// Half clock period in trace time units (Verilator's default 1 ps precision):
  /// traces show a 10 ns (100 MHz) clock, so cycle n starts at n*10 ns.
  static constexpr uint64_t kHalfPeriod = 5000;

  explicit Dut(DutOptions opt = {}) : opt_(std::move(opt)), rng_(opt_.seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->debug(0);
    ctx_->randReset(2);  // randomize every uninitialized bit
    ctx_->randSeed(static_cast<int>(opt_.seed & 0x7fffffff));
    ctx_->fatalOnError(false);  // let $error become a C++ failure, not exit()
    if (!opt_.trace_path.empty()) ctx_->traceEverOn(true);
    // Scope "TOP" in every trace, so the committed .gtkw views match any test.
    model_ = std::make_unique<Model>(ctx_.get(), "TOP");
    if (!opt_.trace_path.empty()) {
      std::filesystem::create_directories(std::filesystem::path(opt_.trace_path).parent_path());
      trace_ = std::make_unique<VerilatedFstC>();
      model_->trace(trace_.get(), 99);
      trace_->open(opt_.trace_path.c_str());
    }
    model_->clk_i = 0;
    model_->rst_ni = 1;
    model_->eval();
  }
  Dut(const Dut&) = delete;
  Dut& operator=(const Dut&) = delete;

  /// Closes the trace first, so the waveform of a failing test survives.
  /// Every Dut (also the RTL engines' plain ones) writes its coverage here in
  /// coverage builds, unless the gate (a failed test) says no.
  ~Dut() {
    close_trace();
    if (model_) model_->final();
    write_coverage();
  }

  Model* operator->() { return model_.get(); }
  Model& model() { return *model_; }
  Rng& rng() { return rng_; }
  const DutOptions& options() const { return opt_; }
  uint64_t cycle() const { return cycle_; }
  VerilatedContext& context() { return *ctx_; }

  void add(Component* c) { components_.push_back(c); }
  void remove(Component* c) { std::erase(components_, c); }

  /// Asynchronous reset: rst_ni low for `cycles` clocks, released at a negedge.
  void reset(int cycles = 3) {
    model_->rst_ni = 0;
    model_->eval();
    for (int i = 0; i < cycles; ++i) edge();
    model_->rst_ni = 1;
    model_->eval();
  }

  /// One clock cycle with every registered component taking part.
  void tick() {
    for (auto* c : components_) c->drive();
    model_->clk_i = 0;
    model_->eval();
    for (auto* c : components_) c->sample();
    edge_high();
    ++cycle_;
    if (cycle_ > opt_.max_cycles)
      throw Timeout(opt_.name + ": watchdog: no completion within " + std::to_string(opt_.max_cycles) +
                    " cycles (seed " + std::to_string(opt_.seed) + ")");
    if (ctx_->gotError())
      throw std::runtime_error(opt_.name + ": RTL assertion failed at cycle " + std::to_string(cycle_));
  }

  void ticks(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) tick();
  }

  /// Ticks until done() is true; throws Timeout after `limit` cycles.
  template <class Pred>
  uint64_t run_until(Pred done, uint64_t limit, const std::string& what = "condition") {
    const uint64_t start = cycle_;
    while (!done()) {
      if (cycle_ - start >= limit)
        throw Timeout(opt_.name + ": " + what + " not reached within " + std::to_string(limit) +
                      " cycles (at cycle " + std::to_string(cycle_) + ", seed " + std::to_string(opt_.seed) + ")");
      tick();
    }
    return cycle_ - start;
  }

  void close_trace() {
    if (trace_) {
      trace_->close();
      trace_.reset();
    }
  }

  /// Writes Verilator coverage once (coverage builds only): to coverage_path,
  /// or to $SQUISH_COVERAGE_DIR/<name>.<pid>.<n>.dat when that is empty.
  void write_coverage() {
#if defined(SQUISH_SIM_COVERAGE) && SQUISH_SIM_COVERAGE
    if (coverage_written_) return;
    coverage_written_ = true;
    if (coverage_gate() && !coverage_gate()()) return;
    std::string path = opt_.coverage_path;
    static std::atomic<int> serial{0};  // one counter per Model type: the model's name is in the tag
    const std::string tag = "." + std::string(typeid(Model).name()) + "." + std::to_string(::getpid()) + "." +
                            std::to_string(serial++) + ".dat";
    if (path.empty()) {
      const char* dir = std::getenv("SQUISH_COVERAGE_DIR");
      if (!dir || !*dir) return;
      std::string n = opt_.name;
      for (char& c : n)
        if (c == '/' || c == ' ') c = '_';
      path = std::string(dir) + "/" + n + tag;
    } else if (path.size() > 4 && path.ends_with(".dat")) {
      path = path.substr(0, path.size() - 4) + tag;  // several Duts in one test
    }
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    ctx_->coveragep()->write(path.c_str());
#endif
  }

 private:
  void edge() {  // plain clock for reset, no components
    model_->clk_i = 0;
    model_->eval();
    edge_high();
  }
  void edge_high() {
    dump();
    ctx_->timeInc(kHalfPeriod);
    model_->clk_i = 1;
    model_->eval();
    dump();
    ctx_->timeInc(kHalfPeriod);
  }
  void dump() {
    if (trace_) trace_->dump(ctx_->time());
  }

  DutOptions opt_;
  Rng rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<VerilatedFstC> trace_;
  std::vector<Component*> components_;
  uint64_t cycle_ = 0;
  bool coverage_written_ = false;
};

}  // namespace squish::sim
