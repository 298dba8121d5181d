// I/O port read or write (prim-port-io): findings from DriverModel::primitives of kind port_io; see
// docs/rules/prim-port-io.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimPortIo final : public primitive_findings::PrimitiveRule {
 public:
  PrimPortIo()
      : PrimitiveRule({.id = "prim-port-io",
                       .title = "I/O port read or write",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = primitive_findings::kReachabilityLevels,
                       .checklist = {"BP-3", "CL-16"},
                       .cwe = {"CWE-782"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::port_io, "Port I/O", false}) {}
};

DRVSEC_REGISTER_RULE(PrimPortIo);

}  // namespace
}  // namespace drvsec
