// HV-13: ExAllocatePool, ExAllocatePoolWithTag and the quota/priority variants are deprecated;
// ExAllocatePool2/3 zero the allocation, so stale pool contents cannot leak to user mode.
// A driver built with POOL_ZERO_DOWN_LEVEL_SUPPORT imports ExAllocatePoolWithTag as a fallback
// and names "ExAllocatePool2" (UTF-16) to resolve it at run time: that case is a note.
#include <string.h>

#include <algorithm>

#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

// The NUL-terminated UTF-16LE string `text` occurs in `bytes` (as MmGetSystemRoutineAddress needs it).
// memmem looks for the characters without the terminator and each hit is checked for it: memmem
// anchors on the needle's last pair of bytes, and a pair of NULs is everywhere in a PE.
bool contains_utf16_string(std::span<const uint8_t> bytes, std::string_view text) {
  std::vector<uint8_t> needle;
  for (char c : text) needle.insert(needle.end(), {static_cast<uint8_t>(c), 0});
  const uint8_t* at = bytes.data();
  const uint8_t* const end = bytes.data() + bytes.size();
  while (!needle.empty() && at < end) {
    const auto* hit = static_cast<const uint8_t*>(::memmem(at, static_cast<size_t>(end - at), needle.data(), needle.size()));
    if (!hit) return false;
    const uint8_t* after = hit + needle.size();
    if (end - after >= 2 && after[0] == 0 && after[1] == 0) return true;
    at = hit + 1;
  }
  return false;
}

class DeprecatedPoolAllocation final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "api-deprecated-pool",
        .title = "Driver imports deprecated pool allocation routines",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .levels = "note with medium confidence for the down-level pattern: the driver also names `ExAllocatePool2` "
                  "(UTF-16) to resolve it at run time (POOL_ZERO_DOWN_LEVEL_SUPPORT)",
        .checklist = {"HV-13"},
        .cwe = {"CWE-477", "CWE-908"},
        .applies_to = "kernel-driver binaries, every machine (imports)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::deprecated_pool);
    if (caps.empty()) return;
    Finding f = capability_finding(
        file, caps,
        fmt::format("imports deprecated pool routines ({}), which return uninitialized memory; use ExAllocatePool2 "
                    "(ExAllocatePool3 for the priority variant)",
                    api_names(caps)));
    if (file.image && contains_utf16_string(file.image->file(), "ExAllocatePool2")) {
      f.severity = Severity::note;
      f.confidence = Confidence::medium;
      f.evidence.push_back("UTF-16 string 'ExAllocatePool2': likely resolved at run time with a down-level fallback "
                           "(POOL_ZERO_DOWN_LEVEL_SUPPORT)");
    }
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(DeprecatedPoolAllocation);

}  // namespace
}  // namespace drvsec
