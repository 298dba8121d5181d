// sm-shared-internal-device-control (SM-7): the same routine serves IRP_MJ_DEVICE_CONTROL
// (public) and IRP_MJ_INTERNAL_DEVICE_CONTROL (kernel-only) requests. Reads only the DriverModel.
#include <fmt/format.h>

#include "rules/rule.h"

namespace drvsec {
namespace {

class SharedInternalDeviceControl final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{.id = "sm-shared-internal-device-control",
                               .title = "Same handler for public and internal device control",
                               .severity = Severity::warning,
                               .confidence = Confidence::high,
                               .checklist = {"SM-7"},
                               .cwe = {"CWE-284"},
                               .applies_to = "drivers whose dispatch routines were recovered"};
    return meta;
  }
  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model) return;
    const DispatchRoutine* pub = file.model->dispatch_for(kIrpMjDeviceControl);
    const DispatchRoutine* internal = file.model->dispatch_for(kIrpMjInternalDeviceControl);
    if (!pub || !internal || pub->rva != internal->rva || pub->from_fill_loop || internal->from_fill_loop) return;
    Finding f = make_finding(file, fmt::format("{} handles both IRP_MJ_DEVICE_CONTROL and IRP_MJ_INTERNAL_DEVICE_CONTROL: "
                                               "internal IOCTLs are reachable from user mode",
                                               file.model->function_label(pub->rva)));
    at_code(f, *file.model, pub->rva, pub->rva);
    f.facts = {pub->id, internal->id};
    f.evidence.push_back(fmt::format("MajorFunction[0x0E] = MajorFunction[0x0F] = 0x{:X}", pub->rva));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(SharedInternalDeviceControl);

}  // namespace
}  // namespace drvsec
