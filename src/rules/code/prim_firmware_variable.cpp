// Firmware (UEFI) variable write (prim-firmware-variable): findings from DriverModel::primitives of kind firmware; see
// docs/rules/prim-firmware-variable.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimFirmwareVariable final : public primitive_findings::PrimitiveRule {
 public:
  PrimFirmwareVariable()
      : PrimitiveRule({.id = "prim-firmware-variable",
                       .title = "Firmware (UEFI) variable write",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = primitive_findings::kReachabilityLevels,
                       .checklist = {"BP-8", "CL-16"},
                       .cwe = {"CWE-782"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::firmware, "Firmware variable write", false}) {}
};

DRVSEC_REGISTER_RULE(PrimFirmwareVariable);

}  // namespace
}  // namespace drvsec
