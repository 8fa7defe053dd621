// nms_sorter: systolic insertion array holding the Cap best (key, tag) pairs in
// descending key order, equal keys in insertion order (stable).
//
// One insertion or one pop per cycle. Insert: every cell compares its key with
// the new key in parallel (broadcast); cells whose key is >= the new key stay,
// the first other cell takes the new pair, the rest shift one place down. When
// the array is full the pair that falls off the end (possibly the new one) is
// lost and dropped_o pulses; nms_unit then runs another pass for what was lost.
// Pop: every cell takes its successor's pair; head_*_o show cell 0.
//
// Cost: Cap x (KeyW + TagW + 1) flops, Cap KeyW-bit comparators, a 3:1 mux per
// cell. No RAM, no sequential search: the head is valid the cycle after an insert.
`default_nettype none

module nms_sorter #(
  /// Number of cells.
  parameter int unsigned Cap = 64,
  /// Bits of the sort key (larger first).
  parameter int unsigned KeyW = 32,
  /// Bits of the tag carried with each key.
  parameter int unsigned TagW = 13
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  /// Synchronous clear: empties the array.
  input  logic            clear_i,
  /// Insert (key_i, tag_i) this cycle. Must not coincide with pop_i.
  input  logic            insert_i,
  input  logic [KeyW-1:0] key_i,
  input  logic [TagW-1:0] tag_i,
  /// Remove the head this cycle.
  input  logic            pop_i,
  /// Head of the order (largest key, earliest inserted among equals).
  output logic            head_valid_o,
  output logic [KeyW-1:0] head_key_o,
  output logic [TagW-1:0] head_tag_o,
  /// Pulses when an insert lost a pair because the array was full.
  output logic            dropped_o
);

  // Flat buses: cell i at [i*KeyW +: KeyW] / [i*TagW +: TagW].
  logic [Cap-1:0]      valid_q, valid_d;
  logic [Cap*KeyW-1:0] key_q, key_d;
  logic [Cap*TagW-1:0] tag_q, tag_d;
  logic [Cap-1:0]      stays;  // cell ranks before the new pair

  always_comb begin
    for (int unsigned i = 0; i < Cap; i++) stays[i] = valid_q[i] && (key_q[i*KeyW +: KeyW] >= key_i);
  end

  always_comb begin
    valid_d = valid_q;
    key_d   = key_q;
    tag_d   = tag_q;
    if (clear_i) begin
      valid_d = '0;
    end else if (insert_i) begin
      // Cell 0: stays, or takes the new pair.
      if (!stays[0]) begin
        valid_d[0] = 1'b1;
        key_d[0 +: KeyW] = key_i;
        tag_d[0 +: TagW] = tag_i;
      end
      for (int unsigned i = 1; i < Cap; i++) begin
        if (stays[i]) begin
          // unchanged
        end else if (stays[i-1]) begin
          valid_d[i] = 1'b1;
          key_d[i*KeyW +: KeyW] = key_i;
          tag_d[i*TagW +: TagW] = tag_i;
        end else begin
          valid_d[i] = valid_q[i-1];
          key_d[i*KeyW +: KeyW] = key_q[(i-1)*KeyW +: KeyW];
          tag_d[i*TagW +: TagW] = tag_q[(i-1)*TagW +: TagW];
        end
      end
    end else if (pop_i) begin
      valid_d = valid_q >> 1;
      key_d   = key_q >> KeyW;
      tag_d   = tag_q >> TagW;
    end
  end

  // Callers never insert while clearing.
  assign dropped_o    = insert_i && valid_q[Cap-1];
  assign head_valid_o = valid_q[0];
  assign head_key_o   = key_q[KeyW-1:0];
  assign head_tag_o   = tag_q[TagW-1:0];

  // Only the valid bits are reset; keys and tags are qualified by them.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= '0;
    else         valid_q <= valid_d;
  end
  always_ff @(posedge clk_i) begin
    key_q <= key_d;
    tag_q <= tag_d;
  end

endmodule

`default_nettype wire
