// Histograms, entropy, frequency normalisation and the frequency-table format.
#include "squish/entropy/freq_table.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

namespace squish::entropy {

std::vector<uint64_t> histogram(std::span<const uint16_t> symbols, unsigned alphabet_bits) {
  std::vector<uint64_t> h(size_t{1} << alphabet_bits, 0);
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] >= h.size())
      throw UsageError("symbol " + std::to_string(symbols[i]) + " at index " + std::to_string(i) +
                       " does not fit alphabet_bits " + std::to_string(alphabet_bits));
    ++h[symbols[i]];
  }
  return h;
}

double entropy_bits(std::span<const uint64_t> hist) {
  uint64_t total = 0;
  for (auto c : hist) total += c;
  if (total == 0) return 0.0;
  double h = 0.0;
  for (auto c : hist)
    if (c) {
      const double p = static_cast<double>(c) / static_cast<double>(total);
      h -= p * std::log2(p);
    }
  return h;
}

namespace {
unsigned ceil_log2(uint64_t v) { return v <= 1 ? 0 : static_cast<unsigned>(std::bit_width(v - 1)); }
}  // namespace

unsigned choose_prob_bits(unsigned max_bits, uint64_t count, unsigned used_symbols) {
  const unsigned need = std::max({ceil_log2(count), ceil_log2(used_symbols), 1u});
  return std::min(max_bits, need);
}

std::vector<uint32_t> normalize_freqs(std::span<const uint64_t> hist, unsigned prob_bits) {
  const uint64_t m = uint64_t{1} << prob_bits;
  uint64_t total = 0;
  unsigned used = 0;
  for (auto c : hist) {
    total += c;
    used += c ? 1 : 0;
  }
  std::vector<uint32_t> f(hist.size(), 0);
  if (used == 0) {  // empty tensor: any valid table; give everything to symbol 0
    f[0] = static_cast<uint32_t>(m);
    return f;
  }
  if (used > m)
    throw UsageError(std::to_string(used) + " distinct symbols need more than 2^" + std::to_string(prob_bits) +
                     " probability steps");
  int64_t sum = 0;
  for (size_t s = 0; s < hist.size(); ++s)
    if (hist[s]) {
      const uint64_t q = (hist[s] * m + total / 2) / total;  // rounded share
      f[s] = static_cast<uint32_t>(std::max<uint64_t>(1, q));
      sum += f[s];
    }
  // Fix the sum one step at a time, each time choosing the symbol whose change
  // costs the fewest coded bits: c_s * |log2(f / (f -+ 1))|.
  while (sum != static_cast<int64_t>(m)) {
    const bool down = sum > static_cast<int64_t>(m);
    size_t best = hist.size();
    double best_cost = 0;
    for (size_t s = 0; s < hist.size(); ++s) {
      if (!hist[s] || (down && f[s] <= 1)) continue;
      const double fs = f[s];
      const double cost = down ? static_cast<double>(hist[s]) * std::log2(fs / (fs - 1))
                               : -static_cast<double>(hist[s]) * std::log2((fs + 1) / fs);
      if (best == hist.size() || cost < best_cost) {
        best = s;
        best_cost = cost;
      }
    }
    if (down) {
      --f[best];
      --sum;
    } else {
      ++f[best];
      ++sum;
    }
  }
  return f;
}

void write_freq_table(BitWriter& w, std::span<const uint32_t> freq, unsigned prob_bits) {
  w.put(prob_bits, 4);
  for (uint32_t f : freq) {
    const uint32_t v = f + 1;
    const unsigned nb = static_cast<unsigned>(std::bit_width(v));
    w.put(0, nb - 1);
    w.put(v, nb);
  }
}

FreqTable read_freq_table(BitReader& r, unsigned alphabet_bits, unsigned max_prob_bits, const char* what) {
  FreqTable t;
  t.prob_bits = r.get(4);
  if (t.prob_bits < 1 || t.prob_bits > max_prob_bits)
    throw FormatError(std::string(what) + ": frequency table precision " + std::to_string(t.prob_bits) +
                      " bits out of range 1.." + std::to_string(max_prob_bits));
  const uint64_t m = uint64_t{1} << t.prob_bits;
  t.freq.assign(size_t{1} << alphabet_bits, 0);
  uint64_t sum = 0;
  for (size_t s = 0; s < t.freq.size(); ++s) {
    unsigned zeros = 0;
    while (r.get(1) == 0)
      if (++zeros > t.prob_bits)
        throw FormatError(std::string(what) + ": frequency of symbol " + std::to_string(s) + " exceeds 2^" +
                          std::to_string(t.prob_bits) + " (bit " + std::to_string(r.bit_pos()) + ")");
    const uint32_t v = (1u << zeros) | (zeros ? r.get(zeros) : 0u);
    t.freq[s] = v - 1;
    sum += t.freq[s];
  }
  if (sum != m)
    throw FormatError(std::string(what) + ": frequencies sum to " + std::to_string(sum) + ", not 2^" +
                      std::to_string(t.prob_bits));
  return t;
}

}  // namespace squish::entropy
