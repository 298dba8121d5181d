// MDL mapped without MdlMappingNoExecute (hv-mdl-mapping-executable): from DriverModel::memory_integrity_calls (src/binary/memory_integrity_calls.h);
// see docs/rules/hv-mdl-mapping-executable.md.
#include "rules/code/memory_integrity_findings.h"

namespace drvsec {
namespace {

class HvMdlMappingExecutable final : public MemoryIntegrityRule {
 public:
  HvMdlMappingExecutable()
      : MemoryIntegrityRule({.id = "hv-mdl-mapping-executable",
                             .title = "MDL mapped without MdlMappingNoExecute",
                             .severity = Severity::error,
                             .confidence = Confidence::high,
                             .levels = "warning with low confidence when the page priority could not be determined "
                                       "statically",
                             .checklist = {"HV-4", "CL-6"},
                             .cwe = {"CWE-732"},
                             .applies_to = "kernel driver binaries (x86, x64) whose code was analyzed",
                             .related = {"Driver Verifier code integrity 0x2002"}},
                            MemoryIntegrityIssue::executable_mdl_mapping, "page priority") {}
};

DRVSEC_REGISTER_RULE(HvMdlMappingExecutable);

}  // namespace
}  // namespace drvsec
