// Formal harness of stream_upsizer (yosys-smtbmc, see docs/verification.md):
// InWidth 3, Ratio 4. Input element n carries n mod 8 and a free `last`.
// Each output beat must hold the next out_count elements in order in slots
// 0..count-1, count in 1..Ratio, `last` exactly when its final element had
// `last`, no `last` inside a beat, and a full beat unless it ends with `last`
// (no loss, no duplication, order, packing rule); hold rules on the output;
// at most 7 elements inside.
`default_nettype none
module stream_upsizer_fv (
  input wire       clk_i,
  input wire       rst_ni,
  input wire       in_valid_i,
  input wire [2:0] in_data_i,
  input wire       in_last_i,
  input wire       out_ready_i
);
  logic        in_ready_o, out_valid_o, out_last_o;
  logic [11:0] out_data_o;
  logic [2:0]  out_count_o;
  stream_upsizer #(.InWidth(3), .Ratio(4)) dut (
    .clk_i, .rst_ni, .in_valid_i, .in_ready_o, .in_data_i, .in_last_i,
    .out_valid_o, .out_ready_i, .out_data_o, .out_count_o, .out_last_o
  );
  logic       init = 1'b1;
  logic [7:0] in_seq = '0, out_seq = '0;
  logic [7:0] last_at = '0;  // last flag of element n, at n mod 8
  logic       in_stall_q = 1'b0, out_stall_q = 1'b0;
  logic [3:0] in_q = '0;
  logic [15:0] out_q = '0;
  always @(posedge clk_i) begin
    init        <= 1'b0;
    in_stall_q  <= rst_ni && in_valid_i && !in_ready_o;
    out_stall_q <= rst_ni && out_valid_o && !out_ready_i;
    in_q        <= {in_data_i, in_last_i};
    out_q       <= {out_data_o, out_count_o, out_last_o};
    if (!rst_ni) begin
      in_seq  <= '0;
      out_seq <= '0;
    end else begin
      if (in_valid_i && in_ready_o) begin
        in_seq <= in_seq + 1'b1;
        last_at[in_seq[2:0]] <= in_last_i;
      end
      if (out_valid_o && out_ready_i) out_seq <= out_seq + {5'd0, out_count_o};
    end
  end
  always @(*) begin
    if (init) assume (!rst_ni); else assume (rst_ni);
    if (in_valid_i) assume (in_data_i == in_seq[2:0]);
    if (in_stall_q) assume (in_valid_i && {in_data_i, in_last_i} == in_q);
  end
  always @(posedge clk_i) if (rst_ni && !init) begin
    assert (in_seq - out_seq <= 8'd7);
    if (out_valid_o) begin
      assert (out_count_o >= 3'd1 && out_count_o <= 3'd4);
      for (int j = 0; j < 4; j++)
        if (3'(j) < out_count_o) begin
          assert (out_data_o[3*j +: 3] == 3'(out_seq + 8'(j)));
          if (3'(j) + 3'd1 < out_count_o) assert (!last_at[3'(out_seq + 8'(j))]);
        end
      assert (out_last_o == last_at[3'(out_seq + {5'd0, out_count_o} - 8'd1)]);
      if (!out_last_o) assert (out_count_o == 3'd4);
      assert (out_seq + {5'd0, out_count_o} <= in_seq || in_seq < out_seq);
    end
    if (out_stall_q) assert (out_valid_o && {out_data_o, out_count_o, out_last_o} == out_q);
  end
endmodule
`default_nettype wire
