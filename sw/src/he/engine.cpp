// Golden polynomial-multiplier engine and the RTL engine registry (squish/he/engine.hpp).
#include "squish/he/engine.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "squish/error.hpp"
#include "squish/he/ntt.hpp"
#include "squish/he/ntt_unit.hpp"

namespace squish::he {

namespace {
PolyMulFn g_rtl = nullptr;
MulPlainFn g_rtl_mul_plain = nullptr;
constexpr const char* kNoRtl =
    "--engine rtl: this squish was built without the RTL (SQUISH_BUILD_RTL=OFF or a SQUISH_BLOCKS filter)";
}

PolyMulResult golden_polymul(uint64_t q, std::span<const uint64_t> a, std::span<const uint64_t> b) {
  static std::mutex mu;
  static std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<NttTables>> cache;
  const NttTables* t;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = cache[{a.size(), q}];
    if (!slot) slot = std::make_unique<NttTables>(a.size(), q);
    t = slot.get();
  }
  return {negacyclic_multiply(*t, a, b), 0, 0};
}

MulPlainResult model_mul_plain(uint64_t q, std::span<const std::vector<uint64_t>> cs, std::span<const uint64_t> p) {
  const NttTables t(p.size(), q);
  NttUnitModel unit;
  return {unit_mul_plain(unit, t, cs, p), 0, 0};
}

void register_rtl_polymul(PolyMulFn f) { g_rtl = f; }
bool have_rtl_polymul() { return g_rtl != nullptr; }
PolyMulFn rtl_polymul_engine() {
  if (!g_rtl) throw UsageError(kNoRtl);
  return g_rtl;
}
void register_rtl_mul_plain(MulPlainFn f) { g_rtl_mul_plain = f; }
MulPlainFn rtl_mul_plain_engine() {
  if (!g_rtl_mul_plain) throw UsageError(kNoRtl);
  return g_rtl_mul_plain;
}

}  // namespace squish::he
