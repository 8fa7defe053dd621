// The Verilated mac_datapath as an engine (see squish/rtl/datapath.hpp).
#include "squish/rtl/datapath.hpp"

#include "Vmac_datapath.h"
#include "Vmac_datapath_mac_datapath.h"
#include "engine_common.hpp"

namespace squish::rtl {

using datapath::NzBeat;

struct DatapathRtl::Impl {
  explicit Impl(const DatapathOptions& o) : dut(detail::dut_options(o)), bp(detail::to_bp(o.backpressure)) {
    auto& m = dut.model();
    m.clear_i = 0;
    m.act_valid_i = m.nz_valid_i = m.rq_valid_i = 0;
    m.out_ready_i = 0;
    m.batch_i = 1;
    m.cols_i = 0;
    dut.reset();
  }
  sim::Dut<Vmac_datapath> dut;
  sim::Backpressure bp;
};

DatapathRtl::DatapathRtl(DatapathOptions opt) : impl_(std::make_unique<Impl>(opt)) {}
DatapathRtl::~DatapathRtl() = default;

DatapathParams DatapathRtl::params() {
  using T = Vmac_datapath_mac_datapath;
  return {T::PubLanes, T::PubSlots, T::PubIdxWidth, T::PubRowWidth, T::PubMaxBatch, T::PubActDepth, T::PubAccWidth,
          T::PubCounterWidth};
}

DatapathRtlResult DatapathRtl::run(std::span<const NzBeat> beats, const datapath::Config& cfg,
                                   std::span<const int8_t> acts, std::span<const datapath::Channel> channels) {
  const DatapathParams P = params();
  auto& dut = impl_->dut;
  auto& m = dut.model();
  std::vector<uint32_t> rq_rows;
  for (const auto& b : beats)
    if (b.row_last) rq_rows.push_back(b.row);
  std::unique_ptr<sim::StreamDriver<NzBeat>> nz_drv;
  return detail::run_matrix(dut, impl_->bp, P, cfg, acts, channels, rq_rows, beats.size(), [&] {
    nz_drv = std::make_unique<sim::StreamDriver<NzBeat>>(dut, m.nz_valid_i, m.nz_ready_o, [&m, &P](const NzBeat& b) {
      m.nz_mask_i = b.mask;
      for (unsigned s = 0; s < P.slots; ++s) {
        const bool present = (b.mask >> s) & 1;
        detail::put_bits(m.nz_col_i, s * P.idx_width, P.idx_width, present ? b.col[s] : 0);
        detail::put_bits(m.nz_val_i, s * 8, 8, present ? static_cast<uint8_t>(b.val[s]) : 0);
      }
      m.nz_row_i = b.row;
      m.nz_row_last_i = b.row_last;
      m.nz_last_i = b.last;
    }, impl_->bp);
    nz_drv->push(beats.begin(), beats.end());
    return std::function<bool()>([d = nz_drv.get()] { return d->idle(); });
  });
}

}  // namespace squish::rtl
