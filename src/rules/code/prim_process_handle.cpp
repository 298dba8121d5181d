// Process or handle operation on caller-supplied PID or handle (prim-process-handle): findings from DriverModel::primitives of kind process_handle; see
// docs/rules/prim-process-handle.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimProcessHandle final : public primitive_findings::PrimitiveRule {
 public:
  PrimProcessHandle()
      : PrimitiveRule({.id = "prim-process-handle",
                       .title = "Process or handle operation on caller-supplied PID or handle",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = primitive_findings::kReachabilityLevels,
                       .checklist = {"BP-2", "CL-5.11"},
                       .cwe = {"CWE-782", "CWE-863"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::process_handle, "Process/handle operation", false}) {}
};

DRVSEC_REGISTER_RULE(PrimProcessHandle);

}  // namespace
}  // namespace drvsec
