#include "squish/version.hpp"

namespace squish {
const char* version() { return SQUISH_VERSION; }
}  // namespace squish
