// Shared plumbing of the import rules: each reads the capabilities that binary recovery put in the
// DriverModel (imports of the DDIs with a capability, src/ddi/functions.h, and strings of interest) for one category and
// states them as a finding. An import shows a capability, not a vulnerability: these rules say
// what a reviewer must look at, and raise severity only for combinations the guidance names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ddi/functions.h"
#include "rules/rule.h"

namespace drvsec {

class CapabilityRule : public Rule {
 protected:
  // The kernel driver's capabilities of `category`, sorted by API name (empty for other images).
  static std::vector<const Capability*> recorded(const FileAnalysis& file, CapabilityCategory category);
  // A finding located at the first capability, with one evidence line per capability.
  Finding capability_finding(const FileAnalysis& file, const std::vector<const Capability*>& caps,
                             std::string message) const;
};

// "MmMapIoSpace, MmGetPhysicalAddress"
std::string api_names(const std::vector<const Capability*>& caps);
// Keeps the capabilities whose API is one of `apis`.
std::vector<const Capability*> only_apis(const std::vector<const Capability*>& caps,
                                         std::initializer_list<std::string_view> apis);
// Keeps the capabilities whose API is a DDI with property `p` (ddi::writes, ddi::maps, ...).
std::vector<const Capability*> with_property(const std::vector<const Capability*>& caps, ddi::Property p);
// True when the image imports `function` by name from any module.
bool imports_function(const FileAnalysis& file, std::string_view function);

}  // namespace drvsec
