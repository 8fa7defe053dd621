// Calibration case for scripts/power.sh (its testbench: tb_calib_counter.v).
`timescale 1ns/10ps
module power_calib_counter (input wire clk_i, input wire rst_ni, input wire en_i,
                            output reg [7:0] count_o);
  always @(posedge clk_i or negedge rst_ni)
    if (!rst_ni) count_o <= 8'd0;
    else if (en_i) count_o <= count_o + 8'd1;
endmodule
