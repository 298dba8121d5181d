// HV-5 (CI 0x2003): under memory integrity no page may be writable and executable, so a
// section with both IMAGE_SCN_MEM_WRITE and IMAGE_SCN_MEM_EXECUTE keeps the driver from loading.
#include <fmt/format.h>

#include "core/rule.h"

namespace drvsec {
namespace {

class WritableExecutableSection final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "hv-wx-section",
        .title = "Section is both writable and executable",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .checklist = {"HV-5", "CL-6", "CL-15"},
        .cwe = {"CWE-732"},
        .applies_to = "kernel drivers, every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.image || !file.model || !file.model->is_kernel_driver) return;
    for (const pe::Section& s : file.image->sections) {
      if (!(s.writable() && s.executable())) continue;
      Finding f = make_finding(
          file, fmt::format("section '{}' is writable and executable; memory integrity (HVCI) refuses to load the driver",
                            s.name));
      f.location.rva = s.virtual_address;
      f.evidence.push_back(fmt::format("characteristics 0x{:08X} include MEM_WRITE (0x80000000) and MEM_EXECUTE (0x20000000)",
                                       s.characteristics));
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(WritableExecutableSection);

}  // namespace
}  // namespace drvsec
