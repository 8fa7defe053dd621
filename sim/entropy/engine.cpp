// RTL engine of the entropy decoders (see squish/rtl/entropy.hpp).
#include "squish/rtl/entropy.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <type_traits>

#include "Vhuffman_decoder.h"
#include "Vhuffman_decoder_huffman_decoder.h"
#include "Vrans_decoder.h"
#include "Vtunstall_decoder.h"
#include "Vtunstall_decoder_tunstall_decoder.h"
#include "Vrans_decoder_rans_decoder.h"
#include "Vrans_decoder16.h"
#include "Vrans_decoder16_rans_decoder.h"
#include "squish/entropy/huffman.hpp"
#include "squish/entropy/rans.hpp"
#include "squish/entropy/tunstall.hpp"
#include "squish/error.hpp"

namespace squish::rtl {

namespace {

using entropy::CoderId;
using entropy::CoderParams;

std::vector<uint32_t> bytes_to_words(std::span<const uint8_t> body) {
  std::vector<uint32_t> w((body.size() + 3) / 4, 0);
  for (size_t i = 0; i < body.size(); ++i) w[i / 4] |= uint32_t{body[i]} << (8 * (i % 4));
  if (w.empty()) w.push_back(0);  // an empty body still sends one (padding) word with last
  return w;
}

struct Word {
  uint64_t data = 0;
  bool last = false;
  unsigned count = 0;  ///< valid 16-bit words (rANS input only)
};

/// Takes a decoder's output beats (up to `lanes` symbols of 8 bits per beat,
/// with a count) under random stalls, and checks that a stalled beat holds.
class SymbolSink : public sim::Component {
 public:
  struct Beat {
    uint64_t lo = 0, hi = 0;
    unsigned count = 0;
    bool last = false;
    bool operator==(const Beat&) const = default;
  };
  SymbolSink(sim::Rng rng, const uint8_t& valid, uint8_t& ready, std::function<Beat()> read, sim::Backpressure bp,
             std::function<uint64_t()> cycle)
      : rng_(rng), valid_(valid), ready_(ready), read_(std::move(read)), p_(sim::gap_probability(bp)),
        cycle_(std::move(cycle)) {
    ready_ = 0;
  }
  void drive() override { ready_ = rng_.chance(p_) ? 0 : 1; }
  void sample() override {
    if (!valid_) {
      if (held_ && !protocol_error) protocol_error = "valid dropped while stalled at cycle " + std::to_string(cycle_());
      held_.reset();
      return;
    }
    const Beat b = read_();
    if (held_ && !(b == *held_) && !protocol_error)
      protocol_error = "output beat changed while stalled at cycle " + std::to_string(cycle_());
    if (ready_) {
      held_.reset();
      for (unsigned i = 0; i < b.count; ++i) {
        const uint64_t w = i < 8 ? b.lo : b.hi;
        symbols.push_back(static_cast<uint16_t>((w >> (8 * (i % 8))) & 0xff));
      }
      if (b.last) ++lasts, last_at = symbols.size();
      if (b.count == 0 && !protocol_error) protocol_error = "beat with count 0 at cycle " + std::to_string(cycle_());
    } else {
      held_ = b;
    }
  }
  std::vector<uint16_t> symbols;
  size_t lasts = 0, last_at = 0;
  std::optional<std::string> protocol_error;

