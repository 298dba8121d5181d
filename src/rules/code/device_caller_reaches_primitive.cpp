// device-caller-reaches-primitive (SM-2, SM-4, SM-5, CL-3): an ordinary or untrusted caller can open a
// device and send an IOCTL that reaches a dangerous primitive. Reads the device-security synthesis
// (Device::security, analysis/device_security.h) and the model's IOCTLs and primitives. One finding
// per device and least trusted caller, naming every IOCTL it can send and the primitives each reaches.
#include <map>
#include <set>

#include <fmt/format.h>

#include "rules/code/primitive_findings.h"
#include "rules/rule.h"

namespace drvsec {
namespace {

class DeviceCallerReachesPrimitive final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "device-caller-reaches-primitive",
        .title = "A non-administrator can open the device and reach a dangerous primitive",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .levels = "warning when no primitive reached has caller-controlled operands without a range check; "
                  "medium confidence when the device has the default descriptor (an INF or class Security entry "
                  "not read here may restrict it)",
        .checklist = {"SM-2", "SM-4", "SM-5", "CL-3d", "CL-3e"},
        .cwe = {"CWE-732", "CWE-782"},
        .applies_to = "drivers whose devices, IOCTLs and primitives were recovered (binary code analysis)"};
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model) return;
    const DriverModel& m = *file.model;
    std::map<std::string, const PrimitiveUse*> primitives;
    for (const PrimitiveUse& u : m.primitives) primitives.emplace(u.id, &u);
    std::map<std::string, const Ioctl*> ioctls;
    for (const Ioctl& io : m.ioctls) ioctls.emplace(io.id, &io);

    for (const Device& d : m.devices) {
      if (!d.security || !d.security->parsed || !d.security->user_reachable) continue;
      const DeviceSecurity& s = *d.security;
      // The IOCTLs a broad caller can send, grouped by that caller, with the primitives each reaches.
      struct Reach {
        const Ioctl* ioctl;
        std::vector<const PrimitiveUse*> primitives;
      };
      std::map<std::string, std::pair<CallerRef, std::vector<Reach>>> by_caller;
      for (const IoctlCallers& c : s.ioctls) {
        if (!c.lowest || !c.lowest->broad) continue;
        auto io = ioctls.find(c.ioctl_id);
        if (io == ioctls.end()) continue;
        Reach r{io->second, {}};
        for (const std::string& id : io->second->reachable_primitives) {
          auto p = primitives.find(id);
          if (p == primitives.end()) continue;
          const PrimitiveUse& u = *p->second;
          if (u.kind == PrimitiveKind::kernel_memory_copy && !u.controlled()) continue;  // a copy, not a primitive
          r.primitives.push_back(&u);
        }
        if (r.primitives.empty()) continue;
        auto& slot = by_caller.try_emplace(c.lowest->id, *c.lowest, std::vector<Reach>{}).first->second;
        slot.second.push_back(std::move(r));
      }
      for (const auto& [id, entry] : by_caller) {
        const auto& [caller, reaches] = entry;
        std::set<const PrimitiveUse*> reached;
        bool controlled = false;
        for (const Reach& r : reaches)
          for (const PrimitiveUse* u : r.primitives) {
            reached.insert(u);
            controlled |= u->controlled();
          }
        const std::string device = d.name.empty() ? std::string("an unnamed device (opened through its interface)") : d.name;
        Finding f = make_finding(file, fmt::format("{} can open {} and send {} IOCTL(s) that reach {} dangerous primitive(s){}",
                                                   caller.name, device, reaches.size(), reached.size(),
                                                   controlled ? ", with caller-controlled operands" : ""));
        f.severity = controlled ? Severity::error : Severity::warning;
        f.confidence = s.source == "code" ? Confidence::high : Confidence::medium;
        f.evidence.push_back(s.source == "code"
                                 ? fmt::format("security descriptor from the code ({}): {}", d.created_by.empty() ? "SDDL" : d.created_by, s.sddl)
                                 : fmt::format("no SDDL in the code: the I/O manager's default for most device types applies, {} "
                                               "(an INF or class Security entry would replace it)", s.sddl));
        if (s.secure_open && !*s.secure_open) f.evidence.push_back("no FILE_DEVICE_SECURE_OPEN: opens of names below the device skip this check too");
        if (d.exclusive && *d.exclusive) f.evidence.push_back("exclusive device: one handle at a time");
        for (const Reach& r : reaches) {
          std::string list;
          for (const PrimitiveUse* u : r.primitives)
            list += fmt::format("{}{} `{}` at 0x{:X}{}", list.empty() ? "" : "; ", primitive_findings::rule_for(u->kind), u->what, u->rva,
                                u->controlled() ? " (caller-controlled)" : "");
          f.evidence.push_back(fmt::format("IOCTL 0x{:X} ({} required) -> {}", r.ioctl->code,
                                           required_of(s, r.ioctl->id), list));
        }
        if (reaches.size() == 1) {
          at_code(f, m, reaches[0].ioctl->handler_rva, reaches[0].ioctl->handler_function_rva);
          f.ioctl = reaches[0].ioctl->code;
        } else {
          f.location.rva = d.provenance.at.rva;
        }
        f.facts.push_back(d.id);
        for (const Reach& r : reaches) f.facts.push_back(r.ioctl->id);
        for (const PrimitiveUse* u : reached) f.facts.push_back(u->id);
        out.push_back(std::move(f));
      }
    }
  }

 private:
  static std::string required_of(const DeviceSecurity& s, const std::string& ioctl_id) {
    for (const IoctlCallers& c : s.ioctls)
      if (c.ioctl_id == ioctl_id) return c.required;
    return "?";
  }
};

DRVSEC_REGISTER_RULE(DeviceCallerReachesPrimitive);

}  // namespace
}  // namespace drvsec
