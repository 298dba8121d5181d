// Fuzzes the whole binary pipeline on one file: PE parsing, model recovery and every rule.
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const drvsec::ScanOptions options;
  drvsec::FileAnalysis file = drvsec::analyze_bytes("fuzz.sys", std::span(data, size), options);
  (void)drvsec::run_rules(file, options);
  return 0;
}
