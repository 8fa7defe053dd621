// Pruning: sets weights to exactly 0.0f. Every method is deterministic: ties in
// magnitude or norm are broken by the lower flat index being pruned first.
//
//  Unstructured  the floor(s*n) smallest |w| of a tensor (or, Global, of all
//                pruned tensors together) become 0.
//  N:M           in every group of M consecutive elements along the last axis
//                (rows of the [prod(other dims), last dim] view, the grouping of
//                sparse::Format::Nm) keep the N largest |w|; a short group at a
//                row's end keeps at most N.
//  Channels      the floor(s*C) channels along `channel_axis` with the smallest
//                L1 or L2 norm become 0.
//  Blocks        the tensor as a [rows, last dim] matrix is tiled into R x C
//                blocks (edge blocks are smaller); the floor(s*blocks) blocks with
//                the smallest L2 norm per element become 0.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace squish::prune {

/// Values are part of the .sqz format.
enum class Method : uint8_t { None = 0, Unstructured = 1, Global = 2, Nm = 3, Channels = 4, Blocks = 5 };
enum class Norm : uint8_t { L1 = 1, L2 = 2 };

std::string_view to_string(Method m);

struct PruneSpec {
  Method method = Method::None;
  double sparsity = 0;      ///< fraction to remove (Unstructured, Global, Channels, Blocks)
  unsigned n = 2, m = 4;    ///< N:M, 1 <= N <= M <= 16
  int channel_axis = -1;    ///< Channels
  Norm norm = Norm::L1;     ///< Channels
  unsigned block_rows = 4, block_cols = 4;  ///< Blocks
};

/// Checks the spec's ranges; UsageError naming the field.
void check(const PruneSpec& s);

/// Prunes one tensor in place; returns the number of nonzero weights left.
/// Global is treated as Unstructured here (use prune_global for the joint cut).
size_t prune(std::span<float> w, std::span<const size_t> shape, const PruneSpec& s);

/// Global magnitude pruning over several tensors: one threshold for all.
void prune_global(std::span<const std::span<float>> tensors, double sparsity);

/// Count of nonzero entries.
size_t count_nonzero(std::span<const float> w);

}  // namespace squish::prune
