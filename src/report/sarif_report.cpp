// SARIF 2.1.0 writer. Binary results carry the artifact plus a relative address and the
// function as a logical location; source results carry a region.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include <fmt/format.h>

#include "core/rule.h"
#include "report/report.h"

namespace drvsec {

namespace {

// An empty JSON object with room for `members` members. ordered_json keeps an object's members in a
// vector of pair<const string, json>: growing it copies every member's whole subtree (the const
// key rules out moving), so objects that receive big members reserve first.
nlohmann::ordered_json json_object(size_t members = 16) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j.get_ref<nlohmann::ordered_json::object_t&>().reserve(members);
  return j;
}

std::string_view sarif_level(Severity s) { return to_string(s); }  // note/warning/error are SARIF levels

std::string_view precision(Confidence c) {
  switch (c) {
    case Confidence::high: return "high";
    case Confidence::medium: return "medium";
    case Confidence::low: return "low";
  }
  return "medium";
}

std::string artifact_uri(const std::string& path) {
  // Relative paths stay relative (uriBaseId-free, as code scanning expects); '\\' never occurs on Linux.
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos)
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

nlohmann::ordered_json rule_descriptor(const Rule& rule, const std::string& docs_base) {
  const RuleInfo& meta = rule.info();
  nlohmann::ordered_json r;
  r["id"] = meta.id;
  r["name"] = meta.id;
  r["shortDescription"] = {{"text", meta.title}};
  std::string_view doc = rule_documentation(meta.id);
  r["fullDescription"] = {{"text", meta.title + " (applies to: " + meta.applies_to + ")"}};
  r["help"] = {{"text", std::string(doc.empty() ? meta.title : doc)}, {"markdown", std::string(doc)}};
  r["helpUri"] = docs_base + meta.id + ".md";
  r["defaultConfiguration"] = {{"level", sarif_level(meta.severity)}};
  nlohmann::ordered_json tags = nlohmann::ordered_json::array();
  tags.push_back("security");
  for (const auto& c : meta.checklist) tags.push_back("guidance/" + c);
  for (const auto& c : meta.cwe) tags.push_back("external/cwe/" + c);
  r["properties"] = {{"tags", tags}, {"precision", precision(meta.confidence)}};
  return r;
}

}  // namespace

void write_sarif_report(const ScanResult& result, std::ostream& out) {
  const std::string docs_base = DRVSEC_DOCS_BASE_URL;
  nlohmann::ordered_json run = json_object();
  nlohmann::ordered_json driver = json_object();
  driver["name"] = "drvsec";
  driver["semanticVersion"] = DRVSEC_VERSION;
  driver["informationUri"] = docs_base;

  // Every registered rule is described, so results can point at it by index.
  std::map<std::string, size_t> rule_index;
  auto& rules = driver["rules"] = nlohmann::ordered_json::array();
  for (const Rule* rule : RuleRegistry::instance().rules()) {
    rule_index[rule->info().id] = rules.size();
    rules.push_back(rule_descriptor(*rule, docs_base));
  }
  run["tool"] = json_object(1);
  run["tool"]["driver"] = std::move(driver);

  std::map<std::string, size_t> artifact_index;
  auto& artifacts = run["artifacts"] = nlohmann::ordered_json::array();
  for (const FileAnalysis& f : result.files) {
    artifact_index[f.artifact.path] = artifacts.size();
    nlohmann::ordered_json a = json_object();
    a["location"] = {{"uri", artifact_uri(f.artifact.path)}};
    a["length"] = f.artifact.size;
    if (!f.artifact.sha256.empty()) a["hashes"] = {{"sha-256", f.artifact.sha256}};
    artifacts.push_back(std::move(a));
  }

  auto& results = run["results"] = nlohmann::ordered_json::array();
  for (const Finding& f : result.findings) {
    nlohmann::ordered_json r;
    r["ruleId"] = f.rule_id;
    if (auto it = rule_index.find(f.rule_id); it != rule_index.end()) r["ruleIndex"] = it->second;
    r["level"] = sarif_level(f.severity);
    r["message"] = {{"text", f.message}};
    nlohmann::ordered_json physical;
    nlohmann::ordered_json artifact_location = {{"uri", artifact_uri(f.location.path)}};
    if (auto it = artifact_index.find(f.location.path); it != artifact_index.end())
      artifact_location["index"] = it->second;
    physical["artifactLocation"] = std::move(artifact_location);
    if (f.location.line) physical["region"] = {{"startLine", *f.location.line}};
    if (f.location.rva) physical["address"] = {{"relativeAddress", *f.location.rva}};
    nlohmann::ordered_json location = {{"physicalLocation", physical}};
    if (f.location.function)
      location["logicalLocations"] = nlohmann::ordered_json::array(
          {{{"name", *f.location.function}, {"kind", "function"}}});
    r["locations"] = nlohmann::ordered_json::array({location});
    r["partialFingerprints"] = {{"drvsecFindingHash/v1", f.fingerprint()}};
    nlohmann::ordered_json props;
    props["confidence"] = to_string(f.confidence);
    if (!f.checklist.empty()) props["checklist"] = f.checklist;
    if (!f.cwe.empty()) props["cwe"] = f.cwe;
    if (!f.evidence.empty()) props["evidence"] = f.evidence;
    if (f.ioctl) props["ioctl"] = hex(*f.ioctl);
    r["properties"] = std::move(props);
    results.push_back(std::move(r));
  }
  run["columnKind"] = "utf16CodeUnits";

  nlohmann::ordered_json doc = json_object();
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = nlohmann::ordered_json::array();
  doc["runs"].push_back(std::move(run));
  out << doc.dump(2) << '\n';
}

}  // namespace drvsec
