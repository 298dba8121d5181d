#include "engine/scan.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "base/mapped_file.h"
#include "base/parallel.h"
#include "base/paths.h"
#include "inf/catalog_lookup.h"
#include "rules/rule.h"
#include "sig/analyze.h"

namespace drvsec {

namespace fs = std::filesystem;

ScanCatalogs collect_catalogs(const std::vector<DiscoveredInput>& inputs, const ScanOptions& options) {
  std::set<std::string> candidates, input_paths, companions, listed_folders;
  for (const DiscoveredInput& in : inputs) {
    if (!in.error.empty()) continue;
    // Which inputs are catalogs is decided by content, for those named on the command line and
    // those whose name ends in .cat: every shard does this, so it must not open every file.
    if (in.named || has_extension(in.path, {".cat"})) candidates.insert(in.path);
    input_paths.insert(in.path);
    std::vector<std::string> found;
    if (in.named) {
      // A driver named on its own: its catalog usually sits in the same folder, or its INF names it.
      // Each folder is listed once: a shell glob names thousands of drivers of one folder.
      const std::string folder = fs::path(in.path).parent_path().string();
      if (listed_folders.insert(folder).second) found = inf::catalogs_in_folder(folder, options.max_file_size);
    }
    if (has_extension(in.path, {".inf"}))
      for (std::string& c : inf::resolve_catalog_files(in.path, options.max_file_size)) found.push_back(std::move(c));
    for (std::string& c : found) companions.insert(std::move(c));
  }
  // A companion that is also an input (the same file, possibly spelled differently) is read once, as the input.
  auto canonical = [](const std::string& path) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(path, ec);
    return ec ? path : c.string();
  };
  std::set<std::string> files_read;  // canonical paths, filled when a companion is not an input by name
  for (const std::string& path : companions) {
    if (input_paths.count(path)) continue;
    if (files_read.empty())
      for (const std::string& in : input_paths) files_read.insert(canonical(in));
    if (files_read.insert(canonical(path)).second) candidates.insert(path);
  }

  // Which candidates are catalogs, by content: every input is opened for this, so in parallel.
  const std::vector<std::string> paths(candidates.begin(), candidates.end());
  std::vector<char> is_catalog(paths.size(), 0);
  parallel_for(paths.size(), worker_count(options.jobs, paths.size()), [&](size_t i) {
    std::array<uint8_t, 96> head{};
    std::ifstream stream(paths[i], std::ios::binary);
    stream.read(reinterpret_cast<char*>(head.data()), head.size());
    is_catalog[i] = sig::looks_like_catalog(std::span(head.data(), static_cast<size_t>(stream.gcount())));
  });

  ScanCatalogs catalogs;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!is_catalog[i]) continue;
    const std::string& path = paths[i];
    try {
      MappedFile mapped(path, options.max_file_size);
      const sig::Catalog catalog = sig::parse_catalog(path, mapped.bytes());
      catalogs.index.add(catalog);
      FileAnalysis file = describe_input(path, mapped.bytes(), options);
      file.signature = sig::analyze_catalog_signature(catalog, mapped.bytes(), file.artifact.sha256, file_hash_set(options));
      catalogs.analyses.emplace(path, std::move(file));
      if (!input_paths.count(path)) catalogs.companions.insert(path);
    } catch (const std::exception&) {
      // Unreadable: the main pass reports it as an artifact error (inputs) or it signs nothing (companions).
    }
  }
  return catalogs;
}

namespace {

// Where each finding's address lies in the file, while the image is still open: the reports point
// viewers at bytes (SARIF byteOffset) and name the section.
void locate_in_file(const pe::Image& image, const std::string& path, std::vector<Finding>& findings) {
  for (Finding& f : findings) {
    if (!f.location.rva || (!f.location.path.empty() && f.location.path != path)) continue;
    f.location.file_offset = image.rva_to_offset(*f.location.rva);
    if (const pe::Section* s = image.section_at_rva(*f.location.rva)) f.location.section = s->name;
  }
}

}  // namespace

std::vector<Finding> run_rules(const FileAnalysis& file, const ScanOptions& options) {
  std::vector<Finding> out;
  auto listed = [](const std::vector<std::string>& list, const std::string& id) {
    return std::find(list.begin(), list.end(), id) != list.end();
  };
  for (const Rule* rule : RuleRegistry::instance().rules()) {
    const std::string& id = rule->info().id;
    if (!options.only_rules.empty() && !listed(options.only_rules, id)) continue;
    if (listed(options.excluded_rules, id)) continue;
    try {
      rule->check(file, out);
    } catch (const std::exception& e) {
      Finding f;
      f.rule_id = "input-not-analyzed";
      f.severity = Severity::error;
      f.message = fmt::format("rule {} failed on this input: {}", id, e.what());
      f.location.path = file.artifact.path;
      out.push_back(std::move(f));
    }
  }
  if (file.image) locate_in_file(*file.image, file.artifact.path, out);
  return out;
}

