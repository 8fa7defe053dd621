// he_ntt_unit: streaming negacyclic NTT / inverse NTT / pointwise product /
// pointwise multiply-accumulate over Z_q, q an odd prime below 2^W,
// n = 2^logn coefficients (4B <= n <= 2^LogNMax), B butterflies per cycle.
// Bit-exact with squish::he::NttUnitModel (sw/src/he/ntt_unit.cpp), whose
// transforms equal squish::he::NttTables::forward / ::inverse_unscaled and whose
// products are he::Montgomery's (w = W).
//
// Jobs (cfg_* sampled when the job starts, held by the host until it ends). A
// job starts, while idle, on start_i (a one-cycle pulse: its input is the
// resident result, no input beats) or else on the first s_* beat (its input is
// the n streamed coefficients).
//   cfg_op_i = 0  forward NTT: natural-order in, bit-reversed out (as the golden)
//            = 1  inverse NTT without the n^-1 scaling: bit-reversed in, natural out
//            = 2  pointwise: r[i] = in[i] * tw[i] * 2^-W mod q (Montgomery);
//                 r becomes the accumulator
//            = 3  multiply-accumulate: acc[i] = (acc[i] + in[i] * tw[i] * 2^-W) mod q
//   cfg_emit_i = 1 streams the job's result out on m_* (n/B beats); 0 keeps it
//   in the unit only (the job ends with its compute phase, no output beats).
//   Every accepted job leaves its result resident in one coefficient buffer.
//   The accumulator is the result of the last accepted job when that job was an
//   op 2 or op 3: op 2 starts a sum, each op 3 adds one product, the sum is read
//   out by an op 3 with cfg_emit_i = 1 (or any op 2/3 job emits the running
//   value). An op 0 or 1 job uses both buffers and ends the accumulation.
//   The twiddle store has 2^LogTwSlots slots of NMax coefficients; the tw_*
//   stream writes slot tw_slot_i (held during a load) from word 0 up to
//   tw_last_i, only while no job runs, and a job reads slot cfg_slot_i: for
//   op 0, psi_rev[k] * 2^W mod q; for op 1, psi_inv_rev[k] * 2^W mod q; for ops
//   2 and 3 the second operand (the host folds whatever scaling it wants into
//   it, e.g. n^-1 * 2^W for a product). Slots keep forward and inverse
//   twiddles and an operand resident, so a product NTT -> op 2 -> INTT runs
//   with start_i jobs and one polynomial in, one out.
//   cfg_qinv_i = -q^-1 mod 2^W. All coefficients and store words must be < q.
//
// Data flow: the n coefficients arrive as n/B beats (lane l of beat w is
// coefficient wB + l) into ping-pong buffer X, the one not holding the resident
// result; logn constant-geometry stages then read buffer X ^ s&1 and write the
// other; ops 2 and 3 read word k of X (and for op 3 word k of the accumulator
// in ~X) and write word k of ~X, so the accumulator stays where it is.
// Forward stage s reads positions i and i + n/2 and writes 2i, 2i+1 (Pease),
// with twiddle psi_rev[2^s + i mod 2^s];
// after logn stages every value sits where the in-place Cooley-Tukey puts it.
// The inverse reverses the pattern (reads 2i, 2i+1, writes i, i + n/2; Gentleman-
// Sande butterfly, twiddle psi_inv_rev[m + i mod m], m = n / 2^(s+1)). Each buffer
// is four banks, (half, word parity), so both reads and both writes of a cycle
// land in different banks of 1R1W RAMs. Between stages the 11-cycle butterfly
// pipeline drains (logn x 11 cycles per transform, the only overhead on the
// ideal (n/2) logn / B).
//
// Ports: AXI4-Stream style valid/ready on s_* (coefficients in, 64-bit lanes,
// low W bits used), tw_* (twiddle words) and m_* (coefficients out); m_last_o
// on the job's last beat. A beat with s_last_i before beat n/B, or none on it,
// raises err_length_o; the job still completes on the beat count.
// Errors (sticky until reset, never a hang): err_cfg_o for logn outside
// [log2(4B), LogNMax], even q, q = 1, an op 3 without an accumulator (after
// reset or after an op 0/1 job) or with a logn or q other than the
// accumulator's, and a start_i job with no resident result (after reset), with
// a logn or q other than the resident result's, or with op 3: a rejected
// streamed job's beats are accepted up to s_last_i and dropped; either way no
// output, and the unit's state (resident result, accumulator, twiddle store,
// perf_jobs_o) is unchanged.
// perf_compute_o counts the cycles of the last job's compute phase (first
// butterfly issue to last write), the figure bench_he compares with the ideal;
// perf_jobs_o the jobs accepted since reset (a host tells a dropped job by it).
//
// Cost: B he_modmul (3 W x W multipliers each), 2B modular adders/subtractors,
// 8 coefficient banks of NMax / (4B) x B W bits (2 x NMax x W bits) and one
// twiddle store of 2^LogTwSlots x NMax / B words of B W bits
// (2^LogTwSlots x NMax x W bits).
// squish-synth: chparam -set B 1 -set LogNMax 5
`default_nettype none

module he_ntt_unit #(
  /// Butterflies per cycle (power of two).
  parameter int unsigned B /*verilator public*/ = 2,
  /// Largest transform: 2^LogNMax coefficients.
  parameter int unsigned LogNMax /*verilator public*/ = 13,
  /// Coefficient width; moduli below 2^W.
  parameter int unsigned W /*verilator public*/ = 60,
  /// Twiddle store slots: 2^LogTwSlots tables of NMax coefficients (>= 1).
  parameter int unsigned LogTwSlots /*verilator public*/ = 2,
  /// Derived.
  parameter int unsigned NMax = 1 << LogNMax,
  parameter int unsigned LogB = (B > 1) ? $clog2(B) : 0,
  parameter int unsigned BankDepth = NMax / (4 * B),
  parameter int unsigned BankAw = (BankDepth > 1) ? $clog2(BankDepth) : 1,
  parameter int unsigned TwDepth = NMax / B,
  parameter int unsigned TwAw = (TwDepth > 1) ? $clog2(TwDepth) : 1,
  parameter int unsigned WordW = B * W
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // Configuration (per job).
  input  logic [3:0]        cfg_logn_i,
  input  logic [1:0]        cfg_op_i,
  input  logic              cfg_emit_i,
  input  logic [LogTwSlots-1:0] cfg_slot_i,
  // Starts a job on the resident result (no input beats), one-cycle pulse while idle.
  input  logic              start_i,
  input  logic [W-1:0]      cfg_q_i,
  input  logic [W-1:0]      cfg_qinv_i,
  // Twiddle / operand store.
  input  logic              tw_valid_i,
  output logic              tw_ready_o,
  input  logic [LogTwSlots-1:0] tw_slot_i,
  input  logic [64*B-1:0]   tw_data_i,
  input  logic              tw_last_i,
  // Coefficients in.
  input  logic              s_valid_i,
  output logic              s_ready_o,
  input  logic [64*B-1:0]   s_data_i,
  input  logic              s_last_i,
  // Coefficients out.
  output logic              m_valid_o,
  input  logic              m_ready_i,
  output logic [64*B-1:0]   m_data_o,
  output logic              m_last_o,
  // Status.
  output logic              busy_o,
  output logic              err_cfg_o,
  output logic              err_length_o,
  output logic [31:0]       perf_compute_o,
  output logic [31:0]       perf_jobs_o
);

  localparam int unsigned MulLat = 8;  // he_modmul's latency
  localparam int unsigned Lat = MulLat + 3;  // issue -> write: RAM 1, operands 1, modmul, sums 1
  localparam int unsigned WordAw = LogNMax - LogB;  // word index width

  typedef enum logic [2:0] {StIdle, StLoad, StDrop, StCompute, StDrain, StOut} state_e;
  state_e state_q, state_d;

  // ------------------------------------------------------------ job registers
  logic [3:0]   logn_q;        // of the running job, then of the resident result
  logic [1:0]   op_q;
  logic         emit_q;        // stream the result out at the end of the job
  logic [LogTwSlots-1:0] slot_q;  // twiddle store slot the job reads
  logic         res_valid_q;   // a resident result exists (some job was accepted since reset)
  logic         in_buf_q;      // buffer X holding the job's input (stage 0 reads it)
  logic         res_buf_q;     // buffer holding the resident result (the running job's once it started)
  logic         acc_valid_q;   // the resident result is an accumulator (last accepted job: op 2 or 3)
  logic [W-1:0] q_q, qinv_q;
  logic [WordAw:0] words_q;      // n / B
  logic [WordAw-1:0] half_q;     // H = n / (2B) words per half
  logic [WordAw:0] wcnt_q;       // load / output word counter
  logic [WordAw:0] rcnt_q;       // output reads issued
  logic [3:0]   stage_q;
  logic [WordAw:0] k_q;          // issue counter within a stage
  logic [WordAw:0] issues_q;     // issues per stage
  logic [Lat-1:0] pipe_v_q;
  logic [31:0]  perf_q;
  logic [31:0]  jobs_q;        // accepted jobs since reset
  logic         err_cfg_q, err_len_q;
  logic [TwAw:0] tw_wcnt_q;

  // A job starts in StIdle on start_i (input: the resident result) or else on
  // the first input beat (input: the s_* stream).
  logic go, go_res;
  assign go_res = state_q == StIdle && start_i;
  assign go     = state_q == StIdle && (start_i || s_valid_i);

  logic cfg_ok;
  always_comb begin
    cfg_ok = 1'b1;
    if ({28'd0, cfg_logn_i} < LogB + 2 || {28'd0, cfg_logn_i} > LogNMax) cfg_ok = 1'b0;
    if (!cfg_q_i[0] || cfg_q_i == W'(1)) cfg_ok = 1'b0;
    // MAC: only onto an accumulator of the same n and q.
    if (cfg_op_i == 2'd3 && (!acc_valid_q || cfg_logn_i != logn_q || cfg_q_i != q_q)) cfg_ok = 1'b0;
    // Resident input: a result of the same n and q; not for op 3 (it would be
    // its own accumulator).
    if (start_i && (!res_valid_q || cfg_logn_i != logn_q || cfg_q_i != q_q || cfg_op_i == 2'd3)) cfg_ok = 1'b0;
  end

  // ------------------------------------------------------------ banks
  // Buffer b, bank {half, parity}: index 4b + 2 half + parity.
  logic [7:0]              bk_we, bk_re;
  logic [BankAw-1:0]       bk_waddr [8];
  logic [WordW-1:0]        bk_wdata [8];
  logic [BankAw-1:0]       bk_raddr [8];
  logic [WordW-1:0]        bk_rdata [8];
  logic                    tw_we, tw_re;
  logic [LogTwSlots+TwAw-1:0] tw_waddr, tw_raddr;
  logic [WordW-1:0]        tw_wdata, tw_rdata;

  for (genvar g = 0; g < 8; g++) begin : g_bank
    he_ntt_ram #(.Depth(BankDepth), .Width(WordW)) u_bank (
      .clk_i, .we_i(bk_we[g]), .waddr_i(bk_waddr[g]), .wdata_i(bk_wdata[g]),
      .re_i(bk_re[g]), .raddr_i(bk_raddr[g]), .rdata_o(bk_rdata[g]));
  end
  he_ntt_ram #(.Depth(TwDepth << LogTwSlots), .Width(WordW)) u_tw (
    .clk_i, .we_i(tw_we), .waddr_i(tw_waddr), .wdata_i(tw_wdata),
    .re_i(tw_re), .raddr_i(tw_raddr), .rdata_o(tw_rdata));

  // Low W bits of each 64-bit lane.
  function automatic logic [WordW-1:0] pack_lanes(input logic [64*B-1:0] d);
    for (int l = 0; l < B; l++) pack_lanes[l*W +: W] = d[l*64 +: W];
  endfunction

  // Word w of a buffer: bank {w >= H, w[0]}, address (w mod H) >> 1.
  function automatic logic [1:0] bank_of(input logic [WordAw:0] w, input logic [WordAw-1:0] h);
    bank_of = {w >= {1'b0, h}, w[0]};
  endfunction
  function automatic logic [BankAw-1:0] addr_of(input logic [WordAw:0] w, input logic [WordAw-1:0] h);
    addr_of = BankAw'(((w >= {1'b0, h}) ? (w - {1'b0, h}) : w) >> 1);
  endfunction

  // ------------------------------------------------------------ issue (P0)
  logic issue;
  logic src_buf, dst_buf;
  logic [LogNMax:0] tpow;  // 2^s (forward) or m (inverse), in coefficients
  assign src_buf = stage_q[0] ^ in_buf_q;
  assign issue   = state_q == StCompute;

  always_comb begin
    if (op_q == 2'd1) tpow = (LogNMax+1)'(1) << (logn_q - 4'd1 - stage_q);
    else              tpow = (LogNMax+1)'(1) << stage_q;
  end

  // Read side: forward reads words k, k+H (halves, parity k[0], address k>>1);
  // inverse reads 2k, 2k+1 (half k >= H/2, address k mod H/2); pointwise word k.
  logic [1:0]        rd_sel_lo, rd_sel_hi;  // banks holding the two operand words
  logic [BankAw-1:0] rd_addr;
  always_comb begin
    rd_sel_lo = 2'd0;
    rd_sel_hi = 2'd0;
    rd_addr   = '0;
    unique case (op_q)
      2'd0: begin
        rd_sel_lo = {1'b0, k_q[0]};
        rd_sel_hi = {1'b1, k_q[0]};
        rd_addr   = BankAw'(k_q >> 1);
      end
      2'd1: begin
        rd_sel_lo = {k_q >= {2'b0, half_q[WordAw-1:1]}, 1'b0};
        rd_sel_hi = {k_q >= {2'b0, half_q[WordAw-1:1]}, 1'b1};
        rd_addr   = BankAw'((k_q >= {2'b0, half_q[WordAw-1:1]}) ? (k_q - {2'b0, half_q[WordAw-1:1]}) : k_q);
      end
      default: begin
        rd_sel_lo = bank_of(k_q, half_q);
        rd_sel_hi = rd_sel_lo;
        rd_addr   = addr_of(k_q, half_q);
      end
    endcase
  end

  // Twiddle word and lane selection (registered into P1).
  logic [TwAw-1:0] tw_word_issue;
  logic            tw_small_issue;  // 2^s < B: lanes read word 0 at tpow + b mod tpow
  always_comb begin
    tw_small_issue = tpow < (LogNMax+1)'(B);
    if (op_q[1])
      tw_word_issue = TwAw'(k_q);
    else if (tw_small_issue)
      tw_word_issue = '0;
    else
      tw_word_issue = TwAw'((tpow + (((LogNMax+1)'(k_q) << LogB) & (tpow - 1'b1))) >> LogB);
  end

  // ------------------------------------------------------------ P1: operands
  logic [1:0]        p1_sel_lo, p1_sel_hi;
  logic              p1_src, p1_small;
  logic [WordAw:0]   p1_k;
  logic [LogNMax:0]  p1_tpow;
  logic [WordW-1:0]  word_lo, word_hi;
  assign word_lo = bk_rdata[{p1_src, p1_sel_lo}];
  assign word_hi = bk_rdata[{p1_src, p1_sel_hi}];
  // MAC: the accumulator word k, same bank and address in the other buffer.
  logic [WordW-1:0] word_acc;
  assign word_acc = bk_rdata[{~p1_src, p1_sel_lo}];

  logic [WordW-1:0] op_u, op_v, op_w;  // per lane U, V, twiddle
  logic [LogNMax:0] tw_lane;
  always_comb begin
    op_u = '0;
    op_v = '0;
    op_w = '0;
    tw_lane = '0;
    for (int b = 0; b < B; b++) begin
      tw_lane = p1_tpow + ((LogNMax+1)'(b) & (p1_tpow - 1'b1));
      // Twiddle lane.
      if (!op_q[1] && p1_small)
        op_w[b*W +: W] = tw_rdata[W * 32'(tw_lane) +: W];
      else
        op_w[b*W +: W] = tw_rdata[b*W +: W];
      unique case (op_q)
        2'd0: begin
          op_u[b*W +: W] = word_lo[b*W +: W];
          op_v[b*W +: W] = word_hi[b*W +: W];
        end
        2'd1: begin
          // Positions 2i and 2i+1 of i = kB + b: word 2k + (2b)/B, lane (2b) mod B.
          op_u[b*W +: W] = ((2 * b) / B == 0) ? word_lo[((2 * b) % B) * W +: W] : word_hi[((2 * b) % B) * W +: W];
          op_v[b*W +: W] = ((2 * b + 1) / B == 0) ? word_lo[((2 * b + 1) % B) * W +: W]
                                                  : word_hi[((2 * b + 1) % B) * W +: W];
        end
        default: begin
          // Pointwise (op 2): U = 0; MAC (op 3): U = the accumulator.
          op_u[b*W +: W] = op_q[0] ? word_acc[b*W +: W] : '0;
          op_v[b*W +: W] = word_lo[b*W +: W];
        end
      endcase
    end
  end

  // Modular add / subtract (operands < q).
  function automatic logic [W-1:0] mod_add(input logic [W-1:0] a, input logic [W-1:0] b, input logic [W-1:0] q);
    logic [W:0] s;
    s = {1'b0, a} + {1'b0, b};
    mod_add = (s >= {1'b0, q}) ? W'(s - {1'b0, q}) : s[W-1:0];
  endfunction
  function automatic logic [W-1:0] mod_sub(input logic [W-1:0] a, input logic [W-1:0] b, input logic [W-1:0] q);
    mod_sub = (a >= b) ? a - b : W'({1'b0, a} + {1'b0, q} - {1'b0, b});
  endfunction

  // P1 -> P2 registers: multiplier operands and the butterfly's other term.
  logic [WordW-1:0] mul_x_q, mul_w_q, keep_q [MulLat+1];  // keep: U (fwd) or U+V (inv), delayed to the product
  logic [WordW-1:0] keep_d;
  always_comb begin
    keep_d = '0;
    for (int b = 0; b < B; b++)
      keep_d[b*W +: W] = (op_q == 2'd1) ? mod_add(op_u[b*W +: W], op_v[b*W +: W], q_q) : op_u[b*W +: W];
  end
  always_ff @(posedge clk_i) begin
    for (int b = 0; b < B; b++) begin
      mul_x_q[b*W +: W] <= (op_q == 2'd1) ? mod_sub(op_u[b*W +: W], op_v[b*W +: W], q_q) : op_v[b*W +: W];
      mul_w_q[b*W +: W] <= op_w[b*W +: W];
    end
    keep_q[0] <= keep_d;
    for (int i = 1; i <= MulLat; i++) keep_q[i] <= keep_q[i-1];
  end

  // P2..P(1+MulLat): B Montgomery multipliers.
  logic [WordW-1:0] prod;
  for (genvar b = 0; b < B; b++) begin : g_lane
    he_modmul #(.W(W)) u_mul (
      .clk_i, .a_i(mul_x_q[b*W +: W]), .b_i(mul_w_q[b*W +: W]), .q_i(q_q), .qinv_i(qinv_q),
      .p_o(prod[b*W +: W]));
  end

  // P6: butterfly outputs, arranged into the two destination words.
  logic [WordW-1:0] out0, out1, wr_word_a_q, wr_word_b_q;
  always_comb begin
    out0 = '0;
    out1 = '0;
    for (int b = 0; b < B; b++) begin
      if (op_q == 2'd1) begin
        out0[b*W +: W] = keep_q[MulLat][b*W +: W];
        out1[b*W +: W] = prod[b*W +: W];
      end else begin
        // Forward: U + V*w, U - V*w. Pointwise: 0 + in*tw (= the product, < q).
        // MAC: acc + in*tw. out1 is written only by the forward transform.
        out0[b*W +: W] = mod_add(keep_q[MulLat][b*W +: W], prod[b*W +: W], q_q);
        out1[b*W +: W] = mod_sub(keep_q[MulLat][b*W +: W], prod[b*W +: W], q_q);
      end
    end
  end
  always_ff @(posedge clk_i) begin
    for (int l = 0; l < B; l++) begin
      if (op_q == 2'd0) begin
        // Positions 2i + e of i = kB + b land in word 2k + c, lane l with
        // cB + l = 2b + e: lane l of word c takes butterfly (cB + l) / 2.
        wr_word_a_q[l*W +: W] <= (l % 2 == 0) ? out0[(l / 2) * W +: W] : out1[(l / 2) * W +: W];
        wr_word_b_q[l*W +: W] <= ((B + l) % 2 == 0) ? out0[((B + l) / 2) * W +: W] : out1[((B + l) / 2) * W +: W];
      end else begin
        wr_word_a_q[l*W +: W] <= out0[l*W +: W];
        wr_word_b_q[l*W +: W] <= out1[l*W +: W];
      end
    end
  end

  // Write side: the issue counter of each pipeline slot.
  logic [WordAw:0] k_pipe_q [Lat];
  always_ff @(posedge clk_i) begin
    k_pipe_q[0] <= k_q;
    for (int i = 1; i < Lat; i++) k_pipe_q[i] <= k_pipe_q[i-1];
  end
  logic [WordAw:0]   wk;
  logic              wr_en;
  logic [1:0]        wr_sel_a, wr_sel_b;
  logic [BankAw-1:0] wr_addr;
  assign wk    = k_pipe_q[Lat-1];
  assign wr_en = pipe_v_q[Lat-1];
  always_comb begin
    // Forward writes words 2k, 2k+1; inverse writes k, k+H; pointwise word k.
    unique case (op_q)
      2'd0: begin
        wr_sel_a = {wk >= {2'b0, half_q[WordAw-1:1]}, 1'b0};
        wr_sel_b = {wk >= {2'b0, half_q[WordAw-1:1]}, 1'b1};
        wr_addr  = BankAw'((wk >= {2'b0, half_q[WordAw-1:1]}) ? (wk - {2'b0, half_q[WordAw-1:1]}) : wk);
      end
      2'd1: begin
        wr_sel_a = {1'b0, wk[0]};
        wr_sel_b = {1'b1, wk[0]};
        wr_addr  = BankAw'(wk >> 1);
      end
      default: begin
        wr_sel_a = bank_of(wk, half_q);
        wr_sel_b = wr_sel_a;
        wr_addr  = addr_of(wk, half_q);
      end
    endcase
  end
  logic dst_of_write;
  logic [3:0] stage_pipe_q [Lat];
  always_ff @(posedge clk_i) begin
    stage_pipe_q[0] <= stage_q;
    for (int i = 1; i < Lat; i++) stage_pipe_q[i] <= stage_pipe_q[i-1];
  end
  assign dst_of_write = ~stage_pipe_q[Lat-1][0] ^ in_buf_q;
  assign dst_buf = ~src_buf;

  // ------------------------------------------------------------ output side
  logic [WordAw:0] out_word;
  logic            out_re, out_valid_q, out_last_q;
  logic [1:0]      out_sel_q;
  logic            fin_buf;
  assign fin_buf = res_buf_q;
  assign out_word = rcnt_q;
  assign out_re = state_q == StOut && rcnt_q < words_q && (!out_valid_q || m_ready_i);

  // ------------------------------------------------------------ bank ports
  logic load_we;
  assign load_we = state_q == StLoad && s_valid_i;
  always_comb begin
    bk_we = '0;
    bk_re = '0;
    for (int g = 0; g < 8; g++) begin
      bk_waddr[g] = wr_addr;
      bk_wdata[g] = (2'(g % 4) == wr_sel_b && !op_q[1]) ? wr_word_b_q : wr_word_a_q;
      bk_raddr[g] = rd_addr;
    end
    if (load_we) begin
      for (int g = 0; g < 8; g++) begin
        bk_waddr[g] = addr_of(wcnt_q, half_q);
        bk_wdata[g] = pack_lanes(s_data_i);
      end
      bk_we[{in_buf_q, bank_of(wcnt_q, half_q)}] = 1'b1;
    end else if (wr_en) begin
      bk_we[{dst_of_write, wr_sel_a}] = 1'b1;
      if (!op_q[1]) bk_we[{dst_of_write, wr_sel_b}] = 1'b1;
    end
    if (issue) begin
      bk_re[{src_buf, rd_sel_lo}] = 1'b1;
      bk_re[{src_buf, rd_sel_hi}] = 1'b1;
      if (op_q == 2'd3) bk_re[{dst_buf, rd_sel_lo}] = 1'b1;
    end else if (out_re) begin
      for (int g = 0; g < 8; g++) bk_raddr[g] = addr_of(out_word, half_q);
      bk_re[{fin_buf, bank_of(out_word, half_q)}] = 1'b1;
    end
  end

  assign tw_we    = tw_valid_i && tw_ready_o;
  assign tw_waddr = {tw_slot_i, TwAw'(tw_wcnt_q)};
  assign tw_wdata = pack_lanes(tw_data_i);
  assign tw_re    = issue;
  assign tw_raddr = {slot_q, tw_word_issue};

  // ------------------------------------------------------------ control
  logic last_issue;
  assign last_issue = k_q == issues_q - 1'b1;
  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StIdle:    if (go_res) state_d = cfg_ok ? StCompute : StIdle;
                 else if (s_valid_i) state_d = cfg_ok ? StLoad : StDrop;
      StLoad:    if (s_valid_i && wcnt_q == words_q - 1'b1) state_d = StCompute;
      StDrop:    if (s_valid_i && s_last_i) state_d = StIdle;
      StCompute: if (last_issue) state_d = StDrain;
      StDrain:   if (pipe_v_q == '0) begin
                   if (op_q[1] || stage_q + 4'd1 == logn_q) state_d = emit_q ? StOut : StIdle;
                   else state_d = StCompute;
                 end
      StOut:     if (out_valid_q && m_ready_i && out_last_q) state_d = StIdle;
      default:   state_d = StIdle;
    endcase
  end

  assign s_ready_o  = state_q == StLoad || state_q == StDrop;
  assign tw_ready_o = state_q == StIdle && !s_valid_i && !start_i;
  assign busy_o     = state_q != StIdle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      logn_q      <= '0;
      op_q        <= '0;
      emit_q      <= 1'b0;
      slot_q      <= '0;
      res_valid_q <= 1'b0;
      in_buf_q    <= 1'b0;
      res_buf_q   <= 1'b1;
      acc_valid_q <= 1'b0;
      q_q         <= '0;
      qinv_q      <= '0;
      words_q     <= '0;
      half_q      <= '0;
      wcnt_q      <= '0;
      rcnt_q      <= '0;
      stage_q     <= '0;
      k_q         <= '0;
      issues_q    <= '0;
      pipe_v_q    <= '0;
      perf_q      <= '0;
      jobs_q      <= '0;
      err_cfg_q   <= 1'b0;
      err_len_q   <= 1'b0;
      tw_wcnt_q   <= '0;
      out_valid_q <= 1'b0;
      out_last_q  <= 1'b0;
      out_sel_q   <= '0;
    end else begin
      state_q  <= state_d;
      pipe_v_q <= {pipe_v_q[Lat-2:0], issue};
      if (tw_we) tw_wcnt_q <= tw_last_i ? '0 : tw_wcnt_q + 1'b1;
      unique case (state_q)
        StIdle: begin
          if (go && cfg_ok) begin
            // Sample the configuration; the first beat is written next cycle in
            // StLoad. A rejected job changes nothing but err_cfg (its beats are
            // dropped), so logn_q / q_q keep describing the resident result.
            logn_q  <= cfg_logn_i;
            op_q    <= cfg_op_i;
            emit_q  <= cfg_emit_i;
            slot_q  <= cfg_slot_i;
            q_q     <= cfg_q_i;
            qinv_q  <= cfg_qinv_i;
            words_q <= (WordAw+1)'(1) << (cfg_logn_i - 4'(LogB));
            half_q  <= WordAw'((WordAw+1)'(1) << (cfg_logn_i - 4'(LogB) - 4'd1));
            issues_q <= cfg_op_i[1] ? (WordAw+1)'(1) << (cfg_logn_i - 4'(LogB))
                                    : (WordAw+1)'(1) << (cfg_logn_i - 4'(LogB) - 4'd1);
            wcnt_q  <= '0;
            stage_q <= '0;
            k_q     <= '0;
            // Input X: the resident result itself (start_i), else the buffer
            // not holding it (so a MAC's accumulator is kept). Result: ~X for
            // ops 2 and 3 (an accumulator never moves), X ^ logn[0] after a
            // transform's stages.
            in_buf_q    <= go_res ? res_buf_q : ~res_buf_q;
            res_buf_q   <= cfg_op_i[1] ? (go_res ? ~res_buf_q : res_buf_q)
                                       : (go_res ? res_buf_q : ~res_buf_q) ^ cfg_logn_i[0];
            acc_valid_q <= cfg_op_i[1];
            res_valid_q <= 1'b1;
            if (go_res) perf_q <= '0;
            jobs_q      <= jobs_q + 1'b1;
          end
          if (go && !cfg_ok) err_cfg_q <= 1'b1;
        end
        StLoad: begin
          if (s_valid_i) begin
            wcnt_q <= wcnt_q + 1'b1;
            if (s_last_i != (wcnt_q == words_q - 1'b1)) err_len_q <= 1'b1;
            if (wcnt_q == words_q - 1'b1) perf_q <= '0;
          end
        end
        StCompute: begin
          perf_q <= perf_q + 1'b1;
          k_q    <= last_issue ? '0 : k_q + 1'b1;
        end
        StDrain: begin
          if (pipe_v_q != '0) perf_q <= perf_q + 1'b1;
          else begin
            stage_q <= stage_q + 1'b1;
            rcnt_q  <= '0;
          end
        end
        StOut: begin
          if (out_re) begin
            rcnt_q    <= rcnt_q + 1'b1;
            out_sel_q <= bank_of(out_word, half_q);
          end
          if (out_re) begin
            out_valid_q <= 1'b1;
            out_last_q  <= rcnt_q == words_q - 1'b1;
          end else if (m_ready_i) begin
            out_valid_q <= 1'b0;
          end
        end
        default: ;
      endcase
    end
  end

  // P0 -> P1 pipeline registers for operand selection.
  always_ff @(posedge clk_i) begin
    p1_sel_lo <= rd_sel_lo;
    p1_sel_hi <= rd_sel_hi;
    p1_src    <= src_buf;
    p1_small  <= tw_small_issue;
    p1_k      <= k_q;
    p1_tpow   <= tpow;
  end

  logic [WordW-1:0] out_word_data;
  assign out_word_data = bk_rdata[{fin_buf, out_sel_q}];
  always_comb begin
    m_data_o = '0;
    for (int l = 0; l < B; l++) m_data_o[l*64 +: W] = out_word_data[l*W +: W];
  end
  assign m_valid_o      = out_valid_q;
  assign m_last_o       = out_last_q;
  assign err_cfg_o      = err_cfg_q;
  assign err_length_o   = err_len_q;
  assign perf_compute_o = perf_q;
  assign perf_jobs_o    = jobs_q;

  logic unused;
  assign unused = ^{p1_k, s_data_i, tw_data_i};

endmodule

`default_nettype wire
