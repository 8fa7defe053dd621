// Pieces of the golden backend that other backends and tests reuse: the
// nonzero weight stream of a GemmJob's section, the batched run of the
// datapath model, and the softmax logit conversion (docs/network.md,
// "Device interface").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/runtime/device.hpp"

namespace squish::runtime {

/// The nonzero stream a decoder of the job's section emits: for a sparse format
/// the stream of the sparse decoder (datapath::stream_from_encoding), for dense
/// sections every weight, zeros included (datapath::pack_every_weight). Checks
/// the section is {rows, cols}, signed symmetric, codes fitting job.wprec.
std::vector<datapath::NzBeat> weight_stream(const GemmJob& job);

/// Runs the datapath model (squish::datapath::run) over npix activation rows in
/// passes of kMaxBatch; depthwise jobs run as block-diagonal GEMMs over groups
/// of channels whose columns fit the column index. Fills stats (cycles and MACs
/// from the model's counters, weight_bytes_in = the section's payload bytes).
std::vector<int8_t> golden_gemm(const GemmJob& job, std::span<const datapath::NzBeat> beats,
                                std::span<const int8_t> acts, size_t npix, LayerStats* stats);

/// The softmax unit takes int16 logits x with value x * 2^-F. int8 logits
/// (q - zp) * scale become x = round((q - zp) * scale * 2^F) with F the largest
/// 0..15 that keeps 255 * scale * 2^F below 2^15 (host work).
unsigned softmax_frac_bits(double scale);
std::vector<int16_t> softmax_logits(std::span<const int8_t> logits, double scale, int32_t zp);
/// softmax::softmax_q16 of those logits.
std::vector<uint16_t> golden_softmax(std::span<const int8_t> logits, double scale, int32_t zp, LayerStats* stats);

}  // namespace squish::runtime
