// Executable pool allocation (hv-executable-pool): from DriverModel::memory_integrity_calls (src/binary/memory_integrity_calls.h);
// see docs/rules/hv-executable-pool.md.
#include "rules/code/memory_integrity_findings.h"

namespace drvsec {
namespace {

class HvExecutablePool final : public MemoryIntegrityRule {
 public:
  HvExecutablePool()
      : MemoryIntegrityRule({.id = "hv-executable-pool",
                             .title = "Executable pool allocation",
                             .severity = Severity::error,
                             .confidence = Confidence::high,
                             .levels = "warning with low confidence when the pool type or flags could not be "
                                       "determined statically",
                             .checklist = {"HV-2", "CL-5.9", "CL-6"},
                             .cwe = {"CWE-732"},
                             .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed",
                             .related = {"Driver Verifier code integrity 0x2000"}},
                            MemoryIntegrityIssue::executable_pool, "pool type or flags") {}
};

DRVSEC_REGISTER_RULE(HvExecutablePool);

}  // namespace
}  // namespace drvsec
