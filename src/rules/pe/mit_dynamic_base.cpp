// BinSkim BA2009: IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE asks for a randomized load address.
// The kernel relocates drivers that carry base relocations whatever the flag says, so a
// missing flag alone is a note; stripped relocations (IMAGE_FILE_RELOCS_STRIPPED) leave the
// kernel no way to move the image at all, which is a warning.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

constexpr uint16_t kRelocsStripped = 0x0001;  // IMAGE_FILE_RELOCS_STRIPPED (COFF characteristics)

class DynamicBase final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "mit-dynamic-base",
        .title = "Image does not opt in to address space layout randomization",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .levels = "warning when the base relocations are stripped (the image cannot be loaded at a random address "
                  "at all)",
        .checklist = {"CL-15"},
        .cwe = {"CWE-693"},
        .applies_to = "kernel drivers, every machine",
        .related = {"BinSkim BA2009"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    const bool dynamic_base = image.dll_characteristics & pe::dllchar::dynamic_base;
    const bool relocs_stripped = image.characteristics & kRelocsStripped;
    if (dynamic_base && !relocs_stripped) return;

    Finding f = make_finding(file, relocs_stripped
                                       ? "base relocations are stripped; the image cannot be loaded at a random address"
                                       : "image is not marked DYNAMIC_BASE (link with /DYNAMICBASE)");
    if (relocs_stripped) f.severity = Severity::warning;
    f.evidence.push_back(pe_rules::dll_characteristics_evidence(image, "IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE",
                                                                pe::dllchar::dynamic_base));
    f.evidence.push_back(fmt::format("FileHeader.Characteristics = 0x{:04X} (IMAGE_FILE_RELOCS_STRIPPED 0x0001 is {})",
                                     image.characteristics, relocs_stripped ? "set" : "clear"));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(DynamicBase);

}  // namespace
}  // namespace drvsec
