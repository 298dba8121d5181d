// HV-11: a base relocation whose target crosses a 4 KB page boundary cannot be applied page by
// page. Windows 10 1507 to 1607 with memory integrity refuse such drivers; later versions cope,
// so this is a warning, not an error. Packed structures with pointer initializers cause it.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

constexpr uint32_t kPageSize = 0x1000;
constexpr size_t kMaxRelocationsListed = 8;

// Bytes a relocation patches, for the types that patch memory on x86/x64 (0: not checked).
uint32_t patched_width(uint8_t type) {
  switch (type) {
    case 1:  // IMAGE_REL_BASED_HIGH
    case 2:  // IMAGE_REL_BASED_LOW
      return 2;
    case pe::reloc::highlow: return 4;
    case pe::reloc::dir64: return 8;
  }
  return 0;
}

std::string_view type_name(uint8_t type) {
  switch (type) {
    case 1: return "HIGH";
    case 2: return "LOW";
    case pe::reloc::highlow: return "HIGHLOW";
    case pe::reloc::dir64: return "DIR64";
  }
  return "?";
}

class RelocationStraddlesPage final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "hv-reloc-straddles-page",
        .title = "Base relocation crosses a page boundary",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .levels = "note on 32-bit machines (x86, 32-bit ARM), which have no memory integrity",
        .checklist = {"HV-11", "CL-6"},
        .cwe = {},
        .no_cwe_reason = "a loading defect, not a weakness: Windows 10 1507-1607 with memory integrity refuse the "
                         "driver, later versions load it",
        .applies_to = "kernel drivers, every machine",
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    // Count them all, keep the first few for evidence (an image may hold millions of relocations).
    size_t count = 0;
    std::vector<const pe::Relocation*> listed;
    for (const pe::Relocation& r : image.relocations) {
      const uint32_t width = patched_width(r.type);
      if (!width || r.rva % kPageSize + width <= kPageSize) continue;
      if (++count <= kMaxRelocationsListed) listed.push_back(&r);
    }
    if (count == 0) return;

    const bool memory_integrity = pe_rules::has_memory_integrity(image.machine);
    Finding f = make_finding(
        file, fmt::format("{} base relocation(s) cross a 4 KB page boundary; {}", count,
                          memory_integrity ? "Windows 10 1507-1607 with memory integrity refuse to load the driver"
                                           : "harmless on 32-bit Windows, but a 64-bit build with the same data "
                                             "does not load under memory integrity on Windows 10 1507-1607"));
    if (!memory_integrity) f.severity = Severity::note;
    f.location.rva = listed.front()->rva;
    for (const pe::Relocation* listed_relocation : listed) {
      const pe::Relocation& r = *listed_relocation;
      const pe::Section* s = image.section_at_rva(r.rva);
      f.evidence.push_back(fmt::format("{} relocation at RVA 0x{:X} (page offset 0x{:X}, {} bytes){}", type_name(r.type),
                                       r.rva, r.rva % kPageSize, patched_width(r.type),
                                       s ? fmt::format(" in section '{}'", s->name) : std::string{}));
    }
    if (count > listed.size()) f.evidence.push_back(fmt::format("... and {} more", count - listed.size()));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(RelocationStraddlesPage);

}  // namespace
}  // namespace drvsec
