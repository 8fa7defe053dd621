// rans_table_ram: one bank of one lane's slot table in rans_decoder, one write
// and one registered read port (read every cycle). A separate module so that
// synthesis maps it to an SRAM macro (or block RAM) and reports the logic
// around it on its own.
//
// Cost: Depth x Width bits.
`default_nettype none

module rans_table_ram #(
  /// Entries.
  parameter int unsigned Depth = 512,
  /// Bits per entry.
  parameter int unsigned Width = 33,
  /// Derived: address width (at least 1).
  parameter int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  /// Write port.
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  /// Read port: rdata_o shows entry raddr_i one cycle later.
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);

  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    rdata_q <= mem_q[raddr_i];
  end
  assign rdata_o = rdata_q;

endmodule

`default_nettype wire