 private:
  sim::Rng rng_;
  const uint8_t& valid_;
  uint8_t& ready_;
  std::function<Beat()> read_;
  double p_;
  std::function<uint64_t()> cycle_;
  std::optional<Beat> held_;
};

/// The part every decoder shares: load the table, pulse start_i, stream words
/// in and symbols out until done_o. The Dut is reset by the caller.
template <class Model, class LoadTable, class Start>
EntropyRun run_generic(sim::Dut<Model>& dut, const EntropyRtlOptions& opt, uint64_t count,
                       const std::vector<Word>& words, LoadTable load, Start start, bool load_after_start,
                       std::function<SymbolSink::Beat(Model&)> read_beat) {
  const uint64_t limit = 10000 + opt.cycles_per_item * (count + words.size() + 4096);
  auto& m = dut.model();
  if constexpr (requires { m.tbl_we_i; }) m.tbl_we_i = 0;
  if constexpr (requires { m.tbl_valid_i; }) m.tbl_valid_i = 0;
  m.start_i = 0;
  m.in_valid_i = 0;
  m.out_ready_i = 0;
  EntropyRun run;
  const uint64_t t0 = dut.cycle();
  auto pulse_start = [&] {
    m.count_i = static_cast<uint32_t>(count);
    start(m);
    m.start_i = 1;
    dut.tick();
    m.start_i = 0;
  };
  if (load_after_start) pulse_start();
  load(dut, m);  // table writes or table stream (with on-chip expansion)
  run.table_cycles = dut.cycle() - t0;
  if (!load_after_start) pulse_start();
  sim::StreamDriver<Word> drv(
      dut, m.in_valid_i, m.in_ready_o,
      [&m](const Word& w) {
        m.in_data_i = static_cast<std::remove_reference_t<decltype(m.in_data_i)>>(w.data);
        m.in_last_i = w.last;
        if constexpr (requires { m.in_count_i; }) m.in_count_i = static_cast<uint8_t>(w.count);
      },
      opt.in_bp);
  drv.push(words.begin(), words.end());
  SymbolSink sink(sim::Rng(dut.rng().next()), m.out_valid_o, m.out_ready_i, [&m, read_beat] { return read_beat(m); },
                  opt.out_bp, [&dut] { return dut.cycle(); });
  dut.add(&sink);
  dut.run_until([&] { return m.done_o != 0; }, limit, "done_o");
  dut.remove(&sink);
  m.in_valid_i = 0;
  m.out_ready_i = 0;
  run.cycles = dut.cycle() - t0;
  run.symbols = std::move(sink.symbols);
  run.error = m.error_o;
  run.error_code = m.error_code_o;
  run.hw_cycles = m.cycles_o;
  run.hw_stall_in = m.stall_in_o;
  run.hw_stall_out = m.stall_out_o;
  run.protocol_error = sink.protocol_error;
  run.last_ok = run.error || (count == 0 ? sink.lasts == 0 : (sink.lasts == 1 && sink.last_at == run.symbols.size()));
  return run;
}

/// Runs jobs back to back on one decoder instance, resetting it between jobs
/// if asked (otherwise only start_i separates them).
template <class Model, class Job, class RunOne>
std::vector<EntropyRun> run_jobs(std::span<const Job> jobs, const EntropyRtlOptions& opt, bool reset_between,
                                 RunOne run_one) {
  uint64_t items = 0;
  for (const auto& j : jobs) items += j.count + j.words.size() + 8192;
  sim::DutOptions dopt = opt.dut;
  dopt.max_cycles = std::max<uint64_t>(dopt.max_cycles, 2 * opt.cycles_per_item * items + 100000);
  sim::Dut<Model> dut(dopt);
  dut.reset();
  std::vector<EntropyRun> runs;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (i > 0 && reset_between) dut.reset();
    runs.push_back(run_one(dut, jobs[i]));
  }
  return runs;
}

std::vector<Word> to_words(const std::vector<uint32_t>& w32) {
  std::vector<Word> v(w32.size());
  for (size_t i = 0; i < w32.size(); ++i) v[i] = {w32[i], i + 1 == w32.size()};
  return v;
}

}  // namespace

// ---- Huffman -------------------------------------------------------------------

HuffmanJob make_huffman_job(std::span<const uint8_t> payload, size_t count, const CoderParams& p) {
  const auto t = entropy::huffman_read_header(payload, p);
  HuffmanJob j;
  for (unsigned l = 0; l < 16; ++l) j.len_count[l] = t.count[l];
  j.symbols = t.symbols;
  j.words = bytes_to_words(payload.subspan(t.body_offset));
  j.count = count;
  return j;
}

