// sparse_pkg: constants of the sparse payload bitstream (docs/format.md,
// "Sparse payloads") and the error codes of the RTL sparse weight decoder.
// The C++ side holds the same values in sw/include/squish/sparse/sparse.hpp;
// sim/sparse/tb_sparse.cpp reads them back from the Verilated decoder and
// checks that they agree.
`default_nettype none

package sparse_pkg;

  /// Header word 0 bits [31:25].
  localparam logic [6:0] Magic = 7'h53;
  /// Format ids (header word 0 bits [3:0]).
  localparam logic [3:0] FmtDense  = 4'd0;
  localparam logic [3:0] FmtCoo    = 4'd1;
  localparam logic [3:0] FmtCoo1d  = 4'd2;
  localparam logic [3:0] FmtRlc    = 4'd3;
  localparam logic [3:0] FmtBitmap = 4'd4;
  localparam logic [3:0] FmtCsr    = 4'd5;
  localparam logic [3:0] FmtCsc    = 4'd6;
  localparam logic [3:0] FmtNm     = 4'd7;
  /// Bitmap payloads interleave masks and values in chunks of this many columns.
  localparam int unsigned BitmapChunk = 32;

  /// error_code_o values (first error wins; sticky until reset).
  typedef enum logic [3:0] {
    ErrNone      = 4'd0,
    ErrHeader    = 4'd1,  ///< magic, format, precision, dims or N:M/RLC parameters
    ErrRange     = 4'd2,  ///< an index or run lands outside the matrix
    ErrOrder     = 4'd3,  ///< indices not strictly increasing, indptr decreasing or not starting at 0
    ErrValue     = 4'd4,  ///< a stored zero where zeros are not stored, or a malformed RLC/N:M padding zero
    ErrCount     = 4'd5,  ///< the header's entry count disagrees with the body
    ErrTruncated = 4'd6,  ///< the stream ended (in_last) before the body did
    ErrOverrun   = 4'd7   ///< words after the body, or nonzero padding bits
  } err_e;

endpackage

`default_nettype wire
