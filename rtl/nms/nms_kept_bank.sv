// nms_kept_bank: one bank of the kept-box list with its exact IoU unit.
//
// nms_unit spreads kept box k over Banks banks (bank k mod Banks, slot k div
// Banks). For the current candidate every slot runs a cheap overlap pre-test
// (four coordinate compares and the class compare): only a kept box whose
// intersection with the candidate is non-empty can reach IoU > t >= 0. The
// bank then feeds its overlapping slots, lowest first, one per cycle, to its
// nms_iou_cmp. A candidate costs max(1, overlapping slots in the busiest bank)
// cycles, less when a suppressor turns up early. The pre-test is bypassed when
// the threshold makes disjoint pairs suppress (IoU >= 0) and, with empty_one_i,
// for two empty boxes (their union is 0).
//
// Cost: Slots x (4*CoordW + ClassW + 2) flops, Slots x (4 (CoordW+1)-bit
// compares + one ClassW-bit compare), a Slots-wide priority encoder and mux, one
// nms_iou_cmp.
`default_nettype none

module nms_kept_bank #(
  /// Kept boxes in this bank.
  parameter int unsigned Slots = 8,
  /// Bits per coordinate.
  parameter int unsigned CoordW = 16,
  /// Bits of the class id.
  parameter int unsigned ClassW = 8,
  /// Threshold mantissa / shift widths (nms_iou_cmp).
  parameter int unsigned MantW = 24,
  parameter int unsigned ShiftW = 6,
  /// Derived: slot index width.
  parameter int unsigned SlotW = (Slots > 1) ? $clog2(Slots) : 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  /// Synchronous clear of every slot (new frame).
  input  logic                clear_i,
  /// Write a kept box into slot wr_slot_i.
  input  logic                wr_en_i,
  input  logic [SlotW-1:0]    wr_slot_i,
  input  logic [4*CoordW-1:0] wr_box_i,
  input  logic [ClassW-1:0]   wr_class_i,
  /// Candidate box, class, and whether it has zero area.
  input  logic [4*CoordW-1:0] cand_box_i,
  input  logic [ClassW-1:0]   cand_class_i,
  input  logic                cand_empty_i,
  /// First cycle of this candidate: test every slot afresh.
  input  logic                first_i,
  /// A candidate is being evaluated this cycle (advance the pending mask).
  input  logic                step_i,
  /// Configuration (nms_unit's frame registers).
  input  logic                plus_one_i,
  input  logic                empty_one_i,
  input  logic                class_aware_i,
  input  logic                all_pairs_i,
  input  logic [MantW-1:0]    mant_i,
  input  logic [ShiftW-1:0]   shift_i,
  input  logic                ge_i,
  /// The slot tested this cycle suppresses the candidate.
  output logic                suppress_o,
  /// Overlapping slots remain untested after this cycle.
  output logic                more_o
);

  logic [Slots-1:0]    valid_q, valid_d;
  logic [Slots-1:0]    empty_q, empty_d;
  logic [4*CoordW-1:0] box_q [Slots];
  logic [ClassW-1:0]   class_q [Slots];
  logic [Slots-1:0]    pend_q, pend_d;
  logic [Slots-1:0]    fresh, cur, pick;
  logic [SlotW-1:0]    pick_slot;
  logic                any;
  logic [CoordW-1:0]   cx1, cy1, cx2, cy2;
  logic                wr_empty;

  assign {cy2, cx2, cy1, cx1} = cand_box_i;
  assign wr_empty = (wr_box_i[CoordW-1:0] == wr_box_i[3*CoordW-1:2*CoordW]) ||
                    (wr_box_i[2*CoordW-1:CoordW] == wr_box_i[4*CoordW-1:3*CoordW]);

  // Overlap pre-test of every slot against the candidate. With p = plus_one_i,
  //   intersection width > 0  <=>  kx1 < cx2 + p  and  cx1 + (1 - p) <= kx2
  // (the same for y): the candidate-side sums are formed once per bank, so each
  // slot needs one CoordW+1-bit compare per edge rather than a < / <= pair.
  logic [CoordW:0] cx2p, cy2p, cx1q, cy1q;
  assign cx2p = {1'b0, cx2} + {{CoordW{1'b0}}, plus_one_i};
  assign cy2p = {1'b0, cy2} + {{CoordW{1'b0}}, plus_one_i};
  assign cx1q = {1'b0, cx1} + {{CoordW{1'b0}}, !plus_one_i};
  assign cy1q = {1'b0, cy1} + {{CoordW{1'b0}}, !plus_one_i};

  always_comb begin
    for (int unsigned s = 0; s < Slots; s++) begin
      logic [CoordW-1:0] kx1, ky1, kx2, ky2;
      logic hit, cls_ok;
      {ky2, kx2, ky1, kx1} = box_q[s];
      hit = ({1'b0, kx1} < cx2p) && (cx1q <= {1'b0, kx2}) && ({1'b0, ky1} < cy2p) && (cy1q <= {1'b0, ky2});
      hit = hit || all_pairs_i || (empty_one_i && !plus_one_i && cand_empty_i && empty_q[s]);
      cls_ok = !class_aware_i || (class_q[s] == cand_class_i);
      fresh[s] = valid_q[s] && hit && cls_ok;
    end
  end

  // Lowest pending slot.
  always_comb begin
    cur = first_i ? fresh : pend_q;
    pick = '0;
    pick_slot = '0;
    any = 1'b0;
    for (int s = Slots - 1; s >= 0; s--) begin
      if (cur[s]) begin
        pick_slot = SlotW'(s);
        any = 1'b1;
      end
    end
    if (any) pick[pick_slot] = 1'b1;
  end

  logic sup;
  nms_iou_cmp #(.CoordW(CoordW), .MantW(MantW), .ShiftW(ShiftW)) u_iou (
    .a_i        (box_q[pick_slot]),
    .b_i        (cand_box_i),
    .plus_one_i (plus_one_i),
    .empty_one_i(empty_one_i),
    .mant_i     (mant_i),
    .shift_i    (shift_i),
    .ge_i       (ge_i),
    .suppress_o (sup)
  );

  assign suppress_o = any && sup;
  assign more_o     = |(cur & ~pick);

  always_comb begin
    valid_d = valid_q;
    empty_d = empty_q;
    pend_d  = pend_q;
    if (step_i) pend_d = cur & ~pick;
    if (wr_en_i) begin
      valid_d[wr_slot_i] = 1'b1;
      empty_d[wr_slot_i] = wr_empty;
    end
    if (clear_i) begin
      valid_d = '0;
      pend_d  = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      empty_q <= '0;
      pend_q  <= '0;
    end else begin
      valid_q <= valid_d;
      empty_q <= empty_d;
      pend_q  <= pend_d;
    end
  end
  // Box storage: written only, qualified by valid_q.
  always_ff @(posedge clk_i) begin
    if (wr_en_i) begin
      box_q[wr_slot_i]   <= wr_box_i;
      class_q[wr_slot_i] <= wr_class_i;
    end
  end

endmodule

`default_nettype wire
