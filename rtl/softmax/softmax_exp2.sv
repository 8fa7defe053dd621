// softmax_exp2: the mantissa of 2^x for x in [0, 1), to about 2^-25 relative.
//
//   seg = x[23:18], u = x[17:0] - 2^17          (offset from the segment midpoint)
//   R   = C0[seg] + (C1[seg] * u) >>> 16 + (C2[seg] * ((u >>> 3)^2 >> 14)) >>> 16
//
// a second-order Taylor expansion of 2^x around the midpoint of each of 64
// segments (|u| <= 2^-7, so the dropped cubic term is below 2^-25). R is 2^x in
// Q1.30, within [2^30 - 1, 2^31). Bit-exact with squish::softmax::exp2_mantissa.
//
// One pipeline register (timing, docs/silicon.md): mant_o is the result for the
// frac_i presented one enabled clock earlier. Stage 1 holds the ROM, the linear
// product C1 * u and the squarer; stage 2 the C2 product and the three-input
// add. The register has no reset: the parent qualifies it with its own valid
// bits and moves it with the same enable as the rest of its pipeline.
//
// Cost: the 64-entry ROM, one 23 x 18 and one 17 x 15 signed multiplier, a
// 15 x 15 squarer, a three-input 32-bit adder and 89 flops.
`default_nettype none

module softmax_exp2 (
  input  logic        clk_i,
  /// Pipeline enable (the parent's stage enable).
  input  logic        en_i,
  /// Argument x in Q0.24, [0, 1).
  input  logic [23:0] frac_i,
  /// 2^x in Q1.30, for the frac_i of the previous enabled clock.
  output logic [31:0] mant_o
);

  // ---- stage 1: table, linear term, square ----
  logic [5:0]  seg;
  logic [30:0] c0;
  logic [22:0] c1;
  logic [16:0] c2;

  logic signed [17:0] u;        // offset from the midpoint, Q.24
  logic signed [14:0] u_short;  // u >>> 3, Q.21
  logic signed [41:0] lin_full; // C1 * u, Q.46
  logic signed [29:0] sq_full;  // u_short^2, Q.42, <= 2^28

  assign seg = frac_i[23:18];

  softmax_exp2_rom u_rom (
    .seg_i (seg),
    .c0_o  (c0),
    .c1_o  (c1),
    .c2_o  (c2)
  );

  always_comb begin
    u        = $signed({~frac_i[17], frac_i[16:0]});  // frac_i[17:0] - 2^17
    u_short  = u[17:3];
    lin_full = $signed({1'b0, c1}) * u;
    sq_full  = u_short * u_short;
  end

  // |C1 * u| < 2^40, so lin_full >>> 16 fits 26 bits; u_short^2 <= 2^28, so
  // the square >> 14 fits 15 unsigned bits.
  logic [30:0]        c0_q;
  logic signed [25:0] lin_q;    // (C1 * u) >>> 16, Q.30
  logic [16:0]        c2_q;
  logic [14:0]        sq_q;     // u_short^2 >> 14, Q.28, < 2^15

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      c0_q  <= c0;
      lin_q <= lin_full[41:16];
      c2_q  <= c2;
      sq_q  <= sq_full[28:14];
    end
  end

  // ---- stage 2: quadratic term and sum ----
  logic signed [33:0] quad_full;// C2 * sq, Q.46
  logic signed [32:0] sum;

  always_comb begin
    quad_full = $signed({1'b0, c2_q}) * $signed({1'b0, sq_q});
    sum       = $signed({2'b00, c0_q}) + 33'(lin_q) + 33'(quad_full >>> 16);
    mant_o    = sum[31:0];
  end

  // The low square bits are below the precision kept, its top bit is zero; sum
  // never exceeds 2^31.
  logic unused_bits;
  assign unused_bits = ^{lin_full[15:0], sq_full[29], sq_full[13:0], sum[32]};

endmodule

`default_nettype wire
