// SARIF 2.1.0 writer, shaped for GitHub code scanning and the SARIF viewers (docs/README.md "SARIF").
// Every result has a physical location: an artifact URI relative to %SRCROOT% (the scan's working
// folder) and a region — a source range, or for binaries line 1 plus the byte offset of the
// instruction in the file, with the RVA as the SARIF address and the function as a logical location.
#include <filesystem>
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "rules/rule.h"
#include "report/json_writer.h"
#include "report/report.h"

namespace drvsec {

namespace {

constexpr std::string_view kSourceRoot = "%SRCROOT%";

std::string_view sarif_level(Severity s) { return to_string(s); }  // note/warning/error are SARIF levels

std::string_view precision(Confidence c) {
  switch (c) {
    case Confidence::high: return "high";
    case Confidence::medium: return "medium";
    case Confidence::low: return "low";
  }
  return "medium";
}

// GitHub's security-severity scale: 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
std::string_view security_severity(Severity s) {
  switch (s) {
    case Severity::error: return "8.0";
    case Severity::warning: return "5.0";
    case Severity::note: return "2.0";
  }
  return "5.0";
}

// RFC 3986 percent-encoding of a path: unreserved characters and '/' stay.
std::string percent_encode(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos)
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// An artifact as a SARIF artifactLocation: relative to the source root when it lies inside it
// (uriBaseId %SRCROOT%), else an absolute file: URI.
struct ArtifactUri {
  std::string uri;
  bool relative = false;
};

class UriMaker {
 public:
  explicit UriMaker(const std::string& root) : root_(std::filesystem::path(root).lexically_normal()) {}

  bool has_root() const { return !root_.empty(); }
  std::string root_uri() const {
    std::string r = root_.generic_string();
    if (r.empty() || r.back() != '/') r.push_back('/');
    return "file://" + percent_encode(r);
  }

  ArtifactUri operator()(const std::string& path) const {
    namespace fs = std::filesystem;
    const fs::path p(path);
    if (root_.empty()) return {percent_encode(p.lexically_normal().generic_string()), p.is_relative()};
    const fs::path absolute = (p.is_absolute() ? p : root_ / p).lexically_normal();
    const fs::path relative = absolute.lexically_relative(root_);
    if (!relative.empty() && *relative.begin() != "..") return {percent_encode(relative.generic_string()), true};
    return {"file://" + percent_encode(absolute.generic_string()), false};
  }

 private:
  std::filesystem::path root_;
};

void write_artifact_location(JsonWriter& w, const ArtifactUri& uri, std::optional<size_t> index) {
  w.key("artifactLocation").begin_object();
  w.member("uri", uri.uri);
  if (uri.relative) w.member("uriBaseId", kSourceRoot);
  if (index) w.member("index", *index);
  w.end_object();
}

// {"text": text}: SARIF's message and description objects.
void write_text_object(JsonWriter& w, std::string_view key, std::string_view text) {
  w.key(key).begin_object().member("text", text).end_object();
}

void write_rule_descriptor(JsonWriter& w, const Rule& rule, Severity level, const std::string& docs_base) {
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
  if (!docs_base.empty()) w.member("helpUri", docs_base + meta.id + ".md");  // only where the pages are published
  w.key("defaultConfiguration").begin_object().member("level", sarif_level(meta.severity)).end_object();
  w.key("properties").begin_object();
  w.key("tags").begin_array();
  w.value("security");
  for (const auto& c : meta.checklist) w.value("guidance/" + c);
  for (const auto& c : meta.cwe) w.value("external/cwe/" + c);
  w.end_array();
  w.member("precision", precision(meta.confidence));
  w.member("security-severity", security_severity(level));
  w.end_object();
  w.end_object();
}

struct ResultIndexes {
  std::map<std::string, size_t> rules;      // rule id -> index in tool.driver.rules
  std::map<std::string, size_t> artifacts;  // path -> index in run.artifacts
  const UriMaker* uris = nullptr;
  bool baseline = false;  // --baseline: every result shown is new (SARIF baselineState)

