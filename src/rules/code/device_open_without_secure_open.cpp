// device-open-without-secure-open (SM-3, SM-12, CL-3c): a named device created with
// IoCreateDevice without FILE_DEVICE_SECURE_OPEN and without an SDDL. Reads only the DriverModel.
#include <fmt/format.h>

#include "rules/rule.h"

namespace drvsec {
namespace {

class DeviceOpenWithoutSecureOpen final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{.id = "device-open-without-secure-open",
                               .title = "Named device without FILE_DEVICE_SECURE_OPEN or SDDL",
                               .severity = Severity::warning,
                               .confidence = Confidence::high,
                               .levels = "note with low confidence when the device's Characteristics could not be "
                                         "determined",
                               .checklist = {"SM-3", "SM-12", "CL-3c"},
                               .cwe = {"CWE-732"},
                               .applies_to = "WDM drivers whose device creation was recovered (binary code analysis)"};
    return meta;
  }
  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model || file.model->framework != DriverFramework::wdm) return;
    for (const Device& d : file.model->devices) {
      if (d.created_by.empty() || d.name.empty() || d.sddl) continue;
      if (d.characteristics && (*d.characteristics & 0x100)) continue;
      Finding f = make_finding(file, d.characteristics
                                         ? fmt::format("device {} is created without FILE_DEVICE_SECURE_OPEN and without an SDDL: "
                                                       "opens of names below it bypass the device ACL", d.name)
                                         : fmt::format("device {}: Characteristics could not be determined; FILE_DEVICE_SECURE_OPEN "
                                                       "may be missing", d.name));
      if (!d.characteristics) {
        f.confidence = Confidence::low;
        f.severity = Severity::note;
      }
      f.evidence.push_back(fmt::format("{} Characteristics = {}", d.created_by,
                                       d.characteristics ? fmt::format("0x{:X}", *d.characteristics) : std::string("unknown")));
      f.location.rva = d.provenance.at.rva;
      f.facts.push_back(d.id);
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(DeviceOpenWithoutSecureOpen);

}  // namespace
}  // namespace drvsec
