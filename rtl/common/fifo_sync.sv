// fifo_sync: single-clock FIFO with a valid/ready stream on each side.
//
// Fall-through on the read side: out_data_o shows the oldest entry in the cycle
// it becomes valid (no extra latency beyond one cycle from write to read).
// Full throughput: one beat in and one beat out per cycle, also when full (a
// read frees the slot a simultaneous write takes).
//
// Cost: Depth x Width storage bits (registers or LUT-RAM; read port is
// asynchronous), two ceil(log2 Depth)-bit pointers, one count register.
// in_ready_o depends on out_ready_i when the FIFO is full (pass-through of the
// ready path); put a skid_buffer behind it for a registered ready.
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module fifo_sync #(
  /// Bits per entry (pack `last` and side-band fields into the data).
  parameter int unsigned Width = 8,
  /// Number of entries, >= 1.
  parameter int unsigned Depth = 4,
  /// Width of the occupancy count; derived, do not override.
  parameter int unsigned CountWidth = $clog2(Depth + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  /// Synchronous clear: empties the FIFO (data is not reset).
  input  logic                  flush_i,
  // write side
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [Width-1:0]      in_data_i,
  // read side
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output logic [Width-1:0]      out_data_o,
  // status
  output logic                  full_o,
  output logic                  empty_o,
  output logic [CountWidth-1:0] count_o
);

  localparam int unsigned PtrWidth = (Depth > 1) ? $clog2(Depth) : 1;

  logic [Width-1:0]      storage_q [Depth];
  logic [PtrWidth-1:0]   wr_ptr_q, wr_ptr_d, rd_ptr_q, rd_ptr_d;
  logic [CountWidth-1:0] count_q, count_d;
  logic                  push, pop;

  assign empty_o     = (count_q == '0);
  assign full_o      = (count_q == CountWidth'(Depth));
  assign count_o     = count_q;
  assign out_valid_o = !empty_o;
  assign out_data_o  = storage_q[rd_ptr_q];
  // A full FIFO can take a beat in the cycle it gives one away.
  assign in_ready_o  = !full_o || out_ready_i;

  assign pop  = out_valid_o && out_ready_i;
  assign push = in_valid_i && in_ready_o;

  function automatic logic [PtrWidth-1:0] ptr_next(input logic [PtrWidth-1:0] ptr);
    if (ptr == PtrWidth'(Depth - 1)) ptr_next = '0;
    else                              ptr_next = ptr + 1'b1;
  endfunction

  always_comb begin
    wr_ptr_d = wr_ptr_q;
    rd_ptr_d = rd_ptr_q;
    count_d  = count_q;
    if (push) wr_ptr_d = ptr_next(wr_ptr_q);
    if (pop)  rd_ptr_d = ptr_next(rd_ptr_q);
    if (push && !pop) count_d = count_q + 1'b1;
    if (pop && !push) count_d = count_q - 1'b1;
    if (flush_i) begin
      wr_ptr_d = '0;
      rd_ptr_d = '0;
      count_d  = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      count_q  <= '0;
    end else begin
      wr_ptr_q <= wr_ptr_d;
      rd_ptr_q <= rd_ptr_d;
      count_q  <= count_d;
    end
  end

  // Storage has no reset: it is only read where count says it was written.
  always_ff @(posedge clk_i) begin
    if (push && !flush_i) storage_q[wr_ptr_q] <= in_data_i;
  end

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, Width >= 1 && Depth >= 1 && CountWidth == $clog2(Depth + 1))
  // Upstream protocol (AXI rule: hold while stalled); a flush may drop a beat.
  logic             in_stalled_q;
  logic [Width-1:0] in_data_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) in_stalled_q <= 1'b0;
    else         in_stalled_q <= in_valid_i && !in_ready_o && !flush_i;
  end
  always @(posedge clk_i) in_data_q <= in_data_i;
  `ASSERT(InValidHeld, !in_stalled_q || in_valid_i)
  `ASSERT(InDataStable, !in_stalled_q || in_data_i == in_data_q)
  // No overflow or underflow; pointers and count agree.
  `ASSERT(CountInRange, 32'(count_q) <= Depth)
  `ASSERT(PtrsInRange, 32'(wr_ptr_q) < Depth && 32'(rd_ptr_q) < Depth)
  `ASSERT(PtrsMatchCount, (32'(wr_ptr_q) + Depth - 32'(rd_ptr_q)) % Depth == 32'(count_q) % Depth)
  `ASSERT_NEVER(NoPushWhenFull, push && full_o && !pop)
  `ASSERT_NEVER(NoPopWhenEmpty, pop && empty_o)
  // Downstream: what is offered stays offered until taken (unless flushed).
  logic             out_stalled_q;
  logic [Width-1:0] out_data_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_stalled_q <= 1'b0;
    else         out_stalled_q <= out_valid_o && !out_ready_i && !flush_i;
  end
  always @(posedge clk_i) out_data_q <= out_data_o;
  `ASSERT(OutValidHeld, !out_stalled_q || out_valid_o)
  `ASSERT(OutDataStable, !out_stalled_q || out_data_o == out_data_q)
`endif

endmodule

`default_nettype wire
