// BP-8, CL-16: firmware (UEFI) variables. Writing them changes state that survives a reboot and
// that the driver rarely owns, so a write capability is a warning; reading alone is a note.
#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

class FirmwareCapability final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "cap-firmware",
        .title = "Driver can read or write firmware environment variables",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .levels = "warning when it can write firmware variables (ExSetFirmwareEnvironmentVariable, "
                  "ZwSetSystemEnvironmentValue(Ex), HalSetEnvironmentVariable)",
        .checklist = {"BP-8", "CL-16"},
        .cwe = {"CWE-749"},
        .applies_to = "kernel-driver binaries, every machine (imports)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::firmware);
    if (caps.empty()) return;
    const auto writers = with_property(caps, ddi::writes);  // the DDI table's writers of firmware variables
    Finding f = capability_finding(file, caps, fmt::format("can {} firmware environment variables ({})",
                                                           writers.empty() ? "read" : "write", api_names(caps)));
    if (!writers.empty()) {
      f.message += "; writes persist across reboots and must be limited to the driver's own variables";
      f.severity = Severity::warning;
    }
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(FirmwareCapability);

}  // namespace
}  // namespace drvsec
