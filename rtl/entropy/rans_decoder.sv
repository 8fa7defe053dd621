// rans_decoder: interleaved rANS decoder, Lanes symbols per cycle.
//
// Protocol: start_i (with count_i symbols and prob_bits_i = P) opens a tensor.
// The decoder then takes the frequency table on the tbl_* stream, one beat per
// symbol value 0, 1, 2, ... (tbl_last_i on the final one), and expands it on
// chip into a 2^P-slot table: slot k of symbol s holds {s, f_s, k - c_s}. Each
// lane has its own copy (block RAM, synchronous read), written in parallel.
// Each copy is split into Banks = SlotsPerCycle banks interleaved by slot
// index (slot k in bank k mod Banks, row k div Banks), so a cycle writes up to
// Banks consecutive slots of one symbol, and the next beat is taken in the
// cycle that writes the current symbol's last slots: loading costs
// sum over symbols of max(1, ceil(f_s / Banks)) cycles, plus one. Then the
// input stream delivers the payload after its frequency table: the lanes_i
// (<= Lanes) 32-bit initial states, then the 16-bit words, InWords words per
// beat (in_count_i of them valid, word 0 in bits [15:0]; beats full except the
// last).
//
// Decoding: each lane keeps its state x in [2^16, 2^32); every bank of the
// lane's copy is read at the row the state will have after the clock edge and
// the bank is picked by the registered low slot bits, so in every cycle
// entry = table[x_q mod 2^P] is ready. One step decodes one symbol per
// active lane: x' = f * (x >> P) + (k - c) (computed as a fixed bit select of
// f' * (x with the low P bits cleared), f' = f << (MaxProbBits - P) stored in
// the table, so no lane needs a barrel shifter), and a lane whose x' fell below 2^16
// takes the next word (lanes in order, at most one word each): x' = x' << 16 |
// word. A step needs the words of every lane that renormalises; the word
// buffer holds 2 x Lanes words and refills InWords per cycle.
//
// Errors (sticky until start_i or reset): ErrBadTable (frequencies do not sum
// to 2^P, more than 256 beats, or P out of range); ErrTruncated (`last` came
// before the words a step needs); ErrOverrun (words left over after the final
// symbol); ErrBadState (a lane does not end in state 2^16: corrupt stream). On
// an error the decoder drains its input until `last` and raises done_o.
//
// Cost per lane: a 2^MaxProbBits x 33-bit table copy in Banks RAMs
// (rans_table_ram; BRAM), a Banks:1 33-bit read mux, a 13 x 32 multiplier
// (DSP), an adder and a 32-bit mux; shared: the bank write addresses and
// biases, a 2 x Lanes x 16-bit word buffer with a word-granular shifter and
// the lane-to-word crossbar. The loop state -> table address -> state closes
// in one cycle through the RAM address register.
// make synth maps memories to flip-flops for the OSU cells, so its PPA run
// uses small tables (the bench synthesizes the full configuration itself):
// squish-synth: chparam -set MaxProbBits 6
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module rans_decoder #(
  /// Interleaved lanes = symbols per cycle (4, 8 or 16; must match the stream).
  parameter int unsigned Lanes = 8,
  /// Largest probability precision P (table depth 2^MaxProbBits).
  parameter int unsigned MaxProbBits = 12,
  /// 16-bit words per input beat.
  parameter int unsigned InWords = 4,
  /// Table slots written per cycle during expansion (power of two; the table
  /// copy of each lane is split into this many banks, at most 2^(MaxProbBits-1)).
  parameter int unsigned SlotsPerCycle = 4
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  /// Pulse: start a tensor of count_i symbols at precision prob_bits_i.
  input  logic                    start_i,
  input  logic [31:0]             count_i,
  input  logic [3:0]              prob_bits_i,
  /// Lanes of the stream, 1..Lanes (sampled at start_i); lanes above it idle.
  input  logic [$clog2(Lanes+1)-1:0] lanes_i,
  /// Frequency table stream (13-bit frequency per symbol value, in order).
  input  logic                    tbl_valid_i,
  output logic                    tbl_ready_o,
  input  logic [12:0]             tbl_data_i,
  input  logic                    tbl_last_i,
  /// Compressed words: states then renormalisation words.
  input  logic                    in_valid_i,
  output logic                    in_ready_o,
  input  logic [16*InWords-1:0]   in_data_i,
  input  logic [$clog2(InWords+1)-1:0] in_count_i,
  input  logic                    in_last_i,
  /// Decoded symbols: lane j's symbol in bits [8j +: 8], out_count_o valid.
  output logic                    out_valid_o,
  input  logic                    out_ready_i,
  output logic [8*Lanes-1:0]      out_data_o,
  output logic [$clog2(Lanes+1)-1:0] out_count_o,
  output logic                    out_last_o,
  /// Status.
  output logic                    busy_o,
  output logic                    done_o,
  output logic                    error_o,
  output entropy_pkg::err_e       error_code_o,
  /// Performance counters of the current tensor (cleared by start_i).
  output logic [31:0]             cycles_o,     ///< start_i to done_o, incl. table expansion
  output logic [31:0]             stall_in_o,   ///< decode steps waiting for words
  output logic [31:0]             stall_out_o   ///< decode steps waiting for the output
);

  localparam int unsigned BufWords   = 2 * Lanes;
  localparam int unsigned WCntWidth  = $clog2(BufWords + 1);
  localparam int unsigned LaneWidth  = $clog2(Lanes + 1);
  localparam int unsigned SlotWidth  = MaxProbBits;
  localparam int unsigned EntryWidth = 8 + 13 + MaxProbBits;  // {symbol, freq, k - c}
  localparam int unsigned MaxBanks   = 2 ** (MaxProbBits - 1);  // every bank >= 2 rows
  localparam int unsigned Banks      = (SlotsPerCycle < MaxBanks) ? SlotsPerCycle : MaxBanks;
  localparam int unsigned BankBits   = $clog2(Banks);
  localparam int unsigned SelW       = (BankBits > 0) ? BankBits : 1;
  localparam int unsigned RowBits    = MaxProbBits - BankBits;  // >= 1
  localparam int unsigned Rows       = 2 ** RowBits;
  localparam int unsigned PubLanes /*verilator public*/ = Lanes;
  localparam int unsigned PubMaxProbBits /*verilator public*/ = MaxProbBits;
  localparam int unsigned PubInWords /*verilator public*/ = InWords;
  localparam int unsigned PubBanks /*verilator public*/ = Banks;

  typedef enum logic [2:0] { StIdle, StLoad, StInit, StDecode, StFinish, StDrain, StDone } state_e;

  state_e                     state_q, state_d;
  logic [LaneWidth-1:0]       n_lanes_q, n_lanes_d;
  logic [3:0]                 pbits_q, pbits_d;
  logic [31:0]                remaining_q, remaining_d;
  logic [13:0]                cum_q, cum_d;        // slots filled so far (<= 2^P)
  logic [12:0]                fill_left_q, fill_left_d;  // slots of the current symbol still to write
  logic [8:0]                 load_sym_q, load_sym_d;     // symbol of the next beat
  logic [7:0]                 wr_sym_q, wr_sym_d;         // symbol being written
  logic [12:0]                load_freq_q, load_freq_d;
  logic                       load_last_q, load_last_d;
  logic [Banks-1:0]           tbl_we;
  logic [RowBits*Banks-1:0]   tbl_waddr;
  logic [EntryWidth*Banks-1:0] tbl_wdata;
  logic [32*Lanes-1:0]        x_q, x_d;
  logic [16*BufWords-1:0]     wbuf_q, wbuf_d;
  logic [WCntWidth-1:0]       wcnt_q, wcnt_d;
  logic                       last_seen_q, last_seen_d;
  logic                       out_valid_q, out_valid_d, out_last_q, out_last_d;
  logic [8*Lanes-1:0]         out_data_q, out_data_d;
  logic [LaneWidth-1:0]       out_count_q, out_count_d;
  entropy_pkg::err_e          err_q, err_d;
  logic [31:0]                cycles_q, cycles_d, stall_in_q, stall_in_d, stall_out_q, stall_out_d;

  // ---- per-lane datapath ------------------------------------------------------
  logic [31:0]          slot_mask;
  logic [LaneWidth-1:0] active;          // lanes decoding in this step
  logic [Lanes-1:0]     need;            // lane renormalises in this step
  logic [32*Lanes-1:0]  x_dec;           // states after the decode, before refill
  logic [8*Lanes-1:0]   step_syms;

  assign slot_mask = (32'd1 << pbits_q) - 32'd1;
  assign active    = (remaining_q >= 32'(n_lanes_q)) ? n_lanes_q : LaneWidth'(remaining_q);

  for (genvar j = 0; j < Lanes; j++) begin : g_lane
    logic [EntryWidth-1:0] rd_q;
    logic [EntryWidth*Banks-1:0] bank_rd;
    logic [SlotWidth-1:0]  slot_d;
    logic [12:0]           freq;
    logic [MaxProbBits-1:0] bias;
    logic [31:0]           prod;
    logic [43:0]           prod_wide;  // low MaxProbBits bits are zero by construction
    logic [31:0]           x_hi;

    // Every bank is read at the next state's row; the registered low slot
    // bits pick the bank: rd_q = table[x_q mod 2^P] every cycle.
    assign slot_d = SlotWidth'(x_d[32*j +: 32] & slot_mask);
    for (genvar b = 0; b < Banks; b++) begin : g_bank
      rans_table_ram #(.Depth(Rows), .Width(EntryWidth)) u_ram (
        .clk_i,
        .we_i    (tbl_we[b]),
        .waddr_i (tbl_waddr[RowBits*b +: RowBits]),
        .wdata_i (tbl_wdata[EntryWidth*b +: EntryWidth]),
        .raddr_i (slot_d[SlotWidth-1 -: RowBits]),
        .rdata_o (bank_rd[EntryWidth*b +: EntryWidth])
      );
    end
    if (Banks > 1) begin : g_sel
      logic [SelW-1:0] sel_q;
      always_ff @(posedge clk_i) sel_q <= slot_d[SelW-1:0];
      assign rd_q = bank_rd[EntryWidth*sel_q +: EntryWidth];
    end else begin : g_nosel
      assign rd_q = bank_rd;
    end

    // The table holds f' = f << (MaxProbBits - P), so that
    //   f * (x >> P) = (f' * (x with its low P bits cleared)) >> MaxProbBits
    // exactly: a fixed bit select instead of a per-lane barrel shifter.
    assign freq = rd_q[MaxProbBits +: 13];
    assign bias = rd_q[MaxProbBits-1:0];
    assign x_hi = x_q[32*j +: 32] & ~slot_mask;
    assign prod_wide = 44'(freq) * 44'(x_hi);  // < 2^44: f' <= 2^12, x < 2^32
    assign prod = prod_wide[MaxProbBits +: 32];
    assign x_dec[32*j +: 32] = prod + 32'(bias);
    assign need[j] = (LaneWidth'(j) < active) && (x_dec[32*j +: 32] < 32'h10000);
    assign step_syms[8*j +: 8] = rd_q[EntryWidth-1 -: 8];
  end

  // Words each lane takes: lane j uses buffer word (number of needing lanes before j).
  logic [LaneWidth-1:0] need_before [Lanes+1];
  always_comb begin
    need_before[0] = '0;
    for (int j = 0; j < Lanes; j++) need_before[j+1] = need_before[j] + LaneWidth'(need[j]);
  end

  // Lane j's refill word: buffer word need_before[j] (at most j): a (j+1)-way mux.
  logic [16*Lanes-1:0] lane_word;
  always_comb begin
    lane_word = '0;
    for (int j = 0; j < Lanes; j++)
      for (int k = 0; k <= j; k++)
        if (32'(need_before[j]) == 32'(k)) lane_word[16*j +: 16] = wbuf_q[16*k +: 16];
  end

  // ---- table expansion -----------------------------------------------------------
  // A cycle writes n = min(Banks, fill_left) slots of symbol wr_sym_q from
  // slot cum_q on: bank b takes slot cum + ((b - cum) mod Banks) if that
  // offset is below n. The next beat is taken in the cycle that writes the
  // current symbol's last slots (fill_left <= Banks), its slots start at
  // cum + fill_left.
  logic [12:0] fill_n;       // slots written this cycle
  logic        cur_done;     // the current symbol is finished after this cycle
  logic [13:0] cum_end;      // first slot after the current symbol
  logic        load_ok;
  assign load_ok  = (state_q == StLoad) && (err_q == entropy_pkg::ErrNone);
  assign cur_done = fill_left_q <= 13'(Banks);
  assign fill_n   = cur_done ? fill_left_q : 13'(Banks);
  assign cum_end  = cum_q + 14'(fill_left_q);
  assign tbl_ready_o = (state_q == StLoad) && cur_done && !load_last_q;

  for (genvar b = 0; b < Banks; b++) begin : g_wr
    logic [12:0] off;  // (b - cum) mod Banks
    if (Banks > 1) begin : g_off
      logic [SelW-1:0] off_low;
      assign off_low = SelW'(b) - cum_q[SelW-1:0];
      assign off = 13'(off_low);
    end else begin : g_off0
      assign off = '0;
    end
    assign tbl_we[b] = load_ok && (off < fill_n);
    assign tbl_waddr[RowBits*b +: RowBits] = RowBits'((SlotWidth'(cum_q) + SlotWidth'(off)) >> BankBits);
    assign tbl_wdata[EntryWidth*b +: EntryWidth] =
      {wr_sym_q, 13'(load_freq_q << (4'(MaxProbBits) - pbits_q)), MaxProbBits'(load_freq_q - fill_left_q + off)};
  end

  // ---- control -----------------------------------------------------------------
  logic out_free, can_step, take_in, last_in;
  logic [LaneWidth-1:0] words_used;
  logic [WCntWidth-1:0] wcnt_after;
  logic [16*BufWords-1:0] wbuf_after;

  assign out_free   = !out_valid_q || out_ready_i;
  assign words_used = need_before[Lanes];
  assign can_step   = (state_q == StDecode) && (err_q == entropy_pkg::ErrNone) && (remaining_q != 0) &&
                      out_free && (WCntWidth'(words_used) <= wcnt_q);
  // StInit takes beats until it holds the 2 x n_lanes state words (beats are
  // full except the last, so that is exactly 2 x n_lanes; anything else is a
  // framing error, never a stall).
  assign in_ready_o = (state_q == StDrain) ||
                      (state_q == StInit && !last_seen_q && wcnt_q < WCntWidth'(2 * n_lanes_q)) ||
                      ((state_q == StDecode || state_q == StFinish) && !last_seen_q &&
                       wcnt_q <= WCntWidth'(BufWords - InWords));
  assign take_in    = in_valid_i && in_ready_o;
  // `last` as of the end of this cycle: the registered flag or a last beat
  // taken now. The done/drain choice must read this, not last_seen_q alone:
  // a last beat taken in the same cycle as an error would otherwise send the
  // decoder to StDrain, which then waits for a last beat that already came.
  assign last_in    = last_seen_q || (take_in && in_last_i && state_q != StDrain);

  always_comb begin
    wbuf_after = wbuf_q;
    wcnt_after = wcnt_q;
    if (can_step) begin
      wbuf_after = wbuf_q >> (16 * words_used);
      wcnt_after = wcnt_q - WCntWidth'(words_used);
    end
  end

  always_comb begin
    state_d     = state_q;
    n_lanes_d   = n_lanes_q;
    pbits_d     = pbits_q;
    remaining_d = remaining_q;
    cum_d       = cum_q;
    fill_left_d = fill_left_q;
    load_sym_d  = load_sym_q;
    wr_sym_d    = wr_sym_q;
    load_freq_d = load_freq_q;
    load_last_d = load_last_q;
    x_d         = x_q;
    wbuf_d      = wbuf_after;
    wcnt_d      = wcnt_after;
    last_seen_d = last_seen_q;
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
      // Append the beat's valid words behind what the step leaves. Written per
      // buffer position (static indices): each position picks input word
      // (position - fill) if that word exists, a small mux instead of
      // InWords dynamic-offset part-select writes across the whole buffer.
      for (int pos = 0; pos < BufWords; pos++) begin
        for (int w = 0; w < InWords; w++) begin
          if (32'(pos) == 32'(wcnt_after) + 32'(w) && 32'(w) < 32'(in_count_i))
            wbuf_d[16*pos +: 16] = in_data_i[16*w +: 16];
        end
      end
      wcnt_d      = wcnt_after + WCntWidth'(in_count_i);
      last_seen_d = in_last_i;
    end

    unique case (state_q)
      StIdle, StDone: ;
      StLoad: begin
        if (err_q != entropy_pkg::ErrNone) begin
          state_d = StDrain;  // the table stream is abandoned; drain the words
        end else begin
          // Write fill_n slots of the current symbol (tbl_we), then advance.
          fill_left_d = fill_left_q - fill_n;
          cum_d       = cum_q + 14'(fill_n);
          if (cur_done && load_last_q) begin
            if (cum_end != (14'd1 << pbits_q)) err_d = entropy_pkg::ErrBadTable;
            state_d = StInit;
          end else if (cur_done && tbl_valid_i) begin
            // Beat for symbol load_sym_q: its f slots follow from cum_end on.
            if (cum_end + 14'(tbl_data_i) > (14'd1 << pbits_q) || load_sym_q[8]) err_d = entropy_pkg::ErrBadTable;
            fill_left_d = tbl_data_i;
            load_freq_d = tbl_data_i;
            load_last_d = tbl_last_i;
            wr_sym_d    = load_sym_q[7:0];
            load_sym_d  = load_sym_q + 1;
          end
        end
      end
      StInit: begin
        // The Lanes initial states: 2 words each, low half first.
        if (err_q != entropy_pkg::ErrNone) begin
          state_d = last_in ? StDone : StDrain;
        end else if (wcnt_q >= WCntWidth'(2 * n_lanes_q)) begin
          // Lanes at and above n_lanes idle in the final state 2^16.
          for (int j = 0; j < Lanes; j++) begin
            x_d[32*j +: 32] = (LaneWidth'(j) < n_lanes_q) ? wbuf_q[32*j +: 32] : 32'h10000;
            if (LaneWidth'(j) < n_lanes_q && wbuf_q[32*j+16 +: 16] == 16'd0)
              err_d = entropy_pkg::ErrBadState;  // state < 2^16
          end
          if (wcnt_q != WCntWidth'(2 * n_lanes_q)) err_d = entropy_pkg::ErrTruncated;  // bad framing
          wbuf_d = '0;
          wcnt_d = '0;
          state_d = StDecode;
        end else if (last_seen_q) begin
          err_d = entropy_pkg::ErrTruncated;
        end
      end
      StDecode: begin
        if (err_q != entropy_pkg::ErrNone) begin
          state_d = last_in ? StDone : StDrain;
        end else if (remaining_q == 0) begin
          state_d = StFinish;
        end else if (can_step) begin
          for (int j = 0; j < Lanes; j++) begin
            if (LaneWidth'(j) < active)
              x_d[32*j +: 32] = need[j] ? {x_dec[32*j +: 16], lane_word[16*j +: 16]} : x_dec[32*j +: 32];
          end
          out_valid_d = 1'b1;
          out_data_d  = step_syms;
          out_count_d = active;
          out_last_d  = (remaining_q <= 32'(n_lanes_q));
          remaining_d = remaining_q - 32'(active);
        end else if (!out_free) begin
          stall_out_d = stall_out_q + 1;
        end else if (last_seen_q) begin
          err_d = entropy_pkg::ErrTruncated;
        end else begin
          stall_in_d = stall_in_q + 1;
        end
      end
      StFinish: begin
        for (int j = 0; j < Lanes; j++)
          if (x_q[32*j +: 32] != 32'h10000) err_d = entropy_pkg::ErrBadState;
        if (wcnt_q != 0) err_d = entropy_pkg::ErrOverrun;
        if (last_seen_q && !out_valid_q) state_d = StDone;
        else if (err_d != entropy_pkg::ErrNone) state_d = last_in ? StDone : StDrain;
      end
      StDrain: begin
        if (take_in && in_last_i) state_d = StDone;
      end
      default: state_d = StIdle;
    endcase

    if (start_i) begin
      state_d     = StLoad;
      pbits_d     = prob_bits_i;
      n_lanes_d   = lanes_i;
      remaining_d = count_i;
      cum_d       = '0;
      fill_left_d = '0;
      load_sym_d  = '0;
      load_last_d = 1'b0;
      wbuf_d      = '0;
      wcnt_d      = '0;
      last_seen_d = 1'b0;
      out_valid_d = 1'b0;
      err_d       = (prob_bits_i == 4'd0 || 32'(prob_bits_i) > MaxProbBits ||
                     lanes_i == '0 || 32'(lanes_i) > Lanes) ? entropy_pkg::ErrBadTable : entropy_pkg::ErrNone;
      cycles_d    = '0;
      stall_in_d  = '0;
      stall_out_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      n_lanes_q   <= LaneWidth'(Lanes);
      pbits_q     <= 4'd1;
      remaining_q <= '0;
      cum_q       <= '0;
      fill_left_q <= '0;
      load_sym_q  <= '0;
      wr_sym_q    <= '0;
      load_freq_q <= '0;
      load_last_q <= 1'b0;
      x_q         <= '0;
      wbuf_q      <= '0;
      wcnt_q      <= '0;
      last_seen_q <= 1'b0;
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
      n_lanes_q   <= n_lanes_d;
      pbits_q     <= pbits_d;
      remaining_q <= remaining_d;
      cum_q       <= cum_d;
      fill_left_q <= fill_left_d;
      load_sym_q  <= load_sym_d;
      wr_sym_q    <= wr_sym_d;
      load_freq_q <= load_freq_d;
      load_last_q <= load_last_d;
      x_q         <= x_d;
      wbuf_q      <= wbuf_d;
      wcnt_q      <= wcnt_d;
      last_seen_q <= last_seen_d;
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
  `ASSERT_INIT(ParamsLegal, (Lanes == 4 || Lanes == 8 || Lanes == 16) && MaxProbBits >= 1 &&
                            MaxProbBits <= 12 && InWords >= 1 && InWords <= Lanes &&
                            SlotsPerCycle >= 1 && (SlotsPerCycle & (SlotsPerCycle - 1)) == 0)
  // Upstream rule: valid held until ready, data stable (start_i aborts a tensor).
  logic in_stall_q, out_stall_q, err_seen_q;
  logic [$bits({in_data_i, in_count_i, in_last_i})-1:0] in_bundle_q;
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
    in_bundle_q  <= {in_data_i, in_count_i, in_last_i};
    out_bundle_q <= {out_data_o, out_count_o, out_last_o};
  end
  `ASSERT(InValidHeld, !in_stall_q || in_valid_i || start_i)
  `ASSERT(InDataStable, !in_stall_q || !in_valid_i || start_i || {in_data_i, in_count_i, in_last_i} == in_bundle_q)
  // Own output: held until taken, stable while stalled.
  `ASSERT(OutValidHeld, !out_stall_q || out_valid_o || start_i)
  `ASSERT(OutDataStable, !out_stall_q || start_i || {out_data_o, out_count_o, out_last_o} == out_bundle_q)
  // Legal state; done and busy exclusive; an error stays until start_i/reset.
  `ASSERT(StateLegal, state_q <= StDone)
  `ASSERT_NEVER(DoneAndBusy, done_o && busy_o)
  `ASSERT(ErrorSticky, !err_seen_q || error_o || start_i)
  `ASSERT(WordCountInRange, 32'(wcnt_q) <= BufWords)
  `ASSERT(CountLegal, !out_valid_o || (out_count_o != '0 && 32'(out_count_o) <= Lanes))
  `ASSERT(InCountLegal, !in_valid_i || 32'(in_count_i) <= InWords)
`endif

endmodule

`default_nettype wire
