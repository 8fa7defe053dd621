// nms_iou_cmp: does box A suppress box B? Exact and division-free.
//
// IoU = I / U with I the intersection and U the union area of two integer boxes.
// The threshold is the float32 value t = Mant / 2^Shift (see sw Threshold::from),
// so   I/U > t  <=>  I > floor(Mant*U / 2^Shift)                      (Ge = 0)
//      I/U >= t <=>  that, or I == floor(...) with a zero remainder   (Ge = 1)
// which needs one (CoordW+1)^2 multiplier for I, two for the areas and one
// MantW x (2*CoordW+3) multiplier for Mant*U; no divider. A union of 0 (two
// empty boxes) never suppresses, or counts as IoU = 1 when empty_one_i is set
// (OpenCV's rule).
//
// Cost: purely combinational; three 17x17 and one 24x35 multiplier at CoordW=16,
// a 64-bit barrel shifter and compare. It is the critical path of nms_unit.
`default_nettype none

module nms_iou_cmp #(
  /// Bits per unsigned coordinate.
  parameter int unsigned CoordW = 16,
  /// Bits of the threshold mantissa.
  parameter int unsigned MantW = 24,
  /// Bits of the threshold shift (0 .. 2^ShiftW-1).
  parameter int unsigned ShiftW = 6
) (
  /// Box A {y2, x2, y1, x1}, x2 >= x1, y2 >= y1 (the kept box).
  input  logic [4*CoordW-1:0] a_i,
  /// Box B {y2, x2, y1, x1} (the candidate).
  input  logic [4*CoordW-1:0] b_i,
  /// Areas and intersection count (x2-x1+1)(y2-y1+1) instead of (x2-x1)(y2-y1).
  input  logic                plus_one_i,
  /// IoU of two empty boxes is 1 (OpenCV) instead of never suppressing (torchvision).
  input  logic                empty_one_i,
  /// Threshold mantissa.
  input  logic [MantW-1:0]    mant_i,
  /// Threshold shift.
  input  logic [ShiftW-1:0]   shift_i,
  /// Suppress on IoU >= t instead of IoU > t.
  input  logic                ge_i,
  /// A suppresses B.
  output logic                suppress_o
);

  localparam int unsigned SideW = CoordW + 1;      // width of a side, with +1
  localparam int unsigned AreaW = 2 * SideW;       // area / intersection
  localparam int unsigned UnionW = AreaW + 1;
  localparam int unsigned ProdW = MantW + UnionW;
  localparam int unsigned WideW = (ProdW > 64) ? ProdW : 64;

  logic [CoordW-1:0] ax1, ay1, ax2, ay2, bx1, by1, bx2, by2;
  assign {ay2, ax2, ay1, ax1} = a_i;
  assign {by2, bx2, by1, bx1} = b_i;

  logic [CoordW-1:0] lo_x, hi_x, lo_y, hi_y;
  logic [SideW-1:0]  aw, ah, bw, bh, iw, ih;
  logic              overlap;
  logic [AreaW-1:0]  inter, area_a, area_b;
  logic [UnionW-1:0] uni;
  logic [AreaW-1:0]  inter_eff;
  logic [UnionW-1:0] uni_eff;
  logic [WideW-1:0]  prod, quot, rem_mask;
  logic              rem_zero, empty_union;

  always_comb begin
    lo_x = (ax1 > bx1) ? ax1 : bx1;
    hi_x = (ax2 < bx2) ? ax2 : bx2;
    lo_y = (ay1 > by1) ? ay1 : by1;
    hi_y = (ay2 < by2) ? ay2 : by2;
    // Positive intersection: hi - lo + p > 0.
    overlap = plus_one_i ? (hi_x >= lo_x && hi_y >= lo_y) : (hi_x > lo_x && hi_y > lo_y);
    iw = SideW'(hi_x) - SideW'(lo_x) + SideW'(plus_one_i);
    ih = SideW'(hi_y) - SideW'(lo_y) + SideW'(plus_one_i);
    aw = SideW'(ax2) - SideW'(ax1) + SideW'(plus_one_i);
    ah = SideW'(ay2) - SideW'(ay1) + SideW'(plus_one_i);
    bw = SideW'(bx2) - SideW'(bx1) + SideW'(plus_one_i);
    bh = SideW'(by2) - SideW'(by1) + SideW'(plus_one_i);
    inter  = overlap ? AreaW'(iw) * AreaW'(ih) : '0;
    area_a = AreaW'(aw) * AreaW'(ah);
    area_b = AreaW'(bw) * AreaW'(bh);
    uni = UnionW'(area_a) + UnionW'(area_b) - UnionW'(inter);
    empty_union = (uni == '0);
    inter_eff = empty_union ? AreaW'(1) : inter;
    uni_eff   = empty_union ? UnionW'(1) : uni;
    prod = WideW'(mant_i) * WideW'(uni_eff);
    quot = prod >> shift_i;
    rem_mask = (WideW'(1) << shift_i) - WideW'(1);
    rem_zero = ((prod & rem_mask) == '0);
    suppress_o = (WideW'(inter_eff) > quot) || (ge_i && WideW'(inter_eff) == quot && rem_zero);
    if (empty_union && !empty_one_i) suppress_o = 1'b0;
  end

endmodule

`default_nettype wire
