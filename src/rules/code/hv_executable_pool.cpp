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
                             .checklist = {"HV-2", "CL-5.9", "CL-6"},
                             .cwe = {"CWE-732"},
                             .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed"},
                            MemoryIntegrityIssue::executable_pool, "pool type or flags") {}
};

DRVSEC_REGISTER_RULE(HvExecutablePool);

}  // namespace
}  // namespace drvsec
