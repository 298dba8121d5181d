// HV-6 (CI 0x2004): memory integrity maps a driver page by page with one protection per page,
// so SectionAlignment must be a multiple of 0x1000 and every section must start on a page.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

constexpr uint32_t kPageSize = 0x1000;
constexpr size_t kMaxSectionsListed = 8;  // evidence stays readable on images with many sections

class SectionAlignment final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "hv-section-alignment",
        .title = "Sections are not aligned to 4 KB pages",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .levels = "warning on 32-bit machines (x86, 32-bit ARM), which have no memory integrity",
        .checklist = {"HV-6", "CL-6"},
        .cwe = {"CWE-732"},
        .applies_to = "kernel drivers, every machine",
        .related = {"Driver Verifier code integrity 0x2004"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    std::vector<const pe::Section*> unaligned;
    for (const pe::Section& s : image.sections)
      if (s.virtual_address % kPageSize != 0) unaligned.push_back(&s);
    const bool bad_alignment = image.section_alignment % kPageSize != 0;
    if (!bad_alignment && unaligned.empty()) return;

    const std::string what =
        bad_alignment ? fmt::format("section alignment 0x{:X} is not a multiple of 0x1000", image.section_alignment)
                      : fmt::format("{} section(s) do not start on a 4 KB page", unaligned.size());
    Finding f = make_finding(file, fmt::format("{}; {}", what, pe_rules::memory_integrity_consequence(image.machine)));
    f.severity = pe_rules::memory_integrity_severity(image.machine);
    if (!unaligned.empty()) f.location.rva = unaligned.front()->virtual_address;
    f.evidence.push_back(fmt::format("OptionalHeader.SectionAlignment = 0x{:X}{}", image.section_alignment,
                                     bad_alignment ? " (not a multiple of 0x1000)" : ""));
    for (size_t i = 0; i < unaligned.size() && i < kMaxSectionsListed; ++i)
      f.evidence.push_back(fmt::format("section {} starts at page offset 0x{:X}", pe_rules::describe_section(*unaligned[i]),
                                       unaligned[i]->virtual_address % kPageSize));
    if (unaligned.size() > kMaxSectionsListed)
      f.evidence.push_back(fmt::format("... and {} more unaligned section(s)", unaligned.size() - kMaxSectionsListed));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(SectionAlignment);

}  // namespace
}  // namespace drvsec
