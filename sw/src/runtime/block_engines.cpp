#include "squish/runtime/block_engines.hpp"

#include <atomic>

#include "squish/error.hpp"
#include "squish/runtime/fault.hpp"

namespace squish::runtime {

namespace {
std::atomic<BlockEnginesFactory> g_factory{nullptr};
}

void register_block_engines(BlockEnginesFactory f) { g_factory.store(f); }
bool have_block_engines() { return g_factory.load() != nullptr; }

std::unique_ptr<BlockEngines> make_block_engines() {
  const auto f = g_factory.load();
  if (!f)
    throw UsageError("--engine rtl: this squish was built without the RTL (configure with SQUISH_BUILD_RTL=ON and no "
                     "SQUISH_BLOCKS filter)");
  return with_faults(f());
}

}  // namespace squish::runtime
