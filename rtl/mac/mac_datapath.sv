// mac_datapath: the sparse, mixed-precision datapath. It takes activation
// vectors, a nonzero stream of weights (docs/datapath.md) and per-row
// requantization parameters, and returns for every output row r and vector b
//   acc = sum over the row's entries (c, w) of w * (x[b][c] - act_zp)
//   q   = gemmlowp requantization of acc with the row's (bias, mult, shift).
//
// Dataflow: output-stationary inner product. A beat holds up to Slots entries
// of one row; the PE array (Lanes decomposable multipliers) computes their
// dot product with the activations in one cycle, at 1, 2 or 4 products per
// lane for INT8, INT4 or INT2 weights. Zero weights never reach the array
// (the decoder drops them), so cycles scale with the non-zeros. In batched
// GEMM mode (batch_i = B > 1) every beat is issued B times, once per vector,
// from the same register: the decoded weights are fetched once for B vectors.
//
// Pipeline (one global advance; any stall holds every stage):
//   beat register (issue) -> activation fetch + PE array + zero-point
//   correction -> [M] -> accumulate per vector -> [requant s1] -> [s2]
//   -> output FIFO.
// Activation vectors are loaded before each matrix (act stream, Lanes values
// per beat, vector 0 first, ceil(cols/Lanes) beats per vector); the matrix
// runs once they are all in, and the next load starts after its last beat.
//
// Performance counters (hardware; cleared by clear_i): cycles a beat issued
// (busy), cycles running with nothing to issue or waiting for requant
// parameters (starved), cycles an issue was held by the output (blocked),
// products computed (present slots x vectors), dense MACs skipped.
//
// Cost: Lanes x mac_pe lane (see mac_pe_array), one 32x32 multiplier
// (requant), MaxBatch x ActDepth x 8 activation flops with Slots read ports
// (Lanes*4 multiplexers of ActDepth:1 x 8 bits -- the operand-bandwidth cost
// of weight-only precision scaling), MaxBatch 32-bit accumulators, five
// CounterWidth counters, a Slots-wide beat register (~Slots*(IdxWidth+9) flops).
// The PPA run keeps the activation buffer small (its Slots read ports over
// MaxBatch*ActDepth entries dominate the area otherwise; see docs/datapath.md).
// squish-synth: chparam -set ActDepth 32 -set MaxBatch 1
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module mac_datapath #(
  /// Physical lanes (INT8xINT8 multipliers), P.
  parameter int unsigned Lanes = datapath_pkg::Lanes,
  /// Column index width of the nonzero stream.
  parameter int unsigned IdxWidth = datapath_pkg::IdxWidth,
  /// Row index width of the nonzero stream.
  parameter int unsigned RowWidth = datapath_pkg::RowWidth,
  /// Activation buffer entries per vector (layers up to ActDepth inputs).
  parameter int unsigned ActDepth = 64,
  /// Vectors per batched GEMM pass.
  parameter int unsigned MaxBatch = datapath_pkg::MaxBatch,
  /// Performance counter width.
  parameter int unsigned CounterWidth = datapath_pkg::CounterWidth,
  /// Activation buffer banks: 1, or 2 to load the next matrix's vectors while
  /// the current one runs (double buffering; each bank holds its own batch size).
  parameter int unsigned ActBanks = 1,
  /// Entry slots per beat; derived, do not override.
  parameter int unsigned Slots = Lanes * datapath_pkg::SlotsPerLane,
  /// Width of batch_i (holds MaxBatch); derived, do not override.
  parameter int unsigned BatchWidth = $clog2(MaxBatch + 1)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  /// Clears the counters and the error flag.
  input  logic                      clear_i,

  // ---- configuration: hold steady while a matrix is loaded or running ----
  /// Weight precision.
  input  squish_pkg::wprec_e        wprec_i,
  /// Activation vector length (columns), 0..ActDepth.
  input  logic [IdxWidth:0]         cols_i,
  /// Vectors per pass, 1..MaxBatch (0 is taken as 1 and flagged).
  input  logic [BatchWidth-1:0]     batch_i,
  /// Activation zero point, signed.
  input  logic [7:0]                act_zp_i,
  /// Output zero point and clamp bounds, signed.
  input  logic [7:0]                out_zp_i,
  input  logic [7:0]                out_min_i,
  input  logic [7:0]                out_max_i,
  /// Fused ReLU (lower clamp raised to out_zp).
  input  logic                      relu_i,

  // ---- activation load stream ---------------------------------------------
  input  logic                      act_valid_i,
  output logic                      act_ready_o,
  /// Lanes signed activations, column (ptr + i) at [8i +: 8].
  input  logic [Lanes*8-1:0]        act_data_i,

  // ---- nonzero stream (docs/datapath.md) ----------------------------------
  input  logic                      nz_valid_i,
  output logic                      nz_ready_o,
  input  logic [Slots-1:0]          nz_mask_i,
  input  logic [Slots*IdxWidth-1:0] nz_col_i,
  input  logic [Slots*8-1:0]        nz_val_i,
  input  logic [RowWidth-1:0]       nz_row_i,
  input  logic                      nz_row_last_i,
  input  logic                      nz_last_i,

  // ---- requantization parameters: one beat per row, in row-close order ----
  input  logic                      rq_valid_i,
  output logic                      rq_ready_o,
  /// Bias, multiplier (Q0.31) and shift (-31..30) of the row.
  input  logic [31:0]               rq_bias_i,
  input  logic [31:0]               rq_mult_i,
  input  logic [5:0]                rq_shift_i,

  // ---- results: one beat per (row, vector) ---------------------------------
  output logic                      out_valid_o,
  input  logic                      out_ready_i,
  /// Raw accumulator (before bias), signed.
  output logic [31:0]               out_acc_o,
  /// Requantized value, signed.
  output logic [7:0]                out_q_o,
  output logic [RowWidth-1:0]       out_row_o,
  output logic [BatchWidth-1:0]     out_batch_o,
  /// Last result of the matrix.
  output logic                      out_last_o,

  // ---- status and performance counters -------------------------------------
  /// Sticky: a malformed beat or configuration was seen (see docs).
  output logic                      err_o,
  /// Loading activations (1) or running a matrix (0).
  output logic                      loading_o,
  output logic [CounterWidth-1:0]   cnt_busy_o,
  output logic [CounterWidth-1:0]   cnt_starved_o,
  output logic [CounterWidth-1:0]   cnt_blocked_o,
  output logic [CounterWidth-1:0]   cnt_macs_o,
  output logic [CounterWidth-1:0]   cnt_skipped_o
);

  // Exposed to the C++ side, which checks them against squish/datapath/params.hpp.
  localparam int unsigned PubLanes /*verilator public*/ = Lanes;
  localparam int unsigned PubSlots /*verilator public*/ = Slots;
  localparam int unsigned PubIdxWidth /*verilator public*/ = IdxWidth;
  localparam int unsigned PubRowWidth /*verilator public*/ = RowWidth;
  localparam int unsigned PubMaxBatch /*verilator public*/ = MaxBatch;
  localparam int unsigned PubActDepth /*verilator public*/ = ActDepth;
  localparam int unsigned PubAccWidth /*verilator public*/ = datapath_pkg::AccWidth;
  localparam int unsigned PubCounterWidth /*verilator public*/ = CounterWidth;

  localparam int unsigned PsumWidth = 16 + $clog2(Lanes);
  localparam int unsigned WsumWidth = 9 + $clog2(Slots);
  localparam int unsigned VecWidth = (MaxBatch > 1) ? $clog2(MaxBatch) : 1;
  localparam int unsigned PopWidth = $clog2(Slots + 1);
  localparam int unsigned TagWidth = 32 + RowWidth + BatchWidth + 1;

  // ---- configuration checks -------------------------------------------------
  logic [BatchWidth-1:0] batch_eff;
  logic                  cfg_err;
  assign batch_eff = (batch_i == '0) ? BatchWidth'(1)
                   : (batch_i > BatchWidth'(MaxBatch)) ? BatchWidth'(MaxBatch) : batch_i;
  assign cfg_err   = (batch_i == '0) || (batch_i > BatchWidth'(MaxBatch))
                   || (cols_i > (IdxWidth+1)'(ActDepth));

  // ---- activation buffer and loader ----------------------------------------
  logic [7:0]            act_mem_q [ActBanks*MaxBatch*ActDepth];
  // Loader side: bank lbank_q fills; a full bank holds the batch size it was
  // loaded with. Run side: bank rbank_q runs once full; the matrix's last issue
  // frees it. With one bank this is the load / run / load sequence.
  logic [ActBanks-1:0]   full_q, full_d;
  logic [ActBanks*BatchWidth-1:0] bank_batch_q, bank_batch_d;  // bank b at [b*BatchWidth +: BatchWidth]
  logic [0:0]      lbank_q, lbank_d, rbank_q, rbank_d;
  logic                  loading_q;
  logic [BatchWidth-1:0] run_batch;
  assign loading_q = !full_q[rbank_q];
  assign run_batch = bank_batch_q[32'(rbank_q)*BatchWidth +: BatchWidth];
  logic [IdxWidth:0]     load_col_q, load_col_d;
  logic [VecWidth-1:0]   load_vec_q, load_vec_d;
  logic                  act_fire, load_vec_done;
  logic [IdxWidth+1:0]   load_col_next;

  assign act_ready_o   = !full_q[lbank_q] && (cols_i != '0);
  assign act_fire      = act_valid_i && act_ready_o;
  assign load_col_next = (IdxWidth+2)'(load_col_q) + (IdxWidth+2)'(Lanes);
  assign load_vec_done = load_col_next >= (IdxWidth+2)'(cols_i);

  always_ff @(posedge clk_i) begin
    if (act_fire) begin
      for (int unsigned i = 0; i < Lanes; i++) begin
        if (32'(load_col_q) + i < ActDepth)
          act_mem_q[(32'(lbank_q) * MaxBatch + 32'(load_vec_q)) * ActDepth + 32'(load_col_q) + i] <= act_data_i[8*i +: 8];
      end
    end
  end

  // ---- issue stage: the beat register ---------------------------------------
  logic                      beat_valid_q, beat_valid_d;
  logic [Slots-1:0]          beat_mask_q, beat_mask_d;
  logic [Slots*IdxWidth-1:0] beat_col_q, beat_col_d;
  logic [Slots*8-1:0]        beat_val_q, beat_val_d;
  logic [RowWidth-1:0]       beat_row_q, beat_row_d;
  logic                      beat_row_last_q, beat_row_last_d;
  logic                      beat_last_q, beat_last_d;
  logic [VecWidth-1:0]       beat_vec_q, beat_vec_d;
  logic [PopWidth+IdxWidth:0] row_nnz_q, row_nnz_d;

  logic advance, out_ok, need_rq, issue_fire, last_vec, nz_fire;
  assign last_vec   = (BatchWidth'(beat_vec_q) + BatchWidth'(1)) >= run_batch;
  assign issue_fire = beat_valid_q && advance;
  assign nz_ready_o = !loading_q && (!beat_valid_q || (issue_fire && last_vec && !beat_last_q));
  assign nz_fire    = nz_valid_i && nz_ready_o;

  // Slot checks and activation fetch (combinational from the beat register).
  logic [Slots-1:0]   slot_present, slot_bad;
  logic [Slots*8-1:0] slot_act;
  logic [PopWidth-1:0] beat_pop;
  for (genvar s = 0; s < Slots; s++) begin : g_slot
    logic [IdxWidth-1:0] col;
    logic signed [7:0]   val;
    logic                used, col_ok, val_ok;
    assign col = beat_col_q[IdxWidth*s +: IdxWidth];
    assign val = beat_val_q[8*s +: 8];
    always_comb begin
      unique case (wprec_i)
        squish_pkg::WPrecInt4: begin
          used   = (s < 2 * Lanes);
          val_ok = (val >= -8) && (val <= 7);
        end
        squish_pkg::WPrecInt2: begin
          used   = 1'b1;
          val_ok = (val >= -2) && (val <= 1);
        end
        default: begin
          used   = (s < Lanes);
          val_ok = 1'b1;
        end
      endcase
    end
    assign col_ok = ((IdxWidth+1)'(col) < cols_i) && (32'(col) < ActDepth);
    assign slot_present[s] = beat_mask_q[s] && used && col_ok && val_ok;
    assign slot_bad[s]     = beat_mask_q[s] && !(used && col_ok && val_ok);
    assign slot_act[8*s +: 8] = col_ok ? act_mem_q[(32'(rbank_q) * MaxBatch + 32'(beat_vec_q)) * ActDepth + 32'(col)] : 8'd0;
  end

  always_comb begin
    beat_pop = '0;
    for (int unsigned s = 0; s < Slots; s++) beat_pop = beat_pop + PopWidth'(slot_present[s]);
  end

  logic [PsumWidth-1:0] psum;
  logic [WsumWidth-1:0] wsum;
  mac_pe_array #(.Lanes(Lanes)) u_array (
    .wprec_i   (wprec_i),
    .present_i (slot_present),
    .weight_i  (beat_val_q),
    .act_i     (slot_act),
    .psum_o    (psum),
    .wsum_o    (wsum)
  );

  // sum w*(x - zp) = sum w*x - zp * sum w  (|.| < 2^22 per beat)
  logic [31:0] psum_corrected;
  assign psum_corrected = 32'(signed'(psum)) - 32'($signed(act_zp_i) * $signed(wsum));

  always_comb begin
    beat_valid_d    = beat_valid_q;
    beat_mask_d     = beat_mask_q;
    beat_col_d      = beat_col_q;
    beat_val_d      = beat_val_q;
    beat_row_d      = beat_row_q;
    beat_row_last_d = beat_row_last_q;
    beat_last_d     = beat_last_q;
    beat_vec_d      = beat_vec_q;
    row_nnz_d       = row_nnz_q;
    if (issue_fire) begin
      beat_vec_d = beat_vec_q + 1'b1;
      if (last_vec) begin
        beat_valid_d = 1'b0;
        beat_vec_d   = '0;
        row_nnz_d    = (beat_row_last_q || beat_last_q) ? '0
                     : row_nnz_q + (PopWidth+IdxWidth+1)'(beat_pop);
      end
    end
    if (nz_fire) begin
      beat_valid_d    = 1'b1;
      beat_mask_d     = nz_mask_i;
      beat_col_d      = nz_col_i;
      beat_val_d      = nz_val_i;
      beat_row_d      = nz_row_i;
      beat_row_last_d = nz_row_last_i;
      beat_last_d     = nz_last_i;
      beat_vec_d      = '0;
    end
  end

  // Loader / run state: back to loading after the matrix's last issue.
  always_comb begin
    full_d       = full_q;
    bank_batch_d = bank_batch_q;
    lbank_d      = lbank_q;
    rbank_d      = rbank_q;
    load_col_d   = load_col_q;
    load_vec_d   = load_vec_q;
    if (!full_q[lbank_q]) begin
      if (cols_i == '0) begin
        // Nothing to load: a bank is ready when the matrix arrives (and is
        // freed after it, so a later cols_i != 0 waits for its activations).
        if (nz_valid_i) begin
          full_d[lbank_q]       = 1'b1;
          bank_batch_d[32'(lbank_q)*BatchWidth +: BatchWidth] = batch_eff;
          lbank_d               = (ActBanks > 1) ? ~lbank_q : lbank_q;
        end
      end else if (act_fire) begin
        load_col_d = load_col_next[IdxWidth:0];
        if (load_vec_done) begin
          load_col_d = '0;
          load_vec_d = load_vec_q + 1'b1;
          if ((BatchWidth'(load_vec_q) + BatchWidth'(1)) >= batch_eff) begin
            full_d[lbank_q]       = 1'b1;
            bank_batch_d[32'(lbank_q)*BatchWidth +: BatchWidth] = batch_eff;
            lbank_d               = (ActBanks > 1) ? ~lbank_q : lbank_q;
            load_vec_d            = '0;
          end
        end
      end
    end
    if (!loading_q && issue_fire && last_vec && beat_last_q) begin
      full_d[rbank_q] = 1'b0;
      rbank_d         = (ActBanks > 1) ? ~rbank_q : rbank_q;
    end
  end

  // ---- stage M: partial sum of one (beat, vector) ---------------------------
  logic                m_valid_q, m_valid_d;
  logic [31:0]         m_psum_q, m_psum_d;
  logic [RowWidth-1:0] m_row_q, m_row_d;
  logic [VecWidth-1:0] m_vec_q, m_vec_d;
  logic                m_row_last_q, m_row_last_d, m_last_q, m_last_d;
  logic                m_end_q, m_end_d;  // matrix ends with this beat (any vector)

  always_comb begin
    m_valid_d    = m_valid_q;
    m_psum_d     = m_psum_q;
    m_row_d      = m_row_q;
    m_vec_d      = m_vec_q;
    m_row_last_d = m_row_last_q;
    m_last_d     = m_last_q;
    m_end_d      = m_end_q;
    if (advance) begin
      m_valid_d    = issue_fire;
      m_psum_d     = psum_corrected;
      m_row_d      = beat_row_q;
      m_vec_d      = beat_vec_q;
      m_row_last_d = beat_row_last_q;
      m_last_d     = beat_last_q && last_vec;
      m_end_d      = beat_last_q;
    end
  end

  // ---- stage A: accumulate; a closed row goes to requantization -------------
  logic [MaxBatch*32-1:0] acc_q, acc_d;
  logic [31:0]            acc_sum;
  logic                   row_out;
  assign acc_sum = acc_q[32*m_vec_q +: 32] + m_psum_q;
  assign row_out = m_valid_q && m_row_last_q;

  always_comb begin
    acc_d = acc_q;
    // A malformed matrix may end without closing its row: start the next clean.
    if (advance && m_valid_q) acc_d[32*m_vec_q +: 32] = (m_row_last_q || m_end_q) ? 32'd0 : acc_sum;
  end

  // Requant parameters: taken from the rq stream when vector 0 of a row closes,
  // held for the row's other vectors.
  logic [31:0] rq_bias_q, rq_bias_d, rq_mult_q, rq_mult_d;
  logic [5:0]  rq_shift_q, rq_shift_d;
  logic [31:0] use_bias, use_mult;
  logic [5:0]  use_shift;
  assign need_rq    = row_out && (m_vec_q == '0);
  assign use_bias   = need_rq ? rq_bias_i  : rq_bias_q;
  assign use_mult   = need_rq ? rq_mult_i  : rq_mult_q;
  assign use_shift  = need_rq ? rq_shift_i : rq_shift_q;
  assign rq_ready_o = out_ok && need_rq;

  always_comb begin
    rq_bias_d  = rq_bias_q;
    rq_mult_d  = rq_mult_q;
    rq_shift_d = rq_shift_q;
    if (rq_valid_i && rq_ready_o) begin
      rq_bias_d  = rq_bias_i;
      rq_mult_d  = rq_mult_i;
      rq_shift_d = rq_shift_i;
    end
  end

  logic                req_valid;
  logic [7:0]          req_q;
  logic [TagWidth-1:0] req_tag;
  mac_requant #(.TagWidth(TagWidth)) u_requant (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .en_i        (advance),
    .in_valid_i  (row_out),
    .in_acc_i    (acc_sum),
    .in_bias_i   (use_bias),
    .in_mult_i   (use_mult),
    .in_shift_i  (use_shift),
    .in_tag_i    ({acc_sum, m_row_q, BatchWidth'(m_vec_q), m_last_q}),
    .out_zp_i    (out_zp_i),
    .out_min_i   (out_min_i),
    .out_max_i   (out_max_i),
    .relu_i      (relu_i),
    .out_valid_o (req_valid),
    .out_q_o     (req_q),
    .out_tag_o   (req_tag)
  );

  // ---- output FIFO and the global advance -----------------------------------
  logic       fifo_in_ready, out_fifo_full, out_fifo_empty;
  logic [1:0] out_fifo_count;
  fifo_sync #(.Width(TagWidth + 8), .Depth(2)) u_out_fifo (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (1'b0),
    .in_valid_i  (req_valid && advance),
    .in_ready_o  (fifo_in_ready),
    .in_data_i   ({req_tag, req_q}),
    .out_valid_o (out_valid_o),
    .out_ready_i (out_ready_i),
    .out_data_o  ({out_acc_o, out_row_o, out_batch_o, out_last_o, out_q_o}),
    .full_o      (out_fifo_full),
    .empty_o     (out_fifo_empty),
    .count_o     (out_fifo_count)
  );
  // The FIFO's status outputs are not needed: the handshakes carry it all.
  logic unused_out_fifo_status;
  assign unused_out_fifo_status = ^{out_fifo_full, out_fifo_empty, out_fifo_count};
  assign out_ok  = !req_valid || fifo_in_ready;
  assign advance = out_ok && !(need_rq && !rq_valid_i);

  // ---- performance counters and error flag ----------------------------------
  logic [CounterWidth-1:0] cnt_busy_q, cnt_busy_d, cnt_starved_q, cnt_starved_d;
  logic [CounterWidth-1:0] cnt_blocked_q, cnt_blocked_d, cnt_macs_q, cnt_macs_d;
  logic [CounterWidth-1:0] cnt_skipped_q, cnt_skipped_d;
  logic                    err_q, err_d;
  logic [PopWidth+IdxWidth:0] row_total;
  logic [PopWidth+IdxWidth:0] row_skipped;
  assign row_total   = row_nnz_q + (PopWidth+IdxWidth+1)'(beat_pop);
  assign row_skipped = (PopWidth+IdxWidth+1)'(cols_i) - row_total;

  always_comb begin
    cnt_busy_d    = cnt_busy_q;
    cnt_starved_d = cnt_starved_q;
    cnt_blocked_d = cnt_blocked_q;
    cnt_macs_d    = cnt_macs_q;
    cnt_skipped_d = cnt_skipped_q;
    err_d         = err_q || cfg_err;
    if (!loading_q) begin
      if (issue_fire) begin
        cnt_busy_d = cnt_busy_q + 1'b1;
        cnt_macs_d = cnt_macs_q + CounterWidth'(beat_pop);
        if (beat_row_last_q && row_total < (PopWidth+IdxWidth+1)'(cols_i))
          cnt_skipped_d = cnt_skipped_q + CounterWidth'(row_skipped);
        if (beat_vec_q == '0 && ((|slot_bad) || (beat_last_q && !beat_row_last_q))) err_d = 1'b1;
      end else if (beat_valid_q && !out_ok) begin
        cnt_blocked_d = cnt_blocked_q + 1'b1;
      end else begin
        cnt_starved_d = cnt_starved_q + 1'b1;
      end
    end
    if (clear_i) begin
      cnt_busy_d    = '0;
      cnt_starved_d = '0;
      cnt_blocked_d = '0;
      cnt_macs_d    = '0;
      cnt_skipped_d = '0;
      err_d         = cfg_err;
    end
  end

  assign err_o         = err_q;
  assign loading_o     = loading_q;
  assign cnt_busy_o    = cnt_busy_q;
  assign cnt_starved_o = cnt_starved_q;
  assign cnt_blocked_o = cnt_blocked_q;
  assign cnt_macs_o    = cnt_macs_q;
  assign cnt_skipped_o = cnt_skipped_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      full_q          <= '0;
      for (int b = 0; b < ActBanks; b++) bank_batch_q[b*BatchWidth +: BatchWidth] <= BatchWidth'(1);
      lbank_q         <= '0;
      rbank_q         <= '0;
      load_col_q      <= '0;
      load_vec_q      <= '0;
      beat_valid_q    <= 1'b0;
      beat_mask_q     <= '0;
      beat_col_q      <= '0;
      beat_val_q      <= '0;
      beat_row_q      <= '0;
      beat_row_last_q <= 1'b0;
      beat_last_q     <= 1'b0;
      beat_vec_q      <= '0;
      row_nnz_q       <= '0;
      m_valid_q       <= 1'b0;
      m_psum_q        <= '0;
      m_row_q         <= '0;
      m_vec_q         <= '0;
      m_row_last_q    <= 1'b0;
      m_last_q        <= 1'b0;
      m_end_q         <= 1'b0;
      acc_q           <= '0;
      rq_bias_q       <= '0;
      rq_mult_q       <= '0;
      rq_shift_q      <= '0;
      cnt_busy_q      <= '0;
      cnt_starved_q   <= '0;
      cnt_blocked_q   <= '0;
      cnt_macs_q      <= '0;
      cnt_skipped_q   <= '0;
      err_q           <= 1'b0;
    end else begin
      full_q          <= full_d;
      bank_batch_q    <= bank_batch_d;
      lbank_q         <= lbank_d;
      rbank_q         <= rbank_d;
      load_col_q      <= load_col_d;
      load_vec_q      <= load_vec_d;
      beat_valid_q    <= beat_valid_d;
      beat_mask_q     <= beat_mask_d;
      beat_col_q      <= beat_col_d;
      beat_val_q      <= beat_val_d;
      beat_row_q      <= beat_row_d;
      beat_row_last_q <= beat_row_last_d;
      beat_last_q     <= beat_last_d;
      beat_vec_q      <= beat_vec_d;
      row_nnz_q       <= row_nnz_d;
      m_valid_q       <= m_valid_d;
      m_psum_q        <= m_psum_d;
      m_row_q         <= m_row_d;
      m_vec_q         <= m_vec_d;
      m_row_last_q    <= m_row_last_d;
      m_last_q        <= m_last_d;
      m_end_q         <= m_end_d;
      acc_q           <= acc_d;
      rq_bias_q       <= rq_bias_d;
      rq_mult_q       <= rq_mult_d;
      rq_shift_q      <= rq_shift_d;
      cnt_busy_q      <= cnt_busy_d;
      cnt_starved_q   <= cnt_starved_d;
      cnt_blocked_q   <= cnt_blocked_d;
      cnt_macs_q      <= cnt_macs_d;
      cnt_skipped_q   <= cnt_skipped_d;
      err_q           <= err_d;
    end
  end

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, Lanes >= 1 && Slots >= Lanes)
  // Results: valid held and the beat stable while stalled, except across clear_i.
  logic out_stall_q;
  logic [31+8+RowWidth+BatchWidth+1:0] out_data_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_stall_q <= 1'b0;
    else         out_stall_q <= out_valid_o && !out_ready_i && !clear_i;
  end
  always_ff @(posedge clk_i) out_data_q <= {out_acc_o, out_q_o, out_row_o, out_batch_o, out_last_o};
  `ASSERT(OutValidHeld, !out_stall_q || out_valid_o)
  `ASSERT(OutDataStable, !out_stall_q || {out_acc_o, out_q_o, out_row_o, out_batch_o, out_last_o} == out_data_q)
`endif

endmodule

`default_nettype wire
