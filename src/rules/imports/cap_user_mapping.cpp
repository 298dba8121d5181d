// BP-6, CL-16: MmMapLockedPages* can map memory into the calling process when AccessMode is
// UserMode. With MmMapIoSpace(Ex) also imported, the whole BP-6 chain (physical memory -> MDL ->
// user mapping) is available to the driver; whether it is assembled needs code analysis.
#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

class UserMappingCapability final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "cap-user-mapping",
        .title = "Driver can map memory into a user process",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .levels = "warning with medium confidence when it also imports MmMapIoSpace(Ex): both ends of the BP-6 chain",
        .checklist = {"BP-6", "CL-16"},
        .cwe = {"CWE-749"},
        .applies_to = "kernel-driver binaries, every machine (imports)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::user_mapping);
    // MmBuildMdlForNonPagedPool only prepares an MDL; without an import that maps the pages
    // (MmMapLockedPages*, the DDI table's `maps`) nothing is mapped.
    const auto mappers = with_property(caps, ddi::maps);
    if (mappers.empty()) return;
    const auto io_space = only_apis(recorded(file, CapabilityCategory::physical_memory), {"MmMapIoSpace", "MmMapIoSpaceEx"});
    if (io_space.empty()) {
      out.push_back(capability_finding(
          file, caps,
          fmt::format("can map MDL pages ({}); into user space only when called with AccessMode UserMode", api_names(caps))));
      return;
    }
    auto all = caps;
    all.insert(all.end(), io_space.begin(), io_space.end());
    Finding f = capability_finding(
        file, all,
        fmt::format("imports {} and {}: the ends of the BP-6 chain that maps physical or device memory into a "
                    "user process",
                    api_names(io_space), api_names(mappers)));
    f.severity = Severity::warning;
    f.confidence = Confidence::medium;  // the parts are present; the chain itself needs code analysis
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(UserMappingCapability);

}  // namespace
}  // namespace drvsec
