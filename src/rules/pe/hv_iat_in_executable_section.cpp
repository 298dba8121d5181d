// HV-7 (CI 0x2005): the loader writes the import address table when it binds imports, and
// memory integrity never lets a page be writable and executable, so the IAT must not sit in an
// executable section. The usual cause is /MERGE:.rdata=.text. Import descriptors alone in an
// executable section are not reported: the WDK links them into the discardable INIT section.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

constexpr size_t kMaxModulesListed = 8;

// The executable section that [rva, rva+size) overlaps, or nullptr.
const pe::Section* executable_section_overlapping(const pe::Image& image, uint32_t rva, uint32_t size) {
  for (const pe::Section& s : image.sections)
    if (s.executable() && pe_rules::overlaps(s, rva, size)) return &s;
  return nullptr;
}

class IatInExecutableSection final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "hv-iat-in-executable-section",
        .title = "Import address table is in an executable section",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .levels = "warning on 32-bit machines (x86, 32-bit ARM), which have no memory integrity",
        .checklist = {"HV-7", "CL-6", "CL-15"},
        .cwe = {"CWE-732"},
        .applies_to = "kernel drivers, every machine",
        .related = {"BinSkim BA2010", "Driver Verifier code integrity 0x2005"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {

    // The IAT data directory, then every slot the import parser found (regular and delay-load),
    // slot by slot: a hostile file may scatter one module's slots across sections.
    std::vector<std::string> iat_evidence;
    std::optional<uint32_t> first_rva;
    const pe::Section* iat_section = nullptr;
    const pe::DataDirectory& iat = image.directories[pe::dir::iat];
    if (iat.present()) {
      if (const pe::Section* s = executable_section_overlapping(image, iat.rva, iat.size)) {
        iat_section = s;
        first_rva = iat.rva;
        iat_evidence.push_back(fmt::format("IAT directory (DataDirectory[12]) at RVA 0x{:X} (0x{:X} bytes) lies in "
                                           "executable section {}",
                                           iat.rva, iat.size, pe_rules::describe_section(*s)));
      }
    }
    size_t modules = 0;
    for (const pe::ImportedModule& m : image.imports) {
      for (const pe::ImportedFunction& fn : m.functions) {
        const pe::Section* s = image.section_at_rva(fn.iat_rva);
        if (!s || !s->executable()) continue;
        if (!iat_section) {
          iat_section = s;
          first_rva = fn.iat_rva;
        }
        if (++modules <= kMaxModulesListed)
          iat_evidence.push_back(fmt::format("{}IAT of {} has its slot for {} at RVA 0x{:X} in executable section '{}'",
                                             m.delay_load ? "delay-load " : "", m.dll,
                                             fn.name.empty() ? fmt::format("ordinal {}", fn.ordinal.value_or(0)) : fn.name,
                                             fn.iat_rva, s->name));
        break;  // one slot per module is enough evidence
      }
    }
    if (modules > kMaxModulesListed)
      iat_evidence.push_back(fmt::format("... and {} more module(s)", modules - kMaxModulesListed));

    if (!iat_section) return;
    Finding f = make_finding(file, fmt::format("the import address table is in executable section '{}'; {}",
                                               iat_section->name, pe_rules::memory_integrity_consequence(image.machine)));
    f.severity = pe_rules::memory_integrity_severity(image.machine);
    f.location.rva = first_rva;
    f.evidence = std::move(iat_evidence);
    // Descriptors alone in an executable section are normal (the WDK puts them in INIT); next
    // to an IAT in code they show the /MERGE that caused it.
    const pe::DataDirectory& descriptors = image.directories[pe::dir::import];
    if (descriptors.present())
      if (const pe::Section* s = executable_section_overlapping(image, descriptors.rva, descriptors.size))
        f.evidence.push_back(fmt::format("import descriptors (DataDirectory[1]) at RVA 0x{:X} lie in executable section {}",
                                         descriptors.rva, pe_rules::describe_section(*s)));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(IatInExecutableSection);

}  // namespace
}  // namespace drvsec
