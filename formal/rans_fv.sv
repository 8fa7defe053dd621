// Formal harness of rans_decoder (yosys-smtbmc, see docs/verification.md):
// Lanes 4 (the smallest legal), MaxProbBits 2 (tables of 4 slots per lane),
// InWords 1 (so every in_count_i, 0 or 1, is legal). Everything is free:
// start_i at any time with any count_i, prob_bits_i and lanes_i, the
// frequency table stream, input words, counts and `last`, output ready. Both
// input streams only follow the valid/ready rule. The checks are those of
// decoder_fv.svh (never hang after `last`, symbol count and `last`, hold
// rules, sticky error and done).
`default_nettype none
module rans_fv #(
  parameter int unsigned Lanes = 4,
  parameter int unsigned MaxProbBits = 2,
  parameter int unsigned InWords = 1,
  /// Sink-ready cycles without a beat out allowed after `last` went in.
  parameter int unsigned Bound = 6
) (
  input wire                           clk_i,
  input wire                           rst_ni,
  input wire                           start_i,
  input wire [31:0]                    count_i,
  input wire [3:0]                     prob_bits_i,
  input wire [$clog2(Lanes+1)-1:0]     lanes_i,
  input wire                           tbl_valid_i,
  input wire [12:0]                    tbl_data_i,
  input wire                           tbl_last_i,
  input wire                           in_valid_i,
  input wire [16*InWords-1:0]          in_data_i,
  input wire [$clog2(InWords+1)-1:0]   in_count_i,
  input wire                           in_last_i,
  input wire                           out_ready_i
);
  logic                          tbl_ready_o, in_ready_o, out_valid_o, out_last_o, busy_o, done_o, error_o;
  logic [8*Lanes-1:0]            out_data_o;
  logic [$clog2(Lanes+1)-1:0]    out_count_o;
  entropy_pkg::err_e             error_code_o;
  logic [31:0]                   cycles_o, stall_in_o, stall_out_o;
  rans_decoder #(.Lanes(Lanes), .MaxProbBits(MaxProbBits), .InWords(InWords)) dut (
    .clk_i, .rst_ni, .start_i, .count_i, .prob_bits_i, .lanes_i,
    .tbl_valid_i, .tbl_ready_o, .tbl_data_i, .tbl_last_i,
    .in_valid_i, .in_ready_o, .in_data_i, .in_count_i, .in_last_i,
    .out_valid_o, .out_ready_i, .out_data_o, .out_count_o, .out_last_o,
    .busy_o, .done_o, .error_o, .error_code_o, .cycles_o, .stall_in_o, .stall_out_o
  );
  logic [$bits({in_data_i, in_count_i, in_last_i})-1:0] in_bundle;
  logic [$bits({out_data_o, out_count_o, out_last_o})-1:0] out_bundle;
  logic [31:0] out_syms;
  assign in_bundle  = {in_data_i, in_count_i, in_last_i};
  assign out_bundle = {out_data_o, out_count_o, out_last_o};
  assign out_syms   = 32'(out_count_o);
  `include "decoder_fv.svh"
  // The table stream follows the valid/ready rule too.
  logic        tbl_stall_q = 1'b0;
  logic [13:0] tbl_q = '0;
  always @(posedge clk_i) begin
    tbl_stall_q <= rst_ni && tbl_valid_i && !tbl_ready_o && !start_i;
    tbl_q       <= {tbl_data_i, tbl_last_i};
  end
  always @(*) if (tbl_stall_q && !start_i) assume (tbl_valid_i && {tbl_data_i, tbl_last_i} == tbl_q);
endmodule
`default_nettype wire
