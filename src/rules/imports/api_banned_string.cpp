// CL-5.17: string functions without a destination size (strcpy, sprintf, ...) or with a bound that
// does not terminate (strncpy, _snprintf). The kernel exports them, so a driver that imports
// them calls them; the fix is ntstrsafe (RtlStringCb*/RtlStringCch*), which is inlined.
#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

class BannedStringFunctions final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "api-banned-string",
        .title = "Driver imports banned string functions",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .checklist = {"CL-5.17"},
        .cwe = {"CWE-676", "CWE-120"},
        .applies_to = "kernel-driver binaries, every machine (imports)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::banned_string);
    if (caps.empty()) return;
    out.push_back(capability_finding(
        file, caps,
        fmt::format("imports banned string functions ({}); use the ntstrsafe RtlStringCb*/RtlStringCch* functions",
                    api_names(caps))));
  }
};

DRVSEC_REGISTER_RULE(BannedStringFunctions);

}  // namespace
}  // namespace drvsec
