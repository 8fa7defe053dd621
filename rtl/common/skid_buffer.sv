// skid_buffer: a two-entry pipeline register that cuts both the forward path
// (valid, data) and the backward path (ready).
//
// out_valid_o/out_data_o come straight from the output register and in_ready_o
// straight from the skid register's full flag, so no combinational path crosses
// the buffer in either direction. Sustains one beat per cycle; latency is one
// cycle. When the consumer stalls, the one beat already in flight lands in the
// skid register instead of being lost.
//
// Cost: 2 x Width data flops, 2 state flops, a Width-wide 2:1 mux.
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module skid_buffer #(
  /// Bits per beat (pack `last` and side-band fields into the data).
  parameter int unsigned Width = 8
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o
);

  logic             out_full_q, out_full_d;   // output register holds a beat
  logic             skid_full_q, skid_full_d; // skid register holds a beat
  logic [Width-1:0] out_data_q, out_data_d;
  logic [Width-1:0] skid_data_q, skid_data_d;
  logic             in_fire, out_fire;

  assign in_ready_o  = !skid_full_q;
  assign out_valid_o = out_full_q;
  assign out_data_o  = out_data_q;
  assign in_fire     = in_valid_i && in_ready_o;
  assign out_fire    = out_full_q && out_ready_i;

  always_comb begin
    out_full_d  = out_full_q;
    skid_full_d = skid_full_q;
    out_data_d  = out_data_q;
    skid_data_d = skid_data_q;
    if (skid_full_q) begin
      // Input is blocked; drain the skid into the output register.
      if (out_fire) begin
        out_data_d  = skid_data_q;
        skid_full_d = 1'b0;
      end
    end else if (out_full_q && !out_fire) begin
      // Output stalled: a beat arriving now was accepted on a ready we gave a
      // cycle ago, so it goes into the skid register.
      if (in_fire) begin
        skid_data_d = in_data_i;
        skid_full_d = 1'b1;
      end
    end else begin
      // Output register empty or emptying: load it directly.
      out_full_d = in_fire;
      if (in_fire) out_data_d = in_data_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_full_q  <= 1'b0;
      skid_full_q <= 1'b0;
    end else begin
      out_full_q  <= out_full_d;
      skid_full_q <= skid_full_d;
    end
  end

  // Data registers need no reset: the full flags qualify them.
  always_ff @(posedge clk_i) begin
    out_data_q  <= out_data_d;
    skid_data_q <= skid_data_d;
  end

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, Width >= 1)
  `ASSERT_STREAM(InHold, in_valid_i, in_ready_o, in_data_i)
  `ASSERT_STREAM(OutHold, out_valid_o, out_ready_i, out_data_o)
  // The skid register fills only behind a full output register.
  `ASSERT_NEVER(SkidWithoutOut, skid_full_q && !out_full_q)
`endif

endmodule

`default_nettype wire
