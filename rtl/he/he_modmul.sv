// he_modmul: pipelined Montgomery modular multiplier, R = 2^W.
//   p = a * b * 2^-W mod q, for odd q < 2^W and a, b < q (p < q, fully reduced).
// Bit-exact with squish::he::Montgomery::mul (w = W): t = a*b;
// m = (t mod R) * qinv mod R; u = (t + m*q) / R; p = u >= q ? u - q : u.
// Operands in Montgomery form stay in it; a twiddle stored as w*R mod q turns
// the product into a plain a*w mod q, so the NTT's data never needs converting.
//
// Timing: Lat = 8 register stages, one product per cycle, no stall input (the
// NTT unit never stalls its butterflies). Every W x W product is split into
// four W/2 x W/2 partial products in one stage and summed in the next, so no
// stage holds more than one half-width multiplier or one wide addition:
//   1 partial products of a*b      2 t = their sum
//   3 partials of t_lo * qinv      4 m = their sum mod R
//   5 partials of m*q              6 mq = their sum
//   7 u = (t + mq) / R             8 p = u >= q ? u - q : u
// (A 4-stage version with whole W x W multipliers closed at 85 MHz in
// OSU 0.18 um.) qinv_i = -q^-1 mod 2^W and q_i are quasi-static (held for the job).
//
// Cost: eleven (W/2 x W/2) multipliers (4 + 3 + 4), about 2W-bit adders in
// stages 2, 6, 7, and roughly 14 W flops of pipeline.
`default_nettype none

module he_modmul #(
  /// Word width (even); moduli below 2^W.
  parameter int unsigned W = 60,
  /// Derived: half width.
  parameter int unsigned H = W / 2
) (
  input  logic         clk_i,
  input  logic [W-1:0] a_i,
  input  logic [W-1:0] b_i,
  input  logic [W-1:0] q_i,
  input  logic [W-1:0] qinv_i,
  output logic [W-1:0] p_o
);

  // Stage 1 / 2: t = a * b.
  logic [W-1:0]   ab_ll_q, ab_lh_q, ab_hl_q, ab_hh_q;
  logic [2*W-1:0] t_q2, t_q3, t_q4, t_q5, t_q6;
  // Stage 3 / 4: m = (t mod R) * qinv mod R.
  logic [W-1:0]   m_ll_q;
  logic [H-1:0]   m_cross_q;
  logic [W-1:0]   m_q4;
  // Stage 5 / 6: m * q.
  logic [W-1:0]   mq_ll_q, mq_lh_q, mq_hl_q, mq_hh_q;
  logic [2*W-1:0] mq_q6;
  // Stage 7 / 8.
  logic [2*W:0]   sum;
  logic [W:0]     u_q7;
  logic [W-1:0]   p_q8;

  function automatic logic [W-1:0] mul_half(input logic [H-1:0] x, input logic [H-1:0] y);
    mul_half = {{H{1'b0}}, x} * {{H{1'b0}}, y};
  endfunction

  assign sum = {1'b0, t_q6} + {1'b0, mq_q6};

  always_ff @(posedge clk_i) begin
    // 1
    ab_ll_q <= mul_half(a_i[H-1:0], b_i[H-1:0]);
    ab_lh_q <= mul_half(a_i[H-1:0], b_i[W-1:H]);
    ab_hl_q <= mul_half(a_i[W-1:H], b_i[H-1:0]);
    ab_hh_q <= mul_half(a_i[W-1:H], b_i[W-1:H]);
    // 2
    t_q2 <= {{W{1'b0}}, ab_ll_q} + ({{W{1'b0}}, ab_lh_q} << H) + ({{W{1'b0}}, ab_hl_q} << H) + ({ab_hh_q, {W{1'b0}}});
    // 3: only the low W bits of t_lo * qinv matter.
    m_ll_q    <= mul_half(t_q2[H-1:0], qinv_i[H-1:0]);
    m_cross_q <= H'(mul_half(t_q2[H-1:0], qinv_i[W-1:H]) + mul_half(t_q2[W-1:H], qinv_i[H-1:0]));
    t_q3      <= t_q2;
    // 4
    m_q4 <= m_ll_q + {m_cross_q, {H{1'b0}}};
    t_q4 <= t_q3;
    // 5
    mq_ll_q <= mul_half(m_q4[H-1:0], q_i[H-1:0]);
    mq_lh_q <= mul_half(m_q4[H-1:0], q_i[W-1:H]);
    mq_hl_q <= mul_half(m_q4[W-1:H], q_i[H-1:0]);
    mq_hh_q <= mul_half(m_q4[W-1:H], q_i[W-1:H]);
    t_q5    <= t_q4;
    // 6
    mq_q6 <= {{W{1'b0}}, mq_ll_q} + ({{W{1'b0}}, mq_lh_q} << H) + ({{W{1'b0}}, mq_hl_q} << H) + ({mq_hh_q, {W{1'b0}}});
    t_q6  <= t_q5;
    // 7: (t + m q) / R; the low half of the sum is zero by construction.
    u_q7 <= sum[2*W:W];
    // 8
    p_q8 <= (u_q7 >= {1'b0, q_i}) ? W'(u_q7 - {1'b0, q_i}) : u_q7[W-1:0];
  end
  assign p_o = p_q8;

  logic unused_low;
  assign unused_low = ^sum[W-1:0];

endmodule

`default_nettype wire