EntropyRun run_huffman_on(sim::Dut<Vhuffman_decoder>& dut, const HuffmanJob& job, const EntropyRtlOptions& opt) {
  auto load = [&job](sim::Dut<Vhuffman_decoder>& d, Vhuffman_decoder& m) {
    auto write = [&](unsigned addr, unsigned data) {
      m.tbl_we_i = 1;
      m.tbl_addr_i = static_cast<uint16_t>(addr);
      m.tbl_data_i = static_cast<uint16_t>(data);
      d.tick();
    };
    for (unsigned l = 0; l < 16; ++l) write(256 + l, job.len_count[l]);
    for (size_t i = 0; i < job.symbols.size() && i < 256; ++i) write(static_cast<unsigned>(i), job.symbols[i]);
    m.tbl_we_i = 0;
  };
  return run_generic<Vhuffman_decoder>(dut, opt, job.count, to_words(job.words), load, [](auto&) {}, false,
                                       [](Vhuffman_decoder& m) {
    return SymbolSink::Beat{m.out_data_o, 0, m.out_count_o, m.out_last_o != 0};
  });
}

std::vector<EntropyRun> run_huffman_rtl(std::span<const HuffmanJob> jobs, const EntropyRtlOptions& opt,
                                        bool reset_between) {
  return run_jobs<Vhuffman_decoder>(jobs, opt, reset_between, [&opt](auto& dut, const HuffmanJob& j) {
    return run_huffman_on(dut, j, opt);
  });
}
EntropyRun run_huffman_rtl(const HuffmanJob& job, const EntropyRtlOptions& opt) {
  return run_huffman_rtl(std::span<const HuffmanJob>(&job, 1), opt, false).front();
}

// ---- rANS ----------------------------------------------------------------------

RansJob make_rans_job(std::span<const uint8_t> payload, size_t count, const CoderParams& p) {
  const auto h = entropy::rans_read_header(payload, p);
  RansJob j;
  j.prob_bits = h.table.prob_bits;
  j.freq = h.table.freq;
  j.states = h.states;
  for (size_t pos = h.words_offset; pos + 1 < h.words_end; pos += 2)
    j.words.push_back(static_cast<uint16_t>(payload[pos] | (payload[pos + 1] << 8)));
  j.count = count;
  return j;
}

namespace {
template <class Top>
std::vector<Word> rans_beats(const RansJob& job) {
  std::vector<uint16_t> w;
  for (uint32_t st : job.states) {
    w.push_back(static_cast<uint16_t>(st & 0xffff));
    w.push_back(static_cast<uint16_t>(st >> 16));
  }
  w.insert(w.end(), job.words.begin(), job.words.end());
  const unsigned per = Top::PubInWords;
  std::vector<Word> beats;
  for (size_t i = 0; i < w.size(); i += per) {
    Word b;
    for (unsigned k = 0; k < per && i + k < w.size(); ++k, ++b.count) b.data |= uint64_t{w[i + k]} << (16 * k);
    beats.push_back(b);
  }
  if (beats.empty()) beats.push_back({});
  beats.back().last = true;
  return beats;
}

template <class Model, class Top>
EntropyRun run_rans_on(sim::Dut<Model>& dut, const RansJob& job, const EntropyRtlOptions& opt) {
  struct Tbl {
    uint32_t freq;
    bool last;
  };
  auto load = [&job, &opt](sim::Dut<Model>& d, Model& m) {
    sim::StreamDriver<Tbl> drv(
        d, m.tbl_valid_i, m.tbl_ready_o,
        [&m](const Tbl& t) {
          m.tbl_data_i = static_cast<uint16_t>(t.freq);
          m.tbl_last_i = t.last;
        },
        opt.in_bp);
    for (size_t s = 0; s < job.freq.size(); ++s) drv.push({job.freq[s], s + 1 == job.freq.size()});
    const uint64_t limit = 16 * (job.freq.size() + (uint64_t{1} << 13)) + 1000;
    // Done when every beat is in and the expansion has finished: the decoder
    // then waits for its lane states (in_ready_o), or has stopped (done_o), or
    // it abandoned the table after an error (draining the words: in_ready_o
    // with error_o; the rest of the table stream is never taken).
    d.run_until([&] { return (drv.idle() && m.in_ready_o) || m.done_o || (m.error_o && m.in_ready_o); }, limit,
                "table load");
    m.tbl_valid_i = 0;
  };
  auto start = [&job](Model& m) {
    m.prob_bits_i = static_cast<uint8_t>(job.prob_bits);
    m.lanes_i = static_cast<uint8_t>(job.states.size());
  };
  return run_generic<Model>(dut, opt, job.count, rans_beats<Top>(job), load, start, true, [](Model& m) {
    if constexpr (std::is_integral_v<std::remove_reference_t<decltype(m.out_data_o)>>) {
      return SymbolSink::Beat{m.out_data_o, 0, m.out_count_o, m.out_last_o != 0};
    } else {  // 16 lanes: 128 bits as 4 words
      return SymbolSink::Beat{m.out_data_o[0] | (uint64_t{m.out_data_o[1]} << 32),
                              m.out_data_o[2] | (uint64_t{m.out_data_o[3]} << 32), m.out_count_o,
                              m.out_last_o != 0};
    }
  });
}
}  // namespace

