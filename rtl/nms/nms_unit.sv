// nms_unit: exact greedy non-maximum suppression of up to MaxBoxes boxes.
//
// Streams in Lanes boxes per beat, streams out the kept input indices in keep
// order (descending score, ties to the lower index), exactly as
// squish::nms::greedy computes them. Four phases per frame:
//
//  ingest   every beat: each lane's float32 score is mapped to an order-exact
//           unsigned key and tested against the score threshold; survivors are
//           written, one per cycle, to the candidate RAM and inserted into the
//           systolic sorter (nms_sorter). A beat with s > 1 survivors takes s
//           cycles, others one: detector outputs are mostly below the score
//           threshold, so ingest runs at close to Lanes boxes per cycle.
//  select   the sorter's head is popped one per cycle; its RAM entry is read
//           one cycle ahead, so a new candidate starts every cycle.
//  suppress the candidate meets every kept box at once in Banks banks
//           (nms_kept_bank): a cheap overlap pre-test on all of them, then an
//           exact division-free IoU test (nms_iou_cmp) of each overlapping kept
//           box, one per bank per cycle, until one suppresses. Not suppressed:
//           appended to the kept list and sent out.
//  re-pass  if the sorter overflowed (more than SortCap survivors) and neither
//           top_k nor max_output has ended the frame, the RAM is rescanned and
//           the next SortCap candidates below the last one selected are sorted.
//
// Cycle model (docs/nms.md): T = 1 + sum over beats max(1, survivors in beat)
//   + sum over candidates max(1, overlapping kept boxes tested in the busiest
//   bank) + per extra pass (survivors + 2) + small constants; measured by the
//   hardware counter cycles_o (first input beat seen .. last output beat taken).
//
// Configuration (cfg_*) is sampled when a frame starts (first valid input beat)
// and held in registers for the whole frame.
//
// Output beats: {none, last, index}. Each kept box gives one beat; the last has
// last = 1. A frame that keeps nothing gives one beat with none = 1, last = 1.
//
// Errors never hang the unit: boxes beyond MaxBoxes are dropped (err_too_many_o),
// NaN scores are never candidates (nan_seen_o), and a candidate that would be
// kept when all MaxKept slots are full ends the frame (err_kept_full_o); the
// output is then greedy NMS with max_output = MaxKept.
//
// Cost: SortCap x 46 flops and comparators (sorter), Banks x SlotsPerBank x 74
// flops and 4 compares (kept list), Banks IoU units (three 17x17 and one 24x35
// multiplier each), a MaxBoxes x 117-bit one-read one-write RAM.
// make synth runs it with a 64-entry candidate RAM (flip-flops in a generic flow);
// bench_nms reports the logic with the RAM as a black box.
// squish-synth: chparam -set MaxBoxes 64
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module nms_unit #(
  /// Boxes per input beat.
  parameter int unsigned Lanes = 4,
  /// Bits per unsigned coordinate.
  parameter int unsigned CoordW = 16,
  /// Bits of the class id.
  parameter int unsigned ClassW = 8,
  /// Most boxes per frame (power of two).
  parameter int unsigned MaxBoxes = 8192,
  /// Sorter cells: candidates sorted per pass. (The evaluated build, Vnms_unit in
  /// sim/nms/block.cmake, uses 1024; the default keeps the per-module synthesis
  /// check quick.)
  parameter int unsigned SortCap = 64,
  /// IoU units / kept-list banks (power of two).
  parameter int unsigned Banks = 8,
  /// Kept boxes per bank; MaxKept = Banks x SlotsPerBank (evaluated build: 128).
  parameter int unsigned SlotsPerBank = 16,
  /// Output FIFO depth.
  parameter int unsigned OutDepth = 4,
  // Derived, do not override.
  parameter int unsigned IdxW = $clog2(MaxBoxes),
  parameter int unsigned CntW = IdxW + 1,
  parameter int unsigned LaneW = 4 * CoordW + 32 + ClassW,
  parameter int unsigned LaneCntW = $clog2(Lanes + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // ---- configuration (sampled at frame start) ----
  /// IoU threshold as mant / 2^shift (squish::nms::Threshold).
  input  logic [23:0]           cfg_thr_mant_i,
  input  logic [5:0]            cfg_thr_shift_i,
  /// Suppress on IoU >= t (else IoU > t).
  input  logic                  cfg_thr_ge_i,
  /// +1 area convention.
  input  logic                  cfg_plus_one_i,
  /// Two empty boxes have IoU 1 (OpenCV) instead of never suppressing.
  input  logic                  cfg_empty_one_i,
  /// Boxes only suppress boxes of the same class.
  input  logic                  cfg_class_aware_i,
  /// Filter by score; threshold as float32 bits; keep score >= (else >) it.
  input  logic                  cfg_score_en_i,
  input  logic [31:0]           cfg_score_thr_i,
  input  logic                  cfg_score_ge_i,
  /// Consider only the top_k best candidates (0 = all).
  input  logic [CntW-1:0]       cfg_top_k_i,
  /// Stop after this many kept boxes (0 = no limit).
  input  logic [CntW-1:0]       cfg_max_output_i,
  // ---- input boxes: lane l at [l*LaneW +: LaneW] = {class, score, y2, x2, y1, x1} ----
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [Lanes*LaneW-1:0] in_boxes_i,
  /// Valid lanes in this beat, lanes 0 .. count-1 (0 allowed, e.g. an empty frame).
  input  logic [LaneCntW-1:0]   in_count_i,
  /// Last beat of the frame.
  input  logic                  in_last_i,
  // ---- output: kept indices ----
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output logic [IdxW-1:0]       out_index_o,
  output logic                  out_none_o,
  output logic                  out_last_o,
  // ---- status and performance counters (hold after a frame until the next) ----
  output logic                  busy_o,
  output logic [31:0]           cycles_o,
  output logic [CntW-1:0]       candidates_o,
  output logic [CntW-1:0]       kept_o,
  output logic [7:0]            passes_o,
  output logic                  err_too_many_o,
  output logic                  err_kept_full_o,
  output logic                  nan_seen_o
);

  localparam int unsigned BoxW = 4 * CoordW;
  localparam int unsigned MaxKept = Banks * SlotsPerBank;
  localparam int unsigned KeptW = $clog2(MaxKept + 1);
  localparam int unsigned BankShift = $clog2(Banks);  // kept k: bank k mod Banks, slot k >> BankShift
  localparam int unsigned BankW = (Banks > 1) ? BankShift : 1;
  localparam int unsigned SlotW = (SlotsPerBank > 1) ? $clog2(SlotsPerBank) : 1;
  localparam int unsigned LaneIdxW = (Lanes > 1) ? $clog2(Lanes) : 1;
  // RAM entry: {key, index, class, box}
  localparam int unsigned RamW = 32 + IdxW + ClassW + BoxW;

  // Parameters the C++ model shares (checked by sim/nms/tb_nms.cpp).
  localparam int unsigned CoordBitsPub /*verilator public*/ = CoordW;
  localparam int unsigned ClassBitsPub /*verilator public*/ = ClassW;
  localparam int unsigned LanesPub /*verilator public*/ = Lanes;
  localparam int unsigned MaxBoxesPub /*verilator public*/ = MaxBoxes;
  localparam int unsigned MaxKeptPub /*verilator public*/ = MaxKept;
  localparam int unsigned SortCapPub /*verilator public*/ = SortCap;
  localparam int unsigned BanksPub /*verilator public*/ = Banks;

  typedef enum logic [2:0] {
    S_IDLE, S_INGEST, S_SELECT, S_RESCAN, S_FLUSH, S_DONE
  } state_e;

  // Order-exact key of a float32: -0 as +0; callers exclude NaN.
  function automatic logic [31:0] score_key(input logic [31:0] b);
    if (b == 32'h8000_0000) score_key = 32'h8000_0000;
    else if (b[31])         score_key = ~b;
    else                    score_key = b | 32'h8000_0000;
  endfunction

  // ---------------- registers ----------------
  state_e             state_q, state_d;
  // frame configuration
  logic [23:0]        thr_mant_q, thr_mant_d;
  logic [5:0]         thr_shift_q, thr_shift_d;
  logic               thr_ge_q, thr_ge_d, plus_one_q, plus_one_d, empty_one_q, empty_one_d;
  logic               class_aware_q, class_aware_d, score_en_q, score_en_d, score_ge_q, score_ge_d;
  logic [31:0]        score_thr_key_q, score_thr_key_d;
  logic [CntW-1:0]    top_k_q, top_k_d, max_out_q, max_out_d;
  // ingest
  logic [CntW-1:0]    seen_q, seen_d;        // boxes seen (index of lane 0)
  logic [CntW-1:0]    surv_q, surv_d;        // survivors written to the RAM
  logic [Lanes-1:0]   lane_done_q, lane_done_d;
  // selection
  logic               dropped_q, dropped_d;  // this pass lost candidates
  logic               bound_valid_q, bound_valid_d;
  logic [31:0]        bound_key_q, bound_key_d;
  logic [IdxW-1:0]    bound_j_q, bound_j_d;
  logic [CntW-1:0]    popped_q, popped_d;
  logic               fetch_valid_q, fetch_valid_d;
  logic [KeptW-1:0]   kept_q, kept_d;
  logic               stop_q, stop_d;
  logic [7:0]         passes_q, passes_d;
  // candidate
  logic               cand_valid_q, cand_valid_d, cand_first_q, cand_first_d;
  logic [BoxW-1:0]    cand_box_q, cand_box_d;
  logic [ClassW-1:0]  cand_class_q, cand_class_d;
  logic [IdxW-1:0]    cand_idx_q, cand_idx_d;
  // output hold (the newest kept index waits until we know if it is the last)
  logic               held_valid_q, held_valid_d;
  logic [IdxW-1:0]    held_idx_q, held_idx_d;
  // rescan
  logic [CntW-1:0]    rs_j_q, rs_j_d;
  logic               rs_valid_q, rs_valid_d;
  logic [IdxW-1:0]    rs_lat_j_q, rs_lat_j_d;
  // counters and flags
  logic [31:0]        cycles_q, cycles_d;
  logic               err_many_q, err_many_d, err_full_q, err_full_d, nan_q, nan_d;

  // ---------------- candidate RAM ----------------
  logic               ram_we, ram_re;
  logic [IdxW-1:0]    ram_waddr, ram_raddr;
  logic [RamW-1:0]    ram_wdata, ram_rdata_q;

  nms_cand_ram #(.Depth(MaxBoxes), .Width(RamW)) u_ram (
    .clk_i,
    .we_i   (ram_we),
    .waddr_i(ram_waddr),
    .wdata_i(ram_wdata),
    .re_i   (ram_re),
    .raddr_i(ram_raddr),
    .rdata_o(ram_rdata_q)
  );

  logic [31:0]        rd_key;
  logic [IdxW-1:0]    rd_idx;
  logic [ClassW-1:0]  rd_class;
  logic [BoxW-1:0]    rd_box;
  assign {rd_key, rd_idx, rd_class, rd_box} = ram_rdata_q;

  // ---------------- sorter ----------------
  logic               sort_clear, sort_insert, sort_pop, head_valid, sort_dropped;
  logic [31:0]        sort_key, head_key;
  logic [IdxW-1:0]    sort_tag, head_tag;

  nms_sorter #(.Cap(SortCap), .KeyW(32), .TagW(IdxW)) u_sorter (
    .clk_i, .rst_ni,
    .clear_i     (sort_clear),
    .insert_i    (sort_insert),
    .key_i       (sort_key),
    .tag_i       (sort_tag),
    .pop_i       (sort_pop),
    .head_valid_o(head_valid),
    .head_key_o  (head_key),
    .head_tag_o  (head_tag),
    .dropped_o   (sort_dropped)
  );

  // ---------------- kept banks ----------------
  logic [Banks-1:0]   bank_sup, bank_more, bank_wr;
  logic               banks_clear, banks_step, all_pairs, cand_empty;
  logic [SlotW-1:0]   wr_slot;

  assign all_pairs  = thr_ge_q && (thr_mant_q == '0);
  assign cand_empty = (cand_box_q[CoordW-1:0] == cand_box_q[3*CoordW-1:2*CoordW]) ||
                      (cand_box_q[2*CoordW-1:CoordW] == cand_box_q[4*CoordW-1:3*CoordW]);

  for (genvar b = 0; b < Banks; b++) begin : g_bank
    nms_kept_bank #(.Slots(SlotsPerBank), .CoordW(CoordW), .ClassW(ClassW)) u_bank (
      .clk_i, .rst_ni,
      .clear_i      (banks_clear),
      .wr_en_i      (bank_wr[b]),
      .wr_slot_i    (wr_slot),
      .wr_box_i     (cand_box_q),
      .wr_class_i   (cand_class_q),
      .cand_box_i   (cand_box_q),
      .cand_class_i (cand_class_q),
      .cand_empty_i (cand_empty),
      .first_i      (cand_first_q),
      .step_i       (banks_step),
      .plus_one_i   (plus_one_q),
      .empty_one_i  (empty_one_q),
      .class_aware_i(class_aware_q),
      .all_pairs_i  (all_pairs),
      .mant_i       (thr_mant_q),
      .shift_i      (thr_shift_q),
      .ge_i         (thr_ge_q),
      .suppress_o   (bank_sup[b]),
      .more_o       (bank_more[b])
    );
  end

  // ---------------- output FIFO ----------------
  logic               fifo_push, fifo_ready, fifo_empty;
  logic [IdxW+1:0]    fifo_wdata, fifo_rdata;
  logic               fifo_full;    // unused: fifo_ready says the same
  logic [$clog2(OutDepth+1)-1:0] fifo_count;  // unused: status only

  fifo_sync #(.Width(IdxW + 2), .Depth(OutDepth)) u_out_fifo (
    .clk_i, .rst_ni,
    .flush_i    (1'b0),
    .in_valid_i (fifo_push),
    .in_ready_o (fifo_ready),
    .in_data_i  (fifo_wdata),
    .out_valid_o(out_valid_o),
    .out_ready_i(out_ready_i),
    .out_data_o (fifo_rdata),
    .full_o     (fifo_full),
    .empty_o    (fifo_empty),
    .count_o    (fifo_count)
  );
  assign {out_none_o, out_last_o, out_index_o} = fifo_rdata;

  // ---------------- ingest: lane survivors ----------------
  logic [Lanes-1:0]   lane_surv, lane_pend, lane_nan, lane_over;
  logic [LaneIdxW-1:0] first_lane;
  logic               any_pend, multi_pend;
  logic [LaneW-1:0]   first_box;

  always_comb begin
    for (int unsigned l = 0; l < Lanes; l++) begin
      logic [31:0] bits, key;
      logic        in_count, pass;
      bits = in_boxes_i[l*LaneW + BoxW +: 32];
      key = score_key(bits);
      in_count = LaneCntW'(l) < in_count_i;
      lane_nan[l] = in_count && (bits[30:23] == 8'hff) && (bits[22:0] != '0);
      lane_over[l] = in_count && ((seen_q + CntW'(l)) >= CntW'(MaxBoxes));
      pass = !score_en_q || (key > score_thr_key_q) || (score_ge_q && key == score_thr_key_q);
      lane_surv[l] = in_count && !lane_nan[l] && !lane_over[l] && pass;
    end
    lane_pend = lane_surv & ~lane_done_q;
    first_lane = '0;
    any_pend = 1'b0;
    for (int l = Lanes - 1; l >= 0; l--) begin
      if (lane_pend[l]) begin
        first_lane = LaneIdxW'(l);
        any_pend = 1'b1;
      end
    end
    multi_pend = |(lane_pend & (lane_pend - Lanes'(1)));
    first_box = in_boxes_i[first_lane*LaneW +: LaneW];
  end

  // ---------------- control ----------------
  logic cand_finish, cand_keep, stall, done_cand, can_load, topk_hit, kept_full;
  logic dropped_base;

  always_comb begin
    state_d        = state_q;
    thr_mant_d     = thr_mant_q;
    thr_shift_d    = thr_shift_q;
    thr_ge_d       = thr_ge_q;
    plus_one_d     = plus_one_q;
    empty_one_d    = empty_one_q;
    class_aware_d  = class_aware_q;
    score_en_d     = score_en_q;
    score_ge_d     = score_ge_q;
    score_thr_key_d = score_thr_key_q;
    top_k_d        = top_k_q;
    max_out_d      = max_out_q;
    seen_d         = seen_q;
    surv_d         = surv_q;
    lane_done_d    = lane_done_q;
    dropped_base   = dropped_q;
    bound_valid_d  = bound_valid_q;
    bound_key_d    = bound_key_q;
    bound_j_d      = bound_j_q;
    popped_d       = popped_q;
    fetch_valid_d  = fetch_valid_q;
    kept_d         = kept_q;
    stop_d         = stop_q;
    passes_d       = passes_q;
    cand_valid_d   = cand_valid_q;
    cand_first_d   = 1'b0;
    cand_box_d     = cand_box_q;
    cand_class_d   = cand_class_q;
    cand_idx_d     = cand_idx_q;
    held_valid_d   = held_valid_q;
    held_idx_d     = held_idx_q;
    rs_j_d         = rs_j_q;
    rs_valid_d     = 1'b0;
    rs_lat_j_d     = rs_lat_j_q;
    cycles_d       = cycles_q;
    err_many_d     = err_many_q;
    err_full_d     = err_full_q;
    nan_d          = nan_q;

    in_ready_o  = 1'b0;
    ram_we      = 1'b0;
    ram_waddr   = surv_q[IdxW-1:0];
    ram_wdata   = '0;
    ram_re      = 1'b0;
    ram_raddr   = head_tag;
    sort_clear  = 1'b0;
    sort_insert = 1'b0;
    sort_key    = score_key(first_box[BoxW +: 32]);
    sort_tag    = surv_q[IdxW-1:0];
    sort_pop    = 1'b0;
    banks_clear = 1'b0;
    banks_step  = 1'b0;
    bank_wr     = '0;
    wr_slot     = SlotW'(kept_q >> BankShift);
    fifo_push   = 1'b0;
    fifo_wdata  = {1'b0, 1'b0, held_idx_q};

    cand_finish = 1'b0;
    cand_keep   = 1'b0;
    stall       = 1'b0;
    done_cand   = 1'b0;
    can_load    = 1'b0;
    kept_full   = (kept_q == KeptW'(MaxKept));
    topk_hit    = (top_k_q != '0) && (popped_q >= top_k_q);

    if (state_q != S_IDLE && !(state_q == S_DONE && fifo_empty)) cycles_d = cycles_q + 32'd1;

    unique case (state_q)
      S_IDLE: begin
        if (in_valid_i) begin
          // New frame: sample the configuration, clear the state.
          thr_mant_d      = cfg_thr_mant_i;
          thr_shift_d     = cfg_thr_shift_i;
          thr_ge_d        = cfg_thr_ge_i;
          plus_one_d      = cfg_plus_one_i;
          empty_one_d     = cfg_empty_one_i;
          class_aware_d   = cfg_class_aware_i;
          score_en_d      = cfg_score_en_i;
          score_ge_d      = cfg_score_ge_i;
          score_thr_key_d = score_key(cfg_score_thr_i);
          top_k_d         = cfg_top_k_i;
          max_out_d       = cfg_max_output_i;
          seen_d = '0; surv_d = '0; lane_done_d = '0;
          dropped_base = 1'b0; bound_valid_d = 1'b0; popped_d = '0;
          fetch_valid_d = 1'b0; kept_d = '0; stop_d = 1'b0; passes_d = 8'd1;
          cand_valid_d = 1'b0; held_valid_d = 1'b0;
          err_many_d = 1'b0; err_full_d = 1'b0; nan_d = 1'b0;
          cycles_d = 32'd1;
          sort_clear = 1'b1;
          banks_clear = 1'b1;
          state_d = S_INGEST;
        end
      end

      S_INGEST: begin
        // A beat is taken in the cycle its last pending survivor is written.
        in_ready_o = !multi_pend;
        if (in_valid_i) begin
          if (any_pend) begin
            ram_we      = 1'b1;
            ram_wdata   = {score_key(first_box[BoxW +: 32]), IdxW'(seen_q + CntW'(first_lane)),
                           first_box[BoxW + 32 +: ClassW], first_box[BoxW-1:0]};
            sort_insert = 1'b1;
            surv_d      = surv_q + CntW'(1);
            lane_done_d = lane_done_q;
            lane_done_d[first_lane] = 1'b1;
          end
          if (!multi_pend) begin
            lane_done_d = '0;
            nan_d = nan_q || (|lane_nan);
            err_many_d = err_many_q || (|lane_over);
            seen_d = ((seen_q + CntW'(in_count_i)) > CntW'(MaxBoxes)) ? CntW'(MaxBoxes)
                                                                       : seen_q + CntW'(in_count_i);
            if (in_last_i) state_d = S_SELECT;
          end
        end
      end

      S_SELECT: begin
        banks_step  = cand_valid_q;
        cand_finish = cand_valid_q && ((|bank_sup) || !(|bank_more));
        cand_keep   = cand_finish && !(|bank_sup);
        stall       = cand_keep && held_valid_q && !fifo_ready;
        done_cand   = cand_finish && !stall;
        if (done_cand && cand_keep) begin
          if (kept_full) begin
            err_full_d = 1'b1;
            stop_d = 1'b1;
          end else begin
            bank_wr[kept_q[BankW-1:0] & BankW'(Banks - 1)] = 1'b1;
            kept_d = kept_q + KeptW'(1);
            if (held_valid_q) fifo_push = 1'b1;
            held_valid_d = 1'b1;
            held_idx_d = cand_idx_q;
            if (max_out_q != '0 && CntW'(kept_q) + CntW'(1) >= max_out_q) stop_d = 1'b1;
          end
        end
        can_load = !cand_valid_q || done_cand;
        if (can_load) begin
          cand_valid_d = fetch_valid_q && !stop_d;
          cand_first_d = 1'b1;
          cand_box_d   = rd_box;
          cand_class_d = rd_class;
          cand_idx_d   = rd_idx;
          fetch_valid_d = 1'b0;
        end
        // Read the next candidate one cycle ahead.
        if ((!fetch_valid_q || can_load) && head_valid && !topk_hit && !stop_q && !stop_d) begin
          sort_pop      = 1'b1;
          ram_re        = 1'b1;
          ram_raddr     = head_tag;
          fetch_valid_d = 1'b1;
          popped_d      = popped_q + CntW'(1);
          bound_valid_d = 1'b1;
          bound_key_d   = head_key;
          bound_j_d     = head_tag;
        end
        if (stop_q || (!cand_valid_q && !fetch_valid_q && (!head_valid || topk_hit))) begin
          fetch_valid_d = 1'b0;
          cand_valid_d  = 1'b0;
          if (!stop_q && !topk_hit && dropped_q) begin
            state_d   = S_RESCAN;
            dropped_base = 1'b0;
            rs_j_d    = '0;
            passes_d  = passes_q + 8'd1;
            sort_clear = 1'b1;
          end else begin
            state_d = S_FLUSH;
          end
        end
      end

      S_RESCAN: begin
        // Read every survivor's key again; insert those ordered after the bound.
        if (rs_j_q < surv_q) begin
          ram_re     = 1'b1;
          ram_raddr  = rs_j_q[IdxW-1:0];
          rs_j_d     = rs_j_q + CntW'(1);
          rs_valid_d = 1'b1;
          rs_lat_j_d = rs_j_q[IdxW-1:0];
        end
        if (rs_valid_q) begin
          sort_key = rd_key;
          sort_tag = rs_lat_j_q;
          sort_insert = (rd_key < bound_key_q) || (rd_key == bound_key_q && rs_lat_j_q > bound_j_q);
        end
        if (rs_j_q >= surv_q && !rs_valid_q) state_d = S_SELECT;
      end

      S_FLUSH: begin
        fifo_push  = 1'b1;
        fifo_wdata = held_valid_q ? {1'b0, 1'b1, held_idx_q} : {1'b1, 1'b1, IdxW'(0)};
        if (fifo_ready) begin
          held_valid_d = 1'b0;
          state_d = S_DONE;
        end
      end

      S_DONE: begin
        if (fifo_empty) state_d = S_IDLE;
      end

      default: state_d = S_IDLE;
    endcase
  end
  // Kept out of the block above: sort_dropped depends on sort_insert.
  assign dropped_d = dropped_base || (sort_insert && sort_dropped);

  assign busy_o          = (state_q != S_IDLE);
  assign cycles_o        = cycles_q;
  assign candidates_o    = surv_q;
  assign kept_o          = CntW'(kept_q);
  assign passes_o        = passes_q;
  assign err_too_many_o  = err_many_q;
  assign err_kept_full_o = err_full_q;
  assign nan_seen_o      = nan_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q         <= S_IDLE;
      thr_mant_q      <= '0;
      thr_shift_q     <= '0;
      thr_ge_q        <= 1'b0;
      plus_one_q      <= 1'b0;
      empty_one_q     <= 1'b0;
      class_aware_q   <= 1'b0;
      score_en_q      <= 1'b0;
      score_ge_q      <= 1'b0;
      score_thr_key_q <= '0;
      top_k_q         <= '0;
      max_out_q       <= '0;
      seen_q          <= '0;
      surv_q          <= '0;
      lane_done_q     <= '0;
      dropped_q       <= 1'b0;
      bound_valid_q   <= 1'b0;
      bound_key_q     <= '0;
      bound_j_q       <= '0;
      popped_q        <= '0;
      fetch_valid_q   <= 1'b0;
      kept_q          <= '0;
      stop_q          <= 1'b0;
      passes_q        <= '0;
      cand_valid_q    <= 1'b0;
      cand_first_q    <= 1'b0;
      cand_box_q      <= '0;
      cand_class_q    <= '0;
      cand_idx_q      <= '0;
      held_valid_q    <= 1'b0;
      held_idx_q      <= '0;
      rs_j_q          <= '0;
      rs_valid_q      <= 1'b0;
      rs_lat_j_q      <= '0;
      cycles_q        <= '0;
      err_many_q      <= 1'b0;
      err_full_q      <= 1'b0;
      nan_q           <= 1'b0;
    end else begin
      state_q         <= state_d;
      thr_mant_q      <= thr_mant_d;
      thr_shift_q     <= thr_shift_d;
      thr_ge_q        <= thr_ge_d;
      plus_one_q      <= plus_one_d;
      empty_one_q     <= empty_one_d;
      class_aware_q   <= class_aware_d;
      score_en_q      <= score_en_d;
      score_ge_q      <= score_ge_d;
      score_thr_key_q <= score_thr_key_d;
      top_k_q         <= top_k_d;
      max_out_q       <= max_out_d;
      seen_q          <= seen_d;
      surv_q          <= surv_d;
      lane_done_q     <= lane_done_d;
      dropped_q       <= dropped_d;
      bound_valid_q   <= bound_valid_d;
      bound_key_q     <= bound_key_d;
      bound_j_q       <= bound_j_d;
      popped_q        <= popped_d;
      fetch_valid_q   <= fetch_valid_d;
      kept_q          <= kept_d;
      stop_q          <= stop_d;
      passes_q        <= passes_d;
      cand_valid_q    <= cand_valid_d;
      cand_first_q    <= cand_first_d;
      cand_box_q      <= cand_box_d;
      cand_class_q    <= cand_class_d;
      cand_idx_q      <= cand_idx_d;
      held_valid_q    <= held_valid_d;
      held_idx_q      <= held_idx_d;
      rs_j_q          <= rs_j_d;
      rs_valid_q      <= rs_valid_d;
      rs_lat_j_q      <= rs_lat_j_d;
      cycles_q        <= cycles_d;
      err_many_q      <= err_many_d;
      err_full_q      <= err_full_d;
      nan_q           <= nan_d;
    end
  end

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_INIT(ParamsLegal, Lanes >= 1 && SortCap >= 1 && Banks >= 1 && SlotsPerBank >= 1 && MaxBoxes >= 2)
  `ASSERT_STREAM(OutHold, out_valid_o, out_ready_i, {out_index_o, out_none_o, out_last_o})
  `ASSERT(KeptWithinCandidates, kept_o <= candidates_o)
  `ASSERT(KeptWithinCapacity, 32'(kept_o) <= Banks * SlotsPerBank)
`endif

endmodule

`default_nettype wire
