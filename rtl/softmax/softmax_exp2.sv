// softmax_exp2: the mantissa of 2^x for x in [0, 1), to about 2^-25 relative.
//
//   seg = x[23:18], u = x[17:0] - 2^17          (offset from the segment midpoint)
//   R   = C0[seg] + (C1[seg] * u) >>> 16 + (C2[seg] * ((u >>> 3)^2 >> 14)) >>> 16
//
// a second-order Taylor expansion of 2^x around the midpoint of each of 64
// segments (|u| <= 2^-7, so the dropped cubic term is below 2^-25). R is 2^x in
// Q1.30, within [2^30 - 1, 2^31). Bit-exact with squish::softmax::exp2_mantissa.
//
// Purely combinational. Cost: the 64-entry ROM, one 23 x 18 and one 17 x 15
// signed multiplier, a 15 x 15 squarer, and a three-input 32-bit adder.
`default_nettype none

module softmax_exp2 (
  /// Argument x in Q0.24, [0, 1).
  input  logic [23:0] frac_i,
  /// 2^x in Q1.30.
  output logic [31:0] mant_o
);

  logic [5:0]  seg;
  logic [30:0] c0;
  logic [22:0] c1;
  logic [16:0] c2;

  logic signed [17:0] u;        // offset from the midpoint, Q.24
  logic signed [14:0] u_short;  // u >>> 3, Q.21
  logic signed [41:0] lin_full; // C1 * u, Q.46
  logic signed [29:0] sq_full;  // u_short^2, Q.42
  logic signed [15:0] sq;       // >> 14: Q.28, < 2^14
  logic signed [33:0] quad_full;// C2 * sq, Q.46
  logic signed [32:0] sum;

  assign seg = frac_i[23:18];

  softmax_exp2_rom u_rom (
    .seg_i (seg),
    .c0_o  (c0),
    .c1_o  (c1),
    .c2_o  (c2)
  );

  always_comb begin
    u         = $signed({~frac_i[17], frac_i[16:0]});  // frac_i[17:0] - 2^17
    u_short   = u[17:3];
    lin_full  = $signed({1'b0, c1}) * u;
    sq_full   = u_short * u_short;
    sq        = sq_full[29:14];
    quad_full = $signed({1'b0, c2}) * sq;
    sum       = $signed({2'b00, c0}) + 33'(lin_full >>> 16) + 33'(quad_full >>> 16);
    mant_o    = sum[31:0];
  end

  // The low square bits are below the precision kept; sum never exceeds 2^31.
  logic unused_bits;
  assign unused_bits = ^{sq_full[13:0], sum[32]};

endmodule

`default_nettype wire
