// sparse_decoder: the sparse weight decoder. It reads a sparse payload
// (docs/format.md, "Sparse payloads") as a valid/ready stream of 32-bit
// little-endian words and produces the nonzero stream of the PE array
// (docs/datapath.md, "Nonzero stream"): beats of up to Slots (column, weight)
// entries of one output row, zeros dropped, packed into the lowest slots in
// column order, full beats first, the row's last beat flagged, one mask-0 beat
// per empty row, rows 0..R-1, nz_last on the final beat.
//
// Formats, selected at run time by the payload's own header: COO-1D, RLC (with
// padding zeros), bitmap, CSR, CSC and N:M (any 1 <= N <= M <= 16; 2:4 and 1:4
// are the common ones). CSC emits its outer dimension as rows: a kernel stored
// in the TF/tfjs [in][out] layout and encoded CSC yields output-channel rows,
// the stream for y = K^T x. Payloads must be 2-D, signed, with value bits equal
// to the weight precision wprec_i (8, 4, 2); rows <= 2^RowWidth, columns <=
// 2^IdxWidth. Payloads may follow each other back to back.
//
// Throughput: up to EntriesPerCycle entries per cycle, bounded by the 32-bit
// input (32 bits per cycle); the bound per format is in docs/sparse.md. A CSR
// or CSC row costs one extra cycle for its pointer, a bitmap chunk one cycle
// for its mask.
//
// Errors: the first malformed field sets error_o and error_code_o
// (sparse_pkg::err_e) in the cycle it is examined; the decoder then stops
// producing beats (a beat already offered stays offered until taken), accepts
// and drops every input word, and stays there until reset. A stream that ends
// (in_last_i) early is reported as soon as the missing bits are needed.
//
// Cost (defaults P=16, K=4, 128-bit window): the bit window (sparse_bitbuf),
// K+1 field extractors (128-bit shifters), a K-deep chain of 32-bit adders and
// comparators per format, a 17x13 multiplier (header), two beat registers of
// Slots*(IdxWidth+8) flops (building and output: ~2.6k flops), Slots*K small
// comparators for slot placement, five 32-bit performance counters.
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module sparse_decoder #(
  /// Physical lanes P of the PE array (INT8 beats use P slots, INT4 2P, INT2 4P).
  parameter int unsigned Lanes = datapath_pkg::Lanes,
  /// Column index width of the nonzero stream.
  parameter int unsigned IdxWidth = datapath_pkg::IdxWidth,
  /// Row index width of the nonzero stream.
  parameter int unsigned RowWidth = datapath_pkg::RowWidth,
  /// Entries decoded per cycle at most (K), 1..31.
  parameter int unsigned EntriesPerCycle = 4,
  /// Payload words per input beat (the port is 32*InWords bits wide).
  parameter int unsigned InWords = 1,
  /// Bit window of the input (sparse_bitbuf), a multiple of 32, >= 2*32*InWords
  /// and >= 128.
  parameter int unsigned BufWidth = 128,
  /// Entry slots per beat; derived, do not override.
  parameter int unsigned Slots = Lanes * datapath_pkg::SlotsPerLane
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  /// Weight precision; must match the payload's value bits (sampled per header).
  input  squish_pkg::wprec_e        wprec_i,

  /// Payload words, little-endian, word i of a beat at [32i +: 32]; in_last_i
  /// on the beat with the payload's last word (zero words may follow it there).
  input  logic                      in_valid_i,
  output logic                      in_ready_o,
  input  logic [32*InWords-1:0]     in_data_i,
  input  logic                      in_last_i,

  /// Nonzero stream (docs/datapath.md).
  output logic                      nz_valid_o,
  input  logic                      nz_ready_i,
  output logic [Slots-1:0]          nz_mask_o,
  output logic [Slots*IdxWidth-1:0] nz_col_o,
  output logic [Slots*8-1:0]        nz_val_o,
  output logic [RowWidth-1:0]       nz_row_o,
  output logic                      nz_row_last_o,
  output logic                      nz_last_o,

  /// Sticky error flag and the first error's code (sparse_pkg::err_e).
  output logic                      error_o,
  output logic [3:0]                error_code_o,
  /// Between a payload's first word and its end check (or in error).
  output logic                      busy_o,

  /// Performance counters (since reset): beats out, entries out, words in,
  /// cycles a decode step waited for the output, cycles it waited for input bits.
  output logic [31:0]               cnt_beats_o,
  output logic [31:0]               cnt_entries_o,
  output logic [31:0]               cnt_words_o,
  output logic [31:0]               cnt_blocked_o,
  output logic [31:0]               cnt_starved_o
);

  localparam int unsigned K = EntriesPerCycle;
  localparam int unsigned CntWidth = $clog2(BufWidth + 1);
  localparam int unsigned FillWidth = $clog2(Slots + 1);
  localparam int unsigned OffWidth = 11;  // j * entry width <= (K+1) * 36

  // Exposed to the C++ side (sim/sparse/tb_sparse.cpp checks them).
  localparam int unsigned PubMagic /*verilator public*/ = 32'(sparse_pkg::Magic);
  localparam int unsigned PubFmtCoo1d /*verilator public*/ = 32'(sparse_pkg::FmtCoo1d);
  localparam int unsigned PubFmtRlc /*verilator public*/ = 32'(sparse_pkg::FmtRlc);
  localparam int unsigned PubFmtBitmap /*verilator public*/ = 32'(sparse_pkg::FmtBitmap);
  localparam int unsigned PubFmtCsr /*verilator public*/ = 32'(sparse_pkg::FmtCsr);
  localparam int unsigned PubFmtCsc /*verilator public*/ = 32'(sparse_pkg::FmtCsc);
  localparam int unsigned PubFmtNm /*verilator public*/ = 32'(sparse_pkg::FmtNm);
  localparam int unsigned PubBitmapChunk /*verilator public*/ = sparse_pkg::BitmapChunk;
  localparam int unsigned PubSlots /*verilator public*/ = Slots;
  localparam int unsigned PubIdxWidth /*verilator public*/ = IdxWidth;
  localparam int unsigned PubRowWidth /*verilator public*/ = RowWidth;
  localparam int unsigned PubEntriesPerCycle /*verilator public*/ = K;

  typedef enum logic [3:0] {
    StHdr0, StHdr1, StDim0, StDim1, StCfg, StPtr0, StPtr, StEnt, StMask, StBmVal, StPad, StErr
  } state_e;

  // bit width (floor(log2 v) + 1, 0 for v = 0)
  function automatic logic [5:0] bitw(input logic [31:0] v);
    bitw = '0;
    for (int i = 0; i < 32; i++) if (v[i]) bitw = 6'(i + 1);
  endfunction
  // low-bit mask: bits [w-1:0] set (w = 0..32); a compare per bit, no shifter
  function automatic logic [31:0] lowmask(input logic [5:0] w);
    for (int i = 0; i < 32; i++) lowmask[i] = 6'(i) < w;
  endfunction
  // logarithmic right shifter built from constant shifts: Yosys's SAT-based
  // resource sharing (synth's share pass) would otherwise analyse every
  // variable $shr cell under the decode chain's many conditions, which takes
  // hours.
  function automatic logic [BufWidth-1:0] win_shr(input logic [BufWidth-1:0] x, input logic [OffWidth-1:0] sh);
    win_shr = x;
    for (int b = 0; b < OffWidth; b++)
      if (sh[b]) win_shr = ((1 << b) >= BufWidth) ? '0 : (win_shr >> (1 << b));
  endfunction
  // index of the lowest set bit (0 if none)
  function automatic logic [4:0] ffs32(input logic [31:0] v);
    ffs32 = '0;
    for (int i = 31; i >= 0; i--) if (v[i]) ffs32 = 5'(i);
  endfunction

  // ---- input window ---------------------------------------------------------
  logic [BufWidth-1:0] bits;
  logic [CntWidth-1:0] count, consume;
  logic                last_seen, flush, drain, in_fire;

  sparse_bitbuf #(.BufWidth(BufWidth), .InWords(InWords)) u_bitbuf (
    .clk_i, .rst_ni,
    .flush_i    (flush),
    .drain_i    (drain),
    .in_valid_i,
    .in_ready_o,
    .in_data_i,
    .in_last_i,
    .bits_o     (bits),
    .count_o    (count),
    .last_seen_o(last_seen),
    .in_fire_o  (in_fire),
    .consume_i  (consume)
  );

  // ---- state ----------------------------------------------------------------
  state_e               state_q, state_d;
  sparse_pkg::err_e     err_q, err_d;
  squish_pkg::wprec_e   wprec_q, wprec_d;
  logic [3:0]           fmt_q, fmt_d;
  logic [3:0]           vb_q, vb_d;        // value bits 2/4/8
  logic [4:0]           ib_q, ib_d;        // index field bits
  logic [5:0]           pb_q, pb_d;        // CSR/CSC pointer bits
  logic [4:0]           nm_n_q, nm_n_d, nm_m_q, nm_m_d, rlc_b_q, rlc_b_d;
  logic [31:0]          left_q, left_d;    // entries not yet read
  logic [31:0]          d0_q, d0_d, d1_q, d1_d;
  logic [RowWidth:0]    rows_q, rows_d;
  logic [IdxWidth:0]    cols_q, cols_d;
  logic [31:0]          total_q, total_d;
  logic [RowWidth-1:0]  row_q, row_d;
  logic [31:0]          row_end_q, row_end_d;   // flat position of the next row's start
  logic [31:0]          pos_q, pos_d;           // RLC: position after the last entry
  logic [31:0]          prev_flat_q, prev_flat_d;
  logic                 have_prev_q, have_prev_d;
  logic [IdxWidth-1:0]  prev_col_q, prev_col_d;
  logic [31:0]          ptr_q, ptr_d;            // CSR/CSC: previous indptr
  logic [31:0]          row_left_q, row_left_d;  // CSR/CSC: entries left in the row
  logic [IdxWidth+1:0]  gbase_q, gbase_d;        // N:M group start column
  logic [4:0]           slot_q, slot_d;          // N:M slot in group
  logic [3:0]           prevpos_q, prevpos_d;
  logic [31:0]          mask_q, mask_d;          // bitmap chunk mask (unread ones)
  logic [IdxWidth:0]    cbase_q, cbase_d;        // bitmap chunk start column
  logic [IdxWidth+1:0]  cnext_q, cnext_d;        // bitmap next chunk start
  logic [4:0]           bitpos_q, bitpos_d;      // stream bits consumed mod 32

  // beat being built, and the output beat
  logic [FillWidth-1:0]      fill_q, fill_d;
  logic [Slots*IdxWidth-1:0] bld_col_q, bld_col_d;
  logic [Slots*8-1:0]        bld_val_q, bld_val_d;
  logic                      out_valid_q, out_valid_d;
  logic [FillWidth-1:0]      out_fill_q, out_fill_d;
  logic [Slots*IdxWidth-1:0] out_col_q, out_col_d;
  logic [Slots*8-1:0]        out_val_q, out_val_d;
  logic [RowWidth-1:0]       out_row_q, out_row_d;
  logic                      out_row_last_q, out_row_last_d, out_last_q, out_last_d;

  logic [31:0] cnt_beats_q, cnt_entries_q, cnt_words_q, cnt_blocked_q, cnt_starved_q;
  logic [31:0] cnt_beats_d, cnt_entries_d, cnt_words_d, cnt_blocked_d, cnt_starved_d;

  // bitmap: the chunk starting at cbase_q (its mask is the next chunk_len bits)
  logic [5:0]  chunk_len;
  logic [31:0] chunk_mask;
  logic [IdxWidth+1:0] chunk_end;
  assign chunk_len  = ((32'(cols_q) - 32'(cbase_q)) >= 32'd32) ? 6'd32 : 6'(32'(cols_q) - 32'(cbase_q));
  assign chunk_mask = bits[31:0] & lowmask(chunk_len);
  assign chunk_end  = (IdxWidth+2)'(cbase_q) + (IdxWidth+2)'(chunk_len);

  // ---- field extractors: entry j at bit offset base + j * ew ------------------
  // (base = the mask's length when a bitmap step reads a mask and its first
  // values together, else 0)
  logic [4:0]  ib_eff;
  logic [5:0]  ew_eff;
  logic [31:0] idx_mask;
  logic [(K+1)*OffWidth-1:0] f_off;
  logic [(K+1)*32-1:0]       f_idx;
  logic [(K+1)*8-1:0]        f_val;
  logic [K:0]                f_avail;

  assign ib_eff   = (state_q == StBmVal) ? 5'd0 : ib_q;
  assign ew_eff   = 6'(ib_eff) + 6'(vb_q);
  assign idx_mask = lowmask(6'(ib_eff));

  for (genvar j = 0; j <= K; j++) begin : g_field
    logic [39:0] shifted;
    logic [7:0]  raw;
    // j * ew as a sum of constant shifts (no multiplier cell)
    always_comb begin
      f_off[j*OffWidth +: OffWidth] = (state_q == StMask) ? OffWidth'(chunk_len) : '0;
      for (int b = 0; b < 5; b++)
        if (((j >> b) & 1) != 0) f_off[j*OffWidth +: OffWidth] = f_off[j*OffWidth +: OffWidth] + (OffWidth'(ew_eff) << b);
    end
    assign shifted = 40'(win_shr(bits, f_off[j*OffWidth +: OffWidth]));
    assign f_idx[j*32 +: 32] = shifted[31:0] & idx_mask;
    // value field after ib_eff index bits: a multiplexer, not a shifter
    always_comb begin
      raw = shifted[7:0];
      for (int b = 1; b < 32; b++)
        if (32'(ib_eff) == b) raw = shifted[b +: 8];
    end
    // sign-extend from the precision's width
    always_comb begin
      unique case (vb_q)
        4'd2:    f_val[j*8 +: 8] = {{6{raw[1]}}, raw[1:0]};
        4'd4:    f_val[j*8 +: 8] = {{4{raw[3]}}, raw[3:0]};
        default: f_val[j*8 +: 8] = raw;
      endcase
    end
    assign f_avail[j] = (f_off[j*OffWidth +: OffWidth] + OffWidth'(ew_eff)) <= OffWidth'(count);
  end

  // ---- header field checks ---------------------------------------------------
  logic [31:0] w0;
  logic [3:0]  h_fmt, wp_bits;
  logic [4:0]  h_a, h_b;
  logic        h_fmt_ok, h_par_ok;
  assign w0      = bits[31:0];
  assign h_fmt   = w0[3:0];
  assign h_a     = w0[19:15];
  assign h_b     = w0[24:20];
  assign wp_bits = (wprec_i == squish_pkg::WPrecInt4) ? 4'd4 : (wprec_i == squish_pkg::WPrecInt2) ? 4'd2 : 4'd8;
  assign h_fmt_ok = (h_fmt == sparse_pkg::FmtCoo1d) || (h_fmt == sparse_pkg::FmtRlc) ||
                    (h_fmt == sparse_pkg::FmtBitmap) || (h_fmt == sparse_pkg::FmtCsr) ||
                    (h_fmt == sparse_pkg::FmtCsc) || (h_fmt == sparse_pkg::FmtNm);
  always_comb begin
    if (h_fmt == sparse_pkg::FmtRlc) h_par_ok = (h_a >= 5'd1) && (h_a <= 5'd16) && (h_b == 5'd0);
    else if (h_fmt == sparse_pkg::FmtNm) h_par_ok = (h_a >= 5'd1) && (h_a <= h_b) && (h_b <= 5'd16);
    else h_par_ok = (h_a == 5'd0) && (h_b == 5'd0);
  end

  // ---- the decode step --------------------------------------------------------
  localparam int unsigned CapWidth = FillWidth + 1;
  logic [FillWidth-1:0] cap_slots;  // slots a beat holds at this precision (C)
  logic [CapWidth-1:0]  cap;        // entries this step may consume
  logic                 bld_full, out_free;
  assign cap_slots = (wprec_q == squish_pkg::WPrecInt4) ? FillWidth'(2 * Lanes)
                   : (wprec_q == squish_pkg::WPrecInt2) ? FillWidth'(4 * Lanes) : FillWidth'(Lanes);
  assign bld_full  = fill_q == cap_slots;
  always_comb begin
    if (bld_full || (CapWidth'(cap_slots - fill_q) > CapWidth'(K))) cap = CapWidth'(K);
    else cap = CapWidth'(cap_slots - fill_q);
  end
  assign out_free = !out_valid_q || nz_ready_i;

  // chain results
  logic                  go, finished, chunk_done, starved;
  sparse_pkg::err_e      err_now;
  logic [5:0]            n_take, n_keep;
  logic [K*IdxWidth-1:0] t_col;
  logic [K*8-1:0]        t_val;
  logic [K-1:0]          t_keep;
  // loop-carried chain state
  logic [31:0]           c_pos, c_flat, c_prev_flat, e_idx;
  logic                  c_have_prev;
  logic [IdxWidth-1:0]   c_prev_col;
  logic [IdxWidth+1:0]   c_gbase, c_gs, c_ns;
  logic [4:0]            c_slot;
  logic [3:0]            c_prevpos;
  logic [31:0]           c_mask;
  logic [4:0]            c_p;
  logic [7:0]            e_val;
  logic [31:0]           row_start;
  logic [IdxWidth+1:0]   next_chunk;  // start of the chunk after the current one
  assign next_chunk = (state_q == StMask) ? chunk_end : cnext_q;

  assign row_start = row_end_q - 32'(cols_q);

  // rows x cols, used once per payload (StCfg)
  logic [31:0] dims_product;
  assign dims_product = 32'(rows_q) * 32'(cols_q);

  always_comb begin
    go          = 1'b1;
    finished    = 1'b0;
    chunk_done  = 1'b0;
    starved     = 1'b0;
    err_now     = sparse_pkg::ErrNone;
    n_take      = '0;
    n_keep      = '0;
    t_col       = '0;
    t_val       = '0;
    t_keep      = '0;
    c_pos       = pos_q;
    c_flat      = '0;
    c_prev_flat = prev_flat_q;
    c_have_prev = have_prev_q;
    c_prev_col  = prev_col_q;
    c_gbase     = gbase_q;
    c_gs        = '0;
    c_ns        = '0;
    c_slot      = slot_q;
    c_prevpos   = prevpos_q;
    c_mask      = (state_q == StMask) ? chunk_mask : mask_q;
    c_p         = '0;
    e_idx       = '0;
    e_val       = '0;
    if (state_q == StMask && count < CntWidth'(chunk_len)) begin
      go      = 1'b0;  // the mask itself is not here yet
      starved = 1'b1;
    end
    if (state_q == StEnt || state_q == StBmVal || state_q == StMask) begin
      for (int unsigned j = 0; j <= K; j++) begin
        e_idx = f_idx[j*32 +: 32];
        e_val = f_val[j*8 +: 8];
        if (go) begin
          if (state_q == StBmVal || state_q == StMask) begin
            if (c_mask == '0) begin
              chunk_done = 1'b1;
              go = 1'b0;
            end else if (left_q <= 32'(j)) begin
              err_now = sparse_pkg::ErrCount;
              go = 1'b0;
            end else if (!f_avail[j]) begin
              starved = (j == 0) && state_q == StBmVal;  // StMask still takes the mask
              go = 1'b0;
            end else if (e_val == '0) begin
              err_now = sparse_pkg::ErrValue;
              go = 1'b0;
            end else if (32'(j) >= 32'(cap)) begin
              go = 1'b0;
            end else begin
              c_p = ffs32(c_mask);
              t_col[j*IdxWidth +: IdxWidth] = IdxWidth'(cbase_q) + IdxWidth'(c_p);
              t_val[j*8 +: 8] = e_val;
              t_keep[j] = 1'b1;
              c_mask = c_mask & (c_mask - 32'd1);  // clear the lowest set bit
              n_take = n_take + 6'd1;
            end
          end else if (fmt_q == sparse_pkg::FmtCsr || fmt_q == sparse_pkg::FmtCsc) begin
            if (row_left_q <= 32'(j)) begin
              finished = 1'b1;
              go = 1'b0;
            end else if (!f_avail[j]) begin
              starved = (j == 0);
              go = 1'b0;
            end else if (e_idx >= 32'(cols_q)) begin
              err_now = sparse_pkg::ErrRange;
              go = 1'b0;
            end else if (c_have_prev && IdxWidth'(e_idx) <= c_prev_col) begin
              err_now = sparse_pkg::ErrOrder;
              go = 1'b0;
            end else if (e_val == '0) begin
              err_now = sparse_pkg::ErrValue;
              go = 1'b0;
            end else if (32'(j) >= 32'(cap)) begin
              go = 1'b0;
            end else begin
              t_col[j*IdxWidth +: IdxWidth] = IdxWidth'(e_idx);
              t_val[j*8 +: 8] = e_val;
              t_keep[j] = 1'b1;
              c_prev_col = IdxWidth'(e_idx);
              c_have_prev = 1'b1;
              n_take = n_take + 6'd1;
            end
          end else if (fmt_q == sparse_pkg::FmtCoo1d) begin
            c_flat = e_idx;
            if (left_q <= 32'(j)) begin
              finished = 1'b1;
              go = 1'b0;
            end else if (!f_avail[j]) begin
              starved = (j == 0);
              go = 1'b0;
            end else if (c_flat >= total_q) begin
              err_now = sparse_pkg::ErrRange;
              go = 1'b0;
            end else if (c_have_prev && c_flat <= c_prev_flat) begin
              err_now = sparse_pkg::ErrOrder;
              go = 1'b0;
            end else if (e_val == '0) begin
              err_now = sparse_pkg::ErrValue;
              go = 1'b0;
            end else if (c_flat >= row_end_q) begin
              finished = 1'b1;
              go = 1'b0;
            end else if (32'(j) >= 32'(cap)) begin
              go = 1'b0;
            end else begin
              t_col[j*IdxWidth +: IdxWidth] = IdxWidth'(c_flat - row_start);
              t_val[j*8 +: 8] = e_val;
              t_keep[j] = 1'b1;
              c_prev_flat = c_flat;
              c_have_prev = 1'b1;
              n_take = n_take + 6'd1;
            end
          end else if (fmt_q == sparse_pkg::FmtRlc) begin
            c_flat = c_pos + (e_idx & 32'h0000_ffff);
            if (left_q <= 32'(j)) begin
              finished = 1'b1;
              go = 1'b0;
            end else if (!f_avail[j]) begin
              starved = (j == 0);
              go = 1'b0;
            end else if (c_flat >= total_q) begin
              err_now = sparse_pkg::ErrRange;
              go = 1'b0;
            end else if (e_val == '0 && (e_idx != lowmask(6'(rlc_b_q)) ||
                                         left_q == 32'(j) + 32'd1)) begin
              err_now = sparse_pkg::ErrValue;  // short or trailing padding entry
              go = 1'b0;
            end else if (c_flat >= row_end_q) begin
              finished = 1'b1;
              go = 1'b0;
            end else if (32'(j) >= 32'(cap)) begin
              go = 1'b0;
            end else begin
              t_col[j*IdxWidth +: IdxWidth] = IdxWidth'(c_flat - row_start);
              t_val[j*8 +: 8] = e_val;
              t_keep[j] = e_val != '0;
              c_pos = c_flat + 32'd1;
              n_take = n_take + 6'd1;
            end
          end else begin  // N:M
            c_gs = ((c_gbase + (IdxWidth+2)'(nm_m_q)) > (IdxWidth+2)'(cols_q))
                 ? (IdxWidth+2)'(cols_q) - c_gbase : (IdxWidth+2)'(nm_m_q);
            c_ns = (c_gs > (IdxWidth+2)'(nm_n_q)) ? (IdxWidth+2)'(nm_n_q) : c_gs;
            if (c_gbase >= (IdxWidth+2)'(cols_q)) begin
              finished = 1'b1;
              go = 1'b0;
            end else if (left_q <= 32'(j)) begin
              err_now = sparse_pkg::ErrCount;
              go = 1'b0;
            end else if (!f_avail[j]) begin
              starved = (j == 0);
              go = 1'b0;
            end else if (e_idx >= 32'(c_gs)) begin
              err_now = sparse_pkg::ErrRange;
              go = 1'b0;
            end else if (c_slot != '0 && 4'(e_idx) <= c_prevpos) begin
              err_now = sparse_pkg::ErrOrder;
              go = 1'b0;
            end else if (e_val == '0 && e_idx != 32'(c_slot)) begin
              err_now = sparse_pkg::ErrValue;  // filler not at the lowest free position
              go = 1'b0;
            end else if (32'(j) >= 32'(cap)) begin
              go = 1'b0;
            end else begin
              t_col[j*IdxWidth +: IdxWidth] = IdxWidth'(c_gbase) + IdxWidth'(e_idx);
              t_val[j*8 +: 8] = e_val;
              t_keep[j] = e_val != '0;
              c_prevpos = 4'(e_idx);
              if ((IdxWidth+2)'(c_slot) + 1 == c_ns) begin
                c_gbase = c_gbase + (IdxWidth+2)'(nm_m_q);
                c_slot = '0;
              end else begin
                c_slot = c_slot + 5'd1;
              end
              n_take = n_take + 6'd1;
            end
          end
        end
      end
    end
    for (int unsigned j = 0; j < K; j++) n_keep = n_keep + 6'(t_keep[j]);
  end

  // kept entries compacted to the front
  logic [K*IdxWidth-1:0] k_col;
  logic [K*8-1:0]        k_val;
  always_comb begin
    logic [5:0] k;
    k     = '0;
    k_col = '0;
    k_val = '0;
    for (int unsigned j = 0; j < K; j++) begin
      if (t_keep[j]) begin
        for (int unsigned i = 0; i < K; i++) begin
          if (6'(i) == k) begin
            k_col[i*IdxWidth +: IdxWidth] = t_col[j*IdxWidth +: IdxWidth];
            k_val[i*8 +: 8] = t_val[j*8 +: 8];
          end
        end
        k = k + 6'd1;
      end
    end
  end

  // bits taken by this step's entries: offset of entry n_take
  logic [CntWidth-1:0] step_bits;
  always_comb begin
    step_bits = '0;
    for (int unsigned j = 0; j <= K; j++)
      if (32'(n_take) == j) step_bits = CntWidth'(f_off[j*OffWidth +: OffWidth]);
  end

  // ---- control ------------------------------------------------------------------
  logic                 close, emit_old, need_emit, stall, final_row, need_bits;
  logic [FillWidth-1:0] place_base;
  logic [Slots*IdxWidth-1:0] placed_col;
  logic [Slots*8-1:0]        placed_val;
  logic [4:0]           pad_bits;
  logic [31:0]          pad_mask, ptr_val, ptr_mask;

  assign final_row  = 32'(row_q) + 32'd1 == 32'(rows_q);
  // the current state waits for stream bits that are not in the window
  always_comb begin
    unique case (state_q)
      StHdr0, StHdr1, StDim0, StDim1: need_bits = count < CntWidth'(32);
      StPtr0, StPtr:                  need_bits = count < CntWidth'(pb_q);
      StMask:                         need_bits = count < CntWidth'(chunk_len);
      StEnt, StBmVal:                 need_bits = starved;
      default:                        need_bits = 1'b0;
    endcase
  end
  assign pad_bits   = 5'd0 - bitpos_q;
  assign pad_mask   = lowmask(6'(pad_bits));
  assign ptr_mask   = lowmask(pb_q);
  assign ptr_val    = bits[31:0] & ptr_mask;

  // A full beat leaves when the step brings more entries of its row; those
  // entries then start the next beat (so a row's last beat is always flagged).
  assign emit_old = (state_q == StEnt || state_q == StBmVal || state_q == StMask) && err_now == sparse_pkg::ErrNone &&
                    bld_full && n_keep != '0;
  // Entries land in slots place_base.. of the building beat.
  assign place_base = emit_old ? '0 : fill_q;
  always_comb begin
    placed_col = bld_col_q;
    placed_val = bld_val_q;
    for (int unsigned s = 0; s < Slots; s++) begin
      for (int unsigned i = 0; i < K; i++) begin
        if (6'(i) < n_keep && 32'(s) == 32'(place_base) + i) begin
          placed_col[s*IdxWidth +: IdxWidth] = k_col[i*IdxWidth +: IdxWidth];
          placed_val[s*8 +: 8] = k_val[i*8 +: 8];
        end
      end
    end
  end

  always_comb begin
    state_d     = state_q;
    err_d       = err_q;
    wprec_d     = wprec_q;
    fmt_d       = fmt_q;
    vb_d        = vb_q;
    ib_d        = ib_q;
    pb_d        = pb_q;
    nm_n_d      = nm_n_q;
    nm_m_d      = nm_m_q;
    rlc_b_d     = rlc_b_q;
    left_d      = left_q;
    d0_d        = d0_q;
    d1_d        = d1_q;
    rows_d      = rows_q;
    cols_d      = cols_q;
    total_d     = total_q;
    row_d       = row_q;
    row_end_d   = row_end_q;
    pos_d       = pos_q;
    prev_flat_d = prev_flat_q;
    have_prev_d = have_prev_q;
    prev_col_d  = prev_col_q;
    ptr_d       = ptr_q;
    row_left_d  = row_left_q;
    gbase_d     = gbase_q;
    slot_d      = slot_q;
    prevpos_d   = prevpos_q;
    mask_d      = mask_q;
    cbase_d     = cbase_q;
    cnext_d     = cnext_q;
    bitpos_d    = bitpos_q;
    fill_d      = fill_q;
    bld_col_d   = bld_col_q;
    bld_val_d   = bld_val_q;
    out_valid_d = out_valid_q && !nz_ready_i;
    out_fill_d  = out_fill_q;
    out_col_d   = out_col_q;
    out_val_d   = out_val_q;
    out_row_d   = out_row_q;
    out_row_last_d = out_row_last_q;
    out_last_d  = out_last_q;
    consume     = '0;
    flush       = 1'b0;
    drain       = (state_q == StErr);
    close       = 1'b0;
    need_emit   = 1'b0;
    stall       = 1'b0;

    unique case (state_q)
      StHdr0: begin
        if (count >= CntWidth'(32)) begin
          consume = CntWidth'(32);
          if (w0[31:25] != sparse_pkg::Magic || !h_fmt_ok || w0[10] || !w0[9] || w0[14:11] != 4'd2 ||
              w0[8:4] != 5'(wp_bits) || !h_par_ok) begin
            err_d = sparse_pkg::ErrHeader;
          end
          fmt_d   = h_fmt;
          vb_d    = wp_bits;
          wprec_d = wprec_i;
          rlc_b_d = h_a;
          nm_n_d  = h_a;
          nm_m_d  = h_b;
          state_d = StHdr1;
        end
      end
      StHdr1: begin
        if (count >= CntWidth'(32)) begin
          consume = CntWidth'(32);
          left_d  = bits[31:0];
          state_d = StDim0;
        end
      end
      StDim0: begin
        if (count >= CntWidth'(32)) begin
          consume = CntWidth'(32);
          d0_d    = bits[31:0];
          state_d = StDim1;
        end
      end
      StDim1: begin
        if (count >= CntWidth'(32)) begin
          consume = CntWidth'(32);
          d1_d    = bits[31:0];
          state_d = StCfg;
          // CSC: the outer dimension (columns of the tensor) becomes the rows.
          if (fmt_q == sparse_pkg::FmtCsc) begin
            if (bits[31:0] == '0 || d0_q == '0 || bits[31:0] > (32'd1 << RowWidth) || d0_q > (32'd1 << IdxWidth))
              err_d = sparse_pkg::ErrHeader;
            rows_d = (RowWidth+1)'(bits[31:0]);
            cols_d = (IdxWidth+1)'(d0_q);
          end else begin
            if (bits[31:0] == '0 || d0_q == '0 || d0_q > (32'd1 << RowWidth) || bits[31:0] > (32'd1 << IdxWidth))
              err_d = sparse_pkg::ErrHeader;
            rows_d = (RowWidth+1)'(d0_q);
            cols_d = (IdxWidth+1)'(bits[31:0]);
          end
        end
      end
      StCfg: begin
        total_d     = dims_product;
        row_d       = '0;
        row_end_d   = 32'(cols_q);
        pos_d       = '0;
        have_prev_d = 1'b0;
        ptr_d       = '0;
        gbase_d     = '0;
        slot_d      = '0;
        cbase_d     = '0;
        fill_d      = '0;
        pb_d        = bitw(left_q);
        unique case (fmt_q)
          sparse_pkg::FmtCoo1d: begin
            ib_d    = 5'(bitw(dims_product - 32'd1));
            state_d = StEnt;
          end
          sparse_pkg::FmtRlc: begin
            ib_d    = rlc_b_q;
            state_d = StEnt;
          end
          sparse_pkg::FmtNm: begin
            ib_d    = 5'(bitw(32'(nm_m_q) - 32'd1));
            state_d = StEnt;
          end
          sparse_pkg::FmtBitmap: begin
            ib_d    = '0;
            state_d = StMask;
          end
          default: begin  // CSR, CSC
            ib_d    = 5'(bitw(32'(cols_q) - 32'd1));
            state_d = StPtr0;
          end
        endcase
      end
      StPtr0: begin
        if (count >= CntWidth'(pb_q)) begin
          consume = CntWidth'(pb_q);
          if (ptr_val != '0) err_d = sparse_pkg::ErrOrder;
          state_d = StPtr;
        end
      end
      StPtr: begin
        if (count >= CntWidth'(pb_q)) begin
          if (ptr_val < ptr_q) err_d = sparse_pkg::ErrOrder;
          else if (ptr_val > left_q + ptr_q) err_d = sparse_pkg::ErrCount;
          else if (ptr_val == ptr_q) begin
            // empty row: close it now
            need_emit = 1'b1;
            if (out_free) begin
              consume = CntWidth'(pb_q);
              close   = 1'b1;
            end else begin
              stall = 1'b1;
            end
          end else begin
            consume     = CntWidth'(pb_q);
            row_left_d  = ptr_val - ptr_q;
            ptr_d       = ptr_val;
            have_prev_d = 1'b0;
            state_d     = StEnt;
          end
        end
      end
      StEnt, StBmVal, StMask: begin
        if (state_q == StMask && starved) begin
          // wait for the mask
        end else if (err_now == sparse_pkg::ErrNone) begin
          close     = (finished || (chunk_done && next_chunk >= (IdxWidth+2)'(cols_q))) && !emit_old;
          need_emit = emit_old || close;
          if (need_emit && !out_free) begin
            stall = 1'b1;
            close = 1'b0;  // retried next cycle
          end else begin
            consume     = step_bits;
            left_d      = left_q - 32'(n_take);
            row_left_d  = row_left_q - 32'(n_take);
            pos_d       = c_pos;
            prev_flat_d = c_prev_flat;
            have_prev_d = c_have_prev;
            prev_col_d  = c_prev_col;
            gbase_d     = c_gbase;
            slot_d      = c_slot;
            prevpos_d   = c_prevpos;
            mask_d      = c_mask;
            if (state_q == StMask) cnext_d = chunk_end;
            if (state_q == StMask || state_q == StBmVal) begin
              if (chunk_done && !close && next_chunk < (IdxWidth+2)'(cols_q)) begin
                cbase_d = (IdxWidth+1)'(next_chunk);  // next chunk: its mask and first values
                state_d = StMask;
              end else if (!close) begin
                state_d = StBmVal;  // more ones in this chunk, or a deferred row close
              end
            end
          end
        end else begin
          err_d = err_now;
        end
      end
      StPad: begin
        // After the body: the rest of its last word (pad_bits), and in the
        // final beat of a wide port up to InWords-1 whole words, all zero.
        if (last_seen) begin
          if (bits != '0 || count >= CntWidth'(32 * InWords)) begin
            err_d = sparse_pkg::ErrOverrun;
          end else begin
            consume = count;
            flush   = 1'b1;
            state_d = StHdr0;
          end
        end else if (count > CntWidth'(pad_bits) || (bits[31:0] & pad_mask) != '0) begin
          err_d = sparse_pkg::ErrOverrun;  // more than the word's padding, or nonzero padding
        end
      end
      StErr: ;
      default: err_d = sparse_pkg::ErrHeader;
    endcase

    // Row close: emit the beat (with this step's entries), move to the next row.
    if (close) begin
      row_d       = row_q + RowWidth'(1);
      row_end_d   = row_end_q + 32'(cols_q);
      have_prev_d = (fmt_q == sparse_pkg::FmtCsr || fmt_q == sparse_pkg::FmtCsc) ? 1'b0 : have_prev_d;
      gbase_d     = '0;
      slot_d      = '0;
      cbase_d     = '0;
      if (state_q == StPtr) ptr_d = ptr_val;
      if (final_row) begin
        state_d = StPad;
        if (left_q - 32'(n_take) != '0) err_d = sparse_pkg::ErrCount;
      end else if (fmt_q == sparse_pkg::FmtCsr || fmt_q == sparse_pkg::FmtCsc) begin
        state_d = StPtr;
      end else if (fmt_q == sparse_pkg::FmtBitmap) begin
        state_d = StMask;
      end else begin
        state_d = StEnt;
      end
    end

    // Beat builder.
    if (!stall && (state_q == StEnt || state_q == StBmVal || state_q == StMask || state_q == StPtr) &&
        err_now == sparse_pkg::ErrNone) begin
      if (close) begin
        out_valid_d    = 1'b1;
        out_fill_d     = fill_q + FillWidth'(n_keep);
        out_col_d      = placed_col;
        out_val_d      = placed_val;
        out_row_d      = row_q;
        out_row_last_d = 1'b1;
        out_last_d     = final_row;
        fill_d         = '0;
      end else if (emit_old) begin
        out_valid_d    = 1'b1;
        out_fill_d     = fill_q;
        out_col_d      = bld_col_q;
        out_val_d      = bld_val_q;
        out_row_d      = row_q;
        out_row_last_d = 1'b0;
        out_last_d     = 1'b0;
        fill_d         = FillWidth'(n_keep);
        bld_col_d      = placed_col;
        bld_val_d      = placed_val;
      end else begin
        fill_d    = fill_q + FillWidth'(n_keep);
        bld_col_d = placed_col;
        bld_val_d = placed_val;
      end
    end

    // Running out of stream bits while more are needed.
    if (last_seen && need_bits && err_d == sparse_pkg::ErrNone) err_d = sparse_pkg::ErrTruncated;
    bitpos_d = bitpos_q + 5'(consume);
    if (flush) bitpos_d = '0;
    if (err_d != sparse_pkg::ErrNone) begin
      state_d = StErr;
      if (err_q != sparse_pkg::ErrNone) err_d = err_q;
    end
  end

  // performance counters
  logic out_fire;
  assign out_fire      = out_valid_q && nz_ready_i;
  assign cnt_beats_d   = cnt_beats_q + 32'(out_fire);
  assign cnt_entries_d = cnt_entries_q + (out_fire ? 32'(out_fill_q) : 32'd0);
  assign cnt_words_d   = cnt_words_q + 32'(in_fire);
  assign cnt_blocked_d = cnt_blocked_q + 32'(stall);
  assign cnt_starved_d = cnt_starved_q + 32'(need_bits && busy_o);

  // ---- outputs --------------------------------------------------------------------
  assign nz_valid_o    = out_valid_q;
  assign nz_row_o      = out_row_q;
  assign nz_row_last_o = out_row_last_q;
  assign nz_last_o     = out_last_q;
  for (genvar s = 0; s < Slots; s++) begin : g_out
    logic present;
    assign present = FillWidth'(s) < out_fill_q;
    assign nz_mask_o[s] = present;
    assign nz_col_o[s*IdxWidth +: IdxWidth] = present ? out_col_q[s*IdxWidth +: IdxWidth] : '0;
    assign nz_val_o[s*8 +: 8] = present ? out_val_q[s*8 +: 8] : '0;
  end
  assign error_o      = err_q != sparse_pkg::ErrNone;
  assign error_code_o = err_q;
  assign busy_o       = state_q != StHdr0 || count != '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= StHdr0;
      err_q          <= sparse_pkg::ErrNone;
      wprec_q        <= squish_pkg::WPrecInt8;
      fmt_q          <= '0;
      vb_q           <= 4'd8;
      ib_q           <= '0;
      pb_q           <= '0;
      nm_n_q         <= '0;
      nm_m_q         <= '0;
      rlc_b_q        <= '0;
      left_q         <= '0;
      d0_q           <= '0;
      d1_q           <= '0;
      rows_q         <= '0;
      cols_q         <= '0;
      total_q        <= '0;
      row_q          <= '0;
      row_end_q      <= '0;
      pos_q          <= '0;
      prev_flat_q    <= '0;
      have_prev_q    <= 1'b0;
      prev_col_q     <= '0;
      ptr_q          <= '0;
      row_left_q     <= '0;
      gbase_q        <= '0;
      slot_q         <= '0;
      prevpos_q      <= '0;
      mask_q         <= '0;
      cbase_q        <= '0;
      cnext_q        <= '0;
      bitpos_q       <= '0;
      fill_q         <= '0;
      bld_col_q      <= '0;
      bld_val_q      <= '0;
      out_valid_q    <= 1'b0;
      out_fill_q     <= '0;
      out_col_q      <= '0;
      out_val_q      <= '0;
      out_row_q      <= '0;
      out_row_last_q <= 1'b0;
      out_last_q     <= 1'b0;
      cnt_beats_q    <= '0;
      cnt_entries_q  <= '0;
      cnt_words_q    <= '0;
      cnt_blocked_q  <= '0;
      cnt_starved_q  <= '0;
    end else begin
      state_q        <= state_d;
      err_q          <= err_d;
      wprec_q        <= wprec_d;
      fmt_q          <= fmt_d;
      vb_q           <= vb_d;
      ib_q           <= ib_d;
      pb_q           <= pb_d;
      nm_n_q         <= nm_n_d;
      nm_m_q         <= nm_m_d;
      rlc_b_q        <= rlc_b_d;
      left_q         <= left_d;
      d0_q           <= d0_d;
      d1_q           <= d1_d;
      rows_q         <= rows_d;
      cols_q         <= cols_d;
      total_q        <= total_d;
      row_q          <= row_d;
      row_end_q      <= row_end_d;
      pos_q          <= pos_d;
      prev_flat_q    <= prev_flat_d;
      have_prev_q    <= have_prev_d;
      prev_col_q     <= prev_col_d;
      ptr_q          <= ptr_d;
      row_left_q     <= row_left_d;
      gbase_q        <= gbase_d;
      slot_q         <= slot_d;
      prevpos_q      <= prevpos_d;
      mask_q         <= mask_d;
      cbase_q        <= cbase_d;
      cnext_q        <= cnext_d;
      bitpos_q       <= bitpos_d;
      fill_q         <= fill_d;
      bld_col_q      <= bld_col_d;
      bld_val_q      <= bld_val_d;
      out_valid_q    <= out_valid_d;
      out_fill_q     <= out_fill_d;
      out_col_q      <= out_col_d;
      out_val_q      <= out_val_d;
      out_row_q      <= out_row_d;
      out_row_last_q <= out_row_last_d;
      out_last_q     <= out_last_d;
      cnt_beats_q    <= cnt_beats_d;
      cnt_entries_q  <= cnt_entries_d;
      cnt_words_q    <= cnt_words_d;
      cnt_blocked_q  <= cnt_blocked_d;
      cnt_starved_q  <= cnt_starved_d;
    end
  end

  assign cnt_beats_o   = cnt_beats_q;
  assign cnt_entries_o = cnt_entries_q;
  assign cnt_words_o   = cnt_words_q;
  assign cnt_blocked_o = cnt_blocked_q;
  assign cnt_starved_o = cnt_starved_q;

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, Lanes >= 1 && EntriesPerCycle >= 1 && EntriesPerCycle <= 31 && InWords >= 1 &&
                            BufWidth % 32 == 0 && BufWidth >= 2 * 32 * InWords && BufWidth >= 128 &&
                            IdxWidth >= 1 && IdxWidth <= 16 && RowWidth >= 1 && RowWidth <= 16)
  `ASSERT_STREAM(InHold, in_valid_i, in_ready_o, {in_data_i, in_last_i})
  `ASSERT_STREAM(NzHold, nz_valid_o, nz_ready_i,
                 {nz_mask_o, nz_col_o, nz_val_o, nz_row_o, nz_row_last_o, nz_last_o})
  `ASSERT(StateLegal, state_q <= StErr)
  // Errors are sticky until reset; the error state and the flag agree.
  logic err_seen_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) err_seen_q <= 1'b0;
    else         err_seen_q <= err_seen_q || error_o;
  end
  `ASSERT(ErrorSticky, !err_seen_q || error_o)
  `ASSERT(ErrorStateAgrees, (state_q == StErr) == error_o)
  // A beat carries at least one entry or ends a row.
  `ASSERT(BeatNotEmpty, !nz_valid_o || nz_mask_o != '0 || nz_row_last_o)
`endif

endmodule

`default_nettype wire
