// squish_assert.svh: assertion macros for the RTL (simulation only).
//
// They are compiled only when SQUISH_ASSERT is defined: the simulation builds
// (cmake/squish_rtl.cmake) and scripts/lint.sh pass -DSQUISH_ASSERT and
// -I rtl/common; Yosys (synthesis, formal) and a bare
// `verilator --lint-only -Wall file.sv` do not, so a module file is
// self-contained without them:
//
//   `ifdef SQUISH_ASSERT
//   `include "squish_assert.svh"
//   `endif
//   ...
//   `ifdef SQUISH_ASSERT
//     `ASSERT_INIT(DepthAtLeastOne, Depth >= 1)
//     `ASSERT(CountInRange, count_q <= CountWidth'(Depth))
//     `ASSERT_STREAM(InHold, in_valid_i, in_ready_o, in_data_i)
//   `endif
//
// Every macro uses the module's clk_i and rst_ni (active-low reset): clocked
// checks are skipped while rst_ni is low. A failing check calls $error (or
// $fatal at elaboration) with the module path and the condition's text; the
// simulation harness (sim/harness, Dut::tick) turns that into a C++ exception,
// so the test fails with the message. The models are Verilated with --assert.
// Properties proved formally live in formal/, not here.
`ifndef SQUISH_ASSERT_SVH
`define SQUISH_ASSERT_SVH

// ASSERT(name, cond): cond holds at every rising clock edge out of reset.
`define ASSERT(__name, __cond) \
  always @(posedge clk_i) begin : __name \
    if (rst_ni) assert (__cond) else $error("ASSERT %m: %s", `"__cond`"); \
  end

// ASSERT_NEVER(name, cond): cond never holds at a clock edge out of reset.
`define ASSERT_NEVER(__name, __cond) `ASSERT(__name, !(__cond))

// ASSERT_INIT(name, cond): an elaboration-time check (parameters): $fatal at
// time 0 when cond is false.
`define ASSERT_INIT(__name, __cond) \
  initial begin : __name \
    assert (__cond) else $fatal(1, "ASSERT_INIT %m: illegal parameters: %s", `"__cond`"); \
  end

// ASSERT_STREAM(name, valid, ready, data): the valid/ready rule of a stream
// (AXI): once valid is high it stays high until ready, and data does not
// change while valid is high and ready low. Declares name_stall_q and
// name_data_q.
`define ASSERT_STREAM(__name, __valid, __ready, __data) \
  logic __name``_stall_q; \
  logic [$bits(__data)-1:0] __name``_data_q; \
  always @(posedge clk_i or negedge rst_ni) begin \
    if (!rst_ni) __name``_stall_q <= 1'b0; \
    else         __name``_stall_q <= (__valid) && !(__ready); \
  end \
  always @(posedge clk_i) __name``_data_q <= __data; \
  `ASSERT(__name``_ValidHeld, !__name``_stall_q || (__valid)) \
  `ASSERT(__name``_DataStable, !__name``_stall_q || (__data) == __name``_data_q)

`endif  // SQUISH_ASSERT_SVH
