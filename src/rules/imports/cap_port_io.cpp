// BP-3, BP-8, CL-16: I/O ports and PCI configuration space. Hardware drivers need them for their
// own device; the danger is a port or bus address chosen by the caller (code analysis decides).
// On x64, READ_PORT_*/WRITE_PORT_* are inlined to IN/OUT, so only the HAL bus routines show here.
#include <fmt/format.h>

#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

class PortIoCapability final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "cap-port-io",
        .title = "Driver imports I/O-port or bus-configuration routines",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .checklist = {"BP-3", "BP-8", "CL-16"},
        .cwe = {"CWE-749"},
        .applies_to = "kernel-driver binaries; port routines are imports on x86 only, bus routines on every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const auto caps = recorded(file, CapabilityCategory::port_io);
    if (caps.empty()) return;
    const bool writes = !with_property(caps, ddi::writes).empty();  // WRITE_PORT_*, HalSetBusData*
    out.push_back(capability_finding(
        file, caps,
        fmt::format("can {} I/O ports or bus configuration space ({}); ports and bus addresses must be fixed or in "
                    "an allowed range",
                    writes ? "read and write" : "read", api_names(caps))));
  }
};

DRVSEC_REGISTER_RULE(PortIoCapability);

}  // namespace
}  // namespace drvsec
