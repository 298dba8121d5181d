// Memory mapped into the calling process (prim-user-mapping): findings from DriverModel::primitives of kind user_mapping; see
// docs/rules/prim-user-mapping.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimUserMapping final : public primitive_findings::PrimitiveRule {
 public:
  PrimUserMapping()
      : PrimitiveRule({.id = "prim-user-mapping",
                       .title = "Memory mapped into the calling process",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = primitive_findings::kReachabilityLevels,
                       .checklist = {"BP-6", "CL-16"},
                       .cwe = {"CWE-782"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::user_mapping, "User-mode mapping", false}) {}
};

DRVSEC_REGISTER_RULE(PrimUserMapping);

}  // namespace
}  // namespace drvsec
