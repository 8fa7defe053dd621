// Formal harness of skid_buffer (yosys-smtbmc, see docs/verification.md), Width 4.
// Sequence-numbered input as in fifo_sync_fv: order, no loss, no duplication,
// the output hold rules, at most two beats inside, and a registered ready
// (in_ready_o does not depend on out_ready_i in the same cycle: it is high
// whenever the skid register is empty).
`default_nettype none
module skid_buffer_fv (
  input wire       clk_i,
  input wire       rst_ni,
  input wire       in_valid_i,
  input wire [3:0] in_data_i,
  input wire       out_ready_i
);
  logic       in_ready_o, out_valid_o;
  logic [3:0] out_data_o;
  skid_buffer #(.Width(4)) dut (
    .clk_i, .rst_ni, .in_valid_i, .in_ready_o, .in_data_i, .out_valid_o, .out_ready_i, .out_data_o
  );
  `include "stream_fv.svh"
  always @(posedge clk_i) if (rst_ni && !init) begin
    assert (in_seq - out_seq <= 8'd2);
    assert (out_valid_o == (in_seq != out_seq));
    if (in_seq - out_seq < 8'd2) assert (in_ready_o);
  end
endmodule
`default_nettype wire
