// HV-5 (CI 0x2003): under memory integrity no page may be writable and executable, so a
// section with both IMAGE_SCN_MEM_WRITE and IMAGE_SCN_MEM_EXECUTE keeps the driver from loading.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

class WritableExecutableSection final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "hv-wx-section",
        .title = "Section is both writable and executable",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .levels = "warning on 32-bit machines (x86, 32-bit ARM), which have no memory integrity",
        .checklist = {"HV-5", "CL-6", "CL-15"},
        .cwe = {"CWE-732"},
        .applies_to = "kernel drivers, every machine",
        .related = {"BinSkim BA2021", "Driver Verifier code integrity 0x2003"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    for (const pe::Section& s : image.sections) {
      if (!(s.writable() && s.executable())) continue;
      Finding f = make_finding(file, fmt::format("section '{}' is writable and executable; {}", s.name,
                                                 pe_rules::memory_integrity_consequence(image.machine)));
      f.severity = pe_rules::memory_integrity_severity(image.machine);
      f.location.rva = s.virtual_address;
      f.evidence.push_back(fmt::format("section {} includes MEM_WRITE (0x80000000) and MEM_EXECUTE (0x20000000)",
                                       pe_rules::describe_section(s)));
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(WritableExecutableSection);

}  // namespace
}  // namespace drvsec
