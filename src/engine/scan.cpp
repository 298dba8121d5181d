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

std::vector<DiscoveredInput> discover_inputs(const std::vector<std::string>& paths) {
  std::vector<DiscoveredInput> out;
  std::set<std::string> seen;
  auto add = [&](DiscoveredInput in) {
    if (seen.insert(in.path).second) out.push_back(std::move(in));
  };
  for (const std::string& p : paths) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
      add({p, true, ec ? ec.message() : "no such file or directory"});
      continue;
    }
    if (!fs::is_directory(status)) {
      add({p, true, {}});
      continue;
    }
    // skip_permission_denied: an unreadable subfolder must not abort the whole walk.
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      add({p, true, ec.message()});
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) {
        add({it->path().string(), false, ec.message()});
        ec.clear();
        continue;
      }
      std::error_code fec;
      if (it->is_regular_file(fec)) add({it->path().string(), false, {}});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

ScanCatalogs collect_catalogs(const std::vector<DiscoveredInput>& inputs, const ScanOptions& options) {
  std::set<std::string> candidates, input_paths, companions, listed_folders;
  for (const DiscoveredInput& in : inputs) {
    if (!in.error.empty()) continue;
    candidates.insert(in.path);
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

ScanResult scan(const std::vector<std::string>& paths, const ScanOptions& options) {
  const std::vector<DiscoveredInput> inputs = discover_inputs(paths);
  const ScanCatalogs catalogs = collect_catalogs(inputs, options);
  std::vector<FileOutcome> outcomes(inputs.size());

  // Each worker also sorts its file's findings: the merge below then only concatenates.
  parallel_for(inputs.size(), worker_count(options.jobs, inputs.size()), [&](size_t i) {
    outcomes[i] = analyze_input(inputs[i], options, catalogs);
    std::stable_sort(outcomes[i].findings.begin(), outcomes[i].findings.end(), finding_less);
  });

  // Companion catalogs (not inputs) that sign a scanned driver are reported like inputs.
  std::set<std::string> signing;
  for (const FileOutcome& o : outcomes)
    if (o.analysis && o.analysis->signature && o.analysis->signature->catalog) signing.insert(*o.analysis->signature->catalog);
  for (const std::string& path : signing)
    if (catalogs.companions.count(path)) {
      FileOutcome& o = outcomes.emplace_back();
      o.analysis = catalogs.analyses.at(path);
      o.findings = run_rules(*o.analysis, options);
      std::stable_sort(o.findings.begin(), o.findings.end(), finding_less);
    }

  ScanResult result;
  result.depth = options.depth;
  result.jobs = options.jobs;
  size_t finding_count = 0;
  for (const FileOutcome& o : outcomes) finding_count += o.findings.size();
  result.files.reserve(outcomes.size());
  result.findings.reserve(finding_count);
  // Files in path order (inputs are; companion catalogs were appended), each moved once. Findings sort by
  // path first, so concatenating the files' sorted findings in that order sorts them all, unless a rule
  // reported a finding under another path.
  std::vector<size_t> order(outcomes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto path_of = [&](size_t i) -> const std::string& { return outcomes[i].analysis->artifact.path; };
  std::erase_if(order, [&](size_t i) { return !outcomes[i].analysis; });
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return path_of(a) < path_of(b); });
  for (FileOutcome& o : outcomes)
    if (!o.analysis) {
      if (o.skipped_kind == InputKind::source) ++result.skipped.source_files;
      else if (o.skipped_kind == InputKind::inf) ++result.skipped.inf_files;
      else ++result.skipped.other_files;
    }
  for (size_t i : order) {
    result.files.push_back(std::move(*outcomes[i].analysis));
    for (Finding& f : outcomes[i].findings) result.findings.push_back(std::move(f));
  }
  if (!std::is_sorted(result.findings.begin(), result.findings.end(), finding_less))
    std::stable_sort(result.findings.begin(), result.findings.end(), finding_less);
  return result;
}

}  // namespace drvsec
