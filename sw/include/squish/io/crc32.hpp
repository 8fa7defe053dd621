// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final XOR
// 0xFFFFFFFF) — the CRC of zip, gzip and PNG, and of every .sqz section.
#pragma once

#include <cstdint>
#include <span>

namespace squish::io {

/// CRC-32 of `data`; pass a previous result as `crc` to continue a running CRC.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc = 0);

}  // namespace squish::io
