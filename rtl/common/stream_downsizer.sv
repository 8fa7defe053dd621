// stream_downsizer: splits one wide beat into narrow beats (wide -> narrow),
// e.g. a 32-bit word of eight INT4 weights into one weight per beat.
//
// Element k of the wide beat is in_data_i[k*OutWidth +: OutWidth] and leaves
// k-th. in_count_i says how many elements the beat holds (1..Ratio; 0 or more
// than Ratio is taken as Ratio). in_last_i marks the final wide beat of a packet;
// its last element leaves with out_last_o = 1.
//
// Throughput: one narrow beat per cycle sustained; the next wide beat is taken
// in the cycle the current one's final element leaves. in_ready_o depends
// combinationally on out_ready_i in that cycle.
//
// Cost: Ratio x OutWidth data flops, an element counter, a Ratio:1 mux.
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module stream_downsizer #(
  /// Bits per narrow element.
  parameter int unsigned OutWidth = 4,
  /// Narrow elements per wide beat, >= 2.
  parameter int unsigned Ratio = 8,
  /// Derived, do not override.
  parameter int unsigned CountWidth = $clog2(Ratio + 1)
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       in_valid_i,
  output logic                       in_ready_o,
  input  logic [Ratio*OutWidth-1:0]  in_data_i,
  input  logic [CountWidth-1:0]      in_count_i,
  input  logic                       in_last_i,
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic [OutWidth-1:0]        out_data_o,
  output logic                       out_last_o
);

  localparam int unsigned IdxWidth = $clog2(Ratio);

  logic [Ratio*OutWidth-1:0] word_q, word_d;
  logic [IdxWidth-1:0]       idx_q, idx_d;     // next element to send
  logic [IdxWidth-1:0]       final_q, final_d; // index of the word's last element
  logic                      last_q, last_d;   // word ends the packet
  logic                      valid_q, valid_d;
  logic                      out_fire, at_final, in_fire;

  assign at_final    = (idx_q == final_q);
  assign out_fire    = valid_q && out_ready_i;
  assign in_ready_o  = !valid_q || (out_fire && at_final);
  assign in_fire     = in_valid_i && in_ready_o;

  assign out_valid_o = valid_q;
  assign out_data_o  = word_q[idx_q*OutWidth +: OutWidth];
  assign out_last_o  = last_q && at_final;

  always_comb begin
    word_d  = word_q;
    idx_d   = idx_q;
    final_d = final_q;
    last_d  = last_q;
    valid_d = valid_q;
    if (out_fire) begin
      if (at_final) valid_d = 1'b0;
      else          idx_d   = idx_q + 1'b1;
    end
    if (in_fire) begin
      word_d  = in_data_i;
      idx_d   = '0;
      final_d = (in_count_i == '0 || in_count_i > CountWidth'(Ratio))
                ? IdxWidth'(Ratio - 1) : IdxWidth'(in_count_i - 1'b1);
      last_d  = in_last_i;
      valid_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      word_q  <= '0;
      idx_q   <= '0;
      final_q <= '0;
      last_q  <= 1'b0;
      valid_q <= 1'b0;
    end else begin
      word_q  <= word_d;
      idx_q   <= idx_d;
      final_q <= final_d;
      last_q  <= last_d;
      valid_q <= valid_d;
    end
  end

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, OutWidth >= 1 && Ratio >= 2 && CountWidth == $clog2(Ratio + 1))
  `ASSERT_STREAM(InHold, in_valid_i, in_ready_o, {in_data_i, in_count_i, in_last_i})
  `ASSERT_STREAM(OutHold, out_valid_o, out_ready_i, {out_data_o, out_last_o})
  `ASSERT(IdxInRange, 32'(idx_q) < Ratio && 32'(final_q) < Ratio && (!valid_q || idx_q <= final_q))
`endif

endmodule

`default_nettype wire
