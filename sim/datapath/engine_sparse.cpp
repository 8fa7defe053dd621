// The Verilated decoder + datapath path (mac_sparse_datapath) as an engine.
#include "Vmac_sparse_datapath.h"
#include "engine_common.hpp"
#include "squish/rtl/datapath.hpp"

namespace squish::rtl {

namespace {
struct Word {
  uint32_t data = 0;
  bool last = false;
};
}  // namespace

struct SparseDatapathRtl::Impl {
  explicit Impl(const DatapathOptions& o) : dut(detail::dut_options(o)), bp(detail::to_bp(o.backpressure)) {
    auto& m = dut.model();
    m.clear_i = 0;
    m.act_valid_i = m.in_valid_i = m.rq_valid_i = 0;
    m.out_ready_i = 0;
    m.batch_i = 1;
    m.cols_i = 0;
    dut.reset();
  }
  sim::Dut<Vmac_sparse_datapath> dut;
  sim::Backpressure bp;
};

SparseDatapathRtl::SparseDatapathRtl(DatapathOptions opt) : impl_(std::make_unique<Impl>(opt)) {}
SparseDatapathRtl::~SparseDatapathRtl() = default;

DatapathRtlResult SparseDatapathRtl::run(std::span<const uint8_t> payload, size_t rows, const datapath::Config& cfg,
                                         std::span<const int8_t> acts, std::span<const datapath::Channel> channels) {
  if (payload.size() % 4 != 0) throw UsageError("rtl sparse datapath: payload is not a whole number of 32-bit words");
  const DatapathParams P = DatapathRtl::params();
  auto& dut = impl_->dut;
  auto& m = dut.model();
  std::vector<uint32_t> rq_rows(rows);
  for (size_t r = 0; r < rows; ++r) rq_rows[r] = static_cast<uint32_t>(r);
  std::vector<Word> words(payload.size() / 4);
  for (size_t i = 0; i < words.size(); ++i) {
    words[i].data = uint32_t(payload[4 * i]) | uint32_t(payload[4 * i + 1]) << 8 | uint32_t(payload[4 * i + 2]) << 16 |
                    uint32_t(payload[4 * i + 3]) << 24;
    words[i].last = i + 1 == words.size();
  }
  std::unique_ptr<sim::StreamDriver<Word>> drv;
  auto r = detail::run_matrix(dut, impl_->bp, P, cfg, acts, channels, rq_rows, words.size() + rows, [&] {
    drv = std::make_unique<sim::StreamDriver<Word>>(dut, m.in_valid_i, m.in_ready_o, [&m](const Word& w) {
      m.in_data_i = w.data;
      m.in_last_i = w.last;
    }, impl_->bp);
    drv->push(words.begin(), words.end());
    return std::function<bool()>([d = drv.get()] { return d->idle(); });
  });
  r.error = r.error || m.dec_error_o;
  return r;
}

}  // namespace squish::rtl
