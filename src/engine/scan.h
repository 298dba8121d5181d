// The scan: plans the inputs into packages (this shard's), analyses each package (in parallel),
// runs the rules, and hands every package's result to the caller as it completes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analysis/analyze.h"
#include "analysis/file_analysis.h"
#include "engine/discover.h"
#include "engine/package.h"
#include "model/finding.h"
#include "sig/catalog.h"

namespace drvsec {

// --shard K/N: this run analyses the packages with shard_of(key, N) == K.
struct ShardSpec {
  uint32_t index = 1, count = 1;
};

// What a scan runs: the analysis options (depth, limits, intelligence) and the engine's own.
struct ScanOptions : AnalysisOptions {
  unsigned jobs = 0;                         // 0: one per core
  std::vector<std::string> only_rules;       // --rule (empty: all)
  std::vector<std::string> excluded_rules;   // --exclude-rule
  uint64_t max_file_size = 256ull << 20;     // --max-file-size
  ShardSpec shard;                           // --shard
};

struct SkippedInputs {
  uint64_t source_files = 0;  // C/C++ sources: source analysis is not part of this version
  uint64_t inf_files = 0;     // INF files: INF analysis is not part of this version
  uint64_t other_files = 0;   // neither a PE image, an INF nor a source file
  SkippedInputs& operator+=(const SkippedInputs& o) {
    source_files += o.source_files, inf_files += o.inf_files, other_files += o.other_files;
    return *this;
  }
};

// One file of a package: an input, or a companion catalog reported with it.
struct PackageFile {
  std::string path;
  std::string role;  // the input's kind (to_string(InputKind)), or "companion catalog"
};

// Everything one package produced. Self-contained: the reports are built from these alone.
struct PackageResult {
  std::string key;
  std::vector<PackageFile> files;      // sorted by path
  std::vector<FileAnalysis> analyses;  // the reported artifacts, sorted by path; images released
  std::vector<Finding> findings;       // sorted by finding_less
  SkippedInputs skipped;               // inputs of the package that are not reported (not analyzed kinds)
};

// The catalogs of a scan, each read and analyzed once: the inputs that are catalogs (named on the
// command line, or ending in .cat) and companions that are not inputs — .cat files next to a driver
// named on the command line and catalogs named by an INF's CatalogFile (an INF among the inputs or
// next to a named driver). Every shard reads all of them: any catalog may sign any driver.
struct ScanCatalogs {
  sig::CatalogIndex index;                       // member hashes -> catalog path
  std::map<std::string, FileAnalysis> analyses;  // path -> the catalog's analysis (artifact + signature)
  std::set<std::string> companions;              // paths of catalogs that are not inputs
};
ScanCatalogs collect_catalogs(const std::vector<DiscoveredInput>& inputs, const ScanOptions& options);

struct ScanPlan {
  std::vector<Package> packages;  // this shard's, in key order
  size_t all_packages = 0;        // packages of all shards together
  ScanCatalogs catalogs;
};
ScanPlan plan_scan(const std::vector<DiscoveredInput>& inputs, const ScanOptions& options);

// Analyses the plan's packages on options.jobs threads. `done(i, result)` runs on the worker that
// finished plan.packages[i], concurrently with other workers' calls.
void scan_packages(const ScanPlan& plan, const ScanOptions& options,
                   const std::function<void(size_t, PackageResult&&)>& done);

// Runs the selected rules over one analyzed file; a rule that throws becomes an error finding.
std::vector<Finding> run_rules(const FileAnalysis& file, const ScanOptions& options);

// A whole scan in memory (tests and tools; the CLI streams packages instead).
struct ScanResult {
  std::vector<FileAnalysis> files;  // sorted by path, each artifact once
  std::vector<Finding> findings;    // sorted by finding_less
  SkippedInputs skipped;
  AnalysisDepth depth = AnalysisDepth::code;
  unsigned jobs = 0;
};
ScanResult scan(const std::vector<std::string>& paths, const ScanOptions& options);

// Joins package results (PackageResult, or the reports' records) into one scan's lists: packages in
// key order; an artifact reported by several packages (a companion catalog that signs drivers of two
// of them) is kept once, from the first, with that package's findings about it; artifacts sorted by
// path, findings by finding_less. `artifacts_of(package)` is the package's artifact vector and
// `path_of(artifact)` an artifact's path.
template <typename Pkg, typename Artifact, typename ArtifactsOf, typename PathOf>
void join_packages(std::vector<Pkg>& packages, const ArtifactsOf& artifacts_of, const PathOf& path_of,
                   std::vector<Artifact>& artifacts, std::vector<Finding>& findings, SkippedInputs& skipped) {
  std::stable_sort(packages.begin(), packages.end(), [](const Pkg& a, const Pkg& b) { return a.key < b.key; });
  std::set<std::string> seen;
  for (Pkg& p : packages) {
    skipped += p.skipped;
    std::set<std::string> dropped;
    for (Artifact& a : artifacts_of(p)) {
      if (seen.insert(path_of(a)).second) artifacts.push_back(std::move(a));
      else dropped.insert(path_of(a));
    }
    for (Finding& f : p.findings)
      if (dropped.empty() || !dropped.count(f.location.path)) findings.push_back(std::move(f));
  }
  std::stable_sort(artifacts.begin(), artifacts.end(),
                   [&](const Artifact& a, const Artifact& b) { return path_of(a) < path_of(b); });
  if (!std::is_sorted(findings.begin(), findings.end(), finding_less))
    std::stable_sort(findings.begin(), findings.end(), finding_less);
}

}  // namespace drvsec
