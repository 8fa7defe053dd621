// nms_cand_ram: the candidate store of nms_unit, one write and one registered
// read port. A separate module so that synthesis can map it to an SRAM macro
// (or block RAM) and report the logic around it on its own.
//
// Cost: Depth x Width bits; the read data register holds when re_i is low.
//
// make synth maps it to SRAM macros (ASIC: the 1024x32 macro model of
// docs/silicon.md; FPGA: block RAM).
`default_nettype none

module nms_cand_ram #(
  /// Entries.
  parameter int unsigned Depth = 8192,
  /// Bits per entry.
  parameter int unsigned Width = 117,
  /// Derived: address width.
  parameter int unsigned AddrW = $clog2(Depth)
) (
  input  logic             clk_i,
  /// Write port.
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  /// Read port: rdata_o shows entry raddr_i the cycle after re_i.
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
