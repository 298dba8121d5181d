// CL-3a: a named device object, and above all a symbolic link to it (\DosDevices\X, \??\X,
// \GLOBAL??\X), makes the driver openable from user mode as \\.\X. That is a fact for the threat
// model, not a flaw: what matters next is who may open it (SDDL, FILE_DEVICE_SECURE_OPEN) and
// what its IOCTLs do. Names are recovered from UTF-16 strings, so confidence says how sure the
// link to this driver's own device is.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "binary/recover.h"
#include "rules/imports/capability_rule.h"

namespace drvsec {
namespace {

std::string leaf_name(std::string_view name) {
  auto slash = name.rfind('\\');
  return lowercase(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

class NamedDeviceLink final : public CapabilityRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "named-device-link",
        .title = "Named device object reachable from user mode",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .levels = "confidence medium when it names symbolic links but neither imports IoCreateSymbolicLink nor "
                  "calls WdfDeviceCreateSymbolicLink; for device names without a link, medium when it imports "
                  "IoCreateDevice, low otherwise",
        .checklist = {"CL-3a"},
        .cwe = {"CWE-668"},
        .applies_to = "kernel-driver binaries, every machine (UTF-16 names and imports)",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model || !file.model->is_kernel_driver) return;
    const DriverModel& m = *file.model;
    // Unnamed device objects (IoCreateDevice with a NULL name, recovered from code) cannot be opened by name.
    std::vector<const Device*> named;
    for (const Device& d : m.devices)
      if (!d.name.empty()) named.push_back(&d);
    if (named.empty() && m.links.empty()) return;

    Finding f = make_finding(file, "");
    std::map<std::string, const Device*> device_by_leaf;  // first device of each lower-cased leaf name
    for (const Device* d : named) device_by_leaf.emplace(leaf_name(d->name), d);
    std::vector<std::string> reachable;  // \\.\X names with a device of the same leaf name
    for (const SymbolicLink& l : m.links) {
      if (!f.location.rva) f.location.rva = l.provenance.at.rva;
      f.facts.push_back(l.id);
      f.evidence.push_back(fmt::format("symbolic link '{}' ({}{})", l.name, l.provenance.how, rva_text(l.provenance)));
      auto it = device_by_leaf.find(leaf_name(l.name));
      if (it != device_by_leaf.end())
        reachable.push_back(fmt::format("\\\\.\\{} -> {}", l.name.substr(l.name.rfind('\\') + 1), it->second->name));
    }
    for (const Device* d : named) {
      if (!f.location.rva) f.location.rva = d->provenance.at.rva;
      f.facts.push_back(d->id);
      f.evidence.push_back(fmt::format("device name '{}' ({}{})", d->name, d->provenance.how, rva_text(d->provenance)));
    }
    const bool imports_link = imports_function(file, "IoCreateSymbolicLink");
    if (imports_link) f.evidence.push_back("imports IoCreateSymbolicLink");
    // KMDF: a WdfDeviceCreateSymbolicLink call recovered from code through the WDF function table.
    const bool wdf_link = std::any_of(m.links.begin(), m.links.end(), [](const SymbolicLink& l) {
      return l.provenance.how == "WdfDeviceCreateSymbolicLink argument";
    });
    const bool creates_link = imports_link || wdf_link;

    if (!m.links.empty()) {
      f.message = reachable.empty()
                      ? fmt::format("creates {} symbolic link(s) into the Win32 device namespace; user mode can open "
                                    "what they point to",
                                    m.links.size())
                      : fmt::format("named device reachable from user mode through a symbolic link ({})",
                                    fmt::join(reachable, ", "));
      // The strings prove the names; the import (WDM) or a recovered WdfDeviceCreateSymbolicLink call
      // (KMDF, through the WDF function table, which imports do not show) proves the driver creates links.
      f.confidence = creates_link ? Confidence::high : Confidence::medium;
    } else {
      f.message = fmt::format("names {} device object(s) but no symbolic link; the names may also belong to "
                              "devices it opens rather than creates",
                              named.size());
      f.confidence = imports_function(file, "IoCreateDevice") ? Confidence::medium : Confidence::low;
    }
    out.push_back(std::move(f));
  }

 private:
  static std::string rva_text(const Provenance& p) { return p.at.rva ? fmt::format(" at RVA 0x{:X}", *p.at.rva) : ""; }
};

DRVSEC_REGISTER_RULE(NamedDeviceLink);

}  // namespace
}  // namespace drvsec
