// Fuzzes the LOLDrivers catalogue reader (a hand-written JSON reader) and matching.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/loldrivers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec;
  try {
    intel::LolDrivers catalogue = intel::LolDrivers::parse(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)catalogue.match({std::string(64, 'a'), nullptr, nullptr});
  } catch (const intel::LoadError&) {
  }
  return 0;
}
