// Physical memory mapped or copied (prim-physical-memory-map): findings from DriverModel::primitives of kind physical_memory_map; see
// docs/rules/prim-physical-memory-map.md and src/binary/primitives.h for how sites, reachability and operands are found.
#include "rules/code/primitive_findings.h"

namespace drvsec {
namespace {

class PrimPhysicalMemoryMap final : public primitive_findings::PrimitiveRule {
 public:
  PrimPhysicalMemoryMap()
      : PrimitiveRule({.id = "prim-physical-memory-map",
                       .title = "Physical memory mapped or copied",
                       .severity = Severity::error,
                       .confidence = Confidence::high,
                       .levels = primitive_findings::kReachabilityLevels,
                       .checklist = {"BP-5", "BP-6", "CL-16"},
                       .cwe = {"CWE-782", "CWE-123"},
                       .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                      {PrimitiveKind::physical_memory_map, "Physical memory access", false}) {}
};

DRVSEC_REGISTER_RULE(PrimPhysicalMemoryMap);

}  // namespace
}  // namespace drvsec
