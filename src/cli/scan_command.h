// `drvsec scan` and `drvsec merge`: inputs to packages to records to reports, and exit codes.
#pragma once

#include <string>
#include <vector>

#include "base/terminal_text.h"
#include "engine/scan.h"

namespace drvsec {

// design.md: 0 clean, 1 findings at or above --fail-on, 2 usage error, 3 inputs not analyzed.
constexpr int kExitClean = 0, kExitFindings = 1, kExitUsage = 2, kExitInputErrors = 3;

struct OutputOptions {
  std::string format = "text";  // text, json, sarif, jsonl (scan only)
  std::string output;           // -o FILE (empty: stdout)
  std::string report_dir;       // --report-dir DIR: also drvsec.json and drvsec.sarif
  std::string fail_on = "error";
  std::string baseline;         // --baseline FILE: report only what is not in this earlier report
  std::string min_severity = "note", min_confidence = "low";  // --min-severity, --min-confidence
  std::string config;           // --config FILE: the suppression file (else drvsec.toml is looked for)
  bool no_config = false;       // --no-config: no suppression file at all
  bool quiet = false;           // --quiet: no progress line, no notes on stderr
  ColorMode color = ColorMode::automatic;  // --color, for the text report (base/terminal_text.h)
};

struct ScanCommand {
  std::vector<std::string> paths;
  std::string files_from;                 // --files-from FILE or "-"
  std::vector<std::string> intelligence;  // "blocklist:PATH", ... for the jsonl header
};
int run_scan(const ScanCommand& command, const ScanOptions& options, const OutputOptions& output);

struct MergeCommand {
  std::vector<std::string> shards;
  std::string files_from;  // optional: the scan's list, to name the packages of missing shards
  unsigned jobs = 0;
};
int run_merge(const MergeCommand& command, const OutputOptions& output);

}  // namespace drvsec
