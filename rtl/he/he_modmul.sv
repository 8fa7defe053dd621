// he_modmul: pipelined Montgomery modular multiplier, R = 2^W.
//   p = a * b * 2^-W mod q, for odd q < 2^W and a, b < q (p < q, fully reduced).
// Bit-exact with squish::he::Montgomery::mul (w = W): t = a*b;
// m = (t mod R) * qinv mod R; u = (t + m*q) / R; p = u >= q ? u - q : u.
// Operands in Montgomery form stay in it; a twiddle stored as w*R mod q turns
// the product into a plain a*w mod q, so the NTT's data never needs converting.
//
// Timing: 4 register stages (latency 4, one product per cycle, no stall input:
// the NTT unit never stalls its butterflies). qinv_i = -q^-1 mod 2^W and q_i are
// quasi-static (held for the whole job).
//
// Cost: three W x W multipliers (a*b full 2W bits, m = low W bits of t_lo*qinv,
// m*q full 2W bits), a 2W-bit adder, a W-bit subtractor; about 6W + 2W flops.
`default_nettype none

module he_modmul #(
  /// Word width; moduli below 2^W.
  parameter int unsigned W = 60
) (
  input  logic         clk_i,
  input  logic [W-1:0] a_i,
  input  logic [W-1:0] b_i,
  input  logic [W-1:0] q_i,
  input  logic [W-1:0] qinv_i,
  output logic [W-1:0] p_o
);

  logic [2*W-1:0] t_q, t_q2, mq;
  logic [W-1:0]   m_q;
  logic [W:0]     u_d, u_q;
  logic [W-1:0]   p_q;
  logic [2*W:0]   sum;

  // Stage 1: full product. Stage 2: m from its low half.
  // Stage 3: (t + m q) / R; the low half of the sum is zero by construction,
  // so only its carry into the high half matters. Stage 4: final subtraction.
  assign mq  = {{W{1'b0}}, m_q} * {{W{1'b0}}, q_i};
  assign sum = {1'b0, t_q2} + {1'b0, mq};
  assign u_d = sum[2*W:W];

  always_ff @(posedge clk_i) begin
    t_q  <= {{W{1'b0}}, a_i} * {{W{1'b0}}, b_i};
    m_q  <= W'(t_q[W-1:0] * qinv_i);
    t_q2 <= t_q;
    u_q  <= u_d;
    p_q  <= (u_q >= {1'b0, q_i}) ? W'(u_q - {1'b0, q_i}) : u_q[W-1:0];
  end
  assign p_o = p_q;

  // The low half of t + m q is zero by construction; only its carry is used.
  logic unused_low;
  assign unused_low = ^sum[W-1:0];

endmodule

`default_nettype wire
