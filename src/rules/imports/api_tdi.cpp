// CL-5.19: TDI (TDI.SYS) is the legacy network transport interface; TDI filters are not
// supported, and new network code must use the Windows Filtering Platform (FWPKCLNT.SYS).
#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

class TdiUse final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "api-tdi",
        .title = "Driver uses the legacy TDI network interface",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .checklist = {"CL-5.19"},
        .cwe = {"CWE-477"},
        .applies_to = "kernel-driver binaries, every machine (imports from TDI.SYS)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::tdi);
    if (caps.empty()) return;
    Finding f = capability_finding(
        file, caps,
        fmt::format("imports TDI.SYS ({}); TDI is deprecated, use the Windows Filtering Platform or Winsock Kernel",
                    api_names(caps)));
    if (imports_function(file, "FwpsCalloutRegister0") || imports_function(file, "FwpmEngineOpen0"))
      f.evidence.push_back("also imports WFP routines from FWPKCLNT.SYS");
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(TdiUse);

}  // namespace
}  // namespace drvsec
