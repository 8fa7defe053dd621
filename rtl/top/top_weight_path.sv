// top_weight_path: the weight stream of the accelerator top (docs/top.md,
// "Weight stream") turned into the nonzero stream of the PE array.
//
// One section, in 32-bit words:
//   preamble word 0: [3:0] coder (0 none, 1 Huffman, 3 rANS), [7:4] alphabet
//     bits a, [11:8] rANS probability bits, [16:12] rANS lanes, [31:24] 0x5A
//   coded only, preamble words 1..4: symbols n, table words T, body units
//     (rANS: 16-bit words incl. the lane states; Huffman: 32-bit words), and
//     W, the body words the symbols make (the packer sends exactly W)
//   sparse payload header (2 + 2 words, docs/format.md): to the sparse
//     decoder as they are (format 0, dense, goes to top_dense_decoder)
//   coded only: T table words (Huffman: {addr[24:16], data[8:0]} writes;
//     rANS: one 13-bit frequency per word, symbol 0 first)
//   the body (coder none: the payload body words; coded: the coder's body,
//     Huffman 4 bytes per word, byte 0 in [7:0]; rANS two 16-bit words per
//     32-bit word, the lower first), last = tlast
// The entropy decoder's symbols are concatenated LSB first into the body bit
// stream of the sparse (or dense) decoder (top_sym_packer).
//
// Depthwise (depthwise_i): the section is {C, taps}; each entry's column is
// moved to row * taps + column, so the block-diagonal C x C*taps matrix the
// datapath sees multiplies the (channel, tap)-ordered activation vector.
//
// Errors: the first one is latched in error_code_o = {source, code}: source 1
// this parser (code 1 preamble, 2 header, 3 dims differ from the descriptor,
// 4 dense entry count), 2 sparse decoder (sparse_pkg::err_e), 3 entropy
// decoder (entropy_pkg::err_e), 4 dense decoder. From then on every input word
// is taken and dropped and no beat is produced (never a hang); a reset clears it.
`default_nettype none

module top_weight_path #(
  parameter int unsigned Lanes = datapath_pkg::Lanes,
  parameter int unsigned IdxWidth = datapath_pkg::IdxWidth,
  parameter int unsigned RowWidth = datapath_pkg::RowWidth,
  /// Lanes of the rANS decoder (the largest stream lane count it takes).
  parameter int unsigned RansLanes = 16,
  parameter int unsigned Slots = Lanes * datapath_pkg::SlotsPerLane
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  squish_pkg::wprec_e        wprec_i,
  input  logic                      depthwise_i,
  /// Matrix shape the descriptor announces (depthwise: rows = C, cols = taps).
  input  logic [RowWidth:0]         rows_i,
  input  logic [IdxWidth:0]         cols_i,
  input  logic                      w_valid_i,
  output logic                      w_ready_o,
  input  logic [31:0]               w_data_i,
  input  logic                      w_last_i,
  output logic                      nz_valid_o,
  input  logic                      nz_ready_i,
  output logic [Slots-1:0]          nz_mask_o,
  output logic [Slots*IdxWidth-1:0] nz_col_o,
  output logic [Slots*8-1:0]        nz_val_o,
  output logic [RowWidth-1:0]       nz_row_o,
  output logic                      nz_row_last_o,
  output logic                      nz_last_o,
  output logic                      error_o,
  output logic [7:0]                error_code_o,
  /// Sections completed (nz_last taken) since reset.
  output logic [31:0]               sections_o
);

  localparam logic [3:0] CoderNone = 4'd0, CoderHuffman = 4'd1, CoderRans = 4'd3;
  localparam int unsigned RLaneW = $clog2(RansLanes + 1);

  typedef enum logic [3:0] {
    SPre0, SPre1, SPre2, SPre3, SPre4, SHdr0, SHdr1, SDim0, SDim1, SStart, STbl, SBody, SWait, SErr
  } state_e;

  state_e state_q, state_d;
  logic [3:0]  coder_q, alpha_q, pbits_q;
  logic [4:0]  rlanes_q;
  logic [31:0] nsym_q, tbl_left_q, units_q, bwords_q;
  logic [3:0]  fmt_q;
  logic [31:0] ent_q, d0_q;
  logic        tbl_first_q;      // Huffman table goes before start, rANS after
  logic        err_q;
  logic [7:0]  err_code_q;
  logic [31:0] sections_q;
  logic [IdxWidth:0] dw_off_q;

  // ---- sub-block wiring ------------------------------------------------------
  // sparse decoder
  logic        sd_in_valid, sd_in_ready, sd_in_last;
  logic [31:0] sd_in_data;
  logic        sd_nz_valid, sd_nz_ready, sd_row_last, sd_last;
  logic [Slots-1:0]          sd_mask;
  logic [Slots*IdxWidth-1:0] sd_col;
  logic [Slots*8-1:0]        sd_val;
  logic [RowWidth-1:0]       sd_row;
  logic        sd_err, sd_busy;
  logic [3:0]  sd_err_code;
  logic [31:0] sd_c0, sd_c1, sd_c2, sd_c3, sd_c4;
  // dense decoder
  logic        dd_start, dd_in_valid, dd_in_ready, dd_in_last;
  logic [31:0] dd_in_data;
  logic        dd_nz_valid, dd_nz_ready, dd_row_last, dd_last, dd_err, dd_busy;
  logic [Slots-1:0]          dd_mask;
  logic [Slots*IdxWidth-1:0] dd_col;
  logic [Slots*8-1:0]        dd_val;
  logic [RowWidth-1:0]       dd_row;
  // entropy decoders
  logic        hf_we, hf_start, hf_in_valid, hf_in_ready;
  logic        hf_out_valid, hf_out_ready, hf_out_last, hf_busy, hf_done, hf_err;
  logic [7:0]  hf_out_data;
  logic [0:0]  hf_out_count;
  entropy_pkg::err_e hf_err_code;
  logic [31:0] hf_c0, hf_c1, hf_c2;
  logic        rs_start, rs_tbl_valid, rs_tbl_ready, rs_in_valid, rs_in_ready, rs_in_last;
  logic [63:0] rs_in_data;
  logic [2:0]  rs_in_count;
  logic        rs_out_valid, rs_out_ready, rs_out_last, rs_busy, rs_done, rs_err;
  logic [8*RansLanes-1:0] rs_out_data;
  logic [RLaneW-1:0] rs_out_count;
  entropy_pkg::err_e rs_err_code;
  logic [31:0] rs_c0, rs_c1, rs_c2;
  // packer
  logic        pk_in_valid, pk_in_ready, pk_in_last, pk_out_valid, pk_out_ready, pk_out_last;
  logic [127:0] pk_in_data;
  logic [4:0]  pk_in_count;
  logic [31:0] pk_out_data;

  logic w_fire;
  assign w_fire = w_valid_i && w_ready_o;
  logic dense;  // the section's payload is format 0
  assign dense = (state_q == SHdr0) ? (w_data_i[3:0] == sparse_pkg::FmtDense) : (fmt_q == sparse_pkg::FmtDense);
  logic coded;
  assign coded = coder_q != CoderNone;

  // ---- header checks -----------------------------------------------------------
  logic [3:0] vb_want;
  always_comb begin
    unique case (wprec_i)
      squish_pkg::WPrecInt4: vb_want = 4'd4;
      squish_pkg::WPrecInt2: vb_want = 4'd2;
      default:               vb_want = 4'd8;
    endcase
  end
  logic hdr0_bad;
  assign hdr0_bad = (w_data_i[31:25] != sparse_pkg::Magic) || (w_data_i[14:11] != 4'd2) ||
                    (w_data_i[3:0] == sparse_pkg::FmtCoo) || (w_data_i[3:0] > sparse_pkg::FmtNm) ||
                    (w_data_i[3:0] == sparse_pkg::FmtDense &&
                     (w_data_i[8:4] != {1'b0, vb_want} || !w_data_i[9] || w_data_i[10] || w_data_i[24:15] != '0));
  // the descriptor's shape (CSC stores the matrix transposed)
  logic [31:0] want_d0, want_d1;
  assign want_d0 = (fmt_q == sparse_pkg::FmtCsc) ? 32'(cols_i) : 32'(rows_i);
  assign want_d1 = (fmt_q == sparse_pkg::FmtCsc) ? 32'(rows_i) : 32'(cols_i);
  logic [63:0] dense_elems;
  assign dense_elems = {32'd0, d0_q} * {32'd0, w_data_i};

  logic pre_bad;
  assign pre_bad = (w_data_i[31:24] != 8'h5A) || (w_data_i[23:17] != '0) ||
                   !(w_data_i[3:0] == CoderNone || w_data_i[3:0] == CoderHuffman ||
                     w_data_i[3:0] == CoderRans) ||
                   (w_data_i[3:0] != CoderNone && (w_data_i[7:4] == 4'd0 || w_data_i[7:4] > 4'd8)) ||
                   (w_data_i[3:0] == CoderRans && (w_data_i[16:12] == 5'd0 || 32'(w_data_i[16:12]) > RansLanes ||
                                                   w_data_i[11:8] == 4'd0 || w_data_i[11:8] > 4'd12));

  // ---- rANS gearbox: two 32-bit words -> one 4 x 16-bit beat with a count -----
  logic        gb_valid_q;
  logic [31:0] gb_q;
  logic [31:0] halves_left_q;
  logic        gb_store;
  assign gb_store = !gb_valid_q && !w_last_i && halves_left_q > 32'd2;

  // ---- body routing --------------------------------------------------------------

  always_comb begin
    w_ready_o = 1'b0;
    sd_in_valid = 1'b0;
    sd_in_data = w_data_i;
    sd_in_last = 1'b0;
    dd_in_valid = 1'b0;
    dd_in_data = w_data_i;
    dd_in_last = w_last_i;
    hf_we = 1'b0;
    hf_in_valid = 1'b0;
    rs_tbl_valid = 1'b0;
    rs_in_valid = 1'b0;
    rs_in_data = gb_valid_q ? {w_data_i, gb_q} : {32'd0, w_data_i};
    rs_in_count = (halves_left_q >= (gb_valid_q ? 32'd4 : 32'd2)) ? (gb_valid_q ? 3'd4 : 3'd2) : 3'(halves_left_q);
    rs_in_last = w_last_i;
    pk_out_ready = 1'b0;
    unique case (state_q)
      SPre0, SPre1, SPre2, SPre3, SPre4: w_ready_o = 1'b1;
      SHdr0, SHdr1, SDim0, SDim1: begin
        if (dense) begin
          w_ready_o = 1'b1;
        end else begin
          sd_in_valid = w_valid_i;
          w_ready_o = sd_in_ready;
        end
      end
      STbl: begin
        if (coder_q == CoderHuffman) begin
          w_ready_o = 1'b1;
          hf_we = w_valid_i;
        end else begin
          rs_tbl_valid = w_valid_i;
          w_ready_o = rs_tbl_ready;
        end
      end
      SBody: begin
        if (!coded) begin
          if (dense) begin
            dd_in_valid = w_valid_i;
            w_ready_o = dd_in_ready;
          end else begin
            sd_in_valid = w_valid_i;
            sd_in_last = w_last_i;
            w_ready_o = sd_in_ready;
          end
        end else if (coder_q == CoderHuffman) begin
          hf_in_valid = w_valid_i;
          w_ready_o = hf_in_ready;
        end else begin
          if (gb_store) begin
            w_ready_o = 1'b1;
          end else begin
            rs_in_valid = w_valid_i;
            w_ready_o = rs_in_ready;
          end
        end
      end
      SErr: w_ready_o = 1'b1;
      default: ;
    endcase
    // coded sections: the packer feeds the sparse or dense decoder's body
    if (coded && (state_q == SBody || state_q == SWait)) begin
      if (dense) begin
        dd_in_valid = pk_out_valid;
        dd_in_data = pk_out_data;
        dd_in_last = pk_out_last;
        pk_out_ready = dd_in_ready;
      end else begin
        sd_in_valid = pk_out_valid;
        sd_in_data = pk_out_data;
        sd_in_last = pk_out_last;
        pk_out_ready = sd_in_ready;
      end
    end
  end

  // entropy symbols -> packer
  always_comb begin
    pk_in_data = '0;
    if (coder_q == CoderHuffman) begin
      pk_in_valid = hf_out_valid;
      pk_in_data[7:0] = hf_out_data;
      pk_in_count = 5'(hf_out_count);
      pk_in_last = hf_out_last;
    end else begin
      pk_in_valid = rs_out_valid;
      pk_in_data[8*RansLanes-1:0] = rs_out_data;
      pk_in_count = 5'(rs_out_count);
      pk_in_last = rs_out_last;
    end
    hf_out_ready = pk_in_ready && coder_q == CoderHuffman;
    rs_out_ready = pk_in_ready && coder_q == CoderRans;
  end

  // ---- output: the chosen decoder, depthwise column offset -------------------
  logic [Slots*IdxWidth-1:0] col_sel;
  always_comb begin
    nz_valid_o = (state_q != SErr) && (dense ? dd_nz_valid : sd_nz_valid);
    nz_mask_o = dense ? dd_mask : sd_mask;
    col_sel = dense ? dd_col : sd_col;
    nz_val_o = dense ? dd_val : sd_val;
    nz_row_o = dense ? dd_row : sd_row;
    nz_row_last_o = dense ? dd_row_last : sd_row_last;
    nz_last_o = dense ? dd_last : sd_last;
    for (int s = 0; s < Slots; s++)
      nz_col_o[s*IdxWidth +: IdxWidth] = (depthwise_i && nz_mask_o[s])
          ? IdxWidth'(col_sel[s*IdxWidth +: IdxWidth] + dw_off_q[IdxWidth-1:0]) : col_sel[s*IdxWidth +: IdxWidth];
    dd_nz_ready = nz_ready_i && dense;
    sd_nz_ready = nz_ready_i && !dense;
  end
  logic nz_fire;
  assign nz_fire = nz_valid_o && nz_ready_i;

  // ---- state machine -----------------------------------------------------------
  logic sub_err;
  logic [7:0] sub_code;
  always_comb begin
    sub_err = 1'b1;
    if (sd_err)      sub_code = {4'd2, sd_err_code};
    else if (hf_err && coder_q == CoderHuffman) sub_code = {4'd3, 1'b0, hf_err_code};
    else if (rs_err && coder_q == CoderRans)    sub_code = {4'd3, 1'b0, rs_err_code};
    else if (dd_err) sub_code = {4'd4, 4'd1};
    else begin sub_err = 1'b0; sub_code = '0; end
  end

  always_comb begin
    state_d = state_q;
    dd_start = 1'b0;
    hf_start = 1'b0;
    rs_start = 1'b0;
    unique case (state_q)
      SPre0: if (w_fire) state_d = pre_bad ? SErr : (w_data_i[3:0] == CoderNone ? SHdr0 : SPre1);
      SPre1: if (w_fire) state_d = SPre2;
      SPre2: if (w_fire) state_d = SPre3;
      SPre3: if (w_fire) state_d = SPre4;
      SPre4: if (w_fire) state_d = SHdr0;
      SHdr0: if (w_fire) state_d = hdr0_bad ? SErr : SHdr1;
      SHdr1: if (w_fire) state_d = SDim0;
      SDim0: if (w_fire) state_d = (w_data_i != want_d0) ? SErr : SDim1;
      SDim1: if (w_fire) begin
        if (w_data_i != want_d1 || (dense && dense_elems != {32'd0, ent_q})) state_d = SErr;
        else begin
          dd_start = dense;
          state_d = !coded ? SBody : ((tbl_first_q && tbl_left_q != 0) ? STbl : SStart);
        end
      end
      SStart: begin
        hf_start = coder_q == CoderHuffman;
        rs_start = coder_q == CoderRans;
        state_d = (tbl_first_q || tbl_left_q == 0) ? SBody : STbl;
      end
      STbl: if (w_fire && tbl_left_q == 32'd1) state_d = tbl_first_q ? SStart : SBody;
      SBody: if (w_fire && w_last_i) state_d = SWait;
      SWait: if (nz_fire && nz_last_o) state_d = SPre0;
      default: ;
    endcase
    if (sub_err) state_d = SErr;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SPre0;
      coder_q <= CoderNone;
      alpha_q <= 4'd8;
      pbits_q <= 4'd12;
      rlanes_q <= 5'd8;
      nsym_q <= '0;
      tbl_left_q <= '0;
      units_q <= '0;
      bwords_q <= '0;
      fmt_q <= '0;
      ent_q <= '0;
      d0_q <= '0;
      tbl_first_q <= 1'b0;
      err_q <= 1'b0;
      err_code_q <= '0;
      sections_q <= '0;
      dw_off_q <= '0;
      gb_valid_q <= 1'b0;
      gb_q <= '0;
      halves_left_q <= '0;
    end else begin
      state_q <= state_d;
      if (!err_q && state_d == SErr) begin
        err_q <= 1'b1;
        if (sub_err) err_code_q <= sub_code;
        else unique case (state_q)
          SPre0:        err_code_q <= {4'd1, 4'd1};
          SHdr0:        err_code_q <= {4'd1, 4'd2};
          SDim0:        err_code_q <= {4'd1, 4'd3};
          default:      err_code_q <= (w_data_i != want_d1) ? {4'd1, 4'd3} : {4'd1, 4'd4};
        endcase
      end
      if (state_q == SPre0 && w_fire) begin
        coder_q <= w_data_i[3:0];
        alpha_q <= w_data_i[7:4];
        pbits_q <= w_data_i[11:8];
        rlanes_q <= w_data_i[16:12];
        tbl_first_q <= w_data_i[3:0] == CoderHuffman;
        tbl_left_q <= '0;
        dw_off_q <= '0;
        gb_valid_q <= 1'b0;
      end
      if (state_q == SPre1 && w_fire) nsym_q <= w_data_i;
      if (state_q == SPre2 && w_fire) tbl_left_q <= w_data_i;
      if (state_q == SPre3 && w_fire) begin
        units_q <= w_data_i;
        halves_left_q <= w_data_i;
      end
      if (state_q == SPre4 && w_fire) bwords_q <= w_data_i;
      if (state_q == SHdr0 && w_fire) fmt_q <= w_data_i[3:0];
      if (state_q == SHdr1 && w_fire) ent_q <= w_data_i;
      if (state_q == SDim0 && w_fire) d0_q <= w_data_i;
      if (state_q == STbl && w_fire) tbl_left_q <= tbl_left_q - 1'b1;
      // rANS gearbox
      if (state_q == SBody && coder_q == CoderRans && w_fire) begin
        if (gb_store) begin
          gb_q <= w_data_i;
          gb_valid_q <= 1'b1;
        end else begin
          gb_valid_q <= 1'b0;
          halves_left_q <= halves_left_q - 32'(rs_in_count);
        end
      end
      if (nz_fire && nz_row_last_o) dw_off_q <= dw_off_q + cols_i;
      if (nz_fire && nz_last_o) sections_q <= sections_q + 1'b1;
    end
  end

  // ---- sub-blocks ------------------------------------------------------------------
  sparse_decoder #(
    .Lanes    (Lanes),
    .IdxWidth (IdxWidth),
    .RowWidth (RowWidth)
  ) u_sparse (
    .clk_i, .rst_ni,
    .wprec_i       (wprec_i),
    .in_valid_i    (sd_in_valid),
    .in_ready_o    (sd_in_ready),
    .in_data_i     (sd_in_data),
    .in_last_i     (sd_in_last),
    .nz_valid_o    (sd_nz_valid),
    .nz_ready_i    (sd_nz_ready),
    .nz_mask_o     (sd_mask),
    .nz_col_o      (sd_col),
    .nz_val_o      (sd_val),
    .nz_row_o      (sd_row),
    .nz_row_last_o (sd_row_last),
    .nz_last_o     (sd_last),
    .error_o       (sd_err),
    .error_code_o  (sd_err_code),
    .busy_o        (sd_busy),
    .cnt_beats_o   (sd_c0),
    .cnt_entries_o (sd_c1),
    .cnt_words_o   (sd_c2),
    .cnt_blocked_o (sd_c3),
    .cnt_starved_o (sd_c4)
  );

  top_dense_decoder #(
    .Lanes    (Lanes),
    .IdxWidth (IdxWidth),
    .RowWidth (RowWidth)
  ) u_dense (
    .clk_i, .rst_ni,
    .wprec_i       (wprec_i),
    .start_i       (dd_start),
    .rows_i        ((RowWidth+1)'(d0_q)),
    .cols_i        ((IdxWidth+1)'(w_data_i)),
    .in_valid_i    (dd_in_valid),
    .in_ready_o    (dd_in_ready),
    .in_data_i     (dd_in_data),
    .in_last_i     (dd_in_last),
    .nz_valid_o    (dd_nz_valid),
    .nz_ready_i    (dd_nz_ready),
    .nz_mask_o     (dd_mask),
    .nz_col_o      (dd_col),
    .nz_val_o      (dd_val),
    .nz_row_o      (dd_row),
    .nz_row_last_o (dd_row_last),
    .nz_last_o     (dd_last),
    .error_o       (dd_err),
    .busy_o        (dd_busy)
  );

  huffman_decoder u_huffman (
    .clk_i, .rst_ni,
    .tbl_we_i     (hf_we),
    .tbl_addr_i   (w_data_i[24:16]),
    .tbl_data_i   (w_data_i[8:0]),
    .start_i      (hf_start),
    .count_i      (nsym_q),
    .in_valid_i   (hf_in_valid),
    .in_ready_o   (hf_in_ready),
    .in_data_i    (w_data_i),
    .in_last_i    (w_last_i),
    .out_valid_o  (hf_out_valid),
    .out_ready_i  (hf_out_ready),
    .out_data_o   (hf_out_data),
    .out_count_o  (hf_out_count),
    .out_last_o   (hf_out_last),
    .busy_o       (hf_busy),
    .done_o       (hf_done),
    .error_o      (hf_err),
    .error_code_o (hf_err_code),
    .cycles_o     (hf_c0),
    .stall_in_o   (hf_c1),
    .stall_out_o  (hf_c2)
  );

  rans_decoder #(
    .Lanes   (RansLanes),
    .InWords (4)
  ) u_rans (
    .clk_i, .rst_ni,
    .start_i      (rs_start),
    .count_i      (nsym_q),
    .prob_bits_i  (pbits_q),
    .lanes_i      (RLaneW'(rlanes_q)),
    .tbl_valid_i  (rs_tbl_valid),
    .tbl_ready_o  (rs_tbl_ready),
    .tbl_data_i   (w_data_i[12:0]),
    .tbl_last_i   (tbl_left_q == 32'd1),
    .in_valid_i   (rs_in_valid),
    .in_ready_o   (rs_in_ready),
    .in_data_i    (rs_in_data),
    .in_count_i   (rs_in_count),
    .in_last_i    (rs_in_last),
    .out_valid_o  (rs_out_valid),
    .out_ready_i  (rs_out_ready),
    .out_data_o   (rs_out_data),
    .out_count_o  (rs_out_count),
    .out_last_o   (rs_out_last),
    .busy_o       (rs_busy),
    .done_o       (rs_done),
    .error_o      (rs_err),
    .error_code_o (rs_err_code),
    .cycles_o     (rs_c0),
    .stall_in_o   (rs_c1),
    .stall_out_o  (rs_c2)
  );

  top_sym_packer #(.InSyms(16)) u_packer (
    .clk_i, .rst_ni,
    .alphabet_i  (alpha_q),
    .words_i     (bwords_q),
    .in_valid_i  (pk_in_valid),
    .in_ready_o  (pk_in_ready),
    .in_data_i   (pk_in_data),
    .in_count_i  (pk_in_count),
    .in_last_i   (pk_in_last),
    .out_valid_o (pk_out_valid),
    .out_ready_i (pk_out_ready),
    .out_data_o  (pk_out_data),
    .out_last_o  (pk_out_last)
  );

  logic unused;
  assign unused = ^{sd_busy, sd_c0, sd_c1, sd_c2, sd_c3, sd_c4, dd_busy, hf_busy, hf_done, hf_c0, hf_c1, hf_c2,
                    rs_busy, rs_done, rs_c0, rs_c1, rs_c2, units_q, sd_in_last};

  assign error_o = err_q;
  assign error_code_o = err_code_q;
  assign sections_o = sections_q;

endmodule

`default_nettype wire
