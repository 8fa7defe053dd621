// squish::sim — valid/ready stream driver, sink, and in-order scoreboard.
//
// Both ends take a Backpressure level; the driver inserts seeded random idle
// cycles (valid low), the sink seeded random stalls (ready low). The driver keeps
// valid and data steady until the handshake, as AXI requires; the sink checks
// that the DUT does the same on its output and fails on the first violation.
// On idle cycles (valid low) the driver puts other beats of the stream on the
// data pins (one still queued or one already sent, `last` flags included), so a
// design that uses data without valid is caught.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "squish/sim/dut.hpp"

namespace squish::sim {

/// How hard the environment pushes back: none = every cycle valid/ready.
enum class Backpressure { None, Light, Heavy };

inline const char* to_string(Backpressure b) {
  switch (b) {
    case Backpressure::None: return "none";
    case Backpressure::Light: return "light";
    case Backpressure::Heavy: return "heavy";
  }
  return "?";
}
/// Probability of an idle (driver) or stall (sink) cycle at each level.
inline double gap_probability(Backpressure b) {
  switch (b) {
    case Backpressure::None: return 0.0;
    case Backpressure::Light: return 0.2;
    case Backpressure::Heavy: return 0.6;
  }
  return 0.0;
}

template <class T>
concept Streamable = requires(std::ostream& os, const T& t) { os << t; };

template <class T>
std::string describe(const T& v) {
  if constexpr (Streamable<T>) {
    std::ostringstream os;
    os << v;
    return os.str();
  } else {
    return "<beat>";
  }
}

/// Drives a DUT input stream from a queue of beats.
///   valid: the DUT's <name>_valid_i; ready: its <name>_ready_o;
///   apply: writes a beat onto the data/last/... inputs.
template <class Beat>
class StreamDriver : public Component {
 public:
  template <class Model>
  StreamDriver(Dut<Model>& dut, uint8_t& valid, const uint8_t& ready, std::function<void(const Beat&)> apply,
               Backpressure bp = Backpressure::None)
      : seed_(dut.rng().next()),
        rng_(seed_),
        idle_rng_(seed_ ^ 0x9e3779b97f4a7c15ull),
        valid_(valid),
        ready_(ready),
        apply_(std::move(apply)),
        idle_p_(gap_probability(bp)) {
    dut.add(this);
    unregister_ = [&dut, this] { dut.remove(this); };
    valid_ = 0;
  }
  ~StreamDriver() override { unregister_(); }
  StreamDriver(const StreamDriver&) = delete;
  StreamDriver& operator=(const StreamDriver&) = delete;

  void push(const Beat& b) { queue_.push_back(b); }
  template <class It>
  void push(It first, It last) {
    queue_.insert(queue_.end(), first, last);
  }
  bool idle() const { return queue_.empty(); }
  size_t pending() const { return queue_.size(); }
  uint64_t sent() const { return sent_; }
  void set_backpressure(Backpressure bp) { idle_p_ = gap_probability(bp); }
  /// Random beats on idle cycles (default on); off only for DUTs whose
  /// documented protocol needs data held while valid is low.
  void set_randomize_idle(bool on) { randomize_idle_ = on; }

  void drive() override {
    // Once valid is up it stays up until the beat is taken (AXI rule).
    if (!presenting_ && !queue_.empty() && !rng_.chance(idle_p_)) presenting_ = true;
    if (presenting_) apply_(queue_.front());
    else if (randomize_idle_) apply_idle_filler();
    valid_ = presenting_ ? 1 : 0;
  }
  void sample() override {
    if (presenting_ && ready_) {
      if (history_.size() == kHistory) history_.pop_front();
      history_.push_back(queue_.front());
      queue_.pop_front();
      presenting_ = false;
      ++sent_;
    }
  }

 private:
  static constexpr size_t kHistory = 16;
  void apply_idle_filler() {
    const size_t queued = std::min(queue_.size(), kHistory);
    const size_t n = queued + history_.size();
    if (n == 0) return;
    const auto i = idle_rng_.uniform<size_t>(0, n - 1);
    apply_(i < queued ? queue_[i] : history_[i - queued]);
  }

  uint64_t seed_;
  Rng rng_;
  Rng idle_rng_;
  uint8_t& valid_;
  const uint8_t& ready_;
  std::function<void(const Beat&)> apply_;
  std::function<void()> unregister_;
  double idle_p_;
  std::deque<Beat> queue_;
  std::deque<Beat> history_;
  bool presenting_ = false;
  bool randomize_idle_ = true;
  uint64_t sent_ = 0;
};

/// Takes beats from a DUT output stream, with random stalls, and checks that the
/// DUT holds valid and data steady while stalled.
template <class Beat>
class StreamSink : public Component {
 public:
  struct Received {
    Beat beat;
    uint64_t cycle;
  };

