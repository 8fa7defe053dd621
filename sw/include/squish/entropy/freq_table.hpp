// Symbol statistics shared by the coders: histograms, order-0 entropy, and the
// quantized frequency table that Tunstall and rANS transmit (format in
// docs/format.md, "Frequency table").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "squish/entropy/bitio.hpp"

namespace squish::entropy {

/// Largest probability precision any coder uses (rANS P <= 12).
inline constexpr unsigned kMaxProbBits = 12;

/// Counts of each symbol below 2^alphabet_bits; throws UsageError on a symbol
/// that does not fit.
std::vector<uint64_t> histogram(std::span<const uint16_t> symbols, unsigned alphabet_bits);

/// Order-0 (empirical) entropy in bits per symbol; 0 for an empty histogram.
double entropy_bits(std::span<const uint64_t> hist);

/// Precision for a tensor: min(max_bits, max(ceil(log2 count), ceil(log2 used
/// symbols), 1)). A tensor of n weights never needs more than ceil(log2 n) bits.
unsigned choose_prob_bits(unsigned max_bits, uint64_t count, unsigned used_symbols);

/// Scales a histogram to frequencies summing to exactly 2^prob_bits, each used
/// symbol >= 1 and unused = 0, minimising the coded size greedily.
std::vector<uint32_t> normalize_freqs(std::span<const uint64_t> hist, unsigned prob_bits);

/// Writes P (4 bits) then, for every symbol of the alphabet, Elias-gamma(f + 1).
void write_freq_table(BitWriter& w, std::span<const uint32_t> freq, unsigned prob_bits);

struct FreqTable {
  unsigned prob_bits = 0;
  std::vector<uint32_t> freq;  ///< 2^alphabet_bits entries, summing to 2^prob_bits
};
/// Reads and validates a frequency table (sum exactly 2^P, P in 1..max_prob_bits).
FreqTable read_freq_table(BitReader& r, unsigned alphabet_bits, unsigned max_prob_bits, const char* what);

}  // namespace squish::entropy
