// BP-5, BP-6, CL-16: a driver that can read or map physical memory is a classic "bring your own
// vulnerable driver" primitive when user mode can steer the address. The import alone is common
// in hardware drivers (note); \Device\PhysicalMemory together with the section APIs is the BP-5
// pattern (error); the string without those imports is unusual but may be resolved at run time.
#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

constexpr std::string_view kPhysicalMemorySection = "\\Device\\PhysicalMemory";

class PhysicalMemoryCapability final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "cap-physical-memory",
        .title = "Driver can map or copy physical memory",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .levels = "error for the BP-5 pattern: `\\Device\\PhysicalMemory` named and ZwOpenSection or "
                  "ZwMapViewOfSection imported; warning with medium confidence for the name without those imports",
        .checklist = {"BP-5", "BP-6", "CL-16"},
        .cwe = {"CWE-749"},
        .applies_to = "kernel-driver binaries, every machine (imports and UTF-16 strings)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::physical_memory);
    if (caps.empty()) return;
    std::vector<const Capability*> section_string, section_apis, other;
    for (const Capability* c : caps) {
      if (c->module.empty() && c->api == kPhysicalMemorySection) section_string.push_back(c);
      else if (c->api == "ZwOpenSection" || c->api == "ZwMapViewOfSection") section_apis.push_back(c);
      else other.push_back(c);
    }

    if (!section_string.empty() && !section_apis.empty()) {
      auto both = section_string;
      both.insert(both.end(), section_apis.begin(), section_apis.end());
      Finding f = capability_finding(
          file, both,
          fmt::format("opens \\Device\\PhysicalMemory through a section ({}): any physical address can be mapped "
                      "unless the driver restricts it to the expected range",
                      api_names(section_apis)));
      f.severity = Severity::error;
      out.push_back(std::move(f));
    } else if (!section_string.empty()) {
      Finding f = capability_finding(file, section_string,
                                     "names \\Device\\PhysicalMemory but imports neither ZwOpenSection nor "
                                     "ZwMapViewOfSection; it may open the section through routines resolved at run time");
      f.severity = Severity::warning;
      f.confidence = Confidence::medium;
      out.push_back(std::move(f));
    } else {
      // Sections without the physical-memory name are ordinary shared memory: a lower-level fact.
      other.insert(other.end(), section_apis.begin(), section_apis.end());
    }
    if (!other.empty()) {
      std::sort(other.begin(), other.end(), [](auto a, auto b) { return a->api < b->api; });
      out.push_back(capability_finding(
          file, other,
          fmt::format("can reach physical memory or sections ({}); a capability to confine to expected addresses, "
                      "not a vulnerability by itself",
                      api_names(other))));
    }
  }
};

DRVSEC_REGISTER_RULE(PhysicalMemoryCapability);

}  // namespace
}  // namespace drvsec