std::vector<EntropyRun> run_rans_rtl(std::span<const RansJob> jobs, const EntropyRtlOptions& opt, bool reset_between) {
  if (opt.rans_hw_lanes == 16)
    return run_jobs<Vrans_decoder16>(jobs, opt, reset_between, [&opt](auto& dut, const RansJob& j) {
      return run_rans_on<Vrans_decoder16, Vrans_decoder16_rans_decoder>(dut, j, opt);
    });
  return run_jobs<Vrans_decoder>(jobs, opt, reset_between, [&opt](auto& dut, const RansJob& j) {
    return run_rans_on<Vrans_decoder, Vrans_decoder_rans_decoder>(dut, j, opt);
  });
}
EntropyRun run_rans_rtl(const RansJob& job, const EntropyRtlOptions& opt) {
  return run_rans_rtl(std::span<const RansJob>(&job, 1), opt, false).front();
}

// ---- Tunstall ---------------------------------------------------------------------

TunstallJob make_tunstall_job(std::span<const uint8_t> payload, size_t count, const CoderParams& p) {
  const auto h = entropy::tunstall_read_header(payload, p);
  const auto d = entropy::tunstall_build(h.table.freq, h.table.prob_bits, h.k, h.max_len);
  TunstallJob j;
  j.k = h.k;
  for (size_t c = 0; c < d.size(); ++c) j.strings.push_back(d.string(c));
  j.words = bytes_to_words(payload.subspan(h.body_offset));
  j.count = count;
  return j;
}

namespace {
EntropyRun run_tunstall_on(sim::Dut<Vtunstall_decoder>& dut, const TunstallJob& job, const EntropyRtlOptions& opt) {
  using Top = Vtunstall_decoder_tunstall_decoder;
  auto load = [&job](sim::Dut<Vtunstall_decoder>& d, Vtunstall_decoder& m) {
    constexpr unsigned kWords = sizeof(m.tbl_data_i) / sizeof(m.tbl_data_i[0]);
    for (size_t c = 0; c < job.strings.size() && c < (size_t{1} << Top::PubMaxK); ++c) {
      std::array<uint32_t, kWords> w{};
      const auto& str = job.strings[c];
      for (size_t i = 0; i < str.size() && i < Top::PubMaxLen; ++i) w[i / 4] |= uint32_t{str[i]} << (8 * (i % 4));
      const unsigned len_bit = 8 * Top::PubMaxLen;
      const uint64_t len = str.size();
      w[len_bit / 32] |= static_cast<uint32_t>(len << (len_bit % 32));
      if (len_bit % 32 + 6 > 32 && len_bit / 32 + 1 < kWords) w[len_bit / 32 + 1] |= static_cast<uint32_t>(len >> (32 - len_bit % 32));
      for (unsigned i = 0; i < kWords; ++i) m.tbl_data_i[i] = w[i];
      m.tbl_addr_i = static_cast<uint16_t>(c);
      m.tbl_we_i = 1;
      d.tick();
    }
    m.tbl_we_i = 0;
  };
  auto start = [&job](Vtunstall_decoder& m) {
    m.k_i = static_cast<uint8_t>(job.k);
    m.dict_size_i = static_cast<uint16_t>(job.strings.size());
  };
  return run_generic<Vtunstall_decoder>(dut, opt, job.count, to_words(job.words), load, start, false,
                                        [](Vtunstall_decoder& m) {
                                          return SymbolSink::Beat{m.out_data_o, 0, m.out_count_o, m.out_last_o != 0};
                                        });
}
}  // namespace

