#include "cli/scan_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "cli/progress.h"
#include "report/jsonl.h"
#include "report/report.h"
#include "rules/rule.h"

namespace drvsec {

namespace {

// The exit code a set of records earns (design.md): 3 when an input, or part of one, could not be
// analyzed, or when the scan found no kernel driver at all (a CI gate must not pass on nothing).
struct ExitStatus {
  bool input_errors = false;
  size_t files = 0, kernel_drivers = 0;
  std::vector<std::string> notices;  // run-level problems, said on standard error
  std::optional<Severity> worst;
  void add(const PackageRecord& r) { add(r.artifacts, r.findings); }
  void add(const std::vector<ReportArtifact>& artifacts, const std::vector<Finding>& findings) {
    for (const ReportArtifact& a : artifacts) {
      input_errors |= !a.errors.empty() || !a.gaps.empty();
      kernel_drivers += a.kernel_driver;
    }
    files += artifacts.size();
    for (const Finding& f : findings)
      if (!worst || f.severity > *worst) worst = f.severity;
  }
  // Whole scans and merges: says so on standard error when nothing was a kernel driver.
  void require_a_driver() {
    if (kernel_drivers > 0) return;
    notices.push_back(fmt::format("no kernel driver found in {} input file(s): nothing was checked", files));
    std::cerr << "drvsec: " << notices.back() << '\n';
    input_errors = true;
  }
  int code(const std::string& fail_on) const {
    if (input_errors) return kExitInputErrors;
    if (auto threshold = parse_severity(fail_on); threshold && worst && *worst >= *threshold) return kExitFindings;
    return kExitClean;
  }
  RunOutcome outcome(const std::string& fail_on) const { return {code(fail_on), !input_errors, notices}; }
};

// What the report says of the run itself: its exit status, and the folder relative paths start from.
void finish(Report& report, const ExitStatus& status, const std::string& fail_on) {
  report.outcome = status.outcome(fail_on);
  std::error_code ec;
  report.source_root = std::filesystem::current_path(ec).string();
  if (ec) report.source_root.clear();
}

void render(const Report& report, const std::string& format, bool color, std::ostream& out) {
  if (format == "json") write_json_report(report, out);
  else if (format == "sarif") write_sarif_report(report, out);
  else write_text_report(report, out, {color});
}

// Renders straight into the file: a report of thousands of drivers is not copied through a string.
bool render_to_file(const Report& report, const std::string& format, bool color, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (out) render(report, format, color, out);
  return static_cast<bool>(out);
}

// Writes the report where the options say; false (after saying why) when it cannot be written.
// Colours (text only): --color always paints a file too; auto only a terminal on standard output.
bool write_report(const Report& report, const OutputOptions& o) {
  const bool text = o.format == "text";
  if (o.output.empty()) {
    render(report, o.format, text && use_color_on_stdout(o.color), std::cout);
  } else if (!render_to_file(report, o.format, text && use_color(o.color, false, nullptr, nullptr), o.output)) {
    std::cerr << "drvsec: cannot write " << escape_for_terminal(o.output) << '\n';
    return false;
  }
  if (!o.report_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.report_dir, ec);
    const std::string json = o.report_dir + "/drvsec.json", sarif = o.report_dir + "/drvsec.sarif";
    if (ec || !render_to_file(report, "json", false, json) || !render_to_file(report, "sarif", false, sarif)) {
      std::cerr << "drvsec: cannot write reports into " << escape_for_terminal(o.report_dir) << '\n';
      return false;
    }
    if (!o.quiet) std::cerr << "drvsec: wrote " << escape_for_terminal(json) << " and " << escape_for_terminal(sarif) << '\n';
  }
  return true;
}

// --baseline: read before the scan, so a wrong file fails at once (a usage error).
bool load_baseline(const OutputOptions& o, std::optional<Baseline>& baseline) {
  if (o.baseline.empty()) return true;
  try {
    baseline = read_baseline(o.baseline);
    return true;
  } catch (const BaselineError& e) {
    std::cerr << "drvsec: " << escape_for_terminal(e.what()) << '\n';
    return false;
  }
}

// Leaves out what the options say (before the exit status is decided: the gate is on what is shown):
// the findings the baseline holds, then those below --min-severity / --min-confidence.
void judge_against(const std::optional<Baseline>& baseline, Report& report, const OutputOptions& o) {
  if (baseline) {
    report.baseline = apply_baseline(*baseline, report.findings);
    for (SuppressedFinding& s : report.suppressed)  // held back before, so not judged; SARIF still says which they are
      s.baseline_state = baseline->fingerprints.count(s.finding.fingerprint) ? "unchanged" : "new";
    const BaselineSummary& s = *report.baseline;
    if (!o.quiet)
      std::cerr << fmt::format("drvsec: baseline {}: {} new, {} unchanged (not reported), {} no longer found\n",
                               escape_for_terminal(s.path), s.new_results, s.unchanged, s.absent);
  }
  const Severity min_severity = parse_severity(o.min_severity).value_or(Severity::note);
  const Confidence min_confidence = parse_confidence(o.min_confidence).value_or(Confidence::low);
  if (min_severity != Severity::note || min_confidence != Confidence::low)
    report.threshold = apply_threshold(min_severity, min_confidence, report.findings);
}

// The suppression file: --config, else a drvsec.toml found from `start` (the first scanned path), read
// before the scan so a wrong file fails at once (exit 2, with its line and column).
bool load_suppressions(const OutputOptions& o, const std::string& start, std::vector<SuppressionFile>& files) {
  if (o.no_config) return true;
  const std::string path = o.config.empty() ? discover_suppression_file(start) : o.config;
  if (path.empty()) return true;
  try {
    files.push_back(read_suppression_file(path));
    return true;
  } catch (const SuppressionError& e) {
    std::cerr << "drvsec: " << escape_for_terminal(e.what()) << '\n';
    return false;
  }
}

// Holds back what the suppression files accept (before the baseline and the exit status: a suppressed
// finding is counted and kept in the reports, never judged). Expired entries are said even with --quiet.
void apply_suppression_files(const std::vector<SuppressionFile>& files, Report& report, const OutputOptions& o) {
  if (files.empty()) return;
  suppress_findings(report, files, today_utc());
  const SuppressionSummary& s = *report.suppressions;
  for (const SuppressionUse& u : s.entries)
    if (u.expired)
      std::cerr << fmt::format("drvsec: warning: {}:{}:{}: the suppression of {} expired on {}: no longer applied\n",
                               escape_for_terminal(u.suppression.file), u.suppression.line, u.suppression.column,
                               escape_for_terminal(u.suppression.rule), to_string(*u.suppression.expires));
  if (o.quiet) return;
  std::string names;
  for (const std::string& f : s.files) names += (names.empty() ? "" : ", ") + escape_for_terminal(f);
  std::cerr << fmt::format("drvsec: {} suppressed ({})\n", s.suppressed, names);
  for (const SuppressionUse& u : s.entries)
    if (!u.expired && u.matched == 0)
      std::cerr << fmt::format("drvsec: note: unused suppression at {}:{}\n", escape_for_terminal(u.suppression.file), u.suppression.line);
}

std::optional<std::vector<std::string>> read_list(const std::string& source) {
  if (source == "-") return read_file_list(std::cin);
  std::ifstream in(source, std::ios::binary);
  if (!in) return std::nullopt;
  return read_file_list(in);
}

// Command-line paths and list entries, one input per path (a path given both ways counts as named).
std::vector<DiscoveredInput> gather_inputs(const std::vector<std::string>& paths, const std::vector<std::string>& listed) {
  std::vector<DiscoveredInput> inputs = discover_inputs(paths);
  if (listed.empty()) return inputs;
  std::vector<DiscoveredInput> from_list = discover_listed_inputs(listed);
  std::set<std::string> named;
  for (const DiscoveredInput& in : inputs) named.insert(in.path);
  for (DiscoveredInput& in : from_list)
    if (!named.count(in.path)) inputs.push_back(std::move(in));
  std::sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return inputs;
}

ShardHeader header_for(const ScanPlan& plan, const ScanOptions& options, const ScanCommand& command) {
  ShardHeader h;
  h.schema_version = jsonl_schema_version();
  h.tool_version = DRVSEC_VERSION;
  h.depth = options.depth;
  h.shard = options.shard;
  h.all_packages = plan.all_packages;
  for (const Package& p : plan.packages) h.packages.push_back(p.key);
  h.only_rules = options.only_rules;
  h.excluded_rules = options.excluded_rules;
  h.max_file_size = options.max_file_size;
  h.intelligence = command.intelligence;
  return h;
}

// --format jsonl: each package's line goes out as soon as it and every package before it (in key
// order) are done, so the file is the same for any --jobs and memory holds only the lines that wait.
int scan_to_jsonl(const ScanPlan& plan, const ScanOptions& options, const ScanCommand& command,
                  const OutputOptions& o, Progress& progress) {
  std::ofstream file;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary);
    if (!file) {
      std::cerr << "drvsec: cannot write " << escape_for_terminal(o.output) << '\n';
      return kExitUsage;
    }
  }
  std::ostream& out = o.output.empty() ? std::cout : file;
  write_header_record(header_for(plan, options, command), out);
  std::mutex mutex;
  std::map<size_t, std::string> waiting;
  size_t next = 0;
  ExitStatus status;
  scan_packages(plan, options, [&](size_t i, PackageResult&& result) {
    const PackageRecord record = make_record(result);
    std::string line = package_record_line(record);
    {
      std::lock_guard lock(mutex);
      status.add(record);
      waiting.emplace(i, std::move(line));
      for (auto it = waiting.begin(); it != waiting.end() && it->first == next; it = waiting.erase(it), ++next)
        out << it->second;
    }
    progress.package_done();
  });
  write_end_record(plan.packages.size(), out);
  out.flush();
  if (!out) {
    std::cerr << "drvsec: cannot write " << (o.output.empty() ? "standard output" : escape_for_terminal(o.output)) << '\n';
    return kExitUsage;
  }
  if (options.shard.count == 1) status.require_a_driver();  // a shard may hold none: the merge decides
  return status.code(o.fail_on);
}

}  // namespace

