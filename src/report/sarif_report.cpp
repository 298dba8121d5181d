// SARIF 2.1.0 writer. Binary results carry the artifact plus a relative address and the
// function as a logical location; source results carry a region.
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "rules/rule.h"
#include "report/json_writer.h"
#include "report/report.h"

namespace drvsec {

namespace {

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

// {"text": text}: SARIF's message and description objects.
void write_text_object(JsonWriter& w, std::string_view key, std::string_view text) {
  w.key(key).begin_object().member("text", text).end_object();
}

void write_rule_descriptor(JsonWriter& w, const Rule& rule, const std::string& docs_base) {
  const RuleInfo& meta = rule.info();
  const std::string_view doc = rule_documentation(meta.id);
  w.begin_object();
  w.member("id", meta.id);
  w.member("name", meta.id);
  write_text_object(w, "shortDescription", meta.title);
  write_text_object(w, "fullDescription", meta.title + " (applies to: " + meta.applies_to + ")");
  w.key("help").begin_object();
  w.member("text", doc.empty() ? std::string_view(meta.title) : doc);
  w.member("markdown", doc);
  w.end_object();
  w.member("helpUri", docs_base + meta.id + ".md");
  w.key("defaultConfiguration").begin_object().member("level", sarif_level(meta.severity)).end_object();
  w.key("properties").begin_object();
  w.key("tags").begin_array();
  w.value("security");
  for (const auto& c : meta.checklist) w.value("guidance/" + c);
  for (const auto& c : meta.cwe) w.value("external/cwe/" + c);
  w.end_array();
  w.member("precision", precision(meta.confidence));
  w.end_object();
  w.end_object();
}

void write_artifact(JsonWriter& w, const ReportArtifact& a) {
  w.begin_object();
  w.key("location").begin_object().member("uri", artifact_uri(a.path)).end_object();
  w.member("length", a.size);
  if (!a.sha256.empty()) w.key("hashes").begin_object().member("sha-256", a.sha256).end_object();
  w.end_object();
}

struct ResultIndexes {
  std::map<std::string, size_t> rules;      // rule id -> index in tool.driver.rules
  std::map<std::string, size_t> artifacts;  // path -> index in run.artifacts
};

void write_result(JsonWriter& w, const Finding& f, const ResultIndexes& indexes) {
  w.begin_object();
  w.member("ruleId", f.rule_id);
  if (auto it = indexes.rules.find(f.rule_id); it != indexes.rules.end()) w.member("ruleIndex", it->second);
  w.member("level", sarif_level(f.severity));
  write_text_object(w, "message", f.message);
  w.key("locations").begin_array().begin_object();
  w.key("physicalLocation").begin_object();
  w.key("artifactLocation").begin_object();
  w.member("uri", artifact_uri(f.location.path));
  if (auto it = indexes.artifacts.find(f.location.path); it != indexes.artifacts.end()) w.member("index", it->second);
  w.end_object();
  if (const auto& r = f.location.range) {
    w.key("region").begin_object().member("startLine", r->line);
    if (r->column) w.member("startColumn", r->column);
    if (r->end_line) w.member("endLine", r->end_line);
    if (r->end_column) w.member("endColumn", r->end_column);
    w.end_object();
  }
  if (f.location.rva) w.key("address").begin_object().member("relativeAddress", *f.location.rva).end_object();
  w.end_object();
  if (const std::string function = function_label(f.location); !function.empty()) {
    w.key("logicalLocations").begin_array().begin_object();
    w.member("name", function).member("kind", "function");
    w.end_object().end_array();
  }
  w.end_object().end_array();
  w.key("partialFingerprints").begin_object().member("drvsecFindingHash/v1", f.fingerprint()).end_object();
  w.key("properties").begin_object();
  w.member("confidence", to_string(f.confidence));
  if (!f.checklist.empty()) w.member("checklist", f.checklist);
  if (!f.cwe.empty()) w.member("cwe", f.cwe);
  if (!f.evidence.empty()) w.member("evidence", f.evidence);
  if (f.ioctl) w.member("ioctl", hex(*f.ioctl));
  w.end_object();
  w.end_object();
}

}  // namespace

void write_sarif_report(const Report& result, std::ostream& out) {
  const std::string docs_base = DRVSEC_DOCS_BASE_URL;
  std::string text;
  JsonWriter w(text);
  w.begin_object();
  w.member("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.member("version", "2.1.0");
  w.key("runs").begin_array().begin_object();

  // Every registered rule is described, so results can point at it by index.
  ResultIndexes indexes;
  w.key("tool").begin_object().key("driver").begin_object();
  w.member("name", "drvsec");
  w.member("semanticVersion", DRVSEC_VERSION);
  w.member("informationUri", docs_base);
  w.key("rules").begin_array();
  for (const Rule* rule : RuleRegistry::instance().rules()) {
    indexes.rules.emplace(rule->info().id, indexes.rules.size());
    write_rule_descriptor(w, *rule, docs_base);
  }
  w.end_array();
  w.end_object().end_object();

  w.key("artifacts").begin_array();
  for (const ReportArtifact& a : result.artifacts) indexes.artifacts.emplace(a.path, indexes.artifacts.size());
  write_elements(w, text, out, result.artifacts, result.jobs, write_artifact);
  w.end_array();

  w.key("results").begin_array();
  write_elements(w, text, out, result.findings, result.jobs,
                 [&](JsonWriter& part, const Finding& f) { write_result(part, f, indexes); });
  w.end_array();
  w.member("columnKind", "utf16CodeUnits");
  w.end_object().end_array();
  w.end_object();
  text += '\n';
  out << text;
}

}  // namespace drvsec
