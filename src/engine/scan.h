// The scan driver: finds inputs, analyzes each file (in parallel), runs the rules, and
// returns every result in a deterministic order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analysis/analyze.h"
#include "analysis/file_analysis.h"
#include "model/finding.h"
#include "sig/catalog.h"

namespace drvsec {

// What a scan runs: the analysis options (depth, limits, intelligence) and the engine's own.
struct ScanOptions : AnalysisOptions {
  unsigned jobs = 0;                         // 0: one per core
  std::vector<std::string> only_rules;       // --rule (empty: all)
  std::vector<std::string> excluded_rules;   // --exclude-rule
  uint64_t max_file_size = 256ull << 20;     // --max-file-size
};

struct SkippedInputs {
  uint64_t source_files = 0;  // C/C++ sources: source analysis is not part of this version
  uint64_t inf_files = 0;     // INF files: INF analysis is not part of this version
  uint64_t other_files = 0;   // neither a PE image, an INF nor a source file
};

struct ScanResult {
  std::vector<FileAnalysis> files;  // sorted by path; images are released, models kept
  std::vector<Finding> findings;    // sorted by finding_less
  SkippedInputs skipped;
  AnalysisDepth depth = AnalysisDepth::code;
  unsigned jobs = 0;  // ScanOptions::jobs, for the report writers (0: one per core)
};

// Expands files and folders (recursively, never following directory symlinks, so no loops) into
// the sorted, de-duplicated list of candidate files. Kinds are decided later, by content.
struct DiscoveredInput {
  std::string path;
  bool named = false;  // named on the command line: reported even when it is not a known kind
  std::string error;   // set when the path could not be listed or does not exist
};
std::vector<DiscoveredInput> discover_inputs(const std::vector<std::string>& paths);

ScanResult scan(const std::vector<std::string>& paths, const ScanOptions& options);

// The catalogs of a scan, each read and analyzed once: those among the inputs (found by content)
// and companions that are not inputs — .cat files next to a driver named on the command line and
// catalogs named by an INF's CatalogFile (an INF among the inputs or next to a named driver).
struct ScanCatalogs {
  sig::CatalogIndex index;                       // member hashes -> catalog path
  std::map<std::string, FileAnalysis> analyses;  // path -> the catalog's analysis (artifact + signature)
  std::set<std::string> companions;              // paths of catalogs that are not inputs
};
ScanCatalogs collect_catalogs(const std::vector<DiscoveredInput>& inputs, const ScanOptions& options);

// Runs the selected rules over one analyzed file; a rule that throws becomes an error finding.
std::vector<Finding> run_rules(const FileAnalysis& file, const ScanOptions& options);

}  // namespace drvsec
