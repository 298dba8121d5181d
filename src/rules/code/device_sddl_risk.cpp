// device-sddl-risk (SM-1, SM-9, SM-10, CL-3d): the SDDL a driver gives a device object through
// IoCreateDeviceSecure, WdfDeviceInitAssignSDDLString or WdfControlDeviceInitAllocate, judged by the
// SDDL library (sddl/evaluate.h) as a device string: broad write or all access, no access control,
// no P flag, a deny after an allow, RC without WD, anything outside the subset those routines take,
// or a string that is not SDDL. One finding per device and risk. Reads only the DriverModel.
#include <fmt/format.h>

#include "rules/rule.h"
#include "sddl/constants.h"
#include "sddl/evaluate.h"

namespace drvsec {
namespace {

class DeviceSddlRisk final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "device-sddl-risk",
        .title = "Device SDDL grants broad access or is not a valid IoCreateDeviceSecure string",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .levels = "error when ordinary or untrusted callers get write or all access, or there is no access control; "
                  "warning for a DACL without P, a deny after an allow, RC without WD, a string outside the "
                  "IoCreateDeviceSecure subset or one that does not parse",
        .checklist = {"SM-1", "SM-9", "SM-10", "CL-3d"},
        .cwe = {"CWE-732"},
        .applies_to = "devices whose SDDL string was recovered from the code (IoCreateDeviceSecure, "
                      "WdfDeviceInitAssignSDDLString, WdfControlDeviceInitAllocate)"};
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model) return;
    for (const Device& d : file.model->devices) {
      if (!d.sddl) continue;
      const std::string device = d.name.empty() ? std::string("an unnamed device") : d.name;
      const sddl::ParseResult parsed = sddl::parse(*d.sddl);
      if (!parsed) {
        Finding f = make_finding(file, fmt::format("{}: the SDDL string given to {} is not valid SDDL ({})", device,
                                                   d.created_by.empty() ? "the device" : d.created_by,
                                                   sddl::to_string(*parsed.error)));
        f.severity = Severity::warning;
        add_evidence(f, d, fmt::format("parse error at column {}", parsed.error->column));
        out.push_back(std::move(f));
        continue;
      }
      const sddl::Evaluation ev = sddl::evaluate(*parsed.descriptor);
      for (const sddl::Risk& r : sddl::assess(*parsed.descriptor, ev, sddl::Context::device_secure)) {
        Finding f = make_finding(file, fmt::format("{}: {}", device, r.message));
        f.severity = r.id == "broad-all" || r.id == "broad-write" || r.id == "null-dacl" ? Severity::error
                                                                                         : Severity::warning;
        add_evidence(f, d, r.column ? fmt::format("risk {} at column {}", r.id, r.column) : fmt::format("risk {}", r.id));
        auto lowest = [](const sddl::Principal* p) { return p ? std::string(p->name) : std::string("nobody"); };
        f.evidence.push_back(fmt::format("lowest caller that can open it: read {}, write {}, all {}",
                                         lowest(ev.lowest_read), lowest(ev.lowest_write), lowest(ev.lowest_all)));
        out.push_back(std::move(f));
      }
    }
  }

 private:
  void add_evidence(Finding& f, const Device& d, std::string what) const {
    std::string sddl_line = fmt::format("SDDL {}", *d.sddl);
    if (const sddl::DevobjConstant* c = sddl::devobj_constant_for(*d.sddl)) sddl_line += fmt::format(" ({})", c->name);
    f.evidence.push_back(std::move(sddl_line));
    f.evidence.push_back(std::move(what));
    f.location.rva = d.provenance.at.rva;
    f.facts.push_back(d.id);
  }
};

DRVSEC_REGISTER_RULE(DeviceSddlRisk);

}  // namespace
}  // namespace drvsec
