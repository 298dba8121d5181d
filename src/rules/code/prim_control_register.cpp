// Control/debug register or privileged CPU state access (prim-control-register): findings from DriverModel::primitives of kind control_register; see
// docs/rules/prim-control-register.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimControlRegister final : public primitive_findings::PrimitiveRule {
 public:
  PrimControlRegister()
      : PrimitiveRule({.id = "prim-control-register",
                       .title = "Control/debug register or privileged CPU state access",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = primitive_findings::kReachabilityLevels,
                       .checklist = {"BP-8", "HV-8", "CL-16"},
                       .cwe = {"CWE-782"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::control_register, "Privileged instruction", false}) {}
};

DRVSEC_REGISTER_RULE(PrimControlRegister);

}  // namespace
}  // namespace drvsec
