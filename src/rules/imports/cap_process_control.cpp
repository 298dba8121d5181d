// BP-2, BP-4: terminating, opening or attaching to other processes. BP-2 asks drivers that
// terminate processes to refuse protected ones (PsIsProtectedProcess/PsIsProtectedProcessLight):
// ZwTerminateProcess without either import is a warning, every other case a note.
#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

class ProcessControlCapability final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "cap-process-control",
        .title = "Driver can terminate, open or enter other processes",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .levels = "warning when it imports ZwTerminateProcess but neither PsIsProtectedProcess nor "
                  "PsIsProtectedProcessLight (BP-2)",
        .checklist = {"BP-2", "BP-4"},
        .cwe = {"CWE-749"},
        .applies_to = "kernel-driver binaries, every machine (imports)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::process_control);
    if (caps.empty()) return;
    const bool terminates = !only_apis(caps, {"ZwTerminateProcess"}).empty();
    std::vector<std::string> checks;
    for (std::string_view check : {"PsIsProtectedProcess", "PsIsProtectedProcessLight"})
      if (imports_function(file, check)) checks.emplace_back(check);

    Finding f = capability_finding(file, caps, fmt::format("can control other processes ({})", api_names(caps)));
    if (terminates && checks.empty()) {
      f.message += "; it terminates processes but imports neither PsIsProtectedProcess nor PsIsProtectedProcessLight, "
                   "so protected (anti-malware) processes are not refused";
      f.severity = Severity::warning;
    } else if (terminates) {
      for (const auto& c : checks) f.evidence.push_back(fmt::format("imports {} (protected processes can be refused)", c));
    }
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(ProcessControlCapability);

}  // namespace
}  // namespace drvsec
