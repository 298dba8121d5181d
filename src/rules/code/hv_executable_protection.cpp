// Executable page protection (hv-executable-protection): from DriverModel::memory_integrity_calls (src/binary/memory_integrity_calls.h);
// see docs/rules/hv-executable-protection.md.
#include "rules/code/memory_integrity_findings.h"

namespace drvsec {
namespace {

class HvExecutableProtection final : public MemoryIntegrityRule {
 public:
  HvExecutableProtection()
      : MemoryIntegrityRule({.id = "hv-executable-protection",
                             .title = "Executable page protection",
                             .severity = Severity::error,
                             .confidence = Confidence::high,
                             .levels = "warning with low confidence when the page protection could not be "
                                       "determined statically",
                             .checklist = {"HV-3", "HV-10", "CL-6"},
                             .cwe = {"CWE-732"},
                             .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed",
                             .related = {"Driver Verifier code integrity 0x2001"}},
                            MemoryIntegrityIssue::executable_protection, "page protection") {}
};

DRVSEC_REGISTER_RULE(HvExecutableProtection);

}  // namespace
}  // namespace drvsec
