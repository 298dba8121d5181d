// JSON report, documented in docs/json.md. Bump kJsonSchemaVersion on any incompatible change.
#include <algorithm>
#include <ostream>

#include "report/json_writer.h"
#include "report/model_json.h"
#include "report/report.h"

namespace drvsec {

namespace {
constexpr int kJsonSchemaVersion = 2;  // docs/json.md lists what changed from 1
}

void write_json_report(const Report& result, std::ostream& out) {
  std::string text;
  JsonWriter w(text);
  w.begin_object();
  w.member("schema_version", kJsonSchemaVersion);
  w.key("tool").begin_object().member("name", "drvsec").member("version", DRVSEC_VERSION).end_object();
  w.key("packages").begin_array();
  for (const ReportPackage& p : result.packages) {
    w.begin_object();
    w.member("key", p.key);
    write_package_files(w, p.files);
    w.end_object();
  }
  w.end_array();
  w.key("artifacts").begin_array();
  write_elements(w, text, out, result.artifacts, result.jobs,
                 [](JsonWriter& part, const ReportArtifact& a) { part.raw_value(a.artifact_json); });
  w.end_array();
  w.key("drivers").begin_array();
  write_elements(w, text, out, result.artifacts, result.jobs, [](JsonWriter& part, const ReportArtifact& a) {
    if (!a.driver_json.empty()) part.raw_value(a.driver_json);
  });
  w.end_array();
  w.key("findings").begin_array();
  write_elements(w, text, out, result.findings, result.jobs, write_finding);
  w.end_array();
  w.key("suppressed").begin_array();
  write_elements(w, text, out, result.suppressed, result.jobs, [&](JsonWriter& part, const SuppressedFinding& sf) {
    const Suppression& s = result.suppressions->entries[sf.entry].suppression;
    part.begin_object();
    write_finding_members(part, sf.finding);
    part.key("suppression").begin_object();
    part.member("kind", to_string(s.kind)).member("file", s.file).member("line", s.line).member("column", s.column);
    part.member("rule", s.rule).member("justification", s.justification);
    part.end_object();
    part.end_object();
  });
  w.end_array();
  w.key("summary").begin_object();
  w.member("files", result.artifacts.size());
  w.member("findings", result.findings.size());
  for (Severity s : {Severity::error, Severity::warning, Severity::note})
    w.member(to_string(s), std::count_if(result.findings.begin(), result.findings.end(),
                                         [&](const Finding& f) { return f.severity == s; }));
  w.member("suppressed", result.suppressed.size());
  w.member("analysis_depth", to_string(result.depth));
  if (const auto& t = result.threshold) {
    w.key("threshold").begin_object();
    w.member("min_severity", to_string(t->min_severity));
    w.member("min_confidence", to_string(t->min_confidence));
    w.member("hidden", t->hidden);
    w.end_object();
  }
  if (const auto& sup = result.suppressions) {
    w.key("suppressions").begin_object();
    w.member("files", sup->files);
    w.key("entries").begin_array();
    for (const SuppressionUse& u : sup->entries) {
      w.begin_object();
      w.member("file", u.suppression.file).member("line", u.suppression.line).member("rule", u.suppression.rule);
      w.member("matched", u.matched);
      w.member("status", u.expired ? "expired" : u.matched ? "used" : "unused");
      if (u.suppression.expires) w.member("expires", to_string(*u.suppression.expires));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  if (const auto& b = result.baseline) {
    w.key("baseline").begin_object();
    w.member("file", b->path);
    w.member("new", b->new_results);
    w.member("unchanged", b->unchanged);
    w.member("absent", b->absent);
    w.end_object();
  }
  w.key("skipped").begin_object();
  w.member("source_files", result.skipped.source_files);
  w.member("inf_files", result.skipped.inf_files);
  w.member("other_files", result.skipped.other_files);
  w.end_object();
  w.end_object();
  w.end_object();
  text += '\n';
  out << text;
}

}  // namespace drvsec
