// softmax_log2: floor(log2(S / 2^40) * 2^24) of the running sum, one result
// bit per clock by repeated squaring, with a side-band carried through.
//
//   e = position of S's leading one;  y = S normalised to Q1.32 in [1, 2)
//   24 times: y = y^2; if y >= 2 { bit = 1; y = y / 2 } else bit = 0
//   result = (e - 40) * 2^24 + bits
//
// Bit-exact with squish::softmax::log2_q24. Latency: 1 cycle to normalise, 24
// squaring cycles, then the result waits in out_* until taken (valid/ready, AXI
// rules). A new input is accepted only when idle, so throughput is one log per
// 26 cycles: the unit runs once per vector, not per element.
//
// Cost: one 33 x 33 squarer (shared by all 24 steps), a 58-bit leading-one
// detector and normalising shifter, ~130 flops.
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
  output logic [SideWidth-1:0] out_side_o
);

  typedef enum logic [1:0] {
    StIdle = 2'd0,
    StRun  = 2'd1,
    StDone = 2'd2
  } state_e;

  localparam int unsigned EW = $clog2(SumWidth);

  state_e                state_q, state_d;
  logic [4:0]            step_q, step_d;
  logic [32:0]           y_q, y_d;          // Q1.32
  logic [23:0]           bits_q, bits_d;
  logic signed [7:0]     exp_q, exp_d;      // e - 40
  logic [SideWidth-1:0]  side_q, side_d;

  logic [EW-1:0]         lead;
  logic                  lead_found;
  logic [SumWidth+32:0]  norm_wide;
  logic [65:0]           square;

  // Leading one of the input (highest set bit wins).
  always_comb begin
    lead       = '0;
    lead_found = 1'b0;
    for (int i = 0; i < SumWidth; i++) begin
      if (in_sum_i[i]) begin
        lead       = EW'(i);
        lead_found = 1'b1;
      end
    end
  end

  // Shift left so the leading one lands on bit SumWidth+32, keep 33 bits.
  assign norm_wide = {in_sum_i, 33'd0} << (EW'(SumWidth - 1) - lead);
  assign square    = y_q * y_q;  // Q2.64

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StDone);
  assign out_log_o   = {exp_q, bits_q};
  assign out_side_o  = side_q;

  always_comb begin
    state_d = state_q;
    step_d  = step_q;
    y_d     = y_q;
    bits_d  = bits_q;
    exp_d   = exp_q;
    side_d  = side_q;
    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          y_d     = norm_wide[SumWidth+32 -: 33];
          exp_d   = lead_found ? (8'(lead) - 8'd40) : -8'sd40;
          side_d  = in_side_i;
          step_d  = 5'd0;
          bits_d  = '0;
          state_d = StRun;
        end
      end
      StRun: begin
        if (square[65]) begin
          bits_d = {bits_q[22:0], 1'b1};
          y_d    = square[65:33];
        end else begin
          bits_d = {bits_q[22:0], 1'b0};
          y_d    = square[64:32];
        end
        step_d = step_q + 5'd1;
        if (step_q == 5'd23) state_d = StDone;
      end
      StDone: begin
        if (out_ready_i) state_d = StIdle;
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
    end else begin
      state_q <= state_d;
    end
  end

  // Datapath registers are qualified by the state.
  always_ff @(posedge clk_i) begin
    step_q <= step_d;
    y_q    <= y_d;
    bits_q <= bits_d;
    exp_q  <= exp_d;
    side_q <= side_d;
  end

  logic unused_bits;
  assign unused_bits = ^{norm_wide[SumWidth-1:0], square[31:0]};

endmodule

`default_nettype wire