int run_scan(const ScanCommand& command, const ScanOptions& options, const OutputOptions& o) {
  for (const auto& id : options.only_rules)
    if (!RuleRegistry::instance().find(id)) {
      std::cerr << "drvsec: unknown rule id '" << escape_for_terminal(id) << "' (see `drvsec rules`)\n";
      return kExitUsage;
    }
  if (o.format == "jsonl" && !o.report_dir.empty()) {
    std::cerr << "drvsec: --report-dir writes whole reports; with --format jsonl, run `drvsec merge` on the output\n";
    return kExitUsage;
  }
  if (o.format == "jsonl" && (!o.baseline.empty() || o.min_severity != "note" || o.min_confidence != "low")) {
    std::cerr << "drvsec: --baseline, --min-severity and --min-confidence judge whole reports; with --format jsonl, give them to `drvsec merge`\n";
    return kExitUsage;
  }
  if (o.format == "jsonl" && !o.config.empty()) {
    std::cerr << "drvsec: --config applies to whole reports; with --format jsonl, give it to `drvsec merge`\n";
    return kExitUsage;
  }
  std::optional<Baseline> baseline;
  if (!load_baseline(o, baseline)) return kExitUsage;
  std::vector<SuppressionFile> suppressions;  // jsonl shards are not judged: `drvsec merge` applies them
  if (o.format != "jsonl" && !load_suppressions(o, command.paths.empty() ? std::string() : command.paths.front(), suppressions))
    return kExitUsage;
  std::vector<std::string> listed;
  if (!command.files_from.empty()) {
    auto list = read_list(command.files_from);
    if (!list) {
      std::cerr << "drvsec: cannot read the file list " << escape_for_terminal(command.files_from) << '\n';
      return kExitUsage;
    }
    listed = std::move(*list);
  }
  const ScanPlan plan = plan_scan(gather_inputs(command.paths, listed), options);
  Progress progress(plan.packages.size(), !o.quiet && isatty(STDERR_FILENO));
  if (o.format == "jsonl") return scan_to_jsonl(plan, options, command, o, progress);

  std::vector<PackageRecord> records(plan.packages.size());
  scan_packages(plan, options, [&](size_t i, PackageResult&& result) {
    records[i] = make_record(result);
    progress.package_done();
  });
  // The report lives until the process ends (a global keeps it reachable): freeing a large scan's
  // tens of thousands of strings one by one took longer than sorting them, and the system reclaims
  // the memory at exit in one step.
  static Report& report = *new Report(assemble_report(std::move(records), options.depth, options.jobs));
  apply_suppression_files(suppressions, report, o);
  judge_against(baseline, report, o);
  ExitStatus status;
  status.add(report.artifacts, report.findings);
  if (options.shard.count == 1) status.require_a_driver();
  finish(report, status, o.fail_on);
  if (!write_report(report, o)) return kExitUsage;
  return status.code(o.fail_on);
}

