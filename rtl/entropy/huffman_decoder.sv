// huffman_decoder: canonical Huffman decoder, one symbol per cycle sustained.
//
// Tables (register port, before start_i): the symbols in canonical order at
// tbl_addr_i 0..255, and the number of codes of each length l = 0..15 at
// 256 + l (count[0] = 1 and nothing else means a single-symbol tensor with no
// code bits). start_i (with count_i, the number of symbols) runs a 16-cycle
// setup that turns the counts into left-aligned code limits and index offsets
// and checks that they form a complete prefix code (ErrBadTable otherwise).
//
// Decoding: a 64-bit MSB-aligned bit buffer takes 32-bit words (byte 0 of the
// stream in bits [7:0], each byte MSB first). Each cycle the top 15 bits are
// compared against the 15 limits in parallel; the first length whose limit
// exceeds the window is the code length, and window >> (15 - len) + offset[len]
// indexes the symbol table. Consumption (<= 15 bits) and a 32-bit refill share
// one cycle, so the buffer never starves at one symbol per cycle.
//
// Errors (sticky, until start_i or reset): ErrBadTable from setup;
// ErrTruncated when the next code needs more bits than remain after `last`;
// ErrOverrun when the input does not end (last) within one word of the code.
// On an error the decoder stops emitting, keeps accepting (and dropping) input
// until `last`, and raises done_o: it never blocks the upstream.
//
// Cost: 64-bit buffer with two 64-bit shifters, 15 x 16-bit comparators, a
// 256 x 8 symbol memory (LUT-RAM, asynchronous read), 15 x (16 + 16) bits of
// limits/offsets; the critical path is window -> compare -> shift -> buffer.
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module huffman_decoder #(
  /// Longest code length (the format's limit; shared with kHuffmanMaxLen).
  /// Codes longer than MaxLen are never matched (ErrTruncated/ErrBadTable).
  parameter int unsigned MaxLen = 15,
  /// Compressed input word width (bits).
  parameter int unsigned InWidth = 32
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  /// Table write port (see header): address, 9-bit data, write enable.
  input  logic                tbl_we_i,
  input  logic [8:0]          tbl_addr_i,
  input  logic [8:0]          tbl_data_i,
  /// Pulse: start a tensor of count_i symbols with the loaded tables.
  input  logic                start_i,
  input  logic [31:0]         count_i,
  /// Compressed words.
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  logic [InWidth-1:0]  in_data_i,
  input  logic                in_last_i,
  /// Decoded symbols, one per beat (out_count_o is always 1 for uniformity).
  output logic                out_valid_o,
  input  logic                out_ready_i,
  output logic [7:0]          out_data_o,
  output logic [0:0]          out_count_o,
  output logic                out_last_o,
  /// Status: busy between start_i and done_o; error_o with its code.
  output logic                busy_o,
  output logic                done_o,
  output logic                error_o,
  output entropy_pkg::err_e   error_code_o,
  /// Performance counters of the current tensor (cleared by start_i).
  output logic [31:0]         cycles_o,      ///< cycles from start_i to done_o
  output logic [31:0]         stall_in_o,    ///< cycles waiting for input bits
  output logic [31:0]         stall_out_o    ///< cycles the output was full
);

  localparam int unsigned BufWidth = 64;
  localparam int unsigned FillWidth = $clog2(BufWidth + 1);
  localparam int unsigned PubMaxLen /*verilator public*/ = MaxLen;
  localparam int unsigned PubInWidth /*verilator public*/ = InWidth;

  typedef enum logic [2:0] { StIdle, StSetup, StDecode, StFinish, StDrain, StDone } state_e;

  state_e               state_q, state_d;
  logic [7:0]           symtab_q [256];
  logic [8:0]           lencount_q [16];
  logic [15:0]          limit_q [16], limit_d;   // left-aligned (15-bit window) code limits
  logic [15:0]          offset_q [16], offset_d; // symbol index - code value
  logic [3:0]           setup_len_q, setup_len_d;
  logic [16:0]          code_q, code_d;          // first code of the current length
  logic [9:0]           index_q, index_d;        // symbols counted so far
  logic                 single_q, single_d;
  logic [BufWidth-1:0]  buf_q, buf_d;
  logic [FillWidth-1:0] fill_q, fill_d;
  logic                 last_seen_q, last_seen_d;
  logic [31:0]          remaining_q, remaining_d;
  logic                 out_valid_q, out_valid_d, out_last_q, out_last_d;
  logic [7:0]           out_data_q, out_data_d;
  entropy_pkg::err_e    err_q, err_d;
  logic [31:0]          cycles_q, cycles_d, stall_in_q, stall_in_d, stall_out_q, stall_out_d;

  // ---- table port and setup -------------------------------------------------
  always_ff @(posedge clk_i) begin
    if (tbl_we_i && !tbl_addr_i[8]) symtab_q[tbl_addr_i[7:0]] <= tbl_data_i[7:0];
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int l = 0; l < 16; l++) lencount_q[l] <= '0;
    end else if (tbl_we_i && tbl_addr_i[8]) begin
      lencount_q[tbl_addr_i[3:0]] <= tbl_data_i;
    end
  end
  always_ff @(posedge clk_i) begin
    if (state_q == StSetup) begin
      limit_q[setup_len_q]  <= limit_d;
      offset_q[setup_len_q] <= offset_d;
    end
  end

  // ---- decode datapath -------------------------------------------------------
  logic [14:0] window;
  logic [3:0]  code_len;
  logic        code_found;
  logic [15:0] code_val;
  logic [7:0]  sym_index;
  logic        out_free, can_decode, take_in, last_in;
  logic [BufWidth-1:0] word_be, buf_consumed;
  logic [FillWidth-1:0] fill_consumed;

  assign window = buf_q[BufWidth-1 -: 15];
  always_comb begin
    code_len = 4'd15;
    code_found = 1'b0;
    for (int l = 15; l >= 1; l--) begin
      if ({1'b0, window} < limit_q[l] && l <= MaxLen) begin
        code_len = 4'(l);
        code_found = 1'b1;
      end
    end
  end
  assign code_val  = 16'({1'b0, window} >> (5'd15 - {1'b0, code_len}));
  assign sym_index = 8'(code_val + offset_q[code_len]);

  // Byte 0 of the word is the first byte of the stream.
  always_comb begin
    word_be = '0;
    for (int b = 0; b < InWidth / 8; b++) word_be[BufWidth-1-8*b -: 8] = in_data_i[8*b +: 8];
  end

  assign out_free   = !out_valid_q || out_ready_i;
  assign can_decode = (state_q == StDecode) && (remaining_q != 0) && out_free &&
                      (single_q || (code_found && FillWidth'(code_len) <= fill_q));
  assign in_ready_o = (state_q == StDrain) ||
                      ((state_q == StDecode || state_q == StFinish) && !last_seen_q &&
                       fill_q <= FillWidth'(BufWidth - InWidth));
  assign take_in    = in_valid_i && in_ready_o;
  // `last` as of the end of this cycle: the registered flag or a last beat
  // taken now. The done/drain choice must read this, not last_seen_q alone:
  // a last beat taken in the same cycle as an error would otherwise send the
  // decoder to StDrain, which then waits for a last beat that already came.
  assign last_in    = last_seen_q || (take_in && in_last_i && state_q != StDrain);

  always_comb begin
    buf_consumed  = buf_q;
    fill_consumed = fill_q;
    if (can_decode && !single_q) begin
      buf_consumed  = buf_q << code_len;
      fill_consumed = fill_q - FillWidth'(code_len);
    end
  end

  always_comb begin
    state_d      = state_q;
    setup_len_d  = setup_len_q;
    code_d       = code_q;
    index_d      = index_q;
    single_d     = single_q;
    limit_d      = '0;
    offset_d     = '0;
    buf_d        = buf_consumed;
    fill_d       = fill_consumed;
    last_seen_d  = last_seen_q;
    remaining_d  = remaining_q;
    out_valid_d  = out_valid_q && !out_ready_i;
    out_data_d   = out_data_q;
    out_last_d   = out_last_q;
    err_d        = err_q;
    cycles_d     = cycles_q;
    stall_in_d   = stall_in_q;
    stall_out_d  = stall_out_q;

    if (state_q != StIdle && state_q != StDone) cycles_d = cycles_q + 1;
    if (take_in && state_q != StDrain) begin
      buf_d       = buf_consumed | (word_be >> fill_consumed);
      fill_d      = fill_consumed + FillWidth'(InWidth);
      last_seen_d = in_last_i;
    end

    unique case (state_q)
      StIdle, StDone: ;
      StSetup: begin
        // Length setup_len_q: codes code_q .. code_q + count - 1.
        limit_d  = 16'((code_q + 17'(lencount_q[setup_len_q])) << (4'd15 - setup_len_q));
        offset_d = 16'(index_q) - 16'(code_q);
        code_d   = (code_q + 17'(lencount_q[setup_len_q])) << 1;
        index_d  = index_q + 10'(lencount_q[setup_len_q]);
        if (setup_len_q == 4'd0) begin
          // Length 0: the single-symbol case, exclusive of every other length.
          single_d = (lencount_q[0] == 9'd1);
          code_d   = '0;
          index_d  = 10'(lencount_q[0]);
          if (lencount_q[0] > 9'd1) err_d = entropy_pkg::ErrBadTable;
        end else if (code_q + 17'(lencount_q[setup_len_q]) > (17'd1 << setup_len_q)) begin
          err_d = entropy_pkg::ErrBadTable;  // over-subscribed
        end
        setup_len_d = setup_len_q + 1;
        if (setup_len_q == 4'd15) begin
          // Complete code: every 15-bit window decodes (or single symbol).
          if (single_q ? (index_d != 10'd1) : (code_d != 17'h10000 || index_d > 10'd256))
            err_d = entropy_pkg::ErrBadTable;
          state_d = StDecode;
        end
      end
      StDecode: begin
        if (err_q != entropy_pkg::ErrNone) begin
          state_d = last_in ? StDone : StDrain;
        end else if (remaining_q == 0) begin
          state_d = StFinish;
        end else if (can_decode) begin
          out_valid_d = 1'b1;
          out_data_d  = single_q ? symtab_q[0] : symtab_q[sym_index];
          out_last_d  = (remaining_q == 1);
          remaining_d = remaining_q - 1;
        end else if (!out_free) begin
          stall_out_d = stall_out_q + 1;
        end else if (last_seen_q) begin
          err_d = entropy_pkg::ErrTruncated;  // the next code runs past `last`
        end else begin
          stall_in_d = stall_in_q + 1;
        end
      end
      StFinish: begin
        // The code has ended: `last` must have come, with at most one word
        // (padding) left over.
        if (fill_q > FillWidth'(InWidth)) begin
          err_d   = entropy_pkg::ErrOverrun;
          state_d = last_in ? StDone : StDrain;
        end else if (last_seen_q && !out_valid_q) begin
          state_d = StDone;
        end
      end
      StDrain: begin
        if (take_in && in_last_i) state_d = StDone;
      end
      default: state_d = StIdle;
    endcase

    if (start_i) begin
      state_d     = StSetup;
      setup_len_d = '0;
      code_d      = '0;
      index_d     = '0;
      single_d    = 1'b0;
      buf_d       = '0;
      fill_d      = '0;
      last_seen_d = 1'b0;
      remaining_d = count_i;
      out_valid_d = 1'b0;
      err_d       = entropy_pkg::ErrNone;
      cycles_d    = '0;
      stall_in_d  = '0;
      stall_out_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      setup_len_q <= '0;
      code_q      <= '0;
      index_q     <= '0;
      single_q    <= 1'b0;
      buf_q       <= '0;
      fill_q      <= '0;
      last_seen_q <= 1'b0;
      remaining_q <= '0;
      out_valid_q <= 1'b0;
      out_data_q  <= '0;
      out_last_q  <= 1'b0;
      err_q       <= entropy_pkg::ErrNone;
      cycles_q    <= '0;
      stall_in_q  <= '0;
      stall_out_q <= '0;
    end else begin
      state_q     <= state_d;
      setup_len_q <= setup_len_d;
      code_q      <= code_d;
      index_q     <= index_d;
      single_q    <= single_d;
      buf_q       <= buf_d;
      fill_q      <= fill_d;
      last_seen_q <= last_seen_d;
      remaining_q <= remaining_d;
      out_valid_q <= out_valid_d;
      out_data_q  <= out_data_d;
      out_last_q  <= out_last_d;
      err_q       <= err_d;
      cycles_q    <= cycles_d;
      stall_in_q  <= stall_in_d;
      stall_out_q <= stall_out_d;
    end
  end

  assign out_valid_o  = out_valid_q;
  assign out_data_o   = out_data_q;
  assign out_count_o  = 1'b1;
  assign out_last_o   = out_last_q;
  assign busy_o       = state_q != StIdle && state_q != StDone;
  assign done_o       = state_q == StDone;
  assign error_o      = err_q != entropy_pkg::ErrNone;
  assign error_code_o = err_q;
  assign cycles_o     = cycles_q;
  assign stall_in_o   = stall_in_q;
  assign stall_out_o  = stall_out_q;

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  // The decode window is 15 bits: longer codes would be cut silently.
  `ASSERT_INIT(ParamsLegal, MaxLen >= 1 && MaxLen <= 15 && InWidth == 32)
  // Upstream rule: valid held until ready, data stable (start_i aborts a tensor).
  logic in_stall_q, out_stall_q, err_seen_q;
  logic [$bits({in_data_i, in_last_i})-1:0] in_bundle_q;
  logic [$bits({out_data_o, out_count_o, out_last_o})-1:0] out_bundle_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      in_stall_q  <= 1'b0;
      out_stall_q <= 1'b0;
      err_seen_q  <= 1'b0;
    end else begin
      in_stall_q  <= in_valid_i && !in_ready_o && !start_i;
      out_stall_q <= out_valid_o && !out_ready_i && !start_i;
      err_seen_q  <= error_o && !start_i;
    end
  end
  always @(posedge clk_i) begin
    in_bundle_q  <= {in_data_i, in_last_i};
    out_bundle_q <= {out_data_o, out_count_o, out_last_o};
  end
  `ASSERT(InValidHeld, !in_stall_q || in_valid_i || start_i)
  `ASSERT(InDataStable, !in_stall_q || !in_valid_i || start_i || {in_data_i, in_last_i} == in_bundle_q)
  // Own output: held until taken, stable while stalled.
  `ASSERT(OutValidHeld, !out_stall_q || out_valid_o || start_i)
  `ASSERT(OutDataStable, !out_stall_q || start_i || {out_data_o, out_count_o, out_last_o} == out_bundle_q)
  // Legal state; done and busy exclusive; an error stays until start_i/reset.
  `ASSERT(StateLegal, state_q <= StDone)
  `ASSERT_NEVER(DoneAndBusy, done_o && busy_o)
  `ASSERT(ErrorSticky, !err_seen_q || error_o || start_i)
  `ASSERT(FillInRange, 32'(fill_q) <= BufWidth)
`endif

endmodule

`default_nettype wire
