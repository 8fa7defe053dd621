// datapath_pkg: parameters of the sparse, mixed-precision datapath that the
// sparse weight decoders (rtl/sparse/), the PE array (rtl/mac/) and the C++
// model (sw/include/squish/datapath/params.hpp) share. One place on the RTL
// side; a testbench reads these back from the Verilated model and checks them
// against the C++ constants.
//
// The "nonzero stream" between a decoder and the PE array is specified in
// docs/datapath.md ("Nonzero stream"). In short, one beat carries up to Slots
// (column index, weight) entries of ONE output row:
//   nz_valid / nz_ready            handshake (AXI hold rules)
//   nz_mask  [Slots]               entry s present
//   nz_col   [Slots*IdxWidth]      column (input-channel) index of entry s
//   nz_val   [Slots*WeightWidth]   weight of entry s, sign-extended to 8 bits
//   nz_row   [RowWidth]            output row (channel) the beat belongs to
//   nz_row_last                    last beat of that row (an empty row is one
//                                  beat with mask 0 and nz_row_last = 1)
//   nz_last                        last beat of the matrix (also nz_row_last)
// INT8 weights use slots [0, Lanes), INT4 slots [0, 2*Lanes), INT2 all slots.
`default_nettype none

package datapath_pkg;

  /// Physical lanes: INT8xINT8 multipliers in the PE array (each decomposes into
  /// 2 INT4w x INT8 or 4 INT2w x INT8 products).
  localparam int unsigned Lanes = 16;
  /// Products one lane makes per cycle at INT2 weights.
  localparam int unsigned SlotsPerLane = 4;
  /// Entry slots in one nonzero-stream beat (= Lanes * SlotsPerLane).
  localparam int unsigned Slots = Lanes * SlotsPerLane;
  /// Width of a column (input channel) index: layers up to 2**IdxWidth inputs.
  localparam int unsigned IdxWidth = 12;
  /// Width of an output row (output channel) index.
  localparam int unsigned RowWidth = 16;
  /// Weight entry width on the stream (INT4/INT2 values sign-extended to it).
  localparam int unsigned WeightWidth = 8;
  /// Activation width (signed int8, with a run-time zero point).
  localparam int unsigned ActWidth = 8;
  /// Accumulator width. |w * (x - zp)| <= 128 * 255 < 2**15, so 32 bits hold
  /// any reduction of up to 2**16 terms without overflow.
  localparam int unsigned AccWidth = 32;
  /// Activation vectors that share each decoded weight in batched GEMM mode.
  localparam int unsigned MaxBatch = 4;
  /// Width of every hardware performance counter.
  localparam int unsigned CounterWidth = 48;

endpackage

`default_nettype wire
