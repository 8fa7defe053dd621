// Workload for scripts/power.sh: the datapath's PE array (mac_pe_array, 16
// lanes, combinational) gets one beat of real weights every 10 ns cycle
// (scripts/power/mac_stimulus.py); every result is checked against a
// behavioural sum here (MISMATCH lines fail the run).
`timescale 1ns/10ps
module tb;
  localparam integer Beats = `BEATS;
  reg [1089:0] mem [0:Beats-1];
  reg  [1:0]   prec;
  reg  [63:0]  present;
  reg  [511:0] weight, act;
  wire [19:0]  psum;
  wire [14:0]  wsum;
  integer i, s, n, errors;
  reg signed [31:0] ref_p, ref_w, wv, av;
  mac_pe_array dut (.wprec_i(prec), .present_i(present), .weight_i(weight), .act_i(act),
                    .psum_o(psum), .wsum_o(wsum));
  initial begin
    $readmemh(`STIM, mem);
    errors = 0;
    {prec, present, weight, act} = mem[0];
    #5;
    $dumpfile(`VCD);
    $dumpvars(1, tb.dut);
    $display("WINDOW %0d %0d", 10, 10 + 10 * (Beats - 1));
    n = (mem[0][1089:1088] == 2'd0) ? 16 : (mem[0][1089:1088] == 2'd1) ? 32 : 64;
    $display("OPS mac=%0d", n);
    #5;
    for (i = 1; i < Beats; i = i + 1) begin
      {prec, present, weight, act} = mem[i];
      #5;
      ref_p = 0; ref_w = 0;
      for (s = 0; s < n; s = s + 1) begin
        wv = $signed(weight[8*s +: 8]); av = $signed(act[8*s +: 8]);
        if (present[s]) begin ref_p = ref_p + wv * av; ref_w = ref_w + wv; end
      end
      if (psum !== ref_p[19:0] || wsum !== ref_w[14:0]) begin
        errors = errors + 1;
        if (errors < 5) $display("MISMATCH beat %0d psum %h want %h wsum %h want %h", i, psum, ref_p[19:0], wsum, ref_w[14:0]);
      end
      #5;
    end
    $display("CHECKED %0d beats, %0d errors", Beats - 1, errors);
    $finish;
  end
endmodule
