// tunstall_decoder: memory-oriented variable-to-fixed decoder, W symbols/beat.
//
// Table (register port, before start_i): entry c of the dictionary at
// tbl_addr_i = c, tbl_data_i = {length, symbols} with symbol i in bits
// [8i +: 8] (unused symbols zero) and length (1..MaxLen) in the top bits.
// start_i samples count_i (symbols), k_i (codeword bits) and dict_size_i
// (entries loaded). The string memory is 2^MaxK x (MaxLen*8 + LenWidth) bits:
// one block RAM read returns a whole string.
//
// Pipeline: (1) a 64-bit MSB-aligned bit buffer (32-bit refills, byte 0 of a
// word first, MSB first) yields one k-bit codeword per cycle; its address goes
// into the string memory's read register. (2) The string (rdata) is appended
// to a packing buffer of W + MaxLen symbols, which emits W symbols per beat
// (the final beat partial, with out_count_o and out_last_o). The memory
// address is held while the packer cannot take the string, so the
// synchronous read stays valid under backpressure. Throughput: one codeword
// per cycle and up to W symbols per cycle, i.e. min(W, mean string length).
//
// Errors (sticky until start_i or reset): ErrBadTable (k outside 8..MaxK,
// empty or oversized dictionary, an entry of length 0 or > MaxLen when used);
// ErrBadCode (a codeword >= dict_size); ErrOverrun (the last string runs past
// count_i, or more than one word of input is left at the end); ErrTruncated
// (`last` before enough codewords). On an error the decoder drains its input
// until `last` and raises done_o.
//
// Cost: string memory (BRAM), 64-bit bit buffer with two shifters, a
// (W + MaxLen) x 8-bit packing buffer with a symbol-granular append shifter and
// a W-symbol emit shifter.
// make synth maps memories to flip-flops for the OSU cells, so its PPA run
// uses small tables (the bench synthesizes the full configuration itself):
// squish-synth: chparam -set MaxK 8 -set MaxLen 8
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module tunstall_decoder #(
  /// Largest codeword size k (dictionary 2^MaxK entries).
  parameter int unsigned MaxK = 12,
  /// Longest string (symbols).
  parameter int unsigned MaxLen = 16,
  /// Output symbols per beat.
  parameter int unsigned W = 8,
  /// Compressed input word width (bits).
  parameter int unsigned InWidth = 32,
  /// Bits of the length field; derived, do not override.
  parameter int unsigned LenWidth = $clog2(MaxLen + 1)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  /// String memory write port.
  input  logic                        tbl_we_i,
  input  logic [MaxK-1:0]             tbl_addr_i,
  input  logic [LenWidth+8*MaxLen-1:0] tbl_data_i,
  /// Pulse: start a tensor.
  input  logic                        start_i,
  input  logic [31:0]                 count_i,
  input  logic [3:0]                  k_i,
  input  logic [MaxK:0]               dict_size_i,
  /// Compressed words.
  input  logic                        in_valid_i,
  output logic                        in_ready_o,
  input  logic [InWidth-1:0]          in_data_i,
  input  logic                        in_last_i,
  /// Decoded symbols, W per beat (symbol i in bits [8i +: 8]).
  output logic                        out_valid_o,
  input  logic                        out_ready_i,
  output logic [8*W-1:0]              out_data_o,
  output logic [$clog2(W+1)-1:0]      out_count_o,
  output logic                        out_last_o,
  /// Status.
  output logic                        busy_o,
  output logic                        done_o,
  output logic                        error_o,
  output entropy_pkg::err_e           error_code_o,
  /// Performance counters of the current tensor (cleared by start_i).
  output logic [31:0]                 cycles_o,
  output logic [31:0]                 stall_in_o,
  output logic [31:0]                 stall_out_o
);

  localparam int unsigned BufWidth  = 64;
  localparam int unsigned FillWidth = $clog2(BufWidth + 1);
  localparam int unsigned PackSyms  = W + MaxLen;
  localparam int unsigned PackWidth = $clog2(PackSyms + 1);
  localparam int unsigned CntWidth  = $clog2(W + 1);
  localparam int unsigned EntryWidth = LenWidth + 8 * MaxLen;
  localparam int unsigned PubMaxK /*verilator public*/ = MaxK;
  localparam int unsigned PubMaxLen /*verilator public*/ = MaxLen;
  localparam int unsigned PubW /*verilator public*/ = W;
  localparam int unsigned PubInWidth /*verilator public*/ = InWidth;

  typedef enum logic [2:0] { StIdle, StDecode, StFinish, StDrain, StDone } state_e;

  state_e                 state_q, state_d;
  logic [3:0]             k_q, k_d;
  logic [MaxK:0]          dict_size_q, dict_size_d;
  logic [31:0]            count_q, count_d;
  logic [31:0]            appended_q, appended_d;   // symbols placed in the packer
  logic [31:0]            emitted_q, emitted_d;     // symbols sent out
  logic [BufWidth-1:0]    buf_q, buf_d;
  logic [FillWidth-1:0]   fill_q, fill_d;
  logic                   last_seen_q, last_seen_d;
  logic [MaxK-1:0]        rd_addr_q, rd_addr_d;
  logic                   s1_valid_q, s1_valid_d;   // rd_addr_q holds a codeword to append
  logic [EntryWidth-1:0]  rdata_q;
  logic [8*PackSyms-1:0]  pack_q, pack_d;
  logic [PackWidth-1:0]   pack_fill_q, pack_fill_d;
  logic                   out_valid_q, out_valid_d, out_last_q, out_last_d;
  logic [8*W-1:0]         out_data_q, out_data_d;
  logic [CntWidth-1:0]    out_count_q, out_count_d;
  entropy_pkg::err_e      err_q, err_d;
  logic [31:0]            cycles_q, cycles_d, stall_in_q, stall_in_d, stall_out_q, stall_out_d;

  // ---- string memory: write port + read register held under backpressure ----
  logic [EntryWidth-1:0] strings_q [2**MaxK];
  always_ff @(posedge clk_i) begin
    if (tbl_we_i) strings_q[tbl_addr_i] <= tbl_data_i;
  end
  always_ff @(posedge clk_i) begin
    rdata_q <= strings_q[rd_addr_d];
  end

  // ---- stage 2: the string at rd_addr_q --------------------------------------
  logic [LenWidth-1:0]    s1_len;
  logic [8*MaxLen-1:0]    s1_syms;
  logic                   s1_len_bad;
  assign s1_len     = rdata_q[EntryWidth-1 -: LenWidth];
  assign s1_len_bad = (s1_len == '0) || (32'(s1_len) > MaxLen);
  always_comb begin
    s1_syms = '0;
    for (int i = 0; i < MaxLen; i++)
      if (32'(i) < 32'(s1_len)) s1_syms[8*i +: 8] = rdata_q[8*i +: 8];
  end

  logic                 out_free, emit, s1_accept, need_more, fetch, take_in, ok, last_in;
  logic [CntWidth-1:0]  emit_count;
  logic [PackWidth-1:0] pack_fill_emitted;
  logic [8*PackSyms-1:0] pack_emitted;
  logic [31:0]          committed;
  logic [MaxK-1:0]      codeword;
  logic [BufWidth-1:0]  word_be, buf_consumed;
  logic [FillWidth-1:0] fill_consumed;

  assign ok         = (state_q == StDecode) && (err_q == entropy_pkg::ErrNone);
  assign out_free   = !out_valid_q || out_ready_i;
  assign emit       = ok && out_free &&
                      (pack_fill_q >= PackWidth'(W) || (appended_q == count_q && !s1_valid_q && pack_fill_q != 0));
  assign emit_count = (pack_fill_q >= PackWidth'(W)) ? CntWidth'(W) : CntWidth'(pack_fill_q);
  assign pack_emitted      = emit ? pack_q >> (8 * emit_count) : pack_q;
  assign pack_fill_emitted = emit ? pack_fill_q - PackWidth'(emit_count) : pack_fill_q;
  assign s1_accept  = ok && s1_valid_q && !s1_len_bad &&
                      (32'(pack_fill_emitted) + 32'(s1_len) <= PackSyms) &&
                      (appended_q + 32'(s1_len) <= count_q);
  assign committed  = appended_q + (s1_valid_q ? 32'(s1_len) : 32'd0);
  assign need_more  = committed < count_q;
  assign codeword   = MaxK'(buf_q[BufWidth-1 -: MaxK] >> (4'(MaxK) - k_q));
  assign fetch      = ok && need_more && (!s1_valid_q || s1_accept) && (fill_q >= FillWidth'(k_q));

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
    word_be = '0;
    for (int b = 0; b < InWidth / 8; b++) word_be[BufWidth-1-8*b -: 8] = in_data_i[8*b +: 8];
  end
  assign buf_consumed  = fetch ? buf_q << k_q : buf_q;
  assign fill_consumed = fetch ? fill_q - FillWidth'(k_q) : fill_q;

  always_comb begin
    state_d     = state_q;
    k_d         = k_q;
    dict_size_d = dict_size_q;
    count_d     = count_q;
    appended_d  = appended_q;
    emitted_d   = emitted_q;
    buf_d       = buf_consumed;
    fill_d      = fill_consumed;
    last_seen_d = last_seen_q;
    rd_addr_d   = rd_addr_q;
    s1_valid_d  = s1_valid_q;
    pack_d      = pack_emitted;
    pack_fill_d = pack_fill_emitted;
    out_valid_d = out_valid_q && !out_ready_i;
    out_data_d  = out_data_q;
    out_count_d = out_count_q;
    out_last_d  = out_last_q;
    err_d       = err_q;
    cycles_d    = cycles_q;
    stall_in_d  = stall_in_q;
    stall_out_d = stall_out_q;

    if (state_q != StIdle && state_q != StDone) cycles_d = cycles_q + 1;
    if (take_in && state_q != StDrain) begin
      buf_d       = buf_consumed | (word_be >> fill_consumed);
      fill_d      = fill_consumed + FillWidth'(InWidth);
      last_seen_d = in_last_i;
    end

    unique case (state_q)
      StIdle, StDone: ;
      StDecode: begin
        if (err_q != entropy_pkg::ErrNone) begin
          state_d = last_in ? StDone : StDrain;
        end else begin
          if (emit) begin
            out_valid_d = 1'b1;
            out_data_d  = pack_q[8*W-1:0];
            out_count_d = emit_count;
            out_last_d  = (emitted_q + 32'(emit_count) == count_q);
            emitted_d   = emitted_q + 32'(emit_count);
          end else if (!out_free) begin
            stall_out_d = stall_out_q + 1;
          end
          if (s1_valid_q && s1_len_bad) err_d = entropy_pkg::ErrBadTable;
          else if (s1_valid_q && appended_q + 32'(s1_len) > count_q) err_d = entropy_pkg::ErrOverrun;
          if (s1_accept) begin
            pack_d      = pack_emitted | ((8*PackSyms)'(s1_syms) << (8 * pack_fill_emitted));
            pack_fill_d = pack_fill_emitted + PackWidth'(s1_len);
            appended_d  = appended_q + 32'(s1_len);
            s1_valid_d  = 1'b0;
          end
          if (fetch) begin
            if ({1'b0, codeword} >= dict_size_q) err_d = entropy_pkg::ErrBadCode;
            rd_addr_d  = codeword;
            s1_valid_d = 1'b1;
          end else if (need_more && (!s1_valid_q || s1_accept) && fill_q < FillWidth'(k_q)) begin
            if (last_seen_q) err_d = entropy_pkg::ErrTruncated;
            else stall_in_d = stall_in_q + 1;
          end
          if (emitted_q == count_q && !out_valid_q) state_d = StFinish;
        end
      end
      StFinish: begin
        // All symbols out: `last` must have come, with at most one word left.
        if (fill_q > FillWidth'(InWidth)) begin
          err_d   = entropy_pkg::ErrOverrun;
          state_d = last_in ? StDone : StDrain;
        end else if (last_seen_q) begin
          state_d = StDone;
        end
      end
      StDrain: begin
        if (take_in && in_last_i) state_d = StDone;
      end
      default: state_d = StIdle;
    endcase

    if (start_i) begin
      state_d     = StDecode;
      k_d         = k_i;
      dict_size_d = dict_size_i;
      count_d     = count_i;
      appended_d  = '0;
      emitted_d   = '0;
      buf_d       = '0;
      fill_d      = '0;
      last_seen_d = 1'b0;
      s1_valid_d  = 1'b0;
      pack_d      = '0;
      pack_fill_d = '0;
      out_valid_d = 1'b0;
      err_d       = (k_i < 4'd8 || 32'(k_i) > MaxK || dict_size_i == '0 ||
                     {1'b0, dict_size_i} > ((MaxK+2)'(1) << k_i)) ? entropy_pkg::ErrBadTable
                                                                  : entropy_pkg::ErrNone;
      cycles_d    = '0;
      stall_in_d  = '0;
      stall_out_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      k_q         <= 4'd8;
      dict_size_q <= '0;
      count_q     <= '0;
      appended_q  <= '0;
      emitted_q   <= '0;
      buf_q       <= '0;
      fill_q      <= '0;
      last_seen_q <= 1'b0;
      rd_addr_q   <= '0;
      s1_valid_q  <= 1'b0;
      pack_q      <= '0;
      pack_fill_q <= '0;
      out_valid_q <= 1'b0;
      out_data_q  <= '0;
      out_count_q <= '0;
      out_last_q  <= 1'b0;
      err_q       <= entropy_pkg::ErrNone;
      cycles_q    <= '0;
      stall_in_q  <= '0;
      stall_out_q <= '0;
    end else begin
      state_q     <= state_d;
      k_q         <= k_d;
      dict_size_q <= dict_size_d;
      count_q     <= count_d;
      appended_q  <= appended_d;
      emitted_q   <= emitted_d;
      buf_q       <= buf_d;
      fill_q      <= fill_d;
      last_seen_q <= last_seen_d;
      rd_addr_q   <= rd_addr_d;
      s1_valid_q  <= s1_valid_d;
      pack_q      <= pack_d;
      pack_fill_q <= pack_fill_d;
      out_valid_q <= out_valid_d;
      out_data_q  <= out_data_d;
      out_count_q <= out_count_d;
      out_last_q  <= out_last_d;
      err_q       <= err_d;
      cycles_q    <= cycles_d;
      stall_in_q  <= stall_in_d;
      stall_out_q <= stall_out_d;
    end
  end

  assign out_valid_o  = out_valid_q;
  assign out_data_o   = out_data_q;
  assign out_count_o  = out_count_q;
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
  `ASSERT_INIT(ParamsLegal, MaxK >= 1 && MaxK <= 15 && MaxLen >= 1 && W >= 1 && InWidth == 32 &&
                            LenWidth == $clog2(MaxLen + 1))
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
  `ASSERT(PackInRange, 32'(pack_fill_q) <= PackSyms)
  `ASSERT(CountLegal, !out_valid_o || (out_count_o != '0 && 32'(out_count_o) <= W))
`endif

endmodule

`default_nettype wire