namespace {

struct FileOutcome {
  std::optional<FileAnalysis> analysis;  // nullopt: skipped
  std::vector<Finding> findings;
  InputKind skipped_kind = InputKind::unknown;
};

bool looks_like_driver_name(std::string_view path) { return has_extension(path, {".sys", ".dll", ".exe", ".efi"}); }

FileOutcome analyze_input(const DiscoveredInput& input, const ScanOptions& options, const ScanCatalogs& catalogs) {
  FileOutcome outcome;
  FileAnalysis file;
  file.artifact.path = input.path;
  bool rules_ran = false;
  if (auto known = catalogs.analyses.find(input.path); known != catalogs.analyses.end()) {
    file = known->second;  // a catalog, already read and analyzed by collect_catalogs
  } else if (!input.error.empty()) {
    file.artifact.errors.push_back(input.error);
  } else {
    try {
      MappedFile mapped(input.path, options.max_file_size);
      file = analyze_bytes(input.path, mapped.bytes(), options, &catalogs.index);
      const InputKind kind = file.artifact.kind;
      const bool report_unknown = input.named || looks_like_driver_name(input.path);
      if (kind == InputKind::source || kind == InputKind::inf || (kind == InputKind::unknown && !report_unknown)) {
        outcome.skipped_kind = kind;
        return outcome;
      }
      outcome.findings = run_rules(file, options);
      rules_ran = true;
    } catch (const std::exception& e) {
      file.artifact.errors.push_back(e.what());
    }
    file.image.reset();  // it views the mapping, which has ended
  }
  if (!rules_ran) outcome.findings = run_rules(file, options);
  outcome.analysis = std::move(file);
  return outcome;
}

}  // namespace

ScanPlan plan_scan(const std::vector<DiscoveredInput>& inputs, const ScanOptions& options) {
  ScanPlan plan;
  std::vector<Package> all = form_packages(inputs, options.max_file_size);
  plan.all_packages = all.size();
  if (options.shard.count <= 1) {
    plan.packages = std::move(all);
  } else {
    for (Package& p : all)
      if (shard_of(p.key, options.shard.count) == options.shard.index) plan.packages.push_back(std::move(p));
  }
  // Catalogs are the scan's shared context: found among all inputs, whichever shard runs.
  plan.catalogs = collect_catalogs(inputs, options);
  return plan;
}

namespace {

PackageResult analyze_package(const Package& package, const ScanOptions& options, const ScanCatalogs& catalogs) {
  PackageResult result;
  result.key = package.key;
  auto add = [&](FileAnalysis analysis, std::vector<Finding> findings, std::string role) {
    result.files.push_back({analysis.artifact.path, std::move(role)});
    for (Finding& f : findings) result.findings.push_back(std::move(f));
    result.analyses.push_back(std::move(analysis));
  };
  for (const DiscoveredInput& input : package.inputs) {
    FileOutcome outcome = analyze_input(input, options, catalogs);
    if (!outcome.analysis) {
      result.files.push_back({input.path, std::string(to_string(outcome.skipped_kind))});
      if (outcome.skipped_kind == InputKind::source) ++result.skipped.source_files;
      else if (outcome.skipped_kind == InputKind::inf) ++result.skipped.inf_files;
      else ++result.skipped.other_files;
      continue;
    }
    const std::string role(to_string(outcome.analysis->artifact.kind));
    add(std::move(*outcome.analysis), std::move(outcome.findings), role);
  }
  // Companion catalogs (not inputs) that sign a driver of this package are reported with it.
  std::set<std::string> signing;
  for (const FileAnalysis& f : result.analyses)
    if (f.signature && f.signature->catalog && catalogs.companions.count(*f.signature->catalog))
      signing.insert(*f.signature->catalog);
  for (const std::string& path : signing) {
    FileAnalysis catalog = catalogs.analyses.at(path);
    std::vector<Finding> findings = run_rules(catalog, options);
    add(std::move(catalog), std::move(findings), "companion catalog");
  }
  auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
  std::sort(result.files.begin(), result.files.end(), by_path);
  std::stable_sort(result.analyses.begin(), result.analyses.end(),
                   [](const FileAnalysis& a, const FileAnalysis& b) { return a.artifact.path < b.artifact.path; });
  std::stable_sort(result.findings.begin(), result.findings.end(), finding_less);
  assign_fingerprints(result.findings);
  return result;
}

}  // namespace

void scan_packages(const ScanPlan& plan, const ScanOptions& options,
                   const std::function<void(size_t, PackageResult&&)>& done) {
  parallel_for(plan.packages.size(), worker_count(options.jobs, plan.packages.size()),
               [&](size_t i) { done(i, analyze_package(plan.packages[i], options, plan.catalogs)); });
}

ScanResult scan(const std::vector<std::string>& paths, const ScanOptions& options) {
  const ScanPlan plan = plan_scan(discover_inputs(paths), options);
  std::vector<PackageResult> packages(plan.packages.size());
  scan_packages(plan, options, [&](size_t i, PackageResult&& r) { packages[i] = std::move(r); });

  ScanResult result;
  result.depth = options.depth;
  result.jobs = options.jobs;
  join_packages(
      packages, [](PackageResult& p) -> std::vector<FileAnalysis>& { return p.analyses; },
      [](const FileAnalysis& f) -> const std::string& { return f.artifact.path; }, result.files, result.findings,
      result.skipped);
  return result;
}

}  // namespace drvsec
