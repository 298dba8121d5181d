// Memory copy with caller-chosen addresses or size (prim-kernel-memory-copy): findings from DriverModel::primitives of kind kernel_memory_copy; see
// docs/rules/prim-kernel-memory-copy.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimKernelMemoryCopy final : public primitive_findings::PrimitiveRule {
 public:
  PrimKernelMemoryCopy()
      : PrimitiveRule({.id = "prim-kernel-memory-copy",
                       .title = "Memory copy with caller-chosen addresses or size",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = "note with low confidence when no dispatch routine or KMDF queue callback reaches "
                                 "the copy (a capability); copies whose operands the caller does not control are "
                                 "not reported",
                       .checklist = {"BP-4", "CL-5.6", "CL-16"},
                       .cwe = {"CWE-123", "CWE-787"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::kernel_memory_copy, "Memory copy", true}) {}
};

DRVSEC_REGISTER_RULE(PrimKernelMemoryCopy);

}  // namespace
}  // namespace drvsec
