// he_ntt_ram: one bank of the NTT unit's coefficient buffers and its twiddle
// store: one write port and one registered read port (the read data holds while
// re_i is low). A separate module so synthesis can map it to an SRAM macro or
// block RAM; make synth skips it (flip-flop mapping says nothing useful) and
// docs/he.md reports its bits.
// squish-synth: skip
`default_nettype none

module he_ntt_ram #(
  /// Words.
  parameter int unsigned Depth = 1024,
  /// Bits per word.
  parameter int unsigned Width = 120,
  /// Derived: address width.
  parameter int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_i,
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);

  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_q <= mem_q[raddr_i];
  end
  assign rdata_o = rdata_q;

endmodule

`default_nettype wire
