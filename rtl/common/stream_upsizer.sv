// stream_upsizer: packs Ratio narrow beats into one wide beat (narrow -> wide),
// e.g. eight INT4 weights into one 32-bit word for the PE array.
//
// Element k of a wide beat is out_data_o[k*InWidth +: InWidth] (first in at the
// LSBs). A narrow beat with in_last_i closes the wide beat early: it leaves with
// out_count_o = number of elements it holds (1..Ratio) and out_last_o = 1; unused
// upper elements read as zero. A full beat has out_count_o = Ratio.
//
// Throughput: one narrow beat per cycle sustained (the beat that completes a
// wide word is accepted in the same cycle the previous wide word leaves).
// in_ready_o depends combinationally on out_ready_i only when a completing beat
// meets a full output register.
//
// Cost: 2 x Ratio x InWidth data flops (assembly + output register), counters.
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module stream_upsizer #(
  /// Bits per narrow element.
  parameter int unsigned InWidth = 4,
  /// Narrow elements per wide beat, >= 2.
  parameter int unsigned Ratio = 8,
  /// Derived, do not override.
  parameter int unsigned CountWidth = $clog2(Ratio + 1)
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       in_valid_i,
  output logic                       in_ready_o,
  input  logic [InWidth-1:0]         in_data_i,
  input  logic                       in_last_i,
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic [Ratio*InWidth-1:0]   out_data_o,
  output logic [CountWidth-1:0]      out_count_o,
  output logic                       out_last_o
);

  localparam int unsigned IdxWidth = $clog2(Ratio);

  logic [Ratio*InWidth-1:0] asm_q, asm_d;       // word being assembled
  logic [IdxWidth-1:0]      fill_q, fill_d;     // elements in asm_q
  logic [Ratio*InWidth-1:0] out_data_q, out_data_d;
  logic [CountWidth-1:0]    out_count_q, out_count_d;
  logic                     out_last_q, out_last_d;
  logic                     out_valid_q, out_valid_d;
  logic                     completes, out_free, in_fire;

  // This beat ends a wide word: either the word is full or the packet ends.
  assign completes   = (fill_q == IdxWidth'(Ratio - 1)) || in_last_i;
  assign out_free    = !out_valid_q || out_ready_i;
  assign in_ready_o  = !completes || out_free;
  assign in_fire     = in_valid_i && in_ready_o;

  assign out_valid_o = out_valid_q;
  assign out_data_o  = out_data_q;
  assign out_count_o = out_count_q;
  assign out_last_o  = out_last_q;

  always_comb begin
    asm_d       = asm_q;
    fill_d      = fill_q;
    out_data_d  = out_data_q;
    out_count_d = out_count_q;
    out_last_d  = out_last_q;
    out_valid_d = out_valid_q && !out_ready_i;
    if (in_fire) begin
      asm_d[fill_q*InWidth +: InWidth] = in_data_i;
      if (completes) begin
        out_data_d  = asm_d;
        out_count_d = CountWidth'(fill_q) + 1'b1;
        out_last_d  = in_last_i;
        out_valid_d = 1'b1;
        asm_d       = '0;
        fill_d      = '0;
      end else begin
        fill_d = fill_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      asm_q       <= '0;
      fill_q      <= '0;
      out_data_q  <= '0;
      out_count_q <= '0;
      out_last_q  <= 1'b0;
      out_valid_q <= 1'b0;
    end else begin
      asm_q       <= asm_d;
      fill_q      <= fill_d;
      out_data_q  <= out_data_d;
      out_count_q <= out_count_d;
      out_last_q  <= out_last_d;
      out_valid_q <= out_valid_d;
    end
  end

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, InWidth >= 1 && Ratio >= 2 && CountWidth == $clog2(Ratio + 1))
  `ASSERT_STREAM(InHold, in_valid_i, in_ready_o, {in_data_i, in_last_i})
  `ASSERT_STREAM(OutHold, out_valid_o, out_ready_i, {out_data_o, out_count_o, out_last_o})
  `ASSERT(FillInRange, 32'(fill_q) < Ratio)
  `ASSERT(CountLegal, !out_valid_o || (out_count_o != '0 && 32'(out_count_o) <= Ratio))
`endif

endmodule

`default_nettype wire
