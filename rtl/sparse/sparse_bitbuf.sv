// sparse_bitbuf: turns a stream of 32-bit little-endian words into a window of
// the next BufWidth bits of an LSB-first bitstream, from which the decoder
// consumes any number of bits per cycle.
//
// bits_o[0] is the next unread stream bit; count_o bits are valid and every bit
// above them is 0. consume_i (<= count_o) drops that many bits at the clock
// edge; a beat of InWords words is appended in the same cycle when the buffer
// has room for it before the consumption, so in_ready_o does not
// depend on consume_i. After the word flagged in_last_i is taken, no further
// word is accepted until flush_i (the end of a payload); with drain_i every
// word is accepted and dropped (error recovery).
//
// Cost: BufWidth flops, a BufWidth-wide right barrel shifter (consume) and a
// (32*InWords)-into-BufWidth left shifter (append): about 2 * BufWidth * log2(BufWidth)
// 2:1 multiplexers.
`default_nettype none

module sparse_bitbuf #(
  /// Window width in bits (a multiple of 32, >= 2 * 32 * InWords).
  parameter int unsigned BufWidth = 128,
  /// 32-bit words per input beat.
  parameter int unsigned InWords = 1,
  /// Width of count_o / consume_i; derived, do not override.
  parameter int unsigned CntWidth = $clog2(BufWidth + 1)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  /// Drop the window and the in_last state (start of the next payload).
  input  logic                flush_i,
  /// Accept and discard every word (used after an error).
  input  logic                drain_i,
  /// Word stream.
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  logic [32*InWords-1:0] in_data_i,
  input  logic                in_last_i,
  /// The next BufWidth stream bits, LSB first; count_o of them are valid.
  output logic [BufWidth-1:0] bits_o,
  output logic [CntWidth-1:0] count_o,
  /// The payload's last word has been taken (no more bits will come).
  output logic                last_seen_o,
  /// A word is taken this cycle.
  output logic                in_fire_o,
  /// Bits consumed at this clock edge (<= count_o).
  input  logic [CntWidth-1:0] consume_i
);

  logic [BufWidth-1:0] bits_q, bits_d;
  logic [CntWidth-1:0] count_q, count_d;
  logic                last_q, last_d;
  logic [BufWidth-1:0] kept;
  logic [CntWidth-1:0] remaining;

  assign in_ready_o  = drain_i || (!last_q && !flush_i && (count_q <= CntWidth'(BufWidth - 32 * InWords)));
  assign in_fire_o   = in_valid_i && in_ready_o;
  assign bits_o      = bits_q;
  assign count_o     = count_q;
  assign last_seen_o = last_q;
  assign remaining   = count_q - consume_i;
  assign kept        = shr_log(bits_q, consume_i);

  // Logarithmic shifters from constant shifts (see sparse_decoder: keeps
  // Yosys's share pass from analysing variable shift cells).
  function automatic logic [BufWidth-1:0] shr_log(input logic [BufWidth-1:0] x, input logic [CntWidth-1:0] sh);
    shr_log = x;
    for (int b = 0; b < CntWidth; b++)
      if (sh[b]) shr_log = ((1 << b) >= BufWidth) ? '0 : (shr_log >> (1 << b));
  endfunction
  function automatic logic [BufWidth-1:0] shl_log(input logic [BufWidth-1:0] x, input logic [CntWidth-1:0] sh);
    shl_log = x;
    for (int b = 0; b < CntWidth; b++)
      if (sh[b]) shl_log = ((1 << b) >= BufWidth) ? '0 : (shl_log << (1 << b));
  endfunction

  always_comb begin
    bits_d  = kept;
    count_d = remaining;
    last_d  = last_q;
    if (flush_i || drain_i) begin
      bits_d  = '0;
      count_d = '0;
      last_d  = 1'b0;
    end else if (in_fire_o) begin
      bits_d  = kept | shl_log(BufWidth'(in_data_i), remaining);
      count_d = remaining + CntWidth'(32 * InWords);
      last_d  = in_last_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bits_q  <= '0;
      count_q <= '0;
      last_q  <= 1'b0;
    end else begin
      bits_q  <= bits_d;
      count_q <= count_d;
      last_q  <= last_d;
    end
  end

endmodule

`default_nettype wire
