// squish_top: the accelerator top. An AXI4-Lite control/status slave and three
// AXI4-Stream ports around the compressed-GEMM path and the softmax and NMS
// units (docs/top.md has the register map and the stream formats).
//
//   s_axis_w (32 bit)   weight sections: preamble, sparse header, entropy
//                       table, body (top_weight_path)
//   s_axis_a (P*8 bit)  GEMM: one requant beat per row, then activation vectors;
//                       softmax: logits (int16 lanes), each vector twice;
//                       NMS: one box per beat
//   m_axis_r (P*8 bit)  GEMM: one int8 result per beat; softmax: Q0.16
//                       probabilities; NMS: kept indices
//
// GEMM command: weight path (section parser -> Huffman/rANS decoder -> symbol
// packer -> sparse or dense decoder) -> [depthwise column offset] -> beat
// cache -> mac_datapath (PE array, accumulators, requant + clamp) -> m_axis_r.
// Output pixels go through in batches of up to MaxBatch vectors; the decoded
// beats of the first batch are recorded in the beat cache and replayed for
// every later batch, so the weights cross the input port once per layer
// (CMD.cache = 1; with 0 the host sends the section again for every batch).
//
// Errors never hang: the first one is latched in ERROR, STATUS.error and done
// rise (irq if enabled), and every input stream is taken and dropped until
// CTRL.soft_reset.
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module squish_top #(
  parameter int unsigned Lanes = datapath_pkg::Lanes,
  /// Activation entries per vector (largest GEMM K, depthwise C*taps).
  parameter int unsigned ActDepth = 4096,
  /// Vectors per datapath pass.
  parameter int unsigned MaxBatch = datapath_pkg::MaxBatch,
  /// Requantization parameter memory (largest number of output rows).
  parameter int unsigned MaxRows = 1024,
  /// Decoded-beat cache entries.
  parameter int unsigned CacheDepth = 1024,
  /// rANS decoder lanes.
  parameter int unsigned RansLanes = 16,
  /// NMS: most boxes per frame, sorter cells, kept slots per bank.
  parameter int unsigned NmsMaxBoxes = 8192,
  parameter int unsigned NmsSortCap = 64,
  parameter int unsigned NmsSlotsPerBank = 16,
  parameter int unsigned AW = Lanes * 8
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // AXI4-Lite slave
  input  logic          s_axil_awvalid,
  output logic          s_axil_awready,
  input  logic [7:0]    s_axil_awaddr,
  input  logic          s_axil_wvalid,
  output logic          s_axil_wready,
  input  logic [31:0]   s_axil_wdata,
  input  logic [3:0]    s_axil_wstrb,
  output logic          s_axil_bvalid,
  input  logic          s_axil_bready,
  output logic [1:0]    s_axil_bresp,
  input  logic          s_axil_arvalid,
  output logic          s_axil_arready,
  input  logic [7:0]    s_axil_araddr,
  output logic          s_axil_rvalid,
  input  logic          s_axil_rready,
  output logic [31:0]   s_axil_rdata,
  output logic [1:0]    s_axil_rresp,
  // weight stream
  input  logic          s_axis_w_tvalid,
  output logic          s_axis_w_tready,
  input  logic [31:0]   s_axis_w_tdata,
  input  logic          s_axis_w_tlast,
  // activation / parameter stream
  input  logic          s_axis_a_tvalid,
  output logic          s_axis_a_tready,
  input  logic [AW-1:0] s_axis_a_tdata,
  input  logic          s_axis_a_tlast,
  // results
  output logic          m_axis_r_tvalid,
  input  logic          m_axis_r_tready,
  output logic [AW-1:0] m_axis_r_tdata,
  output logic          m_axis_r_tlast,
  output logic          irq_o
);

  localparam int unsigned IdxWidth = datapath_pkg::IdxWidth;
  localparam int unsigned RowWidth = datapath_pkg::RowWidth;
  localparam int unsigned Slots = Lanes * datapath_pkg::SlotsPerLane;
  localparam int unsigned CW = datapath_pkg::CounterWidth;
  localparam int unsigned BW = $clog2(MaxBatch + 1);
  localparam int unsigned BeatW = Slots + Slots * IdxWidth + Slots * 8 + RowWidth + 2;
  localparam int unsigned CacheAW = $clog2(CacheDepth);
  localparam int unsigned RqAW = $clog2(MaxRows);
  localparam int unsigned SmLanes = AW / 16;
  localparam int unsigned NmsIdxW = $clog2(NmsMaxBoxes);
  localparam int unsigned NmsCntW = NmsIdxW + 1;
  localparam int unsigned NmsLaneW = 4 * 16 + 32 + 8;
  localparam int unsigned ABytesI = AW / 8;
  localparam logic [63:0] ABytes = 64'(ABytesI);

  // Exposed to the driver's C++ side.
  localparam int unsigned PubLanes /*verilator public*/ = Lanes;
  localparam int unsigned PubMaxBatch /*verilator public*/ = MaxBatch;
  localparam int unsigned PubCacheDepth /*verilator public*/ = CacheDepth;
  localparam int unsigned PubMaxRows /*verilator public*/ = MaxRows;
  localparam int unsigned PubActDepth /*verilator public*/ = ActDepth;

  // Register offsets.
  localparam logic [7:0] RegCtrl = 8'h00, RegStatus = 8'h04, RegIrqEn = 8'h08, RegError = 8'h0C,
                         RegCmd = 8'h10, RegRows = 8'h14, RegCols = 8'h18, RegNpix = 8'h1C,
                         RegZp = 8'h20, RegBatch = 8'h24, RegSmCfg = 8'h28, RegNmsThr = 8'h2C,
                         RegNmsCfg = 8'h30, RegNmsTopk = 8'h34, RegNmsScore = 8'h38, RegParams = 8'h3C,
                         RegCnt0 = 8'h40, RegCacheBeats = 8'h80, RegSections = 8'h84;
  localparam logic [1:0] OpGemm = 2'd0, OpSoftmax = 2'd1, OpNms = 2'd2;

  // ---- soft reset --------------------------------------------------------------
  // Every block behind the slave resets with rst_ni or a soft reset (two
  // cycles). In simulation soft_q starts at 0 so that core_rst_n falls with
  // rst_ni at the first reset (the blocks' asynchronous resets see the edge).
  logic [1:0] soft_q;
  logic       core_rst_n;
  assign core_rst_n = rst_ni && (soft_q == 2'b00);
`ifndef SYNTHESIS
  initial soft_q = 2'b00;
`endif

  // ---- registers -----------------------------------------------------------------
  logic [31:0] cmd_q, rows_q, cols_q, npix_q, zp_q, batch_q, smcfg_q, nmsthr_q, nmscfg_q, nmstopk_q, nmsscore_q;
  logic        irq_en_q, done_q, err_q;
  logic [7:0]  err_code_q;
  logic        start_pulse;

  logic [1:0]  op;
  squish_pkg::wprec_e wprec;
  logic        depthwise, cache_en;
  assign op = cmd_q[1:0];
  assign wprec = (cmd_q[5:4] == 2'd1) ? squish_pkg::WPrecInt4 : (cmd_q[5:4] == 2'd2) ? squish_pkg::WPrecInt2 : squish_pkg::WPrecInt8;
  assign depthwise = cmd_q[8];
  assign cache_en = cmd_q[9];

  // ---- AXI4-Lite ------------------------------------------------------------------
  logic        bvalid_q, rvalid_q;
  logic [31:0] rdata_q;
  logic        wr_fire;
  assign s_axil_awready = s_axil_awvalid && s_axil_wvalid && !bvalid_q;
  assign s_axil_wready = s_axil_awready;
  assign wr_fire = s_axil_awready;
  assign s_axil_bvalid = bvalid_q;
  assign s_axil_bresp = 2'b00;
  assign s_axil_arready = !rvalid_q;
  assign s_axil_rvalid = rvalid_q;
  assign s_axil_rdata = rdata_q;
  assign s_axil_rresp = 2'b00;

  // ---- GEMM sequencer state ----------------------------------------------------------
  typedef enum logic [3:0] {
    StIdle, StRq, StGemm, StSoftmax, StNms, StErr
  } state_e;
  state_e state_q;

  logic [31:0] ld_pix_q;          // pixels whose activations are loaded
  logic [31:0] run_batches_q;     // batches whose nonzero stream has run
  logic [31:0] outs_q;            // results sent (GEMM) / beats (softmax)
  logic [RowWidth:0] rq_cnt_q;
  logic [RqAW-1:0] rq_rd_q;
  logic [CacheAW:0] cache_wr_q, cache_rd_q, cache_beats_q;
  logic [IdxWidth:0] dp_cols_q;
  logic [31:0] act_cnt_q, act_needed;
  logic [BW-1:0] ld_bsz;
  logic [63:0] cnt_cycles_q, cnt_wbytes_q, cnt_abytes_q, cnt_outs_q;

  // ---- datapath wiring ---------------------------------------------------------------
  logic                      dp_clear;
  logic                      dp_act_valid, dp_act_ready;
  logic                      dp_nz_valid, dp_nz_ready, dp_row_last, dp_last;
  logic [Slots-1:0]          dp_mask;
  logic [Slots*IdxWidth-1:0] dp_col;
  logic [Slots*8-1:0]        dp_val;
  logic [RowWidth-1:0]       dp_row;
  logic                      dp_rq_valid, dp_rq_ready;
  logic [69:0]               rq_word;
  logic                      dp_out_valid, dp_out_ready, dp_out_last;
  logic [31:0]               dp_out_acc;
  logic [7:0]                dp_out_q;
  logic [RowWidth-1:0]       dp_out_row;
  logic [BW-1:0]             dp_out_batch;
  logic                      dp_err, dp_loading;
  logic [CW-1:0]             dp_busy, dp_starved, dp_blocked, dp_macs, dp_skipped;

  // weight path
  logic                      wp_w_valid, wp_w_ready;
  logic                      wp_nz_valid, wp_nz_ready, wp_row_last, wp_last, wp_err;
  logic [Slots-1:0]          wp_mask;
  logic [Slots*IdxWidth-1:0] wp_col;
  logic [Slots*8-1:0]        wp_val;
  logic [RowWidth-1:0]       wp_row;
  logic [7:0]                wp_err_code;
  logic [31:0]               wp_sections;

  // ---- batch bookkeeping ---------------------------------------------------------------
  logic [31:0] pix_left;
  logic [BW-1:0] bmax;
  assign pix_left = npix_q - ld_pix_q;
  assign bmax = (batch_q[BW-1:0] == '0 || 32'(batch_q[BW-1:0]) > MaxBatch) ? BW'(MaxBatch) : batch_q[BW-1:0];
  // the batch being loaded (the datapath keeps each bank's size)
  assign ld_bsz = (pix_left == 0) ? BW'(1) : (pix_left < 32'(bmax)) ? BW'(pix_left) : bmax;
  logic [31:0] total_outs;
  assign total_outs = (op == OpGemm) ? rows_q * npix_q : '0;

  // descriptor checks at start (GEMM)
  logic [31:0] dw_cols;
  assign dw_cols = rows_q * cols_q;
  logic desc_bad;
  assign desc_bad = (rows_q == 0) || (rows_q > MaxRows) || (cols_q == 0) || (npix_q == 0) ||
                    (cmd_q[5:4] == 2'd3) ||
                    (depthwise ? (dw_cols > ActDepth) : (cols_q > ActDepth));

  // ---- beat cache ----------------------------------------------------------------------
  logic [BeatW-1:0] cache_mem [CacheDepth];
  logic [BeatW-1:0] wp_beat, cache_beat;
  logic             live;          // this batch takes the weight path's beats
  logic             cache_valid;
  assign wp_beat = {wp_mask, wp_col, wp_val, wp_row, wp_row_last, wp_last};
  assign cache_beat = cache_mem[cache_rd_q[CacheAW-1:0]];
  assign live = (state_q == StGemm) && (!cache_en || run_batches_q == 0);
  assign cache_valid = (state_q == StGemm) && !live && (cache_rd_q < cache_beats_q);
  always_comb begin
    if (live) begin
      dp_nz_valid = wp_nz_valid;
      {dp_mask, dp_col, dp_val, dp_row, dp_row_last, dp_last} = wp_beat;
    end else begin
      dp_nz_valid = cache_valid;
      {dp_mask, dp_col, dp_val, dp_row, dp_row_last, dp_last} = cache_beat;
    end
  end
  assign wp_nz_ready = live && dp_nz_ready;
  logic nz_fire;
  assign nz_fire = dp_nz_valid && dp_nz_ready;
  logic cache_overflow;
  assign cache_overflow = live && cache_en && wp_nz_valid && (cache_wr_q >= (CacheAW+1)'(CacheDepth));

  always_ff @(posedge clk_i) begin
    if (live && cache_en && nz_fire && cache_wr_q < (CacheAW+1)'(CacheDepth))
      cache_mem[cache_wr_q[CacheAW-1:0]] <= wp_beat;
  end

  // ---- requant parameter memory --------------------------------------------------------
  logic [69:0] rq_mem [MaxRows];
  always_ff @(posedge clk_i) begin
    if (state_q == StRq && s_axis_a_tvalid && rq_cnt_q < (RowWidth+1)'(MaxRows))
      rq_mem[rq_cnt_q[RqAW-1:0]] <= s_axis_a_tdata[69:0];
  end
  assign rq_word = rq_mem[rq_rd_q];
  assign dp_rq_valid = state_q == StGemm;

  // ---- streams -------------------------------------------------------------------------
  logic a_fire, w_fire, r_fire;
  // softmax / nms wiring
  logic sm_logit_valid, sm_logit_ready, sm_resend_valid, sm_resend_ready;
  logic sm_prob_valid, sm_prob_ready, sm_prob_last, sm_err_overlong, sm_err_length;
  logic [SmLanes*16-1:0] sm_prob_data;
  logic [$clog2(SmLanes+1)-1:0] sm_count, sm_prob_count;
  logic [31:0] sm_p0, sm_p1, sm_p2, sm_p3;
  logic [31:0] sm_beats_q;       // beats taken in this command (both passes)
  logic [31:0] sm_pass_beats;    // ceil(L / lanes)
  logic        sm_pass2;
  logic [31:0] sm_beat_in_pass;
  assign sm_pass_beats = (npix_q + 32'(SmLanes) - 1) / 32'(SmLanes);
  assign sm_pass2 = sm_beats_q >= sm_pass_beats;
  assign sm_beat_in_pass = sm_pass2 ? sm_beats_q - sm_pass_beats : sm_beats_q;
  assign sm_count = ((npix_q - sm_beat_in_pass * 32'(SmLanes)) >= 32'(SmLanes)) ? ($clog2(SmLanes+1))'(SmLanes)
                    : ($clog2(SmLanes+1))'(npix_q - sm_beat_in_pass * 32'(SmLanes));
  logic nms_in_valid, nms_in_ready, nms_out_valid, nms_out_ready, nms_out_none, nms_out_last, nms_busy;
  logic [NmsIdxW-1:0] nms_out_index;
  logic [31:0] nms_cycles;
  logic [NmsCntW-1:0] nms_cand, nms_kept;
  logic [7:0] nms_passes;
  logic nms_err_many, nms_err_full, nms_nan;
  logic [31:0] nms_beats_q;
  logic [31:0] nms_frame_beats;
  assign nms_frame_beats = (npix_q == 0) ? 32'd1 : npix_q;

  always_comb begin
    s_axis_a_tready = 1'b0;
    dp_act_valid = 1'b0;
    sm_logit_valid = 1'b0;
    sm_resend_valid = 1'b0;
    nms_in_valid = 1'b0;
    unique case (state_q)
      StRq: s_axis_a_tready = 1'b1;
      StGemm: begin
        // activations of the next batch: the datapath takes them into its free
        // bank while the previous batch runs
        if (pix_left != 0) begin
          dp_act_valid = s_axis_a_tvalid;
          s_axis_a_tready = dp_act_ready;
        end
      end
      StSoftmax: begin
        if (sm_beats_q < 2 * sm_pass_beats) begin
          sm_logit_valid = s_axis_a_tvalid && !sm_pass2;
          sm_resend_valid = s_axis_a_tvalid && sm_pass2;
          s_axis_a_tready = sm_pass2 ? sm_resend_ready : sm_logit_ready;
        end
      end
      StNms: begin
        if (nms_beats_q < nms_frame_beats) begin
          nms_in_valid = s_axis_a_tvalid;
          s_axis_a_tready = nms_in_ready;
        end
      end
      StErr: s_axis_a_tready = 1'b1;
      default: ;
    endcase
  end
  assign a_fire = s_axis_a_tvalid && s_axis_a_tready;

  // weight stream: to the weight path while a GEMM runs (or idles: a section
  // may be pushed ahead of start), dropped after an error
  assign wp_w_valid = s_axis_w_tvalid && state_q != StErr;
  assign s_axis_w_tready = (state_q == StErr) ? 1'b1 : wp_w_ready;
  assign w_fire = s_axis_w_tvalid && s_axis_w_tready;

  // results. After an error the rest of a result stream is dropped, but a beat
  // already offered (valid and stalled) stays offered until taken: AXI4-Stream
  // never withdraws tvalid (a soft reset may).
  logic r_hold_q, r_pass;
  always_ff @(posedge clk_i or negedge core_rst_n) begin
    if (!core_rst_n) r_hold_q <= 1'b0;
    else             r_hold_q <= m_axis_r_tvalid && !m_axis_r_tready;
  end
  assign r_pass = state_q != StErr || r_hold_q;
  always_comb begin
    m_axis_r_tvalid = 1'b0;
    m_axis_r_tdata = '0;
    m_axis_r_tlast = 1'b0;
    dp_out_ready = 1'b0;
    sm_prob_ready = 1'b0;
    nms_out_ready = 1'b0;
    unique case (op)
      OpSoftmax: begin
        m_axis_r_tvalid = sm_prob_valid && r_pass;
        m_axis_r_tdata[SmLanes*16-1:0] = sm_prob_data;
        m_axis_r_tlast = sm_prob_last;
        sm_prob_ready = m_axis_r_tready || !r_pass;
      end
      OpNms: begin
        m_axis_r_tvalid = nms_out_valid && r_pass;
        m_axis_r_tdata[NmsIdxW-1:0] = nms_out_index;
        m_axis_r_tdata[16] = nms_out_none;
        m_axis_r_tlast = nms_out_last;
        nms_out_ready = m_axis_r_tready || !r_pass;
      end
      default: begin
        m_axis_r_tvalid = dp_out_valid && r_pass;
        m_axis_r_tdata[7:0] = dp_out_q;
        m_axis_r_tlast = (outs_q == total_outs - 1);
        dp_out_ready = m_axis_r_tready || !r_pass;
      end
    endcase
  end
  assign r_fire = m_axis_r_tvalid && m_axis_r_tready;

  // ---- sequencer -----------------------------------------------------------------------
  logic [7:0] new_err_code;
  logic       new_err;
  always_comb begin
    new_err = 1'b0;
    new_err_code = '0;
    if (state_q == StIdle && start_pulse && op == OpGemm && desc_bad) begin
      new_err = 1'b1; new_err_code = {4'd6, 4'd2};
    end else if (state_q == StIdle && start_pulse && op == OpNms && npix_q > NmsMaxBoxes) begin
      new_err = 1'b1; new_err_code = {4'd6, 4'd2};
    end else if (state_q == StIdle && start_pulse && op == 2'd3) begin
      new_err = 1'b1; new_err_code = {4'd6, 4'd3};
    end else if (state_q != StIdle && state_q != StErr) begin
      if (wp_err && op == OpGemm) begin
        new_err = 1'b1; new_err_code = wp_err_code;
      end else if (dp_err && op == OpGemm) begin
        new_err = 1'b1; new_err_code = {4'd5, 4'd1};
      end else if (cache_overflow) begin
        new_err = 1'b1; new_err_code = {4'd6, 4'd1};
      end else if (op == OpSoftmax && (sm_err_overlong || sm_err_length)) begin
        new_err = 1'b1; new_err_code = {4'd7, 2'd0, sm_err_length, sm_err_overlong};
      end else if (op == OpNms && (nms_err_many || nms_err_full)) begin
        new_err = 1'b1; new_err_code = {4'd8, 2'd0, nms_err_full, nms_err_many};
      end
    end
  end

  assign act_needed = 32'(ld_bsz) * ((32'(dp_cols_q) + 32'(Lanes) - 1) >> $clog2(Lanes));
  assign dp_clear = start_pulse && state_q == StIdle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      ld_pix_q <= '0;
      run_batches_q <= '0;
      outs_q <= '0;
      act_cnt_q <= '0;
      rq_cnt_q <= '0;
      rq_rd_q <= '0;
      cache_wr_q <= '0;
      cache_rd_q <= '0;
      cache_beats_q <= '0;
      dp_cols_q <= '0;
      cnt_cycles_q <= '0;
      cnt_wbytes_q <= '0;
      cnt_abytes_q <= '0;
      cnt_outs_q <= '0;
      sm_beats_q <= '0;
      nms_beats_q <= '0;
      done_q <= 1'b0;
      err_q <= 1'b0;
      err_code_q <= '0;
    end else begin
      if (state_q != StIdle && state_q != StErr) cnt_cycles_q <= cnt_cycles_q + 1'b1;
      if (w_fire && state_q != StErr) cnt_wbytes_q <= cnt_wbytes_q + 64'd4;
      if (a_fire && state_q != StErr) cnt_abytes_q <= cnt_abytes_q + ABytes;
      if (r_fire) begin
        cnt_outs_q <= cnt_outs_q + 1'b1;
        outs_q <= outs_q + 1'b1;
      end
      if (state_q == StGemm && dp_act_valid && dp_act_ready) begin
        if (act_cnt_q + 1 == act_needed) begin
          act_cnt_q <= '0;
          ld_pix_q <= ld_pix_q + 32'(ld_bsz);
        end else begin
          act_cnt_q <= act_cnt_q + 1'b1;
        end
      end
      if (state_q == StGemm && nz_fire && dp_last) begin
        run_batches_q <= run_batches_q + 1'b1;
        if (live && cache_en) cache_beats_q <= cache_wr_q + 1'b1;
      end
      if (a_fire && state_q == StSoftmax) sm_beats_q <= sm_beats_q + 1'b1;
      if (a_fire && state_q == StNms) nms_beats_q <= nms_beats_q + 1'b1;
      if (dp_rq_valid && dp_rq_ready) rq_rd_q <= (32'(rq_rd_q) == rows_q - 1) ? '0 : rq_rd_q + 1'b1;
      if (live && cache_en && nz_fire) cache_wr_q <= cache_wr_q + 1'b1;
      if (!live && nz_fire) cache_rd_q <= dp_last ? '0 : cache_rd_q + 1'b1;
      // write-1-to-clear of STATUS.done/error is handled with the register writes below
      if (new_err) begin
        state_q <= StErr;
        err_q <= 1'b1;
        err_code_q <= new_err_code;
        done_q <= 1'b1;
      end else begin
        unique case (state_q)
          StIdle: if (start_pulse) begin
            done_q <= 1'b0;
            cnt_cycles_q <= '0;
            cnt_wbytes_q <= '0;
            cnt_abytes_q <= '0;
            cnt_outs_q <= '0;
            outs_q <= '0;
            unique case (op)
              OpSoftmax: begin
                sm_beats_q <= '0;
                state_q <= StSoftmax;
              end
              OpNms: begin
                nms_beats_q <= '0;
                state_q <= StNms;
              end
              default: begin
                ld_pix_q <= '0;
                run_batches_q <= '0;
                act_cnt_q <= '0;
                rq_cnt_q <= '0;
                rq_rd_q <= '0;
                cache_wr_q <= '0;
                cache_rd_q <= '0;
                cache_beats_q <= '0;
                dp_cols_q <= depthwise ? (IdxWidth+1)'(dw_cols) : (IdxWidth+1)'(cols_q);
                state_q <= StRq;
              end
            endcase
          end
          StRq: if (a_fire) begin
            rq_cnt_q <= rq_cnt_q + 1'b1;
            if (32'(rq_cnt_q) == rows_q - 1) state_q <= StGemm;
          end
          StGemm: if (outs_q == total_outs) begin
            done_q <= 1'b1;
            state_q <= StIdle;
          end
          StSoftmax: if (r_fire && sm_prob_last && sm_beats_q >= 2 * sm_pass_beats) begin
            done_q <= 1'b1;
            state_q <= StIdle;
          end
          StNms: if (r_fire && nms_out_last) begin
            done_q <= 1'b1;
            state_q <= StIdle;
          end
          default: ;
        endcase
      end
      if (soft_q != 2'b00) begin
        state_q <= StIdle;
        err_q <= 1'b0;
        err_code_q <= '0;
        done_q <= 1'b0;
      end
      if (wr_fire && s_axil_awaddr == RegStatus && s_axil_wdata[1]) done_q <= 1'b0;
    end
  end

  // ---- register file ---------------------------------------------------------------------
  assign start_pulse = wr_fire && s_axil_awaddr == RegCtrl && s_axil_wdata[0];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmd_q <= '0;
      rows_q <= 32'd1;
      cols_q <= 32'd1;
      npix_q <= 32'd1;
      zp_q <= 32'h7f80_0000;  // out_max 127, out_min -128
      batch_q <= 32'(MaxBatch);
      smcfg_q <= '0;
      nmsthr_q <= '0;
      nmscfg_q <= '0;
      nmstopk_q <= '0;
      nmsscore_q <= '0;
      irq_en_q <= 1'b0;
      soft_q <= 2'b00;
      bvalid_q <= 1'b0;
      rvalid_q <= 1'b0;
      rdata_q <= '0;
    end else begin
      soft_q <= {soft_q[0], 1'b0};
      if (wr_fire) begin
        bvalid_q <= 1'b1;
        // configuration registers are writable while idle (or after an error)
        unique case (s_axil_awaddr)
          RegCtrl:     if (s_axil_wdata[1]) soft_q <= 2'b11;
          RegIrqEn:    irq_en_q <= s_axil_wdata[0];
          RegCmd:      cmd_q <= s_axil_wdata;
          RegRows:     rows_q <= s_axil_wdata;
          RegCols:     cols_q <= s_axil_wdata;
          RegNpix:     npix_q <= s_axil_wdata;
          RegZp:       zp_q <= s_axil_wdata;
          RegBatch:    batch_q <= s_axil_wdata;
          RegSmCfg:    smcfg_q <= s_axil_wdata;
          RegNmsThr:   nmsthr_q <= s_axil_wdata;
          RegNmsCfg:   nmscfg_q <= s_axil_wdata;
          RegNmsTopk:  nmstopk_q <= s_axil_wdata;
          RegNmsScore: nmsscore_q <= s_axil_wdata;
          default: ;
        endcase
      end else if (bvalid_q && s_axil_bready) begin
        bvalid_q <= 1'b0;
      end
      if (s_axil_arvalid && s_axil_arready) begin
        rvalid_q <= 1'b1;
        unique case (s_axil_araddr)
          RegStatus:     rdata_q <= {28'd0, state_q == StErr, err_q, done_q, state_q != StIdle};
          RegIrqEn:      rdata_q <= {31'd0, irq_en_q};
          RegError:      rdata_q <= {24'd0, err_code_q};
          RegCmd:        rdata_q <= cmd_q;
          RegRows:       rdata_q <= rows_q;
          RegCols:       rdata_q <= cols_q;
          RegNpix:       rdata_q <= npix_q;
          RegZp:         rdata_q <= zp_q;
          RegBatch:      rdata_q <= batch_q;
          RegSmCfg:      rdata_q <= smcfg_q;
          RegNmsThr:     rdata_q <= nmsthr_q;
          RegNmsCfg:     rdata_q <= nmscfg_q;
          RegNmsTopk:    rdata_q <= nmstopk_q;
          RegNmsScore:   rdata_q <= nmsscore_q;
          RegParams:     rdata_q <= {8'(CacheAW), 8'(RqAW), 8'(MaxBatch), 8'(Lanes)};
          RegCnt0:       rdata_q <= cnt_cycles_q[31:0];
          8'h44:         rdata_q <= cnt_cycles_q[63:32];
          8'h48:         rdata_q <= dp_busy[31:0];
          8'h4C:         rdata_q <= 32'(dp_busy[CW-1:32]);
          8'h50:         rdata_q <= 32'(dp_starved + dp_blocked);
          8'h54:         rdata_q <= 32'((dp_starved + dp_blocked) >> 32);
          8'h58:         rdata_q <= dp_macs[31:0];
          8'h5C:         rdata_q <= 32'(dp_macs[CW-1:32]);
          8'h60:         rdata_q <= dp_skipped[31:0];
          8'h64:         rdata_q <= 32'(dp_skipped[CW-1:32]);
          8'h68:         rdata_q <= cnt_wbytes_q[31:0];
          8'h6C:         rdata_q <= cnt_wbytes_q[63:32];
          8'h70:         rdata_q <= cnt_abytes_q[31:0];
          8'h74:         rdata_q <= cnt_abytes_q[63:32];
          8'h78:         rdata_q <= cnt_outs_q[31:0];
          8'h7C:         rdata_q <= nms_cycles;
          RegCacheBeats: rdata_q <= 32'(cache_beats_q);
          RegSections:   rdata_q <= wp_sections;
          default:       rdata_q <= '0;
        endcase
      end else if (rvalid_q && s_axil_rready) begin
        rvalid_q <= 1'b0;
      end
    end
  end
  assign irq_o = irq_en_q && done_q;

  logic unused;
  assign unused = ^{s_axil_wstrb, dp_loading, s_axis_a_tlast, dp_out_acc, dp_out_row, dp_out_batch,
                    dp_out_last, sm_p0, sm_p1, sm_p2, sm_p3, sm_prob_count, nms_busy, nms_cand, nms_kept,
                    nms_passes, nms_nan, cnt_outs_q[63:32]};

  // ---- blocks ------------------------------------------------------------------------------
  top_weight_path #(
    .Lanes     (Lanes),
    .IdxWidth  (IdxWidth),
    .RowWidth  (RowWidth),
    .RansLanes (RansLanes)
  ) u_wpath (
    .clk_i, .rst_ni (core_rst_n),
    .wprec_i       (wprec),
    .depthwise_i   (depthwise),
    .rows_i        ((RowWidth+1)'(rows_q)),
    .cols_i        ((IdxWidth+1)'(cols_q)),
    .w_valid_i     (wp_w_valid),
    .w_ready_o     (wp_w_ready),
    .w_data_i      (s_axis_w_tdata),
    .w_last_i      (s_axis_w_tlast),
    .nz_valid_o    (wp_nz_valid),
    .nz_ready_i    (wp_nz_ready),
    .nz_mask_o     (wp_mask),
    .nz_col_o      (wp_col),
    .nz_val_o      (wp_val),
    .nz_row_o      (wp_row),
    .nz_row_last_o (wp_row_last),
    .nz_last_o     (wp_last),
    .error_o       (wp_err),
    .error_code_o  (wp_err_code),
    .sections_o    (wp_sections)
  );

  mac_datapath #(
    .Lanes        (Lanes),
    .IdxWidth     (IdxWidth),
    .RowWidth     (RowWidth),
    .ActDepth     (ActDepth),
    .MaxBatch     (MaxBatch),
    .CounterWidth (CW),
    .ActBanks     (2)
  ) u_datapath (
    .clk_i, .rst_ni (core_rst_n),
    .clear_i       (dp_clear),
    .wprec_i       (wprec),
    .cols_i        (dp_cols_q),
    .batch_i       (ld_bsz),
    .act_zp_i      (zp_q[7:0]),
    .out_zp_i      (zp_q[15:8]),
    .out_min_i     (zp_q[23:16]),
    .out_max_i     (zp_q[31:24]),
    .relu_i        (cmd_q[10]),
    .act_valid_i   (dp_act_valid),
    .act_ready_o   (dp_act_ready),
    .act_data_i    (s_axis_a_tdata),
    .nz_valid_i    (dp_nz_valid),
    .nz_ready_o    (dp_nz_ready),
    .nz_mask_i     (dp_mask),
    .nz_col_i      (dp_col),
    .nz_val_i      (dp_val),
    .nz_row_i      (dp_row),
    .nz_row_last_i (dp_row_last),
    .nz_last_i     (dp_last),
    .rq_valid_i    (dp_rq_valid),
    .rq_ready_o    (dp_rq_ready),
    .rq_bias_i     (rq_word[31:0]),
    .rq_mult_i     (rq_word[63:32]),
    .rq_shift_i    (rq_word[69:64]),
    .out_valid_o   (dp_out_valid),
    .out_ready_i   (dp_out_ready),
    .out_acc_o     (dp_out_acc),
    .out_q_o       (dp_out_q),
    .out_row_o     (dp_out_row),
    .out_batch_o   (dp_out_batch),
    .out_last_o    (dp_out_last),
    .err_o         (dp_err),
    .loading_o     (dp_loading),
    .cnt_busy_o    (dp_busy),
    .cnt_starved_o (dp_starved),
    .cnt_blocked_o (dp_blocked),
    .cnt_macs_o    (dp_macs),
    .cnt_skipped_o (dp_skipped)
  );

  softmax_unit #(.Lanes(SmLanes)) u_softmax (
    .clk_i, .rst_ni (core_rst_n),
    .frac_bits_i        (smcfg_q[3:0]),
    .logit_valid_i      (sm_logit_valid),
    .logit_ready_o      (sm_logit_ready),
    .logit_data_i       (s_axis_a_tdata[SmLanes*16-1:0]),
    .logit_count_i      (sm_count),
    .logit_last_i       (sm_beat_in_pass == sm_pass_beats - 1),
    .resend_valid_i     (sm_resend_valid),
    .resend_ready_o     (sm_resend_ready),
    .resend_data_i      (s_axis_a_tdata[SmLanes*16-1:0]),
    .resend_count_i     (sm_count),
    .resend_last_i      (sm_beat_in_pass == sm_pass_beats - 1),
    .prob_valid_o       (sm_prob_valid),
    .prob_ready_i       (sm_prob_ready),
    .prob_data_o        (sm_prob_data),
    .prob_count_o       (sm_prob_count),
    .prob_last_o        (sm_prob_last),
    .err_overlong_o     (sm_err_overlong),
    .err_length_o       (sm_err_length),
    .perf_busy_cycles_o (sm_p0),
    .perf_vectors_o     (sm_p1),
    .perf_logit_stall_o (sm_p2),
    .perf_resend_wait_o (sm_p3)
  );

  nms_unit #(
    .Lanes        (1),
    .MaxBoxes     (NmsMaxBoxes),
    .SortCap      (NmsSortCap),
    .SlotsPerBank (NmsSlotsPerBank)
  ) u_nms (
    .clk_i, .rst_ni (core_rst_n),
    .cfg_thr_mant_i    (nmsthr_q[23:0]),
    .cfg_thr_shift_i   (nmsthr_q[29:24]),
    .cfg_thr_ge_i      (nmsthr_q[30]),
    .cfg_plus_one_i    (nmsthr_q[31]),
    .cfg_empty_one_i   (nmscfg_q[0]),
    .cfg_class_aware_i (nmscfg_q[1]),
    .cfg_score_en_i    (nmscfg_q[2]),
    .cfg_score_thr_i   (nmsscore_q),
    .cfg_score_ge_i    (nmscfg_q[3]),
    .cfg_top_k_i       (NmsCntW'(nmstopk_q[15:0])),
    .cfg_max_output_i  (NmsCntW'(nmstopk_q[31:16])),
    .in_valid_i        (nms_in_valid),
    .in_ready_o        (nms_in_ready),
    .in_boxes_i        (s_axis_a_tdata[NmsLaneW-1:0]),
    .in_count_i        (npix_q != 0),
    .in_last_i         (nms_beats_q == nms_frame_beats - 1),
    .out_valid_o       (nms_out_valid),
    .out_ready_i       (nms_out_ready),
    .out_index_o       (nms_out_index),
    .out_none_o        (nms_out_none),
    .out_last_o        (nms_out_last),
    .busy_o            (nms_busy),
    .cycles_o          (nms_cycles),
    .candidates_o      (nms_cand),
    .kept_o            (nms_kept),
    .passes_o          (nms_passes),
    .err_too_many_o    (nms_err_many),
    .err_kept_full_o   (nms_err_full),
    .nan_seen_o        (nms_nan)
  );

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, Lanes >= 1 && MaxBatch >= 1 && CacheDepth >= 1 && MaxRows >= 1)
  // AXI4-Lite: a response, once offered, is held unchanged until taken.
  `ASSERT_STREAM(LiteB, s_axil_bvalid, s_axil_bready, s_axil_bresp)
  `ASSERT_STREAM(LiteR, s_axil_rvalid, s_axil_rready, {s_axil_rdata, s_axil_rresp})
  // AXI4-Stream results: valid held and data stable while stalled (r_hold_q:
  // offered and not taken last cycle; cleared by a soft reset, which may drop it).
  logic [AW:0] r_data_q;
  always_ff @(posedge clk_i) r_data_q <= {m_axis_r_tdata, m_axis_r_tlast};
  `ASSERT(ResultValidHeld, !r_hold_q || m_axis_r_tvalid)
  `ASSERT(ResultDataStable, !r_hold_q || {m_axis_r_tdata, m_axis_r_tlast} == r_data_q)
  `ASSERT(IrqOnlyWhenEnabled, !irq_o || irq_en_q)
`endif

endmodule

`default_nettype wire
