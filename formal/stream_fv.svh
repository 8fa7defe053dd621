// Shared part of the pass-through stream harnesses: reset in the first cycle
// only, an upstream that follows the valid/ready rule and sends sequence
// numbers, and the checks on the output stream (order, hold rules).
// Needs: clk_i, rst_ni, in_valid_i, in_ready_o, in_data_i [3:0],
// out_valid_o, out_ready_i, out_data_o [3:0].
  logic init = 1'b1;
  logic [7:0] in_seq = '0, out_seq = '0;
  logic       in_stall_q = 1'b0, out_stall_q = 1'b0;
  logic [3:0] in_data_q = '0, out_data_q = '0;
  always @(posedge clk_i) begin
    init <= 1'b0;
    in_stall_q  <= rst_ni && in_valid_i && !in_ready_o;
    out_stall_q <= rst_ni && out_valid_o && !out_ready_i;
    in_data_q   <= in_data_i;
    out_data_q  <= out_data_o;
    if (!rst_ni) begin
      in_seq  <= '0;
      out_seq <= '0;
    end else begin
      if (in_valid_i && in_ready_o) in_seq <= in_seq + 1'b1;
      if (out_valid_o && out_ready_i) out_seq <= out_seq + 1'b1;
    end
  end
  always @(*) begin
    if (init) assume (!rst_ni); else assume (rst_ni);  // one reset cycle, then running
    if (in_valid_i) assume (in_data_i == in_seq[3:0]);
    if (in_stall_q) assume (in_valid_i && in_data_i == in_data_q);
    assume (in_seq - out_seq < 8'd16);      // sequence numbers stay unambiguous
  end
  always @(posedge clk_i) if (rst_ni && !init) begin
    // Order, no loss, no duplication: the n-th beat out is the n-th beat in.
    if (out_valid_o) assert (out_data_o == out_seq[3:0]);
    // Handshake rules on the output: held until taken, data stable.
    if (out_stall_q) assert (out_valid_o && out_data_o == out_data_q);
  end
