#include <algorithm>

#include <fmt/format.h>

#include "report/model_json.h"
#include "report/report.h"

namespace drvsec {

PackageRecord make_record(const PackageResult& result) {
  PackageRecord record;
  record.key = result.key;
  record.files = result.files;
  record.findings = result.findings;
  record.skipped = result.skipped;
  for (const FileAnalysis& f : result.analyses) {
    ReportArtifact& a = record.artifacts.emplace_back();
    a.path = f.artifact.path;
    a.kind = to_string(f.artifact.kind);
    a.sha256 = f.artifact.sha256;
    a.size = f.artifact.size;
    a.errors = f.artifact.errors;
    a.gaps = f.artifact.gaps;
    JsonWriter artifact = JsonWriter::compact(a.artifact_json);
    write_artifact(artifact, f);
    if (f.model) {
      a.has_model = true;
      a.kernel_driver = f.model->is_kernel_driver;
      a.machine = f.model->machine;
      a.framework = to_string(f.model->framework);
      for (const Device& d : f.model->devices) a.devices.push_back({d.name, d.security});
      for (const SymbolicLink& l : f.model->links) a.links.push_back(l.name);
      JsonWriter driver = JsonWriter::compact(a.driver_json);
      write_model(driver, f.artifact.path, *f.model);
    }
  }
  return record;
}

Report assemble_report(std::vector<PackageRecord> records, AnalysisDepth depth, unsigned jobs) {
  Report report;
  report.depth = depth;
  report.jobs = jobs;
  for (const PackageRecord& r : records) report.packages.push_back({r.key, r.files});
  std::sort(report.packages.begin(), report.packages.end(),
            [](const ReportPackage& a, const ReportPackage& b) { return a.key < b.key; });
  join_packages(
      records, [](PackageRecord& r) -> std::vector<ReportArtifact>& { return r.artifacts; },
      [](const ReportArtifact& a) -> const std::string& { return a.path; }, report.artifacts, report.findings,
      report.skipped);
  return report;
}

}  // namespace drvsec

namespace drvsec {

ThresholdSummary apply_threshold(Severity min_severity, Confidence min_confidence, std::vector<Finding>& findings) {
  ThresholdSummary s{min_severity, min_confidence, 0};
  const auto below = [&](const Finding& f) {
    return !reports_an_input_failure(f) && (f.severity < min_severity || f.confidence < min_confidence);
  };
  const auto first = std::remove_if(findings.begin(), findings.end(), below);
  s.hidden = static_cast<size_t>(findings.end() - first);
  findings.erase(first, findings.end());
  return s;
}

}  // namespace drvsec
