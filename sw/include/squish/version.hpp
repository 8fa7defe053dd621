#pragma once
namespace squish {
/// Version of the golden stack and CLI (set by CMake from the project version).
const char* version();
}  // namespace squish
