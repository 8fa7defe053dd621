// softmax_unit: streaming softmax over vectors of up to MaxLen logits, Lanes
// logits per beat, Q0.16 probabilities out. Bit-exact with
// squish::softmax::softmax_q16 (sw/src/softmax/unit.cpp).
//
// Protocol: the producer sends every vector twice, on two independent streams.
//   logit_*  (pass 1): online maximum and sum. The maximum is kept as an
//            integer M in the base-2 domain, so when it grows the running sum
//            is rescaled by a right shift of (M' - M), never by a multiply:
//              t = (x * log2 e) >>> F,  S = (S >> (M'-M)) + sum_lanes 2^(t - M').
//            At `last`, log2(S) is computed (softmax_log2, 2 pipeline stages,
//            one vector per cycle) and Omega = M*2^24 + log2(S) is queued for
//            pass 2 (StatsDepth vectors).
//   resend_* (pass 2): the same vector again, in the same order and beats; it is
//            accepted once its vector's Omega is queued, and each logit becomes
//            p = round(2^(t - Omega) * 2^16), saturated to 0xFFFF.
// The two passes run concurrently on consecutive vectors (pass 2 of vector k
// while pass 1 of vector k+1), so back-to-back vectors stream at Lanes
// probabilities per cycle at the cost of reading the logits twice; nothing of
// the vector is stored on chip (a buffering design would need MaxLen x 16 bits,
// 2 Mbit at 131 072).
//
// Beats: data lane i is bits [16i +: 16] (int16; sign-extend int8 logits);
// count = valid lanes, 1..Lanes (0 or > Lanes means Lanes); lanes at or past
// count are ignored on input and zero on output. frac_bits_i (F, 0..15) is
// sampled with each pass-1 beat, must be steady within a vector, and is
// remembered for that vector's pass 2.
//
// Errors (sticky until reset, never a hang): err_overlong_o when a pass-1
// vector exceeds MaxLen; err_length_o when a pass-2 vector's length differs
// from its pass-1 length. Outputs stay well-formed either way.
//
// Timing: pass 1 is a 7-stage pipeline with one enable, stalled only when the
// statistics queue is full (pass 2 is StatsDepth vectors behind). Pass 2 is a
// 4-stage pipeline that never stalls; its
// input is admitted against credits for the OutDepth-entry output FIFO, so no
// combinational path runs from prob_ready_i to any ready output.
//
// Each pipeline has one stage inside its exp2 units (softmax_exp2's register,
// stages H and H2 below; timing, docs/silicon.md).
//
// Cost (Lanes = 8): 2 x 8 16x25 constant multipliers (t), 2 x 8 exp2 units
// (64-entry ROM, 23x18 and 17x15 multipliers, a squarer, 89 flops), 8 rounding shifters
// per pass, a 58-bit sum with a barrel shifter, one log2 unit (128-entry ROM,
// two small multipliers and a squarer),
// an 8 x 128-bit output FIFO and a 2 x 66-bit statistics FIFO; ~6.1 kbit of
// flops (1.6 kbit of them the exp2 stage: 16 x 89 in the units, 181 of side
// signals). See docs/softmax.md for the synthesized figures.
//
// make synth maps a flattened 1-lane instance (the 8-lane flat run exceeds its
// time limit); bench_softmax synthesizes 1 and 8 lanes hierarchically.
// squish-synth: chparam -set Lanes 1
`default_nettype none
`ifdef SQUISH_ASSERT
`include "squish_assert.svh"
`endif

