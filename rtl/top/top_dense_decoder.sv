// top_dense_decoder: the dense sparse-format body (format 0 of docs/format.md
// "Sparse payloads": every value of a rows x cols matrix in C order, V bits
// each, LSB first, zero padding to a 32-bit word) turned into the nonzero
// stream of the PE array (docs/datapath.md). Zero weights are dropped; the
// non-zeros are packed in column order into beats of Lanes*k slots (k = 1, 2,
// 4 for INT8, INT4, INT2); a row closes its beat, so a beat never spans rows,
// and an all-zero row is one mask-0 beat. This is squish::datapath::pack_dense
// except that a row whose last full beat is followed only by zeros ends with
// an extra mask-0 beat (the decoder does not look ahead).
//
// start_i (a pulse, while idle) takes rows_i/cols_i; the body words follow on
// in_*; in_last_i must come with word ceil(rows*cols*V/32) - 1 exactly.
//
// Throughput: one 32-bit word per cycle (4 INT8, 8 INT4 or 16 INT2 values);
// a beat leaves through the output register the cycle it completes.
//
// Errors (sticky error_o until start_i or reset): in_last_i on the wrong word
// (truncated body or words after it). Afterwards every input word is taken and
// dropped; nothing waits for anything but input.
`default_nettype none

module top_dense_decoder #(
  parameter int unsigned Lanes = datapath_pkg::Lanes,
  parameter int unsigned IdxWidth = datapath_pkg::IdxWidth,
  parameter int unsigned RowWidth = datapath_pkg::RowWidth,
  /// Entry slots per beat; derived, do not override.
  parameter int unsigned Slots = Lanes * datapath_pkg::SlotsPerLane
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  squish_pkg::wprec_e        wprec_i,
  input  logic                      start_i,
  input  logic [RowWidth:0]         rows_i,
  input  logic [IdxWidth:0]         cols_i,
  input  logic                      in_valid_i,
  output logic                      in_ready_o,
  input  logic [31:0]               in_data_i,
  input  logic                      in_last_i,
  output logic                      nz_valid_o,
  input  logic                      nz_ready_i,
  output logic [Slots-1:0]          nz_mask_o,
  output logic [Slots*IdxWidth-1:0] nz_col_o,
  output logic [Slots*8-1:0]        nz_val_o,
  output logic [RowWidth-1:0]       nz_row_o,
  output logic                      nz_row_last_o,
  output logic                      nz_last_o,
  output logic                      error_o,
  output logic                      busy_o
);

  localparam int unsigned FillW = $clog2(Slots + 1);

  logic                   busy_q, err_q;
  logic [63:0]            buf_q;
  logic [6:0]             cnt_q;       // valid bits in buf_q
  logic [RowWidth:0]      rows_q;
  logic [IdxWidth:0]      cols_q;
  logic [RowWidth-1:0]    row_q;
  logic [IdxWidth:0]      col_q;       // next column of the current row
  logic [31:0]            words_left_q;  // body words still expected
  logic                   words_init_q;  // words_left_q not yet computed
  logic [FillW-1:0]       fill_q;
  logic [Slots-1:0]       mask_q;
  logic [Slots*IdxWidth-1:0] col_arr_q;
  logic [Slots*8-1:0]     val_arr_q;
  logic                   out_valid_q, out_row_last_q, out_last_q;
  logic [RowWidth-1:0]    out_row_q;

  // value bits and beat capacity of the precision
  logic [3:0] vbits;
  logic [FillW-1:0] cap;
  always_comb begin
    unique case (wprec_i)
      squish_pkg::WPrecInt4: begin vbits = 4'd4; cap = FillW'(2 * Lanes); end
      squish_pkg::WPrecInt2: begin vbits = 4'd2; cap = FillW'(4 * Lanes); end
      default:               begin vbits = 4'd8; cap = FillW'(Lanes); end
    endcase
  end

  // the first 16 values of the window, sign-extended
  logic [7:0] vals [16];
  always_comb begin
    for (int j = 0; j < 16; j++) begin
      unique case (wprec_i)
        squish_pkg::WPrecInt4: vals[j] = {{4{buf_q[4*j+3]}}, buf_q[4*j +: 4]};
        squish_pkg::WPrecInt2: vals[j] = {{6{buf_q[2*j+1]}}, buf_q[2*j +: 2]};
        default:               vals[j] = (j < 8) ? buf_q[8*j +: 8] : 8'd0;
      endcase
    end
  end

  // how many values this cycle: min(available, left in row, 16), and no more
  // than fit the beat's free slots once zeros are dropped
  logic [4:0]          avail, take, lim;
  logic [15:0]         nzv;
  logic [4:0]          pc [17];   // non-zeros among values 0 .. j-1
  logic [4:0]          put;       // non-zeros taken this cycle
  logic [IdxWidth:0]   row_left;
  logic [FillW-1:0]    room;
  logic                can_build, row_done, beat_full, rows_done;
  always_comb begin
    unique case (wprec_i)
      squish_pkg::WPrecInt4: avail = 5'(cnt_q >> 2);
      squish_pkg::WPrecInt2: avail = (cnt_q >= 7'd32) ? 5'd16 : 5'(cnt_q >> 1);
      default:               avail = 5'(cnt_q >> 3);
    endcase
    row_left = cols_q - col_q;
    room = cap - fill_q;
    lim = avail;
    if ({{(IdxWidth-4){1'b0}}, lim} > row_left) lim = 5'(row_left);
    for (int j = 0; j < 16; j++) nzv[j] = (vals[j] != 8'd0);
    pc[0] = '0;
    for (int j = 0; j < 16; j++) pc[j+1] = pc[j] + 5'(nzv[j]);
    take = '0;
    for (int t = 1; t <= 16; t++)
      if (5'(t) <= lim && {{(FillW-5){1'b0}}, pc[t]} <= room) take = 5'(t);
    rows_done = ({1'b0, row_q} >= rows_q);
    can_build = busy_q && !err_q && !words_init_q && !rows_done && (!out_valid_q || nz_ready_i);
    if (!can_build) take = '0;
    put = pc[take];
    row_done = can_build && ({{(IdxWidth-4){1'b0}}, take} == row_left);
    // full: no free slot left (a non-zero that does not fit stops the take there)
    beat_full = can_build && !row_done && (FillW'(put) == room);
  end

  // The non-zeros taken this cycle, compacted: k-th non-zero's value and
  // column offset; then the beat with them placed at slots fill .. fill+put-1.
  logic [7:0]                cval [16];
  logic [4:0]                coff [16];
  logic [Slots-1:0]          nxt_mask;
  logic [Slots*IdxWidth-1:0] nxt_col;
  logic [Slots*8-1:0]        nxt_val;
  always_comb begin
    for (int k = 0; k < 16; k++) begin
      cval[k] = '0;
      coff[k] = '0;
      for (int j = 0; j < 16; j++)
        if (nzv[j] && pc[j] == 5'(k)) begin
          cval[k] = vals[j];
          coff[k] = 5'(j);
        end
    end
    nxt_mask = mask_q;
    nxt_col = col_arr_q;
    nxt_val = val_arr_q;
    for (int s = 0; s < Slots; s++) begin
      logic [6:0] k;
      k = 7'(s) - 7'(fill_q);
      if (7'(s) >= 7'(fill_q) && k < 7'(put)) begin
        nxt_mask[s] = 1'b1;
        nxt_col[s*IdxWidth +: IdxWidth] = IdxWidth'(col_q + (IdxWidth+1)'(coff[k[3:0]]));
        nxt_val[s*8 +: 8] = cval[k[3:0]];
      end
    end
  end

  // input: a word whenever the window has room for it (independent of the output)
  logic in_fire;
  assign in_ready_o = busy_q && !words_init_q && (err_q || (cnt_q <= 7'd32 && words_left_q != 0));
  assign in_fire = in_valid_i && in_ready_o;

  logic [6:0] used_bits;
  always_comb begin
    unique case (wprec_i)
      squish_pkg::WPrecInt4: used_bits = 7'(take) << 2;
      squish_pkg::WPrecInt2: used_bits = 7'(take) << 1;
      default:               used_bits = 7'(take) << 3;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      err_q <= 1'b0;
      buf_q <= '0;
      cnt_q <= '0;
      rows_q <= '0;
      cols_q <= '0;
      row_q <= '0;
      col_q <= '0;
      words_left_q <= '0;
      words_init_q <= 1'b0;
      fill_q <= '0;
      mask_q <= '0;
      col_arr_q <= '0;
      val_arr_q <= '0;
      out_valid_q <= 1'b0;
      out_row_last_q <= 1'b0;
      out_last_q <= 1'b0;
      out_row_q <= '0;
    end else begin
      if (start_i && (!busy_q || err_q)) begin
        busy_q <= 1'b1;
        err_q <= 1'b0;
        buf_q <= '0;
        cnt_q <= '0;
        rows_q <= rows_i;
        cols_q <= cols_i;
        row_q <= '0;
        col_q <= '0;
        words_init_q <= 1'b1;
        fill_q <= '0;
        mask_q <= '0;
      end else if (busy_q) begin
        if (words_init_q) begin
          // ceil(rows * cols * V / 32) body words
          words_left_q <= 32'((({15'd0, rows_q} * {20'd0, cols_q} * {32'd0, vbits}) + 40'd31) >> 5);
          words_init_q <= 1'b0;
        end
        // output register
        if (out_valid_q && nz_ready_i) begin
          out_valid_q <= 1'b0;
          if (out_last_q) busy_q <= err_q;  // done (an error keeps draining input)
        end
        // window: consume, then refill
        begin
          logic [63:0] b;
          logic [6:0]  c;
          b = buf_q >> used_bits;
          c = cnt_q - used_bits;
          if (in_fire && !err_q) begin
            b = b | ({32'd0, in_data_i} << c);
            c = c + 7'd32;
          end
          buf_q <= b;
          cnt_q <= c;
        end
        if (in_fire) begin
          words_left_q <= words_left_q - 32'(!err_q);
          if (!err_q && (in_last_i != (words_left_q == 32'd1))) err_q <= 1'b1;
        end
        // beat building
        if (can_build && take != 0) begin
          mask_q <= nxt_mask;
          col_arr_q <= nxt_col;
          val_arr_q <= nxt_val;
          fill_q <= fill_q + FillW'(put);
          col_q <= col_q + (IdxWidth+1)'(take);
        end
        if (row_done || beat_full) begin
          out_valid_q <= 1'b1;
          out_row_q <= row_q;
          out_row_last_q <= row_done;
          out_last_q <= row_done && ({1'b0, row_q} == rows_q - 1'b1);
        end
        if (row_done || beat_full) begin
          fill_q <= '0;
          mask_q <= '0;
        end
        if (row_done) begin
          row_q <= row_q + 1'b1;
          col_q <= '0;
        end
      end
    end
  end

  // The output register takes the completed beat (the building one plus this
  // cycle's entries); building restarts empty behind it.
  logic [Slots-1:0]          omask_q;
  logic [Slots*IdxWidth-1:0] ocol_q;
  logic [Slots*8-1:0]        oval_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      omask_q <= '0;
      ocol_q <= '0;
      oval_q <= '0;
    end else if (row_done || beat_full) begin
      omask_q <= nxt_mask;
      for (int s = 0; s < Slots; s++) begin
        ocol_q[s*IdxWidth +: IdxWidth] <= nxt_mask[s] ? nxt_col[s*IdxWidth +: IdxWidth] : '0;
        oval_q[s*8 +: 8] <= nxt_mask[s] ? nxt_val[s*8 +: 8] : '0;
      end
    end
  end

  assign nz_valid_o = out_valid_q;
  assign nz_mask_o = omask_q;
  assign nz_col_o = ocol_q;
  assign nz_val_o = oval_q;
  assign nz_row_o = out_row_q;
  assign nz_row_last_o = out_row_last_q;
  assign nz_last_o = out_last_q;
  assign error_o = err_q;
  assign busy_o = busy_q;

endmodule

`default_nettype wire
