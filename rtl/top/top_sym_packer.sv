// top_sym_packer: entropy-decoder symbols (up to InSyms per beat, alphabet_i
// bits each) concatenated LSB first into 32-bit words: symbol i of the tensor
// occupies stream bits [i*a, (i+1)*a), stream bit j is bit j%32 of word j/32
// (the bit order of the sparse payload body, docs/format.md). With words_i =
// W > 0 exactly W words leave, the W-th with out_last_o, and the bits the
// final symbol holds past them are dropped (symbol widths that do not divide
// 32); with W = 0 the word holding the final symbol is the last. A symbol
// stream that ends early ends the words early (out_last_o on the word with
// the final symbol): the decoder behind it reports the truncation.
//
// Throughput: one input beat per cycle while fewer than 64 bits wait; one
// word per cycle out. The output is a register (valid does not depend on ready).
`default_nettype none

module top_sym_packer #(
  /// Symbols per input beat.
  parameter int unsigned InSyms = 16,
  parameter int unsigned CountW = $clog2(InSyms + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  /// Symbol width a, 1..8 (steady within a tensor).
  input  logic [3:0]            alphabet_i,
  /// Words to produce (0: as many as the symbols fill).
  input  logic [31:0]           words_i,
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [8*InSyms-1:0]   in_data_i,
  input  logic [CountW-1:0]     in_count_i,
  input  logic                  in_last_i,
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output logic [31:0]           out_data_o,
  output logic                  out_last_o
);

  localparam int unsigned BufW = 64 + 8 * InSyms;
  localparam int unsigned CntW = $clog2(BufW + 1);

  logic [BufW-1:0] buf_q;
  logic [CntW-1:0] cnt_q;
  logic            last_q;  // the final symbol is in the buffer
  logic [31:0]     words_q; // words sent
  logic            limit_last;
  assign limit_last = (words_i != 0) && (words_q == words_i - 1);

  // the beat's symbols, compacted to a bits each
  logic [8*InSyms-1:0] packed_bits;
  logic [CntW-1:0]     packed_cnt;
  logic [7:0]          amask;
  logic [7:0]          sym;
  always_comb begin
    amask = 8'((9'd1 << alphabet_i) - 9'd1);
    packed_bits = '0;
    for (int i = 0; i < InSyms; i++) begin
      sym = in_data_i[8*i +: 8] & amask;
      if (i < 32'(in_count_i))
        packed_bits = packed_bits | ((8*InSyms)'(sym) << (i * 32'(alphabet_i)));
    end
    packed_cnt = CntW'(32'(in_count_i) * 32'(alphabet_i));
  end

  assign in_ready_o = !last_q && (cnt_q <= CntW'(64));
  assign out_valid_o = (cnt_q >= CntW'(32)) || (last_q && cnt_q != 0);
  assign out_last_o = limit_last || (last_q && (cnt_q <= CntW'(32)));
  assign out_data_o = buf_q[31:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      buf_q <= '0;
      cnt_q <= '0;
      last_q <= 1'b0;
      words_q <= '0;
    end else begin
      logic [BufW-1:0] b;
      logic [CntW-1:0] c;
      b = buf_q;
      c = cnt_q;
      if (out_valid_o && out_ready_i) begin
        b = b >> 32;
        c = (c >= CntW'(32)) ? c - CntW'(32) : '0;
        words_q <= words_q + 1'b1;
        if (out_last_o) begin
          // the tensor's words are out: drop what is left (padding bits)
          b = '0;
          c = '0;
          last_q <= 1'b0;
          words_q <= '0;
        end
      end
      if (in_valid_i && in_ready_o) begin
        b = b | (BufW'(packed_bits) << c);
        c = c + packed_cnt;
        if (in_last_i) last_q <= 1'b1;
      end
      buf_q <= b;
      cnt_q <= c;
    end
  end

endmodule

`default_nettype wire
