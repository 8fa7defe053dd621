// Calibration case for scripts/power.sh: an 8-bit counter with enable.
// With the enable held high for N = 1024 cycles (a multiple of 256), bit i of
// the count toggles exactly N / 2^i times and is high half the time:
// activity 2^-i transitions per cycle, duty 0.5 -- figures one checks by hand.
`timescale 1ns/10ps
module tb;
  reg clk = 1'b0, rst_n = 1'b0, en = 1'b0;
  wire [7:0] count;
  power_calib_counter dut (.clk_i(clk), .rst_ni(rst_n), .en_i(en), .count_o(count));
  always #5 clk = ~clk;  // 10 ns
  initial begin
    $dumpfile(`VCD);
    $dumpvars(1, tb.dut);
    #12 rst_n = 1'b1; en = 1'b1;
    // Window: 1024 rising edges, starting just after the edge at 20 ns (so the
    // counter is back to 0 at its end; every bit toggles an even number of times).
    #8;           // t = 20 ns
    #1 $display("WINDOW %0d %0d", 21, 21 + 10240);
    #10240;
    $finish;
  end
endmodule