module softmax_unit #(
  /// Logits per beat (and probabilities per beat out).
  parameter int unsigned Lanes /*verilator public*/ = 8,
  /// Longest vector; sets the width of the running sum so it cannot overflow.
  parameter int unsigned MaxLen /*verilator public*/ = 131072,
  /// Output FIFO depth; >= 6 sustains one beat per cycle with no stalls (a
  /// pass-2 beat holds a credit for 5 cycles: A2, B2, H2, C2, the FIFO).
  parameter int unsigned OutDepth = 8,
  /// Vectors whose statistics may wait for their pass 2.
  parameter int unsigned StatsDepth = 2,
  /// Derived: width of the lane-count fields.
  parameter int unsigned CountWidth = $clog2(Lanes + 1)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  /// F: logits are x * 2^-F. Steady within a vector.
  input  logic [3:0]               frac_bits_i,
  // pass 1
  /// Pass-1 logits (valid/ready, AXI rules).
  input  logic                     logit_valid_i,
  output logic                     logit_ready_o,
  input  logic [Lanes*16-1:0]      logit_data_i,
  input  logic [CountWidth-1:0]    logit_count_i,
  input  logic                     logit_last_i,
  // pass 2
  /// Pass-2 logits: the same vector again.
  input  logic                     resend_valid_i,
  output logic                     resend_ready_o,
  input  logic [Lanes*16-1:0]      resend_data_i,
  input  logic [CountWidth-1:0]    resend_count_i,
  input  logic                     resend_last_i,
  // probabilities
  /// Q0.16 probabilities, one beat per pass-2 beat, same count and last.
  output logic                     prob_valid_o,
  input  logic                     prob_ready_i,
  output logic [Lanes*16-1:0]      prob_data_o,
  output logic [CountWidth-1:0]    prob_count_o,
  output logic                     prob_last_o,
  /// Sticky: a pass-1 vector was longer than MaxLen.
  output logic                     err_overlong_o,
  /// Sticky: a pass-2 vector's length differed from its pass-1 length.
  output logic                     err_length_o,
  /// Performance counters (wrap at 2^32): cycles with any vector in flight,
  /// vectors completed, cycles pass 1 was offered data but stalled, cycles
  /// pass 2 was offered data but waited (statistics or output credit).
  output logic [31:0]              perf_busy_cycles_o,
  output logic [31:0]              perf_vectors_o,
  output logic [31:0]              perf_logit_stall_o,
  output logic [31:0]              perf_resend_wait_o
);

  // ---- constants shared with the C++ model (checked by tb_softmax) ----------
  localparam int unsigned Log2eQ24  /*verilator public*/ = 24204406;
  localparam int unsigned TFrac     /*verilator public*/ = 24;
  localparam int unsigned SumFrac   /*verilator public*/ = 40;
  localparam int unsigned OutFrac   /*verilator public*/ = 16;
  localparam int unsigned ClampInt  /*verilator public*/ = 64;
  localparam int unsigned SumInt    /*verilator public*/ = $clog2(MaxLen) + 1;
  localparam int unsigned SumWidth  /*verilator public*/ = SumInt + SumFrac;
  localparam int unsigned LenWidth  = $clog2(MaxLen + 2);
  localparam int unsigned TW        = 41;  // t = x * log2e >>> F, signed Q16.24
  localparam int unsigned DW        = 31;  // clamped exponent argument, signed, >= -2^30
  localparam int unsigned EW        = 41;  // one exp term, Q1.40
  localparam int unsigned LaneSumW  = EW + $clog2(Lanes + 1);
  localparam int unsigned OmegaW    = 44;
  localparam int unsigned StatsW    = OmegaW + 4 + LenWidth;
  localparam int unsigned OutW      = Lanes * 16 + CountWidth + 1;

  // ---- helpers ---------------------------------------------------------------
  // t = (x * round(log2(e) * 2^24)) >>> F
  function automatic logic signed [TW-1:0] to_base2(input logic signed [15:0] x, input logic [3:0] f);
    logic signed [41:0] prod;
    prod = x * $signed(42'(Log2eQ24));
    to_base2 = TW'(prod >>> f);
  endfunction

  // Lane mask from a count field (0 or > Lanes = all lanes).
  function automatic logic [Lanes-1:0] lane_mask(input logic [CountWidth-1:0] count);
    for (int i = 0; i < Lanes; i++) lane_mask[i] = (count == '0) || (count > CountWidth'(Lanes)) || (CountWidth'(i) < count);
  endfunction

  function automatic logic [LenWidth-1:0] count_value(input logic [CountWidth-1:0] count);
    count_value = ((count == '0) || (count > CountWidth'(Lanes))) ? LenWidth'(Lanes) : LenWidth'(count);
  endfunction

  // Clamp a wide exponent argument to [-ClampInt, 0] (-2^30 in Q.24). Both
  // bounds are signed constants: a comparison against an unsigned one would be
  // unsigned and clamp zero.
  localparam logic signed [OmegaW-1:0] ArgMin = -$signed(OmegaW'(ClampInt) << TFrac);
  localparam logic signed [OmegaW-1:0] ArgMax = '0;
  function automatic logic signed [DW-1:0] clamp_arg(input logic signed [OmegaW-1:0] v);
    if (v > ArgMax) clamp_arg = '0;
    else if (v < ArgMin) clamp_arg = {1'b1, {(DW-1){1'b0}}};
    else clamp_arg = DW'(v);
  endfunction

  // =========================== pass 1 =========================================
  logic en1;
  logic logit_fire;
  logic p1_mid_q, p1_mid_d;                 // inside a vector
  logic [LenWidth-1:0] p1_len_q, p1_len_d;  // elements so far (saturates)
  logic [LenWidth-1:0] p1_len_now;
  logic err_overlong_q, err_overlong_d;

  assign logit_ready_o = en1;
  assign logit_fire    = logit_valid_i && en1;

  always_comb begin
    p1_len_now = (p1_mid_q ? p1_len_q : '0) + count_value(logit_count_i);
    if (p1_len_now > LenWidth'(MaxLen + 1)) p1_len_now = LenWidth'(MaxLen + 1);
  end

  // Stage A: base-2 logits.
  logic                 a_valid_q;
  logic [Lanes*TW-1:0]  a_t_q;
  logic [Lanes-1:0]     a_mask_q;
  logic                 a_first_q, a_last_q;
  logic [3:0]           a_frac_q;
  logic [LenWidth-1:0]  a_len_q;
  logic [Lanes*TW-1:0]  a_t_d;

  always_comb begin
    for (int i = 0; i < Lanes; i++) a_t_d[i*TW +: TW] = to_base2(logit_data_i[i*16 +: 16], frac_bits_i);
  end

  // Stage B: integer ceiling of the beat's maximum.
  logic                 b_valid_q;
  logic [Lanes*TW-1:0]  b_t_q;
  logic [Lanes-1:0]     b_mask_q;
  logic                 b_first_q, b_last_q;
  logic [3:0]           b_frac_q;
  logic [LenWidth-1:0]  b_len_q;
  logic signed [17:0]   b_mb_q;
  logic signed [17:0]   mb_d;

  // The beat's maximum as a balanced tree of compare-selects (log2 Lanes levels,
  // not a chain of Lanes - 1: timing, docs/silicon.md). Node n (1 = root) sits
  // at [(n-1)*TW +: TW], its children are 2n and 2n+1, leaf i is node MaxP2+i.
  // Lane 0 is always valid; masked lanes and the padding enter as the most
  // negative value, so the maximum is that of lane 0 and the unmasked lanes.
  localparam int unsigned MaxP2 = 1 << $clog2(Lanes);
  localparam logic signed [TW-1:0] TMin = {1'b1, {(TW-1){1'b0}}};
  logic [(2*MaxP2-1)*TW-1:0] mx_node /*verilator split_var*/;
  for (genvar gi = 0; gi < MaxP2; gi++) begin : g_max_leaf
    if (gi == 0) begin : g_lane0
      assign mx_node[(MaxP2-1)*TW +: TW] = a_t_q[0 +: TW];
    end else if (gi < Lanes) begin : g_lane
      assign mx_node[(MaxP2+gi-1)*TW +: TW] = a_mask_q[gi] ? a_t_q[gi*TW +: TW] : TMin;
    end else begin : g_pad
      assign mx_node[(MaxP2+gi-1)*TW +: TW] = TMin;
    end
  end
  for (genvar gn = 1; gn < MaxP2; gn++) begin : g_max_node
    logic signed [TW-1:0] lo, hi;
    assign lo = mx_node[(2*gn-1)*TW +: TW];
    assign hi = mx_node[(2*gn)*TW +: TW];
    assign mx_node[(gn-1)*TW +: TW] = (hi > lo) ? hi : lo;
  end

  always_comb begin
    logic signed [TW-1:0] tmax;
    logic signed [TW:0]   tceil;
    tmax  = mx_node[0 +: TW];
    tceil = (TW+1)'(tmax) + (TW+1)'((1 << TFrac) - 1);
    mb_d  = 18'(tceil >>> TFrac);
  end

  // Stage C: running maximum (the only pass-1 loop besides the sum) and the
  // exponent arguments relative to it.
  logic signed [17:0]   m_run_q, m_run_d;
  logic                 c_valid_q;
  logic [Lanes*DW-1:0]  c_d_q;
  logic [Lanes-1:0]     c_mask_q;
  logic                 c_first_q, c_last_q;
  logic [3:0]           c_frac_q;
  logic [LenWidth-1:0]  c_len_q;
  logic [5:0]           c_delta_q;
  logic signed [17:0]   c_m_q;
  logic signed [17:0]   m_new;
  logic [5:0]           delta_d;
  logic [Lanes*DW-1:0]  c_d_d;

  always_comb begin
    logic signed [18:0] diff;
    m_new = (b_first_q || (b_mb_q > m_run_q)) ? b_mb_q : m_run_q;
    diff  = 19'(m_new) - 19'(m_run_q);
    delta_d = (diff > 19'sd63) ? 6'd63 : diff[5:0];
    for (int i = 0; i < Lanes; i++)
      c_d_d[i*DW +: DW] = clamp_arg(OmegaW'($signed(b_t_q[i*TW +: TW])) - (OmegaW'(m_new) <<< TFrac));
  end

  // Stage H: first half of the exp2 units (their internal register) and the
  // side signals delayed to match. Stage D: exp2 mantissas. Stage E: rounded
  // Q1.40 terms.
  logic                 h_valid_q;
  logic [Lanes*7-1:0]   h_shift_q;  // -floor(arg), 0..64
  logic [Lanes-1:0]     h_mask_q;
  logic                 h_first_q, h_last_q;
  logic [3:0]           h_frac_q;
  logic [LenWidth-1:0]  h_len_q;
  logic [5:0]           h_delta_q;
  logic signed [17:0]   h_m_q;

  logic                 d_valid_q;
  logic [Lanes*32-1:0]  d_mant_q;
  logic [Lanes*7-1:0]   d_shift_q;  // -floor(arg), 0..64
  logic [Lanes-1:0]     d_mask_q;
  logic                 d_first_q, d_last_q;
  logic [3:0]           d_frac_q;
  logic [LenWidth-1:0]  d_len_q;
  logic [5:0]           d_delta_q;
  logic signed [17:0]   d_m_q;
  logic [Lanes*32-1:0]  mant1_d;
  logic [Lanes*7-1:0]   shift1_d;

  for (genvar gi = 0; gi < Lanes; gi++) begin : g_exp1
    logic signed [DW-1:0] arg;
    logic signed [6:0]    k;
    assign arg = c_d_q[gi*DW +: DW];
    assign k   = arg[DW-1:24];
    assign shift1_d[gi*7 +: 7] = 7'(-k);
    softmax_exp2 u_exp2 (
      .clk_i  (clk_i),
      .en_i   (en1),
      .frac_i (arg[23:0]),
      .mant_o (mant1_d[gi*32 +: 32])
    );
  end

  logic                 e_valid_q;
  logic [Lanes*EW-1:0]  e_term_q;
  logic                 e_first_q, e_last_q;
  logic [3:0]           e_frac_q;
  logic [LenWidth-1:0]  e_len_q;
  logic [5:0]           e_delta_q;
  logic signed [17:0]   e_m_q;
  logic [Lanes*EW-1:0]  term_d;

  always_comb begin
    for (int i = 0; i < Lanes; i++) begin
      logic [41:0] m;
      logic [6:0]  sh;
      m  = {d_mant_q[i*32 +: 32], 10'd0};
      sh = d_shift_q[i*7 +: 7];
      if (!d_mask_q[i]) term_d[i*EW +: EW] = '0;
      else if (sh == 7'd0) term_d[i*EW +: EW] = EW'(m);
      else term_d[i*EW +: EW] = EW'(((m >> (sh - 7'd1)) + 42'd1) >> 1);
    end
  end

  // Stage F: the beat's sum of terms.
  logic                    f_valid_q;
  logic [LaneSumW-1:0]     f_sum_q;
  logic                    f_first_q, f_last_q;
  logic [3:0]              f_frac_q;
  logic [LenWidth-1:0]     f_len_q;
  logic [5:0]              f_delta_q;
  logic signed [17:0]      f_m_q;
  logic [LaneSumW-1:0]     beat_sum_d;

  always_comb begin
    beat_sum_d = '0;
    for (int i = 0; i < Lanes; i++) beat_sum_d = beat_sum_d + LaneSumW'(e_term_q[i*EW +: EW]);
  end

  // Running sum (loop: shift by the max increase, add the beat).
  logic [SumWidth-1:0] s_run_q, s_run_d;
  logic [SumWidth-1:0] s_next;
  always_comb begin
    if (f_first_q) s_next = SumWidth'(f_sum_q);
    else s_next = (s_run_q >> f_delta_q) + SumWidth'(f_sum_q);
  end

  // Finished vector waiting for the log2 unit.
  logic                 res_valid_q, res_valid_d;
  logic [SumWidth-1:0]  res_sum_q, res_sum_d;
  logic [17:0]          res_m_q, res_m_d;
  logic [3:0]           res_frac_q, res_frac_d;
  logic [LenWidth-1:0]  res_len_q, res_len_d;
  logic                 log_in_ready;
  logic                 log_fire;

  assign log_fire = res_valid_q && log_in_ready;
  assign en1      = !res_valid_q || log_fire;

  always_comb begin
    p1_mid_d       = p1_mid_q;
    p1_len_d       = p1_len_q;
    err_overlong_d = err_overlong_q;
    m_run_d        = m_run_q;
    s_run_d        = s_run_q;
    res_valid_d    = res_valid_q && !log_fire;
    res_sum_d      = res_sum_q;
    res_m_d        = res_m_q;
    res_frac_d     = res_frac_q;
    res_len_d      = res_len_q;
    if (logit_fire) begin
      p1_mid_d = !logit_last_i;
      p1_len_d = p1_len_now;
      if (p1_len_now > LenWidth'(MaxLen)) err_overlong_d = 1'b1;
    end
    if (en1 && b_valid_q) m_run_d = m_new;
    if (en1 && f_valid_q) begin
      s_run_d = s_next;
      if (f_last_q) begin
        res_valid_d = 1'b1;
        res_sum_d   = s_next;
        res_m_d     = f_m_q;
        res_frac_d  = f_frac_q;
        res_len_d   = f_len_q;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      p1_mid_q       <= 1'b0;
      err_overlong_q <= 1'b0;
      a_valid_q      <= 1'b0;
      b_valid_q      <= 1'b0;
      c_valid_q      <= 1'b0;
      h_valid_q      <= 1'b0;
      d_valid_q      <= 1'b0;
      e_valid_q      <= 1'b0;
      f_valid_q      <= 1'b0;
      res_valid_q    <= 1'b0;
    end else begin
      p1_mid_q       <= p1_mid_d;
      err_overlong_q <= err_overlong_d;
      res_valid_q    <= res_valid_d;
      if (en1) begin
        a_valid_q <= logit_fire;
        b_valid_q <= a_valid_q;
        c_valid_q <= b_valid_q;
        h_valid_q <= c_valid_q;
        d_valid_q <= h_valid_q;
        e_valid_q <= d_valid_q;
        f_valid_q <= e_valid_q;
      end
    end
  end

  // Pipeline data: no reset needed, qualified by the valid bits.
  always_ff @(posedge clk_i) begin
    p1_len_q   <= p1_len_d;
    m_run_q    <= m_run_d;
    s_run_q    <= s_run_d;
    res_sum_q  <= res_sum_d;
    res_m_q    <= res_m_d;
    res_frac_q <= res_frac_d;
    res_len_q  <= res_len_d;
    if (en1) begin
      a_t_q     <= a_t_d;
      a_mask_q  <= lane_mask(logit_count_i);
      a_first_q <= !p1_mid_q;
      a_last_q  <= logit_last_i;
      a_frac_q  <= frac_bits_i;
      a_len_q   <= p1_len_now;

      b_t_q     <= a_t_q;
      b_mask_q  <= a_mask_q;
      b_first_q <= a_first_q;
      b_last_q  <= a_last_q;
      b_frac_q  <= a_frac_q;
      b_len_q   <= a_len_q;
      b_mb_q    <= mb_d;

      c_d_q     <= c_d_d;
      c_mask_q  <= b_mask_q;
      c_first_q <= b_first_q;
      c_last_q  <= b_last_q;
      c_frac_q  <= b_frac_q;
      c_len_q   <= b_len_q;
      c_delta_q <= delta_d;
      c_m_q     <= m_new;

      h_shift_q <= shift1_d;
      h_mask_q  <= c_mask_q;
      h_first_q <= c_first_q;
      h_last_q  <= c_last_q;
      h_frac_q  <= c_frac_q;
      h_len_q   <= c_len_q;
      h_delta_q <= c_delta_q;
      h_m_q     <= c_m_q;

      d_mant_q  <= mant1_d;
      d_shift_q <= h_shift_q;
      d_mask_q  <= h_mask_q;
      d_first_q <= h_first_q;
      d_last_q  <= h_last_q;
      d_frac_q  <= h_frac_q;
      d_len_q   <= h_len_q;
      d_delta_q <= h_delta_q;
      d_m_q     <= h_m_q;

      e_term_q  <= term_d;
      e_first_q <= d_first_q;
      e_last_q  <= d_last_q;
      e_frac_q  <= d_frac_q;
      e_len_q   <= d_len_q;
      e_delta_q <= d_delta_q;
      e_m_q     <= d_m_q;

      f_sum_q   <= beat_sum_d;
      f_first_q <= e_first_q;
      f_last_q  <= e_last_q;
      f_frac_q  <= e_frac_q;
      f_len_q   <= e_len_q;
      f_delta_q <= e_delta_q;
      f_m_q     <= e_m_q;
    end
  end

  // ---- log2 of the sum, then the statistics queue ----------------------------
  logic                      log_out_valid, log_out_ready, log_busy;
  logic signed [31:0]        log_value;
  logic [18+4+LenWidth-1:0]  log_side;
  logic                      stats_in_valid, stats_in_ready;
  logic [StatsW-1:0]         stats_in_data;
  logic                      stats_valid, stats_pop;
  logic                      unused_stats_full, unused_stats_empty;
  logic [$clog2(StatsDepth+1)-1:0] stats_count;
  logic [StatsW-1:0]         stats_data;

  softmax_log2 #(
    .SumWidth  (SumWidth),
    .SideWidth (18 + 4 + LenWidth)
  ) u_log2 (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (res_valid_q),
    .in_ready_o  (log_in_ready),
    .in_sum_i    (res_sum_q),
    .in_side_i   ({res_m_q, res_frac_q, res_len_q}),
    .out_valid_o (log_out_valid),
    .out_ready_i (log_out_ready),
    .out_log_o   (log_value),
    .out_side_o  (log_side),
    .busy_o      (log_busy)
  );

  always_comb begin
    logic signed [OmegaW-1:0] omega;
    omega = (OmegaW'($signed(log_side[4+LenWidth +: 18])) <<< TFrac) + OmegaW'(log_value);
    stats_in_data = {omega, log_side[LenWidth +: 4], log_side[0 +: LenWidth]};
  end
  // Room is judged from the registered count (not the FIFO's pass-through
  // ready, which depends on this cycle's pop), so no combinational path runs
  // from resend_valid_i to logit_ready_o.
  assign log_out_ready  = (stats_count < ($clog2(StatsDepth+1))'(StatsDepth));
  assign stats_in_valid = log_out_valid && log_out_ready;

  fifo_sync #(
    .Width (StatsW),
    .Depth (StatsDepth)
  ) u_stats (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (1'b0),
    .in_valid_i  (stats_in_valid),
    .in_ready_o  (stats_in_ready),
    .in_data_i   (stats_in_data),
    .out_valid_o (stats_valid),
    .out_ready_i (stats_pop),
    .out_data_o  (stats_data),
    .full_o      (unused_stats_full),
    .empty_o     (unused_stats_empty),
    .count_o     (stats_count)
  );

  // =========================== pass 2 =========================================
  logic signed [OmegaW-1:0] stats_omega;
  logic [3:0]               stats_frac;
  logic [LenWidth-1:0]      stats_len;
  assign stats_omega = stats_data[4+LenWidth +: OmegaW];
  assign stats_frac  = stats_data[LenWidth +: 4];
  assign stats_len   = stats_data[0 +: LenWidth];

  localparam int unsigned PendW = $clog2(OutDepth + 1);
  logic [PendW-1:0]    pending_q, pending_d;  // accepted, not yet out of the FIFO
  logic                resend_fire;
  logic                prob_fire;
  logic [LenWidth-1:0] p2_len_q, p2_len_d;
  logic                p2_mid_q, p2_mid_d;
  logic [LenWidth-1:0] p2_len_now;
  logic                err_length_q, err_length_d;

  assign resend_ready_o = stats_valid && (pending_q < PendW'(OutDepth));
  assign resend_fire    = resend_valid_i && resend_ready_o;
  assign stats_pop      = resend_fire && resend_last_i;
  assign p2_len_now     = (p2_mid_q ? p2_len_q : '0) + count_value(resend_count_i);

  // Stage A2: base-2 logits with this vector's F and Omega.
  logic                 a2_valid_q;
  logic [Lanes*TW-1:0]  a2_t_q;
  logic [Lanes-1:0]     a2_mask_q;
  logic [CountWidth-1:0] a2_count_q;
  logic                 a2_last_q;
  logic signed [OmegaW-1:0] a2_omega_q;
  logic [Lanes*TW-1:0]  a2_t_d;
  always_comb begin
    for (int i = 0; i < Lanes; i++) a2_t_d[i*TW +: TW] = to_base2(resend_data_i[i*16 +: 16], stats_frac);
  end

  // Stage B2: exponent arguments t - Omega, clamped to [-64, 0].
  logic                 b2_valid_q;
  logic [Lanes*DW-1:0]  b2_g_q;
  logic [Lanes-1:0]     b2_mask_q;
  logic [CountWidth-1:0] b2_count_q;
  logic                 b2_last_q;
  logic [Lanes*DW-1:0]  b2_g_d;
  always_comb begin
    for (int i = 0; i < Lanes; i++)
      b2_g_d[i*DW +: DW] = clamp_arg(OmegaW'($signed(a2_t_q[i*TW +: TW])) - a2_omega_q);
  end

  // Stage H2: first half of the exp2 units and the matching side signals.
  // Stage C2: exp2 mantissas; then rounding into the output FIFO.
  logic                 h2_valid_q;
  logic [Lanes*7-1:0]   h2_shift_q;
  logic [Lanes-1:0]     h2_mask_q;
  logic [CountWidth-1:0] h2_count_q;
  logic                 h2_last_q;

  logic                 c2_valid_q;
  logic [Lanes*32-1:0]  c2_mant_q;
  logic [Lanes*7-1:0]   c2_shift_q;
  logic [Lanes-1:0]     c2_mask_q;
  logic [CountWidth-1:0] c2_count_q;
  logic                 c2_last_q;
  logic [Lanes*32-1:0]  mant2_d;
  logic [Lanes*7-1:0]   shift2_d;

  for (genvar gi = 0; gi < Lanes; gi++) begin : g_exp2
    logic signed [DW-1:0] arg;
    logic signed [6:0]    k;
    assign arg = b2_g_q[gi*DW +: DW];
    assign k   = arg[DW-1:24];
    assign shift2_d[gi*7 +: 7] = 7'(-k);
    softmax_exp2 u_exp2 (
      .clk_i  (clk_i),
      .en_i   (1'b1),
      .frac_i (arg[23:0]),
      .mant_o (mant2_d[gi*32 +: 32])
    );
  end

  logic [Lanes*16-1:0] prob_d;
  always_comb begin
    for (int i = 0; i < Lanes; i++) begin
      logic [7:0]  sh;
      logic [32:0] p;
      sh = 8'(c2_shift_q[i*7 +: 7]) + 8'(30 - OutFrac);  // 14 .. 78
      p  = ((33'(c2_mant_q[i*32 +: 32]) >> (sh - 8'd1)) + 33'd1) >> 1;
      if (!c2_mask_q[i]) prob_d[i*16 +: 16] = '0;
      else if (p > 33'hFFFF) prob_d[i*16 +: 16] = 16'hFFFF;
      else prob_d[i*16 +: 16] = p[15:0];
    end
  end

  logic fifo_in_ready;
  logic unused_out_full, unused_out_empty;
  logic [$clog2(OutDepth+1)-1:0] unused_out_count;
  fifo_sync #(
    .Width (OutW),
    .Depth (OutDepth)
  ) u_out (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (1'b0),
    .in_valid_i  (c2_valid_q),
    .in_ready_o  (fifo_in_ready),
    .in_data_i   ({c2_last_q, c2_count_q, prob_d}),
    .out_valid_o (prob_valid_o),
    .out_ready_i (prob_ready_i),
    .out_data_o  ({prob_last_o, prob_count_o, prob_data_o}),
    .full_o      (unused_out_full),
    .empty_o     (unused_out_empty),
    .count_o     (unused_out_count)
  );
  assign prob_fire = prob_valid_o && prob_ready_i;

  always_comb begin
    pending_d    = pending_q;
    p2_len_d     = p2_len_q;
    p2_mid_d     = p2_mid_q;
    err_length_d = err_length_q;
    if (resend_fire && !prob_fire) pending_d = pending_q + PendW'(1);
    if (!resend_fire && prob_fire) pending_d = pending_q - PendW'(1);
    if (resend_fire) begin
      p2_mid_d = !resend_last_i;
      p2_len_d = (p2_len_now > LenWidth'(MaxLen + 1)) ? LenWidth'(MaxLen + 1) : p2_len_now;
      if (resend_last_i && (p2_len_d != stats_len)) err_length_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pending_q    <= '0;
      p2_mid_q     <= 1'b0;
      err_length_q <= 1'b0;
      a2_valid_q   <= 1'b0;
      b2_valid_q   <= 1'b0;
      h2_valid_q   <= 1'b0;
      c2_valid_q   <= 1'b0;
    end else begin
      pending_q    <= pending_d;
      p2_mid_q     <= p2_mid_d;
      err_length_q <= err_length_d;
      a2_valid_q   <= resend_fire;
      b2_valid_q   <= a2_valid_q;
      h2_valid_q   <= b2_valid_q;
      c2_valid_q   <= h2_valid_q;
    end
  end

  always_ff @(posedge clk_i) begin
    p2_len_q   <= p2_len_d;
    a2_t_q     <= a2_t_d;
    a2_mask_q  <= lane_mask(resend_count_i);
    a2_count_q <= resend_count_i;
    a2_last_q  <= resend_last_i;
    a2_omega_q <= stats_omega;
    b2_g_q     <= b2_g_d;
    b2_mask_q  <= a2_mask_q;
    b2_count_q <= a2_count_q;
    b2_last_q  <= a2_last_q;
    h2_shift_q <= shift2_d;
    h2_mask_q  <= b2_mask_q;
    h2_count_q <= b2_count_q;
    h2_last_q  <= b2_last_q;
    c2_mant_q  <= mant2_d;
    c2_shift_q <= h2_shift_q;
    c2_mask_q  <= h2_mask_q;
    c2_count_q <= h2_count_q;
    c2_last_q  <= h2_last_q;
  end

  // ---- status and performance counters ---------------------------------------
  logic [31:0] busy_q, vectors_q, lstall_q, rwait_q;
  logic        busy_now;
  assign busy_now = p1_mid_q || p2_mid_q || a_valid_q || b_valid_q || c_valid_q || h_valid_q || d_valid_q ||
                    e_valid_q || f_valid_q || res_valid_q || log_busy || stats_valid ||
                    (pending_q != '0);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q    <= '0;
      vectors_q <= '0;
      lstall_q  <= '0;
      rwait_q   <= '0;
    end else begin
      busy_q    <= busy_q + 32'(busy_now);
      vectors_q <= vectors_q + 32'(prob_fire && prob_last_o);
      lstall_q  <= lstall_q + 32'(logit_valid_i && !logit_ready_o);
      rwait_q   <= rwait_q + 32'(resend_valid_i && !resend_ready_o);
    end
  end

  assign err_overlong_o     = err_overlong_q;
  assign err_length_o       = err_length_q;
  assign perf_busy_cycles_o = busy_q;
  assign perf_vectors_o     = vectors_q;
  assign perf_logit_stall_o = lstall_q;
  assign perf_resend_wait_o = rwait_q;

`ifndef SYNTHESIS
  // The credit scheme guarantees the output FIFO always has room.
  always_ff @(posedge clk_i) begin
    if (c2_valid_q && !fifo_in_ready) $error("softmax_unit: output FIFO overrun");
  end
`endif

  logic unused_bits;
  assign unused_bits = ^{c_first_q, c_last_q, d_frac_q, a2_mask_q, stats_in_ready};

`ifdef SQUISH_ASSERT
  // Simulation-only checks (Verilator --assert -DSQUISH_ASSERT), see squish_assert.svh.
  `ASSERT_STREAM(ProbHold, prob_valid_o, prob_ready_i, {prob_data_o, prob_count_o, prob_last_o})
  `ASSERT(ProbCountLegal, !prob_valid_o || (prob_count_o != '0 && 32'(prob_count_o) <= Lanes))
`endif

endmodule

`default_nettype wire
