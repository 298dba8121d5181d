#include "rules/imports/capability_rule.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace drvsec {

std::vector<const Capability*> CapabilityRule::recorded(const FileAnalysis& file, CapabilityCategory category) {
  std::vector<const Capability*> out;
  if (!file.model || !file.model->is_kernel_driver) return out;
  for (const Capability& c : file.model->capabilities)
    if (c.category == category) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](auto a, auto b) { return std::tie(a->api, a->module) < std::tie(b->api, b->module); });
  return out;
}

Finding CapabilityRule::capability_finding(const FileAnalysis& file, const std::vector<const Capability*>& caps,
                                           std::string message) const {
  Finding f = make_finding(file, std::move(message));
  for (const Capability* c : caps) {
    if (!f.location.rva) f.location.rva = c->provenance.at.rva;
    f.facts.push_back(c->id);
    const std::string where = c->provenance.at.rva ? fmt::format(" at RVA 0x{:X}", *c->provenance.at.rva) : "";
    if (c->module.empty()) f.evidence.push_back(fmt::format("{} '{}'{}", c->provenance.how, c->api, where));
    else f.evidence.push_back(fmt::format("imports {} from {} (IAT entry{})", c->api, c->module, where));
  }
  return f;
}

std::string api_names(const std::vector<const Capability*>& caps) {
  std::string out;
  for (const Capability* c : caps) out += (out.empty() ? "" : ", ") + c->api;
  return out;
}

std::vector<const Capability*> only_apis(const std::vector<const Capability*>& caps,
                                         std::initializer_list<std::string_view> apis) {
  std::vector<const Capability*> out;
  for (const Capability* c : caps)
    if (std::find(apis.begin(), apis.end(), c->api) != apis.end()) out.push_back(c);
  return out;
}

std::vector<const Capability*> with_property(const std::vector<const Capability*>& caps, ddi::Property p) {
  std::vector<const Capability*> out;
  for (const Capability* c : caps)
    if (const ddi::Function* f = ddi::find(c->api); f && f->has(p)) out.push_back(c);
  return out;
}

bool imports_function(const FileAnalysis& file, std::string_view function) {
  if (!file.image) return false;
  for (const auto& m : file.image->imports)
    for (const auto& f : m.functions)
      if (f.name == function) return true;
  return false;
}

}  // namespace drvsec
