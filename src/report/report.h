// Reports. The engine's package results become records (rendered in the worker that analysed the
// package); a report is assembled from records alone — those of this run, or those read back from
// the JSON Lines shards of a sharded scan — and the writers only render it.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "engine/scan.h"
#include "report/baseline.h"
#include "report/suppressions.h"

namespace drvsec {

// One reported artifact, as the writers need it.
struct ReportArtifact {
  std::string path;
  std::string kind;  // to_string(InputKind)
  std::string sha256;
  uint64_t size = 0;
  std::vector<std::string> errors;  // why the input could not be analyzed (Artifact::errors)
  std::vector<std::string> gaps;    // parts of it that could not be (Artifact::gaps)
  bool has_model = false;    // a driver model was recovered (PE images)
  bool kernel_driver = false;
  std::string machine, framework;
  struct DeviceLine {
    std::string name;
    std::optional<DeviceSecurity> security;  // the synthesis, for the text report's device line
  };
  std::vector<DeviceLine> devices;  // for the text report
  std::vector<std::string> links;   // names, for the text report
  std::string artifact_json;  // the artifact as compact JSON: an "artifacts" element of the JSON report
  std::string driver_json;    // its driver model as compact JSON ("drivers" element); empty without a model
};

// Everything one package contributes to a report; also one line of --format jsonl.
struct PackageRecord {
  std::string key;
  std::vector<PackageFile> files;
  std::vector<ReportArtifact> artifacts;  // sorted by path
  std::vector<Finding> findings;          // sorted by finding_less
  SkippedInputs skipped;
};
PackageRecord make_record(const PackageResult& result);

// A package as the report lists it: its key and its files with their roles.
struct ReportPackage {
  std::string key;
  std::vector<PackageFile> files;
};

// --min-severity / --min-confidence: what a report leaves out (counted, so nothing passes unsaid).
struct ThresholdSummary {
  Severity min_severity = Severity::note;
  Confidence min_confidence = Confidence::low;
  size_t hidden = 0;  // findings below either threshold
};
// Drops the findings below the thresholds (never one that reports an input failure).
ThresholdSummary apply_threshold(Severity min_severity, Confidence min_confidence, std::vector<Finding>& findings);

// How the run ended, as the CLI decided it before rendering (SARIF invocations).
struct RunOutcome {
  int exit_code = 0;
  bool successful = true;              // every input was analyzed in full
  std::vector<std::string> notices;    // run-level problems said on stderr (e.g. no driver found)
};

// The report of a scan: records in package key order, assembled (each artifact once, findings sorted).
struct Report {
  std::vector<ReportPackage> packages;    // sorted by key
  std::vector<ReportArtifact> artifacts;  // sorted by path
  std::vector<Finding> findings;          // sorted by finding_less
  SkippedInputs skipped;
  AnalysisDepth depth = AnalysisDepth::code;
  unsigned jobs = 0;  // threads the writers may use (0: one per core)
  std::optional<RunOutcome> outcome;  // set by the CLI once the exit status is known
  std::string source_root;            // absolute folder relative URIs are based on (SARIF %SRCROOT%); empty: none
  std::optional<BaselineSummary> baseline;  // --baseline: findings are only the new ones
  std::optional<ThresholdSummary> threshold;  // --min-severity / --min-confidence left findings out
  // Suppressions (drvsec.toml, --config): the findings they hold back, in finding order, and what
  // each entry matched. Applied before the baseline; suppressed findings take no part in the exit status.
  std::vector<SuppressedFinding> suppressed;
  std::optional<SuppressionSummary> suppressions;
};
Report assemble_report(std::vector<PackageRecord> records, AnalysisDepth depth, unsigned jobs);
// Moves the findings the files' entries match to report.suppressed and sets report.suppressions.
void suppress_findings(Report& report, const std::vector<SuppressionFile>& files, const CalendarDate& today);

struct ReportOptions {
  bool color = false;  // text only: ANSI colours (decided by the CLI: TTY and no NO_COLOR)
};

void write_text_report(const Report& report, std::ostream& out, const ReportOptions& options);
void write_json_report(const Report& report, std::ostream& out);
void write_sarif_report(const Report& report, std::ostream& out);

// "0x1A2B" — the one hex spelling used by every report.
std::string hex(uint64_t value);

}  // namespace drvsec
