// A section that is both shared (IMAGE_SCN_MEM_SHARED) and writable is one copy of data for
// every mapping of the image (BinSkim BA2019). For a kernel driver the mapping is normally
// single, but session-space images are mapped once per session, so such a section becomes
// state that one session can write and another reads.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

class SharedWritableSection final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "pe-shared-writable-section",
        .title = "Section is both shared and writable",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .checklist = {"CL-15"},
        .cwe = {"CWE-732"},
        .applies_to = "kernel drivers, every machine",
        .related = {"BinSkim BA2019"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    for (const pe::Section& s : image.sections) {
      if (!(s.shared() && s.writable())) continue;
      Finding f = make_finding(file, fmt::format("section '{}' is shared and writable", s.name));
      f.location.rva = s.virtual_address;
      f.evidence.push_back(fmt::format("section {} includes MEM_SHARED (0x10000000) and MEM_WRITE (0x80000000)",
                                       pe_rules::describe_section(s)));
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(SharedWritableSection);

}  // namespace
}  // namespace drvsec
