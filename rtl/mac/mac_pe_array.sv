// mac_pe_array: Lanes decomposable multipliers and the adder tree that reduces
// one nonzero-stream beat to a partial dot product.
//
// Slot s of the beat (see docs/datapath.md) feeds lane (s mod Lanes), sub-word
// (s div Lanes): INT8 uses slots [0, P), INT4 [0, 2P), INT2 [0, 4P). A slot
// that is not present has its weight forced to 0, so its product is 0 whatever
// its activation is (zero-skipping happens upstream, in the packing of beats).
// The array also returns the sum of the present weights, which the datapath
// multiplies by the activation zero point:  sum w*(x - zp) = sum w*x - zp*sum w.
// That keeps every multiplier at 8x8 bits while zp != 0 stays exact.
//
// Cost: Lanes x mac_mul_decomp, a (Lanes-1)-adder tree of 16..PsumWidth bits,
// a (Slots-1)-adder tree of 8..WsumWidth bits for the weight sum. Combinational.
`default_nettype none

module mac_pe_array #(
  /// Physical lanes (INT8xINT8 multipliers).
  parameter int unsigned Lanes = datapath_pkg::Lanes,
  /// Entry slots per beat; derived, do not override.
  parameter int unsigned Slots = Lanes * datapath_pkg::SlotsPerLane,
  /// Partial-sum width: |lane sum| <= 2^14, so 16 + log2(Lanes) bits suffice.
  parameter int unsigned PsumWidth = 16 + $clog2(Lanes),
  /// Weight-sum width: at most Lanes INT8 weights (|w| <= 128) are present.
  parameter int unsigned WsumWidth = 9 + $clog2(Slots)
) (
  /// Weight precision (constant for a matrix).
  input  squish_pkg::wprec_e      wprec_i,
  /// Slot present (already cleared for slots the precision does not use).
  input  logic [Slots-1:0]        present_i,
  /// Slot weights, sign-extended 8 bits, at [8s +: 8].
  input  logic [Slots*8-1:0]      weight_i,
  /// Slot activations, signed 8 bits, at [8s +: 8].
  input  logic [Slots*8-1:0]      act_i,
  /// Sum of weight x activation over present slots.
  output logic [PsumWidth-1:0]    psum_o,
  /// Sum of present weights.
  output logic [WsumWidth-1:0]    wsum_o
);

  logic [Slots*8-1:0]      weight_masked;
  logic [Lanes*16-1:0]     lane_sum;

  for (genvar s = 0; s < Slots; s++) begin : g_mask
    assign weight_masked[8*s +: 8] = present_i[s] ? weight_i[8*s +: 8] : 8'd0;
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    logic [7:0]  packed_weight;
    logic [31:0] lane_act;
    always_comb begin
      unique case (wprec_i)
        squish_pkg::WPrecInt4: packed_weight = {weight_masked[8*(Lanes+l) +: 4], weight_masked[8*l +: 4]};
        squish_pkg::WPrecInt2: packed_weight = {weight_masked[8*(3*Lanes+l) +: 2], weight_masked[8*(2*Lanes+l) +: 2],
                                                weight_masked[8*(Lanes+l) +: 2], weight_masked[8*l +: 2]};
        default:               packed_weight = weight_masked[8*l +: 8];
      endcase
    end
    assign lane_act = {act_i[8*(3*Lanes+l) +: 8], act_i[8*(2*Lanes+l) +: 8],
                       act_i[8*(Lanes+l) +: 8], act_i[8*l +: 8]};
    mac_mul_decomp u_mul (
      .wprec_i  (wprec_i),
      .weight_i (packed_weight),
      .act_i    (lane_act),
      .sum_o    (lane_sum[16*l +: 16])
    );
  end

  // Adder trees, written as loops; synthesis balances them.
  always_comb begin
    psum_o = '0;
    for (int unsigned l = 0; l < Lanes; l++) psum_o = psum_o + PsumWidth'(signed'(lane_sum[16*l +: 16]));
  end
  always_comb begin
    wsum_o = '0;
    for (int unsigned s = 0; s < Slots; s++) wsum_o = wsum_o + WsumWidth'(signed'(weight_masked[8*s +: 8]));
  end

endmodule

`default_nettype wire
