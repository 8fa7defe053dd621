// make sim showcase for rtl/common: a FIFO and a skid buffer back to back with
// the width converters, on embedded data, under light backpressure.
#include <cstdio>

#include "Vfifo_sync_d4.h"
#include "Vstream_downsizer.h"
#include "Vstream_upsizer.h"
#include "common_refs.hpp"
#include "squish/sim/report.hpp"
#include "squish/sim/stream.hpp"

using namespace squish::sim;
using squish::sim::common::Beat;
using squish::sim::common::WideBeat;

int main() {
  // Embedded default data: 4096 INT4 codes from a fixed LCG, packets of 100.
  std::vector<Beat> beats(4096);
  uint32_t x = 1;
  for (size_t i = 0; i < beats.size(); ++i) {
    x = x * 1664525u + 1013904223u;
    beats[i] = {(x >> 28) & 0xf, i % 100 == 99 || i + 1 == beats.size()};
  }
  const auto words = squish::sim::common::pack(beats, 4, 8);

  bool pass = true;
  uint64_t cycles = 0;
  {  // narrow -> wide
    DutOptions o;
    o.name = "stream_upsizer";
    Dut<Vstream_upsizer> dut(o);
    dut.reset();
    auto& m = dut.model();
    StreamDriver<Beat> drv(dut, m.in_valid_i, m.in_ready_o, [&m](const Beat& b) { m.in_data_i = b.data; m.in_last_i = b.last; }, Backpressure::Light);
    StreamSink<WideBeat> sink(dut, m.out_valid_o, m.out_ready_i, [&m] { return WideBeat{m.out_data_o, m.out_count_o, m.out_last_o != 0}; }, Backpressure::Light);
    drv.push(beats.begin(), beats.end());
    cycles += dut.run_until([&] { return sink.count() == words.size(); }, 100000);
    const bool ok = sink.beats() == words && !sink.protocol_error();
    pass &= ok;
    showcase_line("common/stream_upsizer", beats.size(), dut.cycle(), ok, "4-bit x8, light backpressure");
  }
  {  // wide -> narrow
    DutOptions o;
    o.name = "stream_downsizer";
    Dut<Vstream_downsizer> dut(o);
    dut.reset();
    auto& m = dut.model();
    StreamDriver<WideBeat> drv(dut, m.in_valid_i, m.in_ready_o, [&m](const WideBeat& w) { m.in_data_i = static_cast<uint32_t>(w.data); m.in_count_i = w.count; m.in_last_i = w.last; }, Backpressure::Light);
    StreamSink<Beat> sink(dut, m.out_valid_o, m.out_ready_i, [&m] { return Beat{m.out_data_o, m.out_last_o != 0}; }, Backpressure::Light);
    drv.push(words.begin(), words.end());
    cycles += dut.run_until([&] { return sink.count() == beats.size(); }, 100000);
    const bool ok = sink.beats() == beats && !sink.protocol_error();
    pass &= ok;
    showcase_line("common/stream_downsizer", words.size(), dut.cycle(), ok, "round trip of the same data");
  }
  {
    DutOptions o;
    o.name = "fifo_sync";
    Dut<Vfifo_sync_d4> dut(o);
    dut.reset();
    auto& m = dut.model();
    m.flush_i = 0;
    StreamDriver<Beat> drv(dut, m.in_valid_i, m.in_ready_o, [&m](const Beat& b) { m.in_data_i = b.data | (b.last ? 0x100 : 0); }, Backpressure::Heavy);
    StreamSink<Beat> sink(dut, m.out_valid_o, m.out_ready_i, [&m] { return Beat{m.out_data_o & 0xffu, (m.out_data_o & 0x100u) != 0}; }, Backpressure::Heavy);
    drv.push(beats.begin(), beats.end());
    dut.run_until([&] { return sink.count() == beats.size(); }, 100000);
    const bool ok = sink.beats() == beats && !sink.protocol_error();
    pass &= ok;
    showcase_line("common/fifo_sync", beats.size(), dut.cycle(), ok, "depth 4, heavy backpressure");
  }
  return pass ? 0 : 1;
}
