// mac_mul_int8: plain signed INT8 x INT8 multiplier, the area baseline the
// decomposable multiplier (mac_mul_decomp) is compared with in the datapath
// bench and `make synth`. Not used in the datapath itself.
//
// Cost: one 8x8 signed multiplier as the synthesis tool builds `*`.
`default_nettype none

module mac_mul_int8 (
  /// Signed weight.
  input  logic [7:0]  weight_i,
  /// Signed activation.
  input  logic [7:0]  act_i,
  /// Signed product.
  output logic [15:0] prod_o
);

  assign prod_o = 16'($signed(weight_i) * $signed(act_i));

endmodule

`default_nettype wire
