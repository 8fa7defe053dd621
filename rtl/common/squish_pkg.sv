// squish_pkg: types and constants shared by every squish block.
//
// Block-specific parameters live in each family's own package
// (entropy_pkg, datapath_pkg, ...). What is here is what more than one family
// needs. Every constant that the C++ golden model also uses is marked
// /*verilator public*/ on the module side and checked by a test.
`default_nettype none

package squish_pkg;

  // Release of the RTL; the .sqz container records the golden stack's version.
  localparam int unsigned VersionMajor = 0;
  localparam int unsigned VersionMinor = 1;

  // Weight precision of the decomposable datapath (one INT8 lane = 2 INT4 = 4 INT2).
  typedef enum logic [1:0] {
    WPrecInt8 = 2'd0,
    WPrecInt4 = 2'd1,
    WPrecInt2 = 2'd2
  } wprec_e;

endpackage

`default_nettype wire
