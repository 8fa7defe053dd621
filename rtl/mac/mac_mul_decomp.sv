// mac_mul_decomp: decomposable signed multiplier, weight precision 8, 4 or 2 bits
// against an 8-bit signed activation. One lane of the PE array.
//
//   INT8: one   int8 weight x act[0]                      -> sum_o = w * a0
//   INT4: two   int4 weights {w1, w0} x {act[1], act[0]}  -> sum_o = w0*a0 + w1*a1
//   INT2: four  int2 weights {w3..w0} x {act[3]..act[0]}  -> sum_o = sum wk*ak
// All products of a beat go to the same output row, so the lane returns their
// sum (that is what lets the sub-products share one adder).
//
// Structure: radix-4 Booth. The 8 weight bits give four digits d_k in -2..2;
// digit k looks at bits (2k+1, 2k, 2k-1), and at a sub-word boundary (every
// digit at INT2, digit 2 at INT4) bit 2k-1 is forced to 0, which is exactly the
// Booth recoding of each narrower signed weight on its own. Each digit selects
// 0, +-a, +-2a of its own activation; the four rows are added with shifts
// 2k (INT8), 2(k mod 2) (INT4) or 0 (INT2). The precision only steers two
// boundary bits, the activation multiplexers and two shift multiplexers.
//
// Cost: 4 Booth row selectors (10 bits), 3 adders (12..16 bits), 3x 8-bit
// 3:1 activation muxes, two 2:1 shift muxes. Purely combinational.
`default_nettype none

module mac_mul_decomp (
  /// Weight precision (constant for a matrix).
  input  squish_pkg::wprec_e wprec_i,
  /// Packed weights: INT8 [7:0]; INT4 w0=[3:0], w1=[7:4]; INT2 wk=[2k+1:2k].
  input  logic [7:0]         weight_i,
  /// Activation of sub-word k at [8k +: 8] (INT8 uses k=0, INT4 k=0,1).
  input  logic [31:0]        act_i,
  /// Sum of the products, signed.
  output logic [15:0]        sum_o
);

  logic               is_int8, is_int2;
  logic [3:0]         prev_bit;      // bit 2k-1 as seen by digit k
  logic [4*8-1:0]     digit_act;     // activation each digit multiplies
  logic [4*10-1:0]    row;           // d_k * a, signed 10 bits
  logic signed [11:0] pair_lo, pair_hi;
  logic signed [15:0] pair_hi_shifted;

  assign is_int8 = (wprec_i == squish_pkg::WPrecInt8);
  assign is_int2 = (wprec_i == squish_pkg::WPrecInt2);

  always_comb begin
    prev_bit[0] = 1'b0;
    prev_bit[1] = is_int2 ? 1'b0 : weight_i[1];
    prev_bit[2] = is_int8 ? weight_i[3] : 1'b0;
    prev_bit[3] = is_int2 ? 1'b0 : weight_i[5];
    digit_act[0 +: 8]  = act_i[0 +: 8];
    digit_act[8 +: 8]  = is_int2 ? act_i[8 +: 8] : act_i[0 +: 8];
    digit_act[16 +: 8] = is_int8 ? act_i[0 +: 8] : (is_int2 ? act_i[16 +: 8] : act_i[8 +: 8]);
    digit_act[24 +: 8] = is_int8 ? act_i[0 +: 8] : (is_int2 ? act_i[24 +: 8] : act_i[8 +: 8]);
  end

  for (genvar k = 0; k < 4; k++) begin : g_booth
    logic               b_hi, b_lo, one, two, neg;
    logic signed [9:0]  a_ext, mag;
    assign b_hi  = weight_i[2*k+1];
    assign b_lo  = weight_i[2*k];
    assign one   = b_lo ^ prev_bit[k];
    assign two   = (b_hi & ~b_lo & ~prev_bit[k]) | (~b_hi & b_lo & prev_bit[k]);
    assign neg   = b_hi;
    assign a_ext = {{2{digit_act[8*k+7]}}, digit_act[8*k +: 8]};
    assign mag   = one ? a_ext : (two ? (a_ext <<< 1) : 10'sd0);
    assign row[10*k +: 10] = neg ? -mag : mag;
  end

  // Rows 0+1 and 2+3 are each one INT4 product (shift 2) or two INT2 products.
  assign pair_lo = 12'(signed'(row[0 +: 10])) + (is_int2 ? 12'(signed'(row[10 +: 10]))
                                                         : (12'(signed'(row[10 +: 10])) <<< 2));
  assign pair_hi = 12'(signed'(row[20 +: 10])) + (is_int2 ? 12'(signed'(row[30 +: 10]))
                                                          : (12'(signed'(row[30 +: 10])) <<< 2));
  assign pair_hi_shifted = is_int8 ? (16'(pair_hi) <<< 4) : 16'(pair_hi);
  assign sum_o = 16'(pair_lo) + pair_hi_shifted;

endmodule

`default_nettype wire
