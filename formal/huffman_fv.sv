// Formal harness of huffman_decoder (yosys-smtbmc, see docs/verification.md):
// MaxLen 3 (codes of 1..3 bits are matched; the table still has 15 lengths),
// InWidth 32. Everything is free: table writes at any time, start_i at any
// time with any count_i, input words and `last`, output ready. The checks are
// those of decoder_fv.svh (never hang after `last`, symbol count and `last`,
// hold rules, sticky error and done).
`default_nettype none
module huffman_fv #(
  parameter int unsigned MaxLen = 3,
  /// Sink-ready cycles without a beat out allowed after `last` went in.
  parameter int unsigned Bound = 4
) (
  input wire        clk_i,
  input wire        rst_ni,
  input wire        tbl_we_i,
  input wire [8:0]  tbl_addr_i,
  input wire [8:0]  tbl_data_i,
  input wire        start_i,
  input wire [31:0] count_i,
  input wire        in_valid_i,
  input wire [31:0] in_data_i,
  input wire        in_last_i,
  input wire        out_ready_i
);
  logic              in_ready_o, out_valid_o, out_last_o, busy_o, done_o, error_o;
  logic [7:0]        out_data_o;
  logic [0:0]        out_count_o;
  entropy_pkg::err_e error_code_o;
  logic [31:0]       cycles_o, stall_in_o, stall_out_o;
  huffman_decoder #(.MaxLen(MaxLen), .InWidth(32)) dut (
    .clk_i, .rst_ni, .tbl_we_i, .tbl_addr_i, .tbl_data_i, .start_i, .count_i,
    .in_valid_i, .in_ready_o, .in_data_i, .in_last_i,
    .out_valid_o, .out_ready_i, .out_data_o, .out_count_o, .out_last_o,
    .busy_o, .done_o, .error_o, .error_code_o, .cycles_o, .stall_in_o, .stall_out_o
  );
  logic [32:0] in_bundle;
  logic [9:0]  out_bundle;
  logic [31:0] out_syms;
  assign in_bundle  = {in_data_i, in_last_i};
  assign out_bundle = {out_data_o, out_count_o, out_last_o};
  assign out_syms   = 32'(out_count_o);
  `include "decoder_fv.svh"
endmodule
`default_nettype wire
