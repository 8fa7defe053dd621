// Formal harness of stream_downsizer (yosys-smtbmc, see docs/verification.md):
// OutWidth 3, Ratio 4. Element n of the input carries n mod 8; a beat holds
// in_count_i elements (0 or more than Ratio mean Ratio) and a free `last`.
// The output must give every element once, in order, `last` exactly on the
// final element of a beat that had `last`; hold rules on the output; at most
// one word (4 elements) inside.
`default_nettype none
module stream_downsizer_fv (
  input wire        clk_i,
  input wire        rst_ni,
  input wire        in_valid_i,
  input wire [11:0] in_data_i,
  input wire [2:0]  in_count_i,
  input wire        in_last_i,
  input wire        out_ready_i
);
  logic       in_ready_o, out_valid_o, out_last_o;
  logic [2:0] out_data_o;
  stream_downsizer #(.OutWidth(3), .Ratio(4)) dut (
    .clk_i, .rst_ni, .in_valid_i, .in_ready_o, .in_data_i, .in_count_i, .in_last_i,
    .out_valid_o, .out_ready_i, .out_data_o, .out_last_o
  );
  logic       init = 1'b1;
  logic [7:0] in_el = '0, out_el = '0;
  logic [7:0] last_at = '0;
  logic       in_stall_q = 1'b0, out_stall_q = 1'b0;
  logic [15:0] in_q = '0;
  logic [3:0]  out_q = '0;
  logic [2:0]  c_eff;
  assign c_eff = (in_count_i == 3'd0 || in_count_i > 3'd4) ? 3'd4 : in_count_i;
  always @(posedge clk_i) begin
    init        <= 1'b0;
    in_stall_q  <= rst_ni && in_valid_i && !in_ready_o;
    out_stall_q <= rst_ni && out_valid_o && !out_ready_i;
    in_q        <= {in_data_i, in_count_i, in_last_i};
    out_q       <= {out_data_o, out_last_o};
    if (!rst_ni) begin
      in_el  <= '0;
      out_el <= '0;
    end else begin
      if (in_valid_i && in_ready_o) begin
        in_el <= in_el + {5'd0, c_eff};
        for (int j = 0; j < 4; j++)
          if (3'(j) < c_eff) last_at[3'(in_el + 8'(j))] <= in_last_i && (3'(j) + 3'd1 == c_eff);
      end
      if (out_valid_o && out_ready_i) out_el <= out_el + 1'b1;
    end
  end
  always @(*) begin
    if (init) assume (!rst_ni); else assume (rst_ni);
    if (in_valid_i)
      for (int j = 0; j < 4; j++) if (3'(j) < c_eff) assume (in_data_i[3*j +: 3] == 3'(in_el + 8'(j)));
    if (in_stall_q) assume (in_valid_i && {in_data_i, in_count_i, in_last_i} == in_q);
  end
  always @(posedge clk_i) if (rst_ni && !init) begin
    assert (in_el - out_el <= 8'd4);
    assert (out_valid_o == (in_el != out_el));
    if (out_valid_o) begin
      assert (out_data_o == out_el[2:0]);
      assert (out_last_o == last_at[out_el[2:0]]);
    end
    if (out_stall_q) assert (out_valid_o && {out_data_o, out_last_o} == out_q);
  end
endmodule
`default_nettype wire
