// softmax_log2: log2(S / 2^40) in Q.24 of the pass-1 sum, fully pipelined (one
// result per clock), with a side-band carried through.
//
//   e = position of S's leading one;  f = the 32 bits below it (y = 1 + f)
//   seg = f[31:25], u = f[24:0] - 2^24          (offset from the segment midpoint)
//   log2(y) ~= L0[seg] + L1[seg]*u - L2[seg]*u^2   (128 segments, |u| <= 2^-8)
//   result = (e - 40) * 2^24 + round(log2(y) * 2^24)
//
// Bit-exact with squish::softmax::log2_q24; error below 2^-23. Two pipeline
// stages (normalise, square u and read the table; polynomial) with one enable:
// the squarer and the ROM sit in stage 1, which is otherwise short, so that
// stage 2 holds one multiplier level and the adds (timing, docs/silicon.md). The unit takes a
// new sum every cycle unless its output is stalled, so vectors of any length
// can follow each other back to back.
//
// Cost: a 58-bit leading-one detector and normalising shifter, the 128-entry
// ROM, a 23 x 19 and an 18 x 17 multiplier, a 19 x 19 squarer, ~172 +
// SideWidth x 2 flops. in_ready_o depends on out_ready_i (pipeline enable).
`default_nettype none

module softmax_log2 #(
  /// Width of S (integer bits + 40 fraction bits).
  parameter int unsigned SumWidth = 58,
  /// Side-band bits carried from input to output unchanged.
  parameter int unsigned SideWidth = 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  /// S in Q(SumWidth-40).40; must be >= 2^39 (the pass-1 sum always is).
  input  logic                 in_valid_i,
  output logic                 in_ready_o,
  input  logic [SumWidth-1:0]  in_sum_i,
  input  logic [SideWidth-1:0] in_side_i,
  /// log2(S) in signed Q7.24.
  output logic                 out_valid_o,
  input  logic                 out_ready_i,
  output logic signed [31:0]   out_log_o,
  output logic [SideWidth-1:0] out_side_o,
  /// A sum is in the pipeline (for the parent's busy counter).
  output logic                 busy_o
);

  localparam int unsigned EW = $clog2(SumWidth);

  logic                 en;
  logic                 norm_valid_q, out_valid_q;
  logic signed [7:0]    exp_q, exp_d;       // e - 40
  logic [31:0]          frac_d;             // f, Q0.32
  logic [24:0]          frac_q;             // its bits below the segment
  logic [17:0]          sq_q, sq_d;         // (u >>> 6)^2 >> 20 of that f
  logic [SideWidth-1:0] norm_side_q, out_side_q;
  logic signed [31:0]   log_q, log_d;

  assign en          = !out_valid_q || out_ready_i;
  assign in_ready_o  = en;
  assign out_valid_o = out_valid_q;
  assign out_log_o   = log_q;
  assign out_side_o  = out_side_q;
  assign busy_o      = norm_valid_q || out_valid_q;

  // ---- stage 1: leading one and normalisation ----
  logic [EW-1:0]        lead;
  logic                 lead_found;
  logic [SumWidth+31:0] norm_wide;
  always_comb begin
    lead       = '0;
    lead_found = 1'b0;
    for (int i = 0; i < SumWidth; i++) begin
      if (in_sum_i[i]) begin
        lead       = EW'(i);
        lead_found = 1'b1;
      end
    end
    // Leading one to bit SumWidth+32 (dropped), the 32 bits below it kept.
    norm_wide = {in_sum_i[SumWidth-2:0], 33'd0} << (EW'(SumWidth - 1) - lead);
    frac_d    = norm_wide[SumWidth+31 -: 32];
    exp_d     = lead_found ? (8'(lead) - 8'd40) : -8'sd40;
  end

  // Still stage 1: the square of u for stage 2's quadratic term.
  logic signed [25:0] u1;
  logic signed [19:0] u1_short;
  logic signed [39:0] sq_full;  // u_short^2, Q.52
  always_comb begin
    u1       = $signed({1'b0, frac_d[24:0]}) - 26'sd16777216;
    u1_short = 20'(u1 >>> 6);
    sq_full  = u1_short * u1_short;
    sq_d     = sq_full[37:20];
  end

  // Still stage 1: the table row of f's segment.
  logic [29:0]        l0_d, l0_q;
  logic [22:0]        l1_d, l1_q;
  logic [17:0]        l2_d, l2_q;

  softmax_log2_rom u_rom (
    .seg_i (frac_d[31:25]),
    .l0_o  (l0_d),
    .l1_o  (l1_d),
    .l2_o  (l2_d)
  );

  // ---- stage 2: polynomial ----
  logic signed [25:0] u;        // f[24:0] - 2^24, Q.32
  logic signed [19:0] u_short;  // u >>> 6, Q.26
  logic signed [43:0] lin_full; // L1 * u_short, Q.48
  logic signed [36:0] quad_full;// L2 * (sq >> 20), Q.50
  logic signed [32:0] frac30;

  always_comb begin
    u         = $signed({1'b0, frac_q[24:0]}) - 26'sd16777216;
    u_short   = 20'(u >>> 6);
    lin_full  = $signed({1'b0, l1_q}) * u_short;
    quad_full = $signed({1'b0, l2_q}) * $signed({1'b0, sq_q});
    frac30    = $signed({3'b000, l0_q}) + 33'(lin_full >>> 18) - 33'(quad_full >>> 20);
    log_d     = $signed({exp_q, 24'd0}) + 32'((frac30 + 33'sd32) >>> 6);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      norm_valid_q <= 1'b0;
      out_valid_q  <= 1'b0;
    end else if (en) begin
      norm_valid_q <= in_valid_i;
      out_valid_q  <= norm_valid_q;
    end
  end

  // Data registers are qualified by the valid bits.
  always_ff @(posedge clk_i) begin
    if (en) begin
      exp_q       <= exp_d;
      frac_q      <= frac_d[24:0];
      sq_q        <= sq_d;
      l0_q        <= l0_d;
      l1_q        <= l1_d;
      l2_q        <= l2_d;
      norm_side_q <= in_side_i;
      log_q       <= log_d;
      out_side_q  <= norm_side_q;
    end
  end

  logic unused_bits;
  assign unused_bits = ^{norm_wide[SumWidth-1:0], sq_full[39:38], sq_full[19:0], in_sum_i[SumWidth-1]};

endmodule

`default_nettype wire
