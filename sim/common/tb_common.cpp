// Testbenches for rtl/common: fifo_sync (depths 1, 4, 5), skid_buffer,
// stream_upsizer, stream_downsizer. Each runs at three backpressure levels and
// checks, against the reference behaviour in common_refs.hpp: no loss, no
// duplication, no reordering, correct `last`; and, unobstructed, one beat per
// cycle (counted).
#include <gtest/gtest.h>

#include "Vfifo_sync_d1.h"
#include "Vfifo_sync_d4.h"
#include "Vfifo_sync_d5.h"
#include "Vskid_buffer.h"
#include "Vstream_downsizer.h"
#include "Vstream_upsizer.h"
#include "common_refs.hpp"
#include "squish/sim/gtest.hpp"

using namespace squish::sim;
using squish::sim::common::Beat;
using squish::sim::common::WideBeat;

namespace {

std::vector<Beat> random_beats(Rng& rng, size_t n, unsigned width, double p_last) {
  std::vector<Beat> v(n);
  for (auto& b : v) {
    b.data = static_cast<uint32_t>(rng.next() & ((1u << width) - 1));
    b.last = rng.chance(p_last);
  }
  if (!v.empty()) v.back().last = true;
  return v;
}

// Runs a 9-bit (8 data + last) pass-through cell; returns cycles until drained.
template <class Model>
uint64_t run_passthrough(Backpressure bp, size_t n, uint64_t* first_accept = nullptr) {
  TestDut<Model> dut;
  auto& m = dut.model();
  if constexpr (requires { m.flush_i; }) m.flush_i = 0;
  dut.reset();
  StreamDriver<Beat> drv(dut, m.in_valid_i, m.in_ready_o,
                         [&m](const Beat& b) { m.in_data_i = (b.data & 0xff) | (b.last ? 0x100 : 0); }, bp);
  StreamSink<Beat> sink(dut, m.out_valid_o, m.out_ready_i,
                        [&m] { return Beat{m.out_data_o & 0xffu, (m.out_data_o & 0x100u) != 0}; }, bp);
  Scoreboard<Beat> sb;
  sink.on_beat([&sb](const Beat& b, uint64_t c) { sb.check(b, c); });
  auto beats = random_beats(dut.rng(), n, 8, 0.1);
  sb.expect_all(beats);
  drv.push(beats.begin(), beats.end());
  const uint64_t cycles = dut.run_until([&] { return sink.count() == n; }, 20 * n + 100, "all beats out");
  dut.ticks(10);  // nothing extra may appear afterwards
  SQUISH_EXPECT_STREAM_OK(sink, sb);
  EXPECT_EQ(sink.count(), n);
  if (first_accept && !sink.received().empty()) *first_accept = sink.received().front().cycle;
  return cycles;
}

class FifoD4 : public BackpressureTest {};
class FifoD1 : public BackpressureTest {};
class FifoD5 : public BackpressureTest {};
class Skid : public BackpressureTest {};

TEST_P(FifoD4, InOrderNoLossNoDup) { run_passthrough<Vfifo_sync_d4>(GetParam(), 2000); }
TEST_P(FifoD1, InOrderNoLossNoDup) { run_passthrough<Vfifo_sync_d1>(GetParam(), 1000); }
TEST_P(FifoD5, InOrderNoLossNoDup) { run_passthrough<Vfifo_sync_d5>(GetParam(), 2000); }
TEST_P(Skid, InOrderNoLossNoDup) { run_passthrough<Vskid_buffer>(GetParam(), 2000); }
SQUISH_BACKPRESSURE_SUITE(FifoD4);
SQUISH_BACKPRESSURE_SUITE(FifoD1);
SQUISH_BACKPRESSURE_SUITE(FifoD5);
SQUISH_BACKPRESSURE_SUITE(Skid);

// Unobstructed, every cell moves one beat per cycle: n beats leave within
// n + latency cycles (latency: FIFO 1, skid 1, plus the first drive cycle).
TEST(Throughput, PassThroughCellsOneBeatPerCycle) {
  const size_t n = 1000;
  EXPECT_LE(run_passthrough<Vfifo_sync_d4>(Backpressure::None, n), n + 2);
  EXPECT_LE(run_passthrough<Vfifo_sync_d1>(Backpressure::None, n), n + 2);
  EXPECT_LE(run_passthrough<Vfifo_sync_d5>(Backpressure::None, n), n + 2);
  EXPECT_LE(run_passthrough<Vskid_buffer>(Backpressure::None, n), n + 2);
}

TEST(FifoStatus, FullEmptyCountAndFlush) {
  TestDut<Vfifo_sync_d4> dut;
  dut.reset();
  auto& m = dut.model();
  m.out_ready_i = 0;
  m.flush_i = 0;
  EXPECT_TRUE(m.empty_o);
  EXPECT_FALSE(m.full_o);
  for (unsigned i = 0; i < 4; ++i) {
    m.in_valid_i = 1;
    m.in_data_i = i;
    m.eval();
    EXPECT_TRUE(m.in_ready_o) << "entry " << i;
    dut.tick();
    EXPECT_EQ(m.count_o, i + 1);
  }
  m.eval();
  EXPECT_TRUE(m.full_o);
  EXPECT_FALSE(m.in_ready_o) << "full FIFO with a stalled reader must not accept";
  EXPECT_EQ(m.out_data_o, 0u) << "oldest entry at the head";
  // Full and reading: a write is accepted in the same cycle.
  m.out_ready_i = 1;
  m.in_data_i = 0x55;
  m.eval();
  EXPECT_TRUE(m.in_ready_o);
  dut.tick();
  EXPECT_EQ(m.count_o, 4u);
  EXPECT_EQ(m.out_data_o, 1u);
  m.in_valid_i = 0;
  m.out_ready_i = 0;
  m.flush_i = 1;
  dut.tick();
  m.flush_i = 0;
  m.eval();
  EXPECT_TRUE(m.empty_o);
  EXPECT_FALSE(m.out_valid_o);
  EXPECT_EQ(m.count_o, 0u);
}

// A flush with the read pointer away from slot 0 (found by make mutate: a
// flush that left rd_ptr alone survived every other test): the beats written
// after the flush come out in order, and only they.
TEST(FifoStatus, FlushMidRingThenInOrder) {
  TestDut<Vfifo_sync_d5> dut;
  dut.reset();
  auto& m = dut.model();
  m.flush_i = 0;
  m.out_ready_i = 0;
  m.in_valid_i = 1;
  for (unsigned i = 0; i < 3; ++i) {
    m.in_data_i = 0x100 + i;
    dut.tick();
  }
  m.in_valid_i = 0;
  m.out_ready_i = 1;
  dut.tick();  // pops 0x100: the read pointer is now at slot 1
  dut.tick();  // pops 0x101
  m.out_ready_i = 0;
  m.flush_i = 1;
  dut.tick();
  m.flush_i = 0;
  m.in_valid_i = 1;
  for (unsigned i = 0; i < 4; ++i) {
    m.in_data_i = 0x20 + i;
    dut.tick();
  }
  m.in_valid_i = 0;
  m.out_ready_i = 1;
  for (unsigned i = 0; i < 4; ++i) {
    m.eval();
    ASSERT_TRUE(m.out_valid_o) << "beat " << i;
    EXPECT_EQ(m.out_data_o, 0x20u + i) << "beat " << i;
    dut.tick();
  }
  m.eval();
  EXPECT_FALSE(m.out_valid_o);
}

// ---- width converters ----------------------------------------------------

class Upsizer : public BackpressureTest {};
class Downsizer : public BackpressureTest {};

uint64_t run_upsizer(Backpressure bp, size_t n, double p_last) {
  TestDut<Vstream_upsizer> dut;
  dut.reset();
  auto& m = dut.model();
  StreamDriver<Beat> drv(dut, m.in_valid_i, m.in_ready_o,
                         [&m](const Beat& b) {
                           m.in_data_i = b.data;
                           m.in_last_i = b.last;
                         },
                         bp);
  StreamSink<WideBeat> sink(dut, m.out_valid_o, m.out_ready_i,
                            [&m] { return WideBeat{m.out_data_o, m.out_count_o, m.out_last_o != 0}; }, bp);
  Scoreboard<WideBeat> sb;
  sink.on_beat([&sb](const WideBeat& b, uint64_t c) { sb.check(b, c); });
  auto beats = random_beats(dut.rng(), n, 4, p_last);
  auto expected = squish::sim::common::pack(beats, 4, 8);
  sb.expect_all(expected);
  drv.push(beats.begin(), beats.end());
  const uint64_t cycles =
      dut.run_until([&] { return sink.count() == expected.size(); }, 20 * n + 100, "all words out");
  dut.ticks(10);
  SQUISH_EXPECT_STREAM_OK(sink, sb);
  EXPECT_TRUE(drv.idle());
  return cycles;
}

uint64_t run_downsizer(Backpressure bp, size_t words, bool full_only) {
  TestDut<Vstream_downsizer> dut;
  dut.reset();
  auto& m = dut.model();
  StreamDriver<WideBeat> drv(dut, m.in_valid_i, m.in_ready_o,
                             [&m](const WideBeat& w) {
                               m.in_data_i = static_cast<uint32_t>(w.data);
                               m.in_count_i = w.count;
                               m.in_last_i = w.last;
                             },
                             bp);
  StreamSink<Beat> sink(dut, m.out_valid_o, m.out_ready_i,
                        [&m] { return Beat{m.out_data_o, m.out_last_o != 0}; }, bp);
  Scoreboard<Beat> sb;
  sink.on_beat([&sb](const Beat& b, uint64_t c) { sb.check(b, c); });
  std::vector<WideBeat> in(words);
  for (auto& w : in) {
    w.data = dut.rng().next() & 0xffffffffu;
    // counts 0..9 exercise the "0 or > Ratio means full" rule (the port is 4 bits)
    w.count = full_only ? 8 : static_cast<unsigned>(dut.rng().uniform<int>(0, 9));
    w.last = !full_only && dut.rng().chance(0.2);
  }
  in.back().last = true;
  auto expected = squish::sim::common::unpack(in, 4, 8);
  sb.expect_all(expected);
  drv.push(in.begin(), in.end());
  const uint64_t cycles =
      dut.run_until([&] { return sink.count() == expected.size(); }, 40 * words * 8 + 100, "all elements out");
  dut.ticks(10);
  SQUISH_EXPECT_STREAM_OK(sink, sb);
  return cycles;
}

TEST_P(Upsizer, PacksInOrderWithEarlyLast) { run_upsizer(GetParam(), 3000, 0.05); }
TEST_P(Upsizer, EveryBeatLast) { run_upsizer(GetParam(), 200, 1.0); }
TEST_P(Downsizer, SplitsInOrderWithPartialWords) { run_downsizer(GetParam(), 400, false); }
SQUISH_BACKPRESSURE_SUITE(Upsizer);
SQUISH_BACKPRESSURE_SUITE(Downsizer);

TEST(Throughput, ConvertersOneNarrowBeatPerCycle) {
  // 8000 narrow beats = 1000 full words; no early last.
  EXPECT_LE(run_upsizer(Backpressure::None, 8000, 0.0), 8000u + 3);
  EXPECT_LE(run_downsizer(Backpressure::None, 1000, true), 8000u + 3);
}

}  // namespace

namespace {

// The RTL assertions (rtl/common/squish_assert.svh, Verilator --assert) turn a
// protocol violation into a failed test: here the testbench itself breaks the
// input rule (valid dropped while the full FIFO stalls it), and the next clock
// edge must throw, with the assertion's name in the simulator's message.
TEST(Assertions, InputProtocolViolationFailsTheTest) {
  TestDut<Vfifo_sync_d1> dut;
  dut.reset();
  dut->flush_i = 0;
  dut->out_ready_i = 0;
  dut->in_valid_i = 1;
  dut->in_data_i = 0x12;
  dut.tick();                 // fills the one entry
  dut->in_data_i = 0x34;
  dut.tick();                 // stalled: full and not read
  dut->in_valid_i = 0;        // violation: valid dropped while stalled
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  bool threw = false;
  try {
    dut.tick();
  } catch (const std::runtime_error& e) {
    threw = std::string(e.what()).find("assertion") != std::string::npos;
  }
  const std::string err = ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(threw) << "no exception from the violated assertion";
  EXPECT_NE(err.find("InValidHeld"), std::string::npos) << "stderr: " << err;
}

}  // namespace
