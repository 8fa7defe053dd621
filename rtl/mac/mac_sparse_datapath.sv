// mac_sparse_datapath: a sparse weight decoder (rtl/sparse/sparse_decoder)
// feeding the datapath (mac_datapath) through the nonzero stream: payload
// words in, requantized results out. This is the path a real layer takes; the
// bench measures each sparse format through it.
//
// Throughput is the smaller of the decoder's (up to EntriesPerCycle entries
// per cycle, 32 input bits per cycle) and the array's (Lanes x 1/2/4 entries
// per cycle); see docs/datapath.md.
//
// Cost: one sparse_decoder plus one mac_datapath; no extra buffering (the
// decoder's output beat register meets the datapath's beat register directly).
// The PPA run keeps the activation buffer small, as for mac_datapath.
// squish-synth: chparam -set ActDepth 32 -set MaxBatch 1
`default_nettype none

module mac_sparse_datapath #(
  /// Physical lanes (INT8xINT8 multipliers), P.
  parameter int unsigned Lanes = datapath_pkg::Lanes,
  /// Column index width of the nonzero stream.
  parameter int unsigned IdxWidth = datapath_pkg::IdxWidth,
  /// Row index width of the nonzero stream.
  parameter int unsigned RowWidth = datapath_pkg::RowWidth,
  /// Activation buffer entries per vector.
  parameter int unsigned ActDepth = 64,
  /// Vectors per batched GEMM pass.
  parameter int unsigned MaxBatch = datapath_pkg::MaxBatch,
  /// Performance counter width.
  parameter int unsigned CounterWidth = datapath_pkg::CounterWidth,
  /// Width of batch_i; derived, do not override.
  parameter int unsigned BatchWidth = $clog2(MaxBatch + 1)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  /// Clears the datapath's counters and error flag.
  input  logic                    clear_i,
  /// Configuration (see mac_datapath).
  input  squish_pkg::wprec_e      wprec_i,
  input  logic [IdxWidth:0]       cols_i,
  input  logic [BatchWidth-1:0]   batch_i,
  input  logic [7:0]              act_zp_i,
  input  logic [7:0]              out_zp_i,
  input  logic [7:0]              out_min_i,
  input  logic [7:0]              out_max_i,
  input  logic                    relu_i,
  /// Sparse payload words (docs/format.md), little-endian, last on the final word.
  input  logic                    in_valid_i,
  output logic                    in_ready_o,
  input  logic [31:0]             in_data_i,
  input  logic                    in_last_i,
  /// Activation load stream (see mac_datapath).
  input  logic                    act_valid_i,
  output logic                    act_ready_o,
  input  logic [Lanes*8-1:0]      act_data_i,
  /// Requantization parameters, one per row (see mac_datapath).
  input  logic                    rq_valid_i,
  output logic                    rq_ready_o,
  input  logic [31:0]             rq_bias_i,
  input  logic [31:0]             rq_mult_i,
  input  logic [5:0]              rq_shift_i,
  /// Results (see mac_datapath).
  output logic                    out_valid_o,
  input  logic                    out_ready_i,
  output logic [31:0]             out_acc_o,
  output logic [7:0]              out_q_o,
  output logic [RowWidth-1:0]     out_row_o,
  output logic [BatchWidth-1:0]   out_batch_o,
  output logic                    out_last_o,
  /// Datapath error (sticky) and decoder error (sticky, with its code).
  output logic                    err_o,
  output logic                    dec_error_o,
  output logic [3:0]              dec_error_code_o,
  output logic                    loading_o,
  /// Datapath performance counters.
  output logic [CounterWidth-1:0] cnt_busy_o,
  output logic [CounterWidth-1:0] cnt_starved_o,
  output logic [CounterWidth-1:0] cnt_blocked_o,
  output logic [CounterWidth-1:0] cnt_macs_o,
  output logic [CounterWidth-1:0] cnt_skipped_o
);

  localparam int unsigned Slots = Lanes * datapath_pkg::SlotsPerLane;

  logic                      nz_valid, nz_ready, nz_row_last, nz_last;
  logic [Slots-1:0]          nz_mask;
  logic [Slots*IdxWidth-1:0] nz_col;
  logic [Slots*8-1:0]        nz_val;
  logic [RowWidth-1:0]       nz_row;
  logic                      dec_busy;
  logic [31:0]               dec_beats, dec_entries, dec_words, dec_blocked, dec_starved;

  sparse_decoder #(
    .Lanes    (Lanes),
    .IdxWidth (IdxWidth),
    .RowWidth (RowWidth)
  ) u_decoder (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .wprec_i       (wprec_i),
    .in_valid_i    (in_valid_i),
    .in_ready_o    (in_ready_o),
    .in_data_i     (in_data_i),
    .in_last_i     (in_last_i),
    .nz_valid_o    (nz_valid),
    .nz_ready_i    (nz_ready),
    .nz_mask_o     (nz_mask),
    .nz_col_o      (nz_col),
    .nz_val_o      (nz_val),
    .nz_row_o      (nz_row),
    .nz_row_last_o (nz_row_last),
    .nz_last_o     (nz_last),
    .error_o       (dec_error_o),
    .error_code_o  (dec_error_code_o),
    .busy_o        (dec_busy),
    .cnt_beats_o   (dec_beats),
    .cnt_entries_o (dec_entries),
    .cnt_words_o   (dec_words),
    .cnt_blocked_o (dec_blocked),
    .cnt_starved_o (dec_starved)
  );
  // The decoder's own counters are read from its testbench; here the
  // datapath's counters speak for the whole path.
  logic unused_decoder_status;
  assign unused_decoder_status = ^{dec_busy, dec_beats, dec_entries, dec_words, dec_blocked, dec_starved};

  mac_datapath #(
    .Lanes        (Lanes),
    .IdxWidth     (IdxWidth),
    .RowWidth     (RowWidth),
    .ActDepth     (ActDepth),
    .MaxBatch     (MaxBatch),
    .CounterWidth (CounterWidth)
  ) u_datapath (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear_i),
    .wprec_i       (wprec_i),
    .cols_i        (cols_i),
    .batch_i       (batch_i),
    .act_zp_i      (act_zp_i),
    .out_zp_i      (out_zp_i),
    .out_min_i     (out_min_i),
    .out_max_i     (out_max_i),
    .relu_i        (relu_i),
    .act_valid_i   (act_valid_i),
    .act_ready_o   (act_ready_o),
    .act_data_i    (act_data_i),
    .nz_valid_i    (nz_valid),
    .nz_ready_o    (nz_ready),
    .nz_mask_i     (nz_mask),
    .nz_col_i      (nz_col),
    .nz_val_i      (nz_val),
    .nz_row_i      (nz_row),
    .nz_row_last_i (nz_row_last),
    .nz_last_i     (nz_last),
    .rq_valid_i    (rq_valid_i),
    .rq_ready_o    (rq_ready_o),
    .rq_bias_i     (rq_bias_i),
    .rq_mult_i     (rq_mult_i),
    .rq_shift_i    (rq_shift_i),
    .out_valid_o   (out_valid_o),
    .out_ready_i   (out_ready_i),
    .out_acc_o     (out_acc_o),
    .out_q_o       (out_q_o),
    .out_row_o     (out_row_o),
    .out_batch_o   (out_batch_o),
    .out_last_o    (out_last_o),
    .err_o         (err_o),
    .loading_o     (loading_o),
    .cnt_busy_o    (cnt_busy_o),
    .cnt_starved_o (cnt_starved_o),
    .cnt_blocked_o (cnt_blocked_o),
    .cnt_macs_o    (cnt_macs_o),
    .cnt_skipped_o (cnt_skipped_o)
  );

endmodule

`default_nettype wire
