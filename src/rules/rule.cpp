#include "rules/rule.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "rules/rule_docs.h"

namespace drvsec {

const std::map<std::string, std::string_view>& embedded_rule_docs();  // generated

Finding Rule::make_finding(const FileAnalysis& file, std::string message) const {
  const RuleInfo& meta = info();
  Finding f;
  f.rule_id = meta.id;
  f.severity = meta.severity;
  f.confidence = meta.confidence;
  f.checklist = meta.checklist;
  f.cwe = meta.cwe;
  f.message = std::move(message);
  f.location.path = file.artifact.path;
  return f;
}

void at_code(Finding& f, const DriverModel& model, std::optional<uint32_t> rva, std::optional<uint32_t> function_rva) {
  Location l = model.code_location(rva, function_rva);
  l.path = std::move(f.location.path);
  f.location = std::move(l);
}

RuleRegistry& RuleRegistry::instance() {
  static RuleRegistry registry;
  return registry;
}

void RuleRegistry::add(std::unique_ptr<Rule> rule) {
  if (find(rule->info().id)) throw std::logic_error("duplicate rule id " + rule->info().id);
  const Rule* added = rules_.emplace_back(std::move(rule)).get();
  sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), added,
                                  [](const Rule* a, const Rule* b) { return a->info().id < b->info().id; }),
                 added);
}

const Rule* RuleRegistry::find(std::string_view id) const {
  for (const auto& r : rules_)
    if (r->info().id == id) return r.get();
  return nullptr;
}

std::string_view rule_documentation(std::string_view id) {
  // The embedded pages as readers see them: without the marker lines around the generated header.
  static const std::map<std::string, std::string, std::less<>> pages = [] {
    std::map<std::string, std::string, std::less<>> out;
    for (const auto& [page_id, page] : embedded_rule_docs()) out.emplace(page_id, without_doc_markers(page));
    return out;
  }();
  auto it = pages.find(id);
  return it == pages.end() ? std::string_view{} : std::string_view(it->second);
}

}  // namespace drvsec