  std::optional<size_t> artifact(const std::string& path) const {
    if (auto it = artifacts.find(path); it != artifacts.end()) return it->second;
    return std::nullopt;
  }
  std::optional<size_t> rule(const std::string& id) const {
    if (auto it = rules.find(id); it != rules.end()) return it->second;
    return std::nullopt;
  }
};

void write_artifact(JsonWriter& w, const ReportArtifact& a, const ResultIndexes& indexes) {
  w.begin_object();
  const ArtifactUri uri = (*indexes.uris)(a.path);
  w.key("location").begin_object().member("uri", uri.uri);
  if (uri.relative) w.member("uriBaseId", kSourceRoot);
  w.end_object();
  w.member("length", a.size);
  if (!a.sha256.empty()) w.key("hashes").begin_object().member("sha-256", a.sha256).end_object();
  w.end_object();
}

// The region of a finding: its source range, or in a binary line 1 (GitHub requires a startLine)
// with the byte offset of the address in the file and its section.
void write_region(JsonWriter& w, const Location& l) {
  w.key("region").begin_object();
  if (const auto& r = l.range) {
    w.member("startLine", r->line);
    if (r->column) w.member("startColumn", r->column);
    if (r->end_line) w.member("endLine", r->end_line);
    if (r->end_column) w.member("endColumn", r->end_column);
  } else {
    w.member("startLine", 1);
    if (l.file_offset) w.member("byteOffset", *l.file_offset);
    if (!l.section.empty()) w.key("properties").begin_object().member("section", l.section).end_object();
  }
  w.end_object();
}

// SARIF §3.35: a suppression file's entry is "external", a comment in the source "inSource"; either
// is accepted (the result is suppressed), located where it is written, with its justification.
void write_suppression(JsonWriter& w, const Suppression& s, const ResultIndexes& indexes) {
  w.key("suppressions").begin_array().begin_object();
  w.member("kind", s.kind == Suppression::Kind::config ? "external" : "inSource");
  w.member("status", "accepted");
  w.member("justification", s.justification);
  if (!s.file.empty()) {
    w.key("location").begin_object().key("physicalLocation").begin_object();
    write_artifact_location(w, (*indexes.uris)(s.file), std::nullopt);
    if (s.line) {
      w.key("region").begin_object().member("startLine", s.line);
      if (s.column) w.member("startColumn", s.column);
      w.end_object();
    }
    w.end_object().end_object();
  }
  w.key("properties").begin_object().member("rule", s.rule).end_object();
  w.end_object().end_array();
}

void write_result(JsonWriter& w, const Finding& f, const ResultIndexes& indexes, const Suppression* suppression = nullptr,
                  std::string_view baseline_state = "new") {
  w.begin_object();
  w.member("ruleId", f.rule_id);
  if (auto index = indexes.rule(f.rule_id)) w.member("ruleIndex", *index);
  w.member("level", sarif_level(f.severity));
  write_text_object(w, "message", f.message);
  w.key("locations").begin_array();
  if (!f.location.path.empty()) {  // a merge's missing shard names no file
    w.begin_object();
    w.key("physicalLocation").begin_object();
    write_artifact_location(w, (*indexes.uris)(f.location.path), indexes.artifact(f.location.path));
    write_region(w, f.location);
    if (f.location.rva) w.key("address").begin_object().member("relativeAddress", *f.location.rva).end_object();
    w.end_object();
    if (const std::string function = function_label(f.location); !function.empty()) {
      w.key("logicalLocations").begin_array().begin_object();
      w.member("name", function).member("kind", "function");
      w.end_object().end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("partialFingerprints").begin_object().member("drvsecFindingHash/v2", f.fingerprint).end_object();
  if (indexes.baseline && !baseline_state.empty()) w.member("baselineState", baseline_state);
  if (suppression) write_suppression(w, *suppression, indexes);
  w.key("properties").begin_object();
  w.member("confidence", to_string(f.confidence));
  if (!f.checklist.empty()) w.member("checklist", f.checklist);
  if (!f.cwe.empty()) w.member("cwe", f.cwe);
  if (!f.evidence.empty()) w.member("evidence", f.evidence);
  if (f.ioctl) w.member("ioctl", hex(*f.ioctl));
  w.end_object();
  w.end_object();
}

void write_notification(JsonWriter& w, Severity level, std::string_view text, const std::string* path,
                        std::string_view rule_id, const ResultIndexes& indexes) {
  w.begin_object();
  w.member("level", sarif_level(level));
  write_text_object(w, "message", text);
  if (path) {
    w.key("locations").begin_array().begin_object().key("physicalLocation").begin_object();
    write_artifact_location(w, (*indexes.uris)(*path), indexes.artifact(*path));
    w.end_object().end_object().end_array();
  }
  if (!rule_id.empty()) {
    w.key("associatedRule").begin_object().member("id", rule_id);
    if (auto index = indexes.rule(std::string(rule_id))) w.member("index", *index);
    w.end_object();
  }
  w.end_object();
}

// How the run went: the exit status the CLI returns, and every input it could not (fully) analyze.
void write_invocation(JsonWriter& w, const Report& report, const ResultIndexes& indexes) {
  bool analyzed_all = true;
  for (const ReportArtifact& a : report.artifacts) analyzed_all &= a.errors.empty() && a.gaps.empty();
  w.key("invocations").begin_array().begin_object();
  if (report.outcome) {
    w.member("executionSuccessful", report.outcome->successful);
    w.member("exitCode", report.outcome->exit_code);
  } else {
    w.member("executionSuccessful", analyzed_all);
  }
  w.key("toolExecutionNotifications").begin_array();
  if (report.outcome)
    for (const std::string& notice : report.outcome->notices) write_notification(w, Severity::error, notice, nullptr, {}, indexes);
  for (const ReportArtifact& a : report.artifacts) {
    for (const std::string& e : a.errors)
      write_notification(w, Severity::error, "not analyzed: " + e, &a.path, "input-not-analyzed", indexes);
    for (const std::string& g : a.gaps)
      write_notification(w, Severity::warning, "partly analyzed: " + g, &a.path, "input-partially-analyzed", indexes);
  }
  w.end_array();
  w.end_object().end_array();
}

}  // namespace

void write_sarif_report(const Report& result, std::ostream& out) {
  const std::string docs_base = DRVSEC_DOCS_BASE_URL;
  const UriMaker uris(result.source_root);
  std::string text;
  JsonWriter w(text);
  w.begin_object();
  w.member("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.member("version", "2.1.0");
  w.key("runs").begin_array().begin_object();

  // A rule's security-severity is that of its most severe result here (its default when it has none):
  // code scanning ranks a rule's results by it.
  std::map<std::string, Severity> worst;
  for (const Finding& f : result.findings)
    if (auto [it, fresh] = worst.emplace(f.rule_id, f.severity); !fresh && f.severity > it->second) it->second = f.severity;

  // Every registered rule is described, so results can point at it by index.
  ResultIndexes indexes;
  indexes.uris = &uris;
  w.key("tool").begin_object().key("driver").begin_object();
  w.member("name", "drvsec");
  w.member("semanticVersion", DRVSEC_VERSION);
  if (!docs_base.empty()) w.member("informationUri", docs_base);
  w.key("rules").begin_array();
  for (const Rule* rule : RuleRegistry::instance().rules()) {
    const RuleInfo& meta = rule->info();
    indexes.rules.emplace(meta.id, indexes.rules.size());
    auto it = worst.find(meta.id);
    write_rule_descriptor(w, *rule, it == worst.end() ? meta.severity : std::max(meta.severity, it->second), docs_base);
  }
  w.end_array();
  w.end_object().end_object();

  // GitHub's category: one per analysis depth, so a headers triage and a code scan do not replace each other.
  w.key("automationDetails").begin_object().member("id", fmt::format("drvsec/{}/", to_string(result.depth))).end_object();
  if (uris.has_root())
    w.key("originalUriBaseIds").begin_object().key(kSourceRoot).begin_object().member("uri", uris.root_uri()).end_object().end_object();
  for (const ReportArtifact& a : result.artifacts) indexes.artifacts.emplace(a.path, indexes.artifacts.size());
  write_invocation(w, result, indexes);
  if (result.baseline || result.suppressions) {
    w.key("properties").begin_object();
    if (const auto& b = result.baseline) {
      indexes.baseline = true;
      w.key("baseline").begin_object();
      w.member("file", b->path).member("new", b->new_results).member("unchanged", b->unchanged).member("absent", b->absent);
      w.end_object();
    }
    if (const auto& sup = result.suppressions) {
      w.key("suppressions").begin_object();
      w.member("files", sup->files).member("suppressed", sup->suppressed);
      w.key("entries").begin_array();
      for (const SuppressionUse& u : sup->entries) {
        w.begin_object().member("file", u.suppression.file).member("line", u.suppression.line).member("rule", u.suppression.rule);
        w.member("matched", u.matched).member("status", u.expired ? "expired" : u.matched ? "used" : "unused");
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.end_object();
  }

  w.key("artifacts").begin_array();
  write_elements(w, text, out, result.artifacts, result.jobs,
                 [&](JsonWriter& part, const ReportArtifact& a) { write_artifact(part, a, indexes); });
  w.end_array();

  w.key("results").begin_array();
  write_elements(w, text, out, result.findings, result.jobs,
                 [&](JsonWriter& part, const Finding& f) { write_result(part, f, indexes); });
  write_elements(w, text, out, result.suppressed, result.jobs, [&](JsonWriter& part, const SuppressedFinding& sf) {
    write_result(part, sf.finding, indexes, &result.suppressions->entries[sf.entry].suppression, sf.baseline_state);
  });
  w.end_array();
  w.member("columnKind", "utf16CodeUnits");
  w.end_object().end_array();
  w.end_object();
  text += '\n';
  out << text;
}

}  // namespace drvsec