namespace {

Finding missing_finding(const std::string& path, std::string message) {
  Finding f;
  f.rule_id = "input-not-analyzed";
  f.severity = Severity::error;
  f.location.path = path;
  f.message = std::move(message);
  return f;
}

// The merged shards must come from one scan: the same tool, options and shard count.
std::string header_mismatch(const ShardHeader& a, const ShardHeader& b) {
  if (a.tool_version != b.tool_version) return fmt::format("drvsec {} and {}", a.tool_version, b.tool_version);
  if (a.depth != b.depth) return fmt::format("--depth {} and {}", to_string(a.depth), to_string(b.depth));
  if (a.shard.count != b.shard.count) return fmt::format("--shard K/{} and K/{}", a.shard.count, b.shard.count);
  if (a.only_rules != b.only_rules || a.excluded_rules != b.excluded_rules) return "different --rule/--exclude-rule";
  if (a.max_file_size != b.max_file_size) return "different --max-file-size";
  if (a.intelligence != b.intelligence) return "different --blocklist/--loldrivers/--yara";
  if (a.all_packages != b.all_packages) return fmt::format("{} and {} packages in all (different input lists)", a.all_packages, b.all_packages);
  return {};
}

}  // namespace

int run_merge(const MergeCommand& command, const OutputOptions& o) {
  std::optional<Baseline> baseline;
  if (!load_baseline(o, baseline)) return kExitUsage;
  std::vector<SuppressionFile> suppressions;
  if (!load_suppressions(o, std::string(), suppressions)) return kExitUsage;
  std::vector<ShardFile> shards;
  std::vector<Finding> missing;  // input-not-analyzed findings for what the shards lack
  for (const std::string& path : command.shards) {
    try {
      shards.push_back(read_shard(path));
    } catch (const JsonlError& e) {
      std::cerr << "drvsec: " << escape_for_terminal(e.what()) << '\n';
      missing.push_back(missing_finding(path, fmt::format("shard file not merged: {}", e.what())));
    }
  }
  if (shards.empty()) {
    std::cerr << "drvsec: no shard could be read\n";
    return kExitInputErrors;
  }
  const ShardHeader& first = shards.front().header;
  std::map<uint32_t, const ShardFile*> by_index;
  for (const ShardFile& s : shards) {
    if (std::string why = header_mismatch(first, s.header); !why.empty()) {
      std::cerr << "drvsec: " << escape_for_terminal(s.path) << " and " << escape_for_terminal(shards.front().path) << " are not shards of one scan: " << why << '\n';
      return kExitUsage;
    }
    if (auto [it, fresh] = by_index.emplace(s.header.shard.index, &s); !fresh) {
      std::cerr << "drvsec: " << escape_for_terminal(s.path) << " and " << escape_for_terminal(it->second->path) << " are both shard " << s.header.shard.index
                << "/" << first.shard.count << '\n';
      return kExitUsage;
    }
  }
  const uint32_t count = first.shard.count;

  // Shards that are absent: named by number, and their packages by key when the list is given.
  std::vector<uint32_t> absent;
  for (uint32_t k = 1; k <= count; ++k)
    if (!by_index.count(k)) absent.push_back(k);
  if (!absent.empty()) {
    std::set<uint32_t> absent_set(absent.begin(), absent.end());
    if (!command.files_from.empty()) {
      auto list = read_list(command.files_from);
      if (!list) {
        std::cerr << "drvsec: cannot read the file list " << escape_for_terminal(command.files_from) << '\n';
        return kExitUsage;
      }
      for (const Package& p : form_packages(discover_listed_inputs(*list), first.max_file_size)) {
        const uint32_t k = shard_of(p.key, count);
        if (!absent_set.count(k)) continue;
        std::cerr << fmt::format("drvsec: missing: {} (shard {}/{})\n", escape_for_terminal(p.key), k, count);
        missing.push_back(missing_finding(p.key, fmt::format("not analyzed: its shard {}/{} is missing from the merge", k, count)));
      }
    }
    for (uint32_t k : absent) {
      std::cerr << fmt::format("drvsec: shard {}/{} is missing{}\n", k, count,
                               command.files_from.empty() ? " (give --files-from LIST to name its packages)" : "");
      if (command.files_from.empty())
        missing.push_back(missing_finding("", fmt::format("shard {}/{} is missing from the merge: its packages are not in this report", k, count)));
    }
  }

  std::vector<PackageRecord> records;
  size_t package_count = 0;
  for (ShardFile& s : shards) {
    package_count += s.header.packages.size();
    std::set<std::string> reported;
    for (PackageRecord& r : s.records) {
      if (shard_of(r.key, count) != s.header.shard.index || !std::binary_search(s.header.packages.begin(), s.header.packages.end(), r.key)) {
        std::cerr << "drvsec: " << escape_for_terminal(s.path) << ": package " << escape_for_terminal(r.key) << " does not belong to shard " << s.header.shard.index << '\n';
        return kExitUsage;
      }
      if (!reported.insert(r.key).second) {
        std::cerr << "drvsec: " << escape_for_terminal(s.path) << ": package " << escape_for_terminal(r.key) << " is reported twice\n";
        return kExitUsage;
      }
    }
    if (!s.complete) std::cerr << "drvsec: " << escape_for_terminal(s.path) << ": cut short (no end record)\n";
    for (const std::string& key : s.header.packages)
      if (!reported.count(key)) {
        std::cerr << fmt::format("drvsec: missing: {} (shard {}/{} ended before it)\n", escape_for_terminal(key), s.header.shard.index, count);
        missing.push_back(missing_finding(key, fmt::format("not analyzed: shard {}/{} ended before reporting it", s.header.shard.index, count)));
      }
    for (PackageRecord& r : s.records) records.push_back(std::move(r));
  }
  if (absent.empty() && package_count != first.all_packages)
    std::cerr << fmt::format("drvsec: the shards hold {} packages, their headers say {}\n", package_count, first.all_packages);

  // Kept until the process ends, as in run_scan.
  static Report* const report = new Report(assemble_report(std::move(records), first.depth, command.jobs));
  std::stable_sort(missing.begin(), missing.end(), finding_less);
  assign_fingerprints(missing);
  for (Finding& f : missing) report->findings.push_back(std::move(f));
  std::stable_sort(report->findings.begin(), report->findings.end(), finding_less);
  apply_suppression_files(suppressions, *report, o);
  judge_against(baseline, *report, o);
  ExitStatus status;
  status.add(report->artifacts, report->findings);
  status.require_a_driver();
  if (!missing.empty() || (absent.empty() && package_count != first.all_packages)) status.input_errors = true;
  finish(*report, status, o.fail_on);
  if (!write_report(*report, o)) return kExitUsage;
  return status.code(o.fail_on);
}

}  // namespace drvsec
