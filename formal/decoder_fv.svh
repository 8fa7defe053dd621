// Shared part of the decoder harnesses (huffman_fv, tunstall_fv, rans_fv):
// reset in the first cycle only, then free start_i, count_i, tables,
// configuration, input data and output ready. The only assumption on the
// input stream is the valid/ready rule: a beat not taken stays offered, with
// the same data, until taken or until start_i aborts the tensor.
// Needs: parameter Bound; clk_i, rst_ni, start_i, count_i [31:0], in_valid_i,
// in_ready_o, in_last_i, in_bundle (every input beat field), out_valid_o,
// out_ready_i, out_last_o, out_bundle (every output beat field), out_syms
// [31:0] (symbols in the output beat), done_o, busy_o, error_o, error_code_o.
//
// Checks (from the cycle after reset on):
//  - never hang: once the beat with `last` has been taken, the decoder takes
//    at most Bound - 1 cycles in which the sink is ready without handing over a
//    beat before done_o; with the count check below, done_o (with or without
//    error_o) comes within Bound * (beats still to come + 1) ready cycles;
//  - at most count_i symbols per tensor, out_last_o exactly on the beat that
//    completes count_i, at least one symbol per beat;
//  - nothing taken after `last` (the next tensor's beats stay upstream);
//  - output hold rule: a beat not taken stays, unchanged, until taken;
//  - no new beat once error_o is up;
//  - error_o and error_code_o, and done_o, stay until start_i.
  logic        init = 1'b1;
  logic        last_taken_q = 1'b0;   // the `last` beat of this tensor went in
  logic [7:0]  wait_q = '0;           // sink-ready cycles after it without a beat out
  logic [31:0] count_q = '0, syms_out_q = '0;
  logic        in_stall_q = 1'b0, out_stall_q = 1'b0, err_seen_q = 1'b0, done_seen_q = 1'b0;
  logic [$bits(in_bundle)-1:0]  in_bundle_q = '0;
  logic [$bits(out_bundle)-1:0] out_bundle_q = '0;
  entropy_pkg::err_e err_code_q = entropy_pkg::ErrNone;
  logic        out_take, out_new;
  assign out_take = out_valid_o && out_ready_i;
  assign out_new  = out_valid_o && !out_stall_q;   // a beat not offered before
  always @(posedge clk_i) begin
    init         <= 1'b0;
    in_stall_q   <= rst_ni && in_valid_i && !in_ready_o && !start_i;
    out_stall_q  <= rst_ni && out_valid_o && !out_ready_i && !start_i;
    err_seen_q   <= rst_ni && error_o && !start_i;
    done_seen_q  <= rst_ni && done_o && !start_i;
    in_bundle_q  <= in_bundle;
    out_bundle_q <= out_bundle;
    err_code_q   <= error_code_o;
    if (!rst_ni || start_i) begin
      last_taken_q <= 1'b0;
      wait_q       <= '0;
      count_q      <= count_i;
      syms_out_q   <= '0;
    end else begin
      if (in_valid_i && in_ready_o && in_last_i) last_taken_q <= 1'b1;
      if (out_take) syms_out_q <= syms_out_q + out_syms;
      if (!last_taken_q || done_o || out_take) wait_q <= '0;
      else if (out_ready_i) wait_q <= wait_q + 1'b1;
    end
  end
  always @(*) begin
    if (init) assume (!rst_ni); else assume (rst_ni);
    if (in_stall_q && !start_i) assume (in_valid_i && in_bundle == in_bundle_q);
  end
  always @(posedge clk_i) if (rst_ni && !init) begin
    // Never hang.
    assert (32'(wait_q) < Bound);
    if (last_taken_q) assert (!in_ready_o);
    // Symbol count and `last`.
    assert (syms_out_q <= count_q);
    if (out_valid_o) begin
      assert (out_syms != 0);
      assert (syms_out_q + out_syms <= count_q && syms_out_q + out_syms >= syms_out_q);
      assert (out_last_o == (syms_out_q + out_syms == count_q));
    end
    // Output hold rule.
    if (out_stall_q) assert (out_valid_o && out_bundle == out_bundle_q);
    // Sticky error (flag and code) and done; no new beat after an error.
    if (err_seen_q) begin
      assert (error_o && error_code_o == err_code_q);
      assert (!out_new);
    end
    if (done_seen_q) assert (done_o);
    assert (!(done_o && busy_o));
  end
