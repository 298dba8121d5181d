// Fuzzes the --baseline reader: an earlier drvsec JSON report or SARIF log, as hostile text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "report/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec;
  try {
    const Baseline b = parse_baseline(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.sarif");
    std::vector<Finding> findings(1);
    findings[0].fingerprint = b.fingerprints.empty() ? std::string() : *b.fingerprints.begin();
    apply_baseline(b, findings);
  } catch (const BaselineError&) {
  }
  return 0;
}
