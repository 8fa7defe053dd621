// Fault injection into the RTL engines (SQUISH_FAULT, sw/src/runtime/fault.cpp):
// tests use it to prove that every RTL/golden comparison catches a wrong bit.
#pragma once

#include <memory>
#include <string_view>

namespace squish::runtime {

class Device;
class BlockEngines;

/// True when $SQUISH_FAULT lists `target` (and says so on stderr).
bool fault_armed(std::string_view target);
/// The engine unchanged without $SQUISH_FAULT, else wrapped so that the listed
/// results are corrupted by one bit. make_device("rtl") and
/// make_block_engines() apply it; the golden engines never are.
std::unique_ptr<Device> with_faults(std::unique_ptr<Device> d);
std::unique_ptr<BlockEngines> with_faults(std::unique_ptr<BlockEngines> b);

}  // namespace squish::runtime
