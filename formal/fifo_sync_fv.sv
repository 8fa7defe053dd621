// Formal harness of fifo_sync (yosys-smtbmc, see docs/verification.md).
// Depth 3 (not a power of two) and 1, Width 4. Input beats carry sequence
// numbers (data = number of beats accepted so far, mod 16): the design never
// looks at data, so in-order delivery of these numbers proves no loss, no
// duplication and order for any data. flush_i is held low (its effect is
// checked by tb_common's FifoStatus test).
`default_nettype none
module fifo_sync_fv #(
  parameter int unsigned Depth = 3
) (
  input wire       clk_i,
  input wire       rst_ni,
  input wire       in_valid_i,
  input wire [3:0] in_data_i,
  input wire       out_ready_i
);
  logic       in_ready_o, out_valid_o, full_o, empty_o;
  logic [3:0] out_data_o;
  logic [$clog2(Depth + 1)-1:0] count_o;
  fifo_sync #(.Width(4), .Depth(Depth)) dut (
    .clk_i, .rst_ni, .flush_i(1'b0), .in_valid_i, .in_ready_o, .in_data_i,
    .out_valid_o, .out_ready_i, .out_data_o, .full_o, .empty_o, .count_o
  );
  `include "stream_fv.svh"
  // Occupancy: nothing lost, nothing made up.
  always @(posedge clk_i) if (rst_ni && !init) begin
    assert (32'(count_o) == 32'(in_seq - out_seq));
    assert (32'(count_o) <= Depth);
    assert (out_valid_o == (count_o != 0));
    assert (full_o == (32'(count_o) == Depth));
    assert (in_ready_o == (!full_o || out_ready_i));
  end
endmodule
`default_nettype wire
