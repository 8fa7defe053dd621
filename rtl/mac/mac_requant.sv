// mac_requant: per-output-channel requantization with gemmlowp / TFLite
// semantics, pipelined (two register stages, one result per cycle):
//
//   x  = sat32(sat32(acc + bias) * 2^max(shift, 0))    (saturating)
//   h  = SaturatingRoundingDoublingHighMul(x, mult)    (stage 1 -> 2)
//   y  = RoundingDivideByPOT(h, max(-shift, 0))        (after stage 2)
//   q  = clamp(y + out_zp, relu ? max(out_min, out_zp) : out_min, out_max)
//
// bit-exact with squish::requant::requantize (which is checked against
// gemmlowp); the datapath tests compare every output.
// A side-band tag (row, vector, raw accumulator, last) travels alongside.
// The pipeline moves only when en_i is high (the datapath's global advance),
// so a stalled output holds every stage.
//
// Cost: one 32x32 signed multiplier, a 64-bit adder, a 32-bit barrel shifter
// each way, ~3x32 + TagWidth flops per stage.
`default_nettype none

module mac_requant #(
  /// Bits of side-band data carried with each value.
  parameter int unsigned TagWidth = 8
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  /// Advance the pipeline this cycle.
  input  logic                en_i,
  /// A value enters (sampled when en_i).
  input  logic                in_valid_i,
  /// Accumulator, signed.
  input  logic [31:0]         in_acc_i,
  /// Channel bias, signed.
  input  logic [31:0]         in_bias_i,
  /// Channel multiplier, signed Q0.31.
  input  logic [31:0]         in_mult_i,
  /// Channel shift, signed, -31..30 (> 0 left, < 0 right).
  input  logic [5:0]          in_shift_i,
  /// Side-band data.
  input  logic [TagWidth-1:0] in_tag_i,
  /// Output zero point, signed.
  input  logic [7:0]          out_zp_i,
  /// Clamp bounds, signed (out_min <= out_max).
  input  logic [7:0]          out_min_i,
  input  logic [7:0]          out_max_i,
  /// Fused ReLU: raise the lower bound to out_zp.
  input  logic                relu_i,
  /// A result is present at the end of the pipeline.
  output logic                out_valid_o,
  /// Requantized value, signed 8 bits.
  output logic [7:0]          out_q_o,
  /// Side-band data of that result.
  output logic [TagWidth-1:0] out_tag_o
);

  // ---- stage 1: bias add and left shift ----------------------------------
  logic                s1_valid_q, s1_valid_d;
  logic [31:0]         s1_x_q, s1_x_d, s1_mult_q, s1_mult_d;
  logic [4:0]          s1_right_q, s1_right_d;
  logic [TagWidth-1:0] s1_tag_q, s1_tag_d;

  logic [32:0] biased_wide;
  logic [31:0] biased;
  logic [4:0]  left_amount;
  logic [63:0] left_wide;
  logic [31:0] left_sat;
  assign biased_wide = 33'(signed'(in_acc_i)) + 33'(signed'(in_bias_i));
  // Saturate the 33-bit sum to int32.
  assign biased = (biased_wide[32] != biased_wide[31]) ? (biased_wide[32] ? 32'h8000_0000 : 32'h7FFF_FFFF)
                                                       : biased_wide[31:0];
  assign left_amount = in_shift_i[5] ? 5'd0 : in_shift_i[4:0];
  assign left_wide   = 64'(signed'(biased)) << left_amount;
  // Saturate the shifted value: it fits int32 iff bits [63:31] are all equal.
  assign left_sat = (left_wide[63:31] == '0 || left_wide[63:31] == '1) ? left_wide[31:0]
                  : (left_wide[63] ? 32'h8000_0000 : 32'h7FFF_FFFF);

  always_comb begin
    s1_valid_d = s1_valid_q;
    s1_x_d     = s1_x_q;
    s1_mult_d  = s1_mult_q;
    s1_right_d = s1_right_q;
    s1_tag_d   = s1_tag_q;
    if (en_i) begin
      s1_valid_d = in_valid_i;
      s1_x_d     = left_sat;
      s1_mult_d  = in_mult_i;
      s1_right_d = in_shift_i[5] ? 5'(-in_shift_i) : 5'd0;
      s1_tag_d   = in_tag_i;
    end
  end

  // ---- stage 2: saturating rounding doubling high multiply ----------------
  logic                s2_valid_q, s2_valid_d;
  logic [31:0]         s2_h_q, s2_h_d;
  logic [4:0]          s2_right_q, s2_right_d;
  logic [TagWidth-1:0] s2_tag_q, s2_tag_d;

  logic [63:0] product, nudged, toward_zero;
  logic        saturate;
  assign product  = 64'($signed(s1_x_q) * $signed(s1_mult_q));
  assign saturate = (s1_x_q == 32'h8000_0000) && (s1_mult_q == 32'h8000_0000);
  assign nudged   = product + (product[63] ? 64'hFFFF_FFFF_C000_0001 : 64'h0000_0000_4000_0000);
  // Division by 2^31 truncating toward zero: bias negative values up first.
  assign toward_zero = nudged + (nudged[63] ? 64'h0000_0000_7FFF_FFFF : 64'd0);
  // Only bits [62:31] are the quotient (|quotient| < 2^31 unless saturating).
  logic unused_toward_zero;
  assign unused_toward_zero = ^{toward_zero[63], toward_zero[30:0]};

  always_comb begin
    s2_valid_d = s2_valid_q;
    s2_h_d     = s2_h_q;
    s2_right_d = s2_right_q;
    s2_tag_d   = s2_tag_q;
    if (en_i) begin
      s2_valid_d = s1_valid_q;
      s2_h_d     = saturate ? 32'h7FFF_FFFF : toward_zero[62:31];
      s2_right_d = s1_right_q;
      s2_tag_d   = s1_tag_q;
    end
  end

  // ---- output: rounding divide by power of two, zero point, clamp --------
  logic [31:0]        round_mask, remainder, threshold, shifted;
  logic signed [33:0] with_zp;
  assign round_mask = (32'd1 << s2_right_q) - 32'd1;
  assign remainder  = s2_h_q & round_mask;
  assign threshold  = (round_mask >> 1) + {31'd0, s2_h_q[31]};
  assign shifted    = 32'($signed(s2_h_q) >>> s2_right_q);
  assign with_zp    = 34'(signed'(shifted)) + 34'(signed'(out_zp_i))
                    + ((remainder > threshold) ? 34'sd1 : 34'sd0);

  logic signed [7:0] lower, lower_relu;
  assign lower_relu = ($signed(out_zp_i) > $signed(out_min_i)) ? out_zp_i : out_min_i;
  // An empty range (relu lower bound above out_max) collapses to out_max.
  assign lower = (relu_i && lower_relu <= $signed(out_max_i)) ? lower_relu
               : (relu_i ? out_max_i : out_min_i);

  always_comb begin
    if (with_zp > 34'(signed'(out_max_i)))  out_q_o = out_max_i;
    else if (with_zp < 34'(signed'(lower))) out_q_o = lower;
    else                                    out_q_o = with_zp[7:0];
  end
  assign out_valid_o = s2_valid_q;
  assign out_tag_o   = s2_tag_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_x_q     <= '0;
      s1_mult_q  <= '0;
      s1_right_q <= '0;
      s1_tag_q   <= '0;
      s2_valid_q <= 1'b0;
      s2_h_q     <= '0;
      s2_right_q <= '0;
      s2_tag_q   <= '0;
    end else begin
      s1_valid_q <= s1_valid_d;
      s1_x_q     <= s1_x_d;
      s1_mult_q  <= s1_mult_d;
      s1_right_q <= s1_right_d;
      s1_tag_q   <= s1_tag_d;
      s2_valid_q <= s2_valid_d;
      s2_h_q     <= s2_h_d;
      s2_right_q <= s2_right_d;
      s2_tag_q   <= s2_tag_d;
    end
  end

endmodule

`default_nettype wire
