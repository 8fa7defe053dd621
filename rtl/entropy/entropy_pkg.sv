// entropy_pkg: constants shared by the entropy decoders (huffman_decoder,
// tunstall_decoder, rans_decoder). The C++ side has the same values in
// sw/include/squish/entropy/*.hpp; tb_entropy checks them against the
// /*verilator public*/ copies each decoder exposes.
`default_nettype none

package entropy_pkg;

  /// Error codes on every decoder's error_code_o (sticky until start_i or reset).
  typedef enum logic [2:0] {
    ErrNone      = 3'd0,
    ErrBadTable  = 3'd1,  ///< loaded table is inconsistent (Kraft, sums, zero entries)
    ErrTruncated = 3'd2,  ///< input `last` came before all symbols were decoded
    ErrOverrun   = 3'd3,  ///< input continues past the end, or final state wrong
    ErrBadCode   = 3'd4,  ///< a codeword outside the dictionary
    ErrBadState  = 3'd5   ///< rANS: a lane does not end in its initial state
  } err_e;

endpackage

`default_nettype wire
