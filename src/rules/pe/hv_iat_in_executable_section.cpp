// HV-7 (CI 0x2005): the loader writes the import address table when it binds imports, and
// memory integrity never lets a page be writable and executable, so the IAT must not sit in an
// executable section. The usual cause is /MERGE:.rdata=.text. Import descriptors alone in an
// executable section are not reported: the WDK links them into the discardable INIT section.
#include <fmt/format.h>

#include "core/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

struct Range {
  std::string what;  // "IAT directory", "IAT of NTOSKRNL.exe", ...
  uint32_t rva = 0;
  uint32_t size = 0;
};

// The executable section that [rva, rva+size) overlaps, or nullptr.
const pe::Section* executable_section_overlapping(const pe::Image& image, const Range& r) {
  for (const pe::Section& s : image.sections)
    if (s.executable() && pe_rules::overlaps(s, r.rva, r.size)) return &s;
  return nullptr;
}

// Every range the loader writes while binding imports: the IAT data directory and each
// module's import address table (regular and delay-load), as the import parser found them.
std::vector<Range> iat_ranges(const pe::Image& image) {
  std::vector<Range> ranges;
  const pe::DataDirectory& iat = image.directories[pe::dir::iat];
  if (iat.present()) ranges.push_back({"IAT directory (DataDirectory[12])", iat.rva, iat.size});
  const uint32_t slot = image.is_pe32_plus ? 8 : 4;
  for (const pe::ImportedModule& m : image.imports) {
    if (m.functions.empty()) continue;
    uint32_t first = m.functions.front().iat_rva, last = first;
    for (const pe::ImportedFunction& f : m.functions) {
      first = std::min(first, f.iat_rva);
      last = std::max(last, f.iat_rva);
    }
    const uint64_t size = uint64_t{last} - first + slot;
    ranges.push_back({fmt::format("{}IAT of {}", m.delay_load ? "delay-load " : "", m.dll), first,
                      static_cast<uint32_t>(std::min<uint64_t>(size, UINT32_MAX))});
  }
  return ranges;
}

class IatInExecutableSection final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "hv-iat-in-executable-section",
        .title = "Import address table is in an executable section",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .checklist = {"HV-7", "CL-6", "CL-15"},
        .cwe = {"CWE-732"},
        .applies_to = "kernel drivers, every machine (error on x64/ARM64, warning on 32-bit machines)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const pe::Image* image = pe_rules::kernel_driver_image(file);
    if (!image) return;

    std::vector<std::string> iat_evidence;
    std::optional<uint32_t> first_rva;
    const pe::Section* iat_section = nullptr;
    for (const Range& r : iat_ranges(*image)) {
      const pe::Section* s = executable_section_overlapping(*image, r);
      if (!s) continue;
      if (!iat_section) {
        iat_section = s;
        first_rva = r.rva;
      }
      iat_evidence.push_back(fmt::format("{} at RVA 0x{:X} (0x{:X} bytes) lies in executable section {}", r.what, r.rva,
                                         r.size, pe_rules::describe_section(*s)));
    }

    if (!iat_section) return;
    Finding f = make_finding(file, fmt::format("the import address table is in executable section '{}'; {}",
                                               iat_section->name, pe_rules::memory_integrity_consequence(image->machine)));
    f.severity = pe_rules::memory_integrity_severity(image->machine);
    f.location.rva = first_rva;
    f.evidence = std::move(iat_evidence);
    // Descriptors alone in an executable section are normal (the WDK puts them in INIT); next
    // to an IAT in code they show the /MERGE that caused it.
    const pe::DataDirectory& descriptors = image->directories[pe::dir::import];
    if (descriptors.present())
      if (const pe::Section* s = executable_section_overlapping(*image, {"", descriptors.rva, descriptors.size}))
        f.evidence.push_back(fmt::format("import descriptors (DataDirectory[1]) at RVA 0x{:X} lie in executable section {}",
                                         descriptors.rva, pe_rules::describe_section(*s)));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(IatInExecutableSection);

}  // namespace
}  // namespace drvsec
