// Model-specific register read or write (prim-msr-access): findings from DriverModel::primitives of kind msr_access; see
// docs/rules/prim-msr-access.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimMsrAccess final : public primitive_findings::PrimitiveRule {
 public:
  PrimMsrAccess()
      : PrimitiveRule({.id = "prim-msr-access",
                       .title = "Model-specific register read or write",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = primitive_findings::kReachabilityLevels,
                       .checklist = {"BP-1", "CL-5.10", "CL-16"},
                       .cwe = {"CWE-782"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::msr_access, "MSR access", false}) {}
};

DRVSEC_REGISTER_RULE(PrimMsrAccess);

}  // namespace
}  // namespace drvsec