std::vector<EntropyRun> run_tunstall_rtl(std::span<const TunstallJob> jobs, const EntropyRtlOptions& opt,
                                         bool reset_between) {
  return run_jobs<Vtunstall_decoder>(jobs, opt, reset_between, [&opt](auto& dut, const TunstallJob& j) {
    return run_tunstall_on(dut, j, opt);
  });
}
EntropyRun run_tunstall_rtl(const TunstallJob& job, const EntropyRtlOptions& opt) {
  return run_tunstall_rtl(std::span<const TunstallJob>(&job, 1), opt, false).front();
}

// ---- dispatch ------------------------------------------------------------------

bool rtl_can_decode(CoderId id, std::span<const uint8_t> payload, const CoderParams& p, std::string* why) {
  auto no = [why](std::string s) {
    if (why) *why = std::move(s);
    return false;
  };
  switch (id) {
    case CoderId::Huffman: return true;
    case CoderId::Tunstall: {
      using Top = Vtunstall_decoder_tunstall_decoder;
      if (payload.size() >= 2 && (payload[0] > Top::PubMaxK || payload[1] > Top::PubMaxLen))
        return no("the RTL Tunstall decoder takes k <= " + std::to_string(Top::PubMaxK) + " and strings <= " +
                  std::to_string(Top::PubMaxLen) + " (stream: k " + std::to_string(payload[0]) + ", strings " +
                  std::to_string(payload[1]) + ")");
      return true;
    }
    case CoderId::Rans: {
      if (!payload.empty() && (payload[0] & 0x80)) return no("the RTL rANS decoder has no significance split");
      const unsigned lanes = Vrans_decoder16_rans_decoder::PubLanes;
      if (!payload.empty() && payload[0] > lanes)
        return no("the RTL rANS decoders have at most " + std::to_string(lanes) + " lanes, the stream " +
                  std::to_string(payload[0]));
      return true;
    }
    default: return no("no RTL decoder for coder '" + std::string(entropy::to_string(id)) + "'");
  }
  (void)payload;
  (void)p;
}

EntropyRun decode_rtl(CoderId id, std::span<const uint8_t> payload, size_t count, const CoderParams& p,
                      const EntropyRtlOptions& opt) {
  std::string why;
  if (!rtl_can_decode(id, payload, p, &why)) throw UsageError(why);
  EntropyRun r;
  switch (id) {
    case CoderId::Huffman: r = run_huffman_rtl(make_huffman_job(payload, count, p), opt); break;
    case CoderId::Tunstall: r = run_tunstall_rtl(make_tunstall_job(payload, count, p), opt); break;
    case CoderId::Rans: {
      // The 8-lane decoder takes streams of up to 8 lanes; wider ones go to the 16-lane one.
      EntropyRtlOptions o = opt;
      if (!payload.empty() && payload[0] > 8) o.rans_hw_lanes = 16;
      r = run_rans_rtl(make_rans_job(payload, count, p), o);
      break;
    }
    default: throw UsageError("no RTL decoder");
  }
  if (r.error) throw FormatError("RTL " + std::string(entropy::to_string(id)) + " decoder raised error code " +
                                 std::to_string(r.error_code));
  return r;
}

EntropyRtlParams entropy_rtl_params() {
  EntropyRtlParams q{};
  q.huffman_max_len = Vhuffman_decoder_huffman_decoder::PubMaxLen;
  q.huffman_in_width = Vhuffman_decoder_huffman_decoder::PubInWidth;
  q.tunstall_max_k = Vtunstall_decoder_tunstall_decoder::PubMaxK;
  q.tunstall_max_len = Vtunstall_decoder_tunstall_decoder::PubMaxLen;
  q.tunstall_out_width = Vtunstall_decoder_tunstall_decoder::PubW;
  q.tunstall_in_width = Vtunstall_decoder_tunstall_decoder::PubInWidth;
  q.rans_lanes = Vrans_decoder_rans_decoder::PubLanes;
  q.rans_prob_bits = Vrans_decoder_rans_decoder::PubMaxProbBits;
  q.rans_out_width = Vrans_decoder_rans_decoder::PubLanes;
  q.rans_table_banks = Vrans_decoder_rans_decoder::PubBanks;
  return q;
}

}  // namespace squish::rtl