  template <class Model>
  StreamSink(Dut<Model>& dut, const uint8_t& valid, uint8_t& ready, std::function<Beat()> read,
             Backpressure bp = Backpressure::None)
      : rng_(dut.rng().next()),
        valid_(valid),
        ready_(ready),
        read_(std::move(read)),
        stall_p_(gap_probability(bp)),
        cycle_([&dut] { return dut.cycle(); }) {
    dut.add(this);
    unregister_ = [&dut, this] { dut.remove(this); };
    ready_ = 0;
  }
  ~StreamSink() override { unregister_(); }
  StreamSink(const StreamSink&) = delete;
  StreamSink& operator=(const StreamSink&) = delete;

  /// Called for every accepted beat (e.g. Scoreboard::check).
  void on_beat(std::function<void(const Beat&, uint64_t cycle)> f) { on_beat_ = std::move(f); }
  const std::vector<Received>& received() const { return received_; }
  std::vector<Beat> beats() const {
    std::vector<Beat> v;
    for (auto& r : received_) v.push_back(r.beat);
    return v;
  }
  size_t count() const { return received_.size(); }
  void clear() { received_.clear(); }
  void set_backpressure(Backpressure bp) { stall_p_ = gap_probability(bp); }
  /// First AXI-rule violation seen on the DUT output, if any.
  const std::optional<std::string>& protocol_error() const { return protocol_error_; }

  void drive() override { ready_ = rng_.chance(stall_p_) ? 0 : 1; }
  void sample() override {
    const bool v = valid_ != 0;
    if (held_ && !protocol_error_) {
      if (!v) {
        protocol_error_ = "valid dropped while stalled at cycle " + std::to_string(cycle_());
      } else if (!(read_() == *held_)) {
        protocol_error_ = "data changed while stalled at cycle " + std::to_string(cycle_()) + ": was " +
                          describe(*held_) + ", now " + describe(read_());
      }
    }
    held_.reset();
    if (!v) return;
    Beat b = read_();
    if (ready_) {
      received_.push_back({b, cycle_()});
      if (on_beat_) on_beat_(b, cycle_());
    } else {
      held_ = b;
    }
  }

 private:
  Rng rng_;
  const uint8_t& valid_;
  uint8_t& ready_;
  std::function<Beat()> read_;
  std::function<void()> unregister_;
  double stall_p_;
  std::function<uint64_t()> cycle_;
  std::function<void(const Beat&, uint64_t)> on_beat_;
  std::vector<Received> received_;
  std::optional<Beat> held_;
  std::optional<std::string> protocol_error_;
};

/// In-order scoreboard: expected beats are queued, received beats are checked
/// in order; the first mismatch is kept with its index and cycle.
template <class Beat>
class Scoreboard {
 public:
  void expect(const Beat& b) { expected_.push_back(b); }
  template <class Range>
  void expect_all(const Range& r) {
    for (const auto& b : r) expected_.push_back(b);
  }

  void check(const Beat& got, uint64_t cycle) {
    const uint64_t index = checked_++;
    if (first_error_) return;
    if (expected_.empty()) {
      first_error_ = "beat " + std::to_string(index) + " at cycle " + std::to_string(cycle) +
                     ": unexpected extra beat " + describe(got);
      return;
    }
    Beat want = expected_.front();
    expected_.pop_front();
    if (!(want == got))
      first_error_ = "beat " + std::to_string(index) + " at cycle " + std::to_string(cycle) + ": expected " +
                     describe(want) + ", got " + describe(got);
  }

  size_t outstanding() const { return expected_.size(); }
  uint64_t checked() const { return checked_; }
  bool ok() const { return !first_error_ && expected_.empty(); }
  /// Empty when everything matched and nothing is missing.
  std::string report() const {
    if (first_error_) return *first_error_;
    if (!expected_.empty())
      return std::to_string(expected_.size()) + " expected beats never arrived (after " + std::to_string(checked_) +
             " received); next expected " + describe(expected_.front());
    return {};
  }

 private:
  std::deque<Beat> expected_;
  uint64_t checked_ = 0;
  std::optional<std::string> first_error_;
};

}  // namespace squish::sim
