// Terminal report: findings grouped per file, most severe first, then a summary line. Every string
// that comes from an input (paths, device and link names, messages and evidence quoting what a
// driver contains) goes through escape_for_terminal(): the report may be read on a terminal.
#include <algorithm>
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "base/terminal_text.h"
#include "report/report.h"

namespace drvsec {

namespace {

// A device as the text report lists it: its name and, from the security synthesis, who can open it.
std::string describe_device(const ReportArtifact::DeviceLine& d) {
  std::string line = d.name;
  if (!d.security) return line;
  const DeviceSecurity& s = *d.security;
  if (!s.parsed) return line + "  (its SDDL does not parse)";
  auto who = [](const std::optional<CallerRef>& c) { return c ? c->name : std::string("no one listed"); };
  line += fmt::format("  ({} descriptor: open {}, write {}, all {}{}{})", s.source == "code" ? "code's" : "default",
                      who(s.lowest_open), who(s.lowest_write), who(s.lowest_all),
                      s.secure_open && !*s.secure_open ? "; no FILE_DEVICE_SECURE_OPEN" : "",
                      s.user_reachable ? "" : "; not reachable from user mode");
  return line;
}

}  // namespace

namespace {

struct Palette {
  bool on;
  std::string_view paint(Severity s) const {
    if (!on) return "";
    switch (s) {
      case Severity::error: return "\x1b[1;31m";
      case Severity::warning: return "\x1b[33m";
      case Severity::note: return "\x1b[36m";
    }
    return "";
  }
  std::string_view bold() const { return on ? "\x1b[1m" : ""; }
  std::string_view dim() const { return on ? "\x1b[2m" : ""; }
  std::string_view reset() const { return on ? "\x1b[0m" : ""; }
};

std::string describe(const ReportArtifact& a) {
  if (!a.has_model) return a.kind;
  if (!a.kernel_driver) return fmt::format("{} PE image, not a kernel driver", a.machine);
  return fmt::format("{} {} kernel driver", a.machine, a.framework);
}

}  // namespace

void write_text_report(const Report& result, std::ostream& out, const ReportOptions& options) {
  const Palette p{options.color};
  std::map<std::string, std::vector<const Finding*>> by_file;
  for (const Finding& f : result.findings) by_file[f.location.path].push_back(&f);

  size_t drivers = 0;
  for (const ReportArtifact& file : result.artifacts) {
    if (file.has_model && file.kernel_driver) ++drivers;
    auto& findings = by_file[file.path];
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
    out << p.bold() << escape_for_terminal(file.path) << p.reset() << p.dim() << "  (" << describe(file);
    if (!file.sha256.empty()) out << ", sha256 " << file.sha256.substr(0, 16) << "…";
    out << ")" << p.reset() << '\n';
    for (const ReportArtifact::DeviceLine& d : file.devices) out << "  device  " << escape_for_terminal(describe_device(d)) << '\n';
    for (const std::string& l : file.links) out << "  link    " << escape_for_terminal(l) << '\n';
    if (findings.empty()) out << "  no findings\n";
    for (const Finding* f : findings) {
      out << "  " << p.paint(f->severity) << fmt::format("{:<7}", to_string(f->severity)) << p.reset() << " "
          << f->rule_id << "  " << escape_for_terminal(f->message);
      if (const std::string function = function_label(f->location); !function.empty()) out << " [" << escape_for_terminal(function) << "]";
      else if (f->location.rva) out << " [rva " << hex(*f->location.rva) << "]";
      else if (f->location.range) out << " [line " << f->location.range->line << "]";
      if (f->confidence != Confidence::high) out << p.dim() << " (" << to_string(f->confidence) << " confidence)" << p.reset();
      out << '\n';
      for (const std::string& e : f->evidence) out << p.dim() << "          - " << escape_for_terminal(e) << p.reset() << '\n';
    }
    out << '\n';
  }

  auto count = [&](Severity s) {
    return std::count_if(result.findings.begin(), result.findings.end(), [&](const Finding& f) { return f.severity == s; });
  };
  out << p.bold()
      << fmt::format("{} files, {} kernel drivers, {} findings ({} error, {} warning, {} note)", result.artifacts.size(),
                     drivers, result.findings.size(), count(Severity::error), count(Severity::warning),
                     count(Severity::note))
      << p.reset() << '\n';
  if (const auto& b = result.baseline)
    out << fmt::format("baseline {}: {} new, {} unchanged (not shown), {} no longer found\n", escape_for_terminal(b->path),
                       b->new_results, b->unchanged, b->absent);
  if (const auto& t = result.threshold; t && t->hidden)
    out << fmt::format("{} findings below --min-severity {} / --min-confidence {} not shown\n", t->hidden,
                       to_string(t->min_severity), to_string(t->min_confidence));
  if (const auto& sup = result.suppressions) {
    std::string names;
    for (const std::string& f : sup->files) names += (names.empty() ? "" : ", ") + escape_for_terminal(f);
    out << fmt::format("{} suppressed ({})\n", sup->suppressed, names);
    for (const SuppressionUse& u : sup->entries) {
      const Suppression& s = u.suppression;
      const std::string where = fmt::format("{}:{}", escape_for_terminal(s.file), s.line);
      if (u.expired)
        out << p.paint(Severity::warning) << "  warning" << p.reset()
            << fmt::format(": expired suppression at {} ({}, expired {}): not applied\n", where, escape_for_terminal(s.rule), to_string(*s.expires));
      else if (u.matched == 0)
        out << p.paint(Severity::note) << "  note" << p.reset() << fmt::format(": unused suppression at {} ({})\n", where, escape_for_terminal(s.rule));
      else
        out << fmt::format("  {} suppressed by {} ({}): {}\n", u.matched, where, escape_for_terminal(s.rule), escape_for_terminal(s.justification));
    }
  }
  if (result.depth == AnalysisDepth::headers)
    out << "header-level scan (--depth headers): machine code not analyzed, so no dispatch, IOCTL or primitive findings\n";
  const SkippedInputs& s = result.skipped;
  if (s.source_files || s.inf_files)
    out << fmt::format("not analyzed: {} C/C++ source files and {} INF files (source and INF analysis are not part of this version)\n",
                       s.source_files, s.inf_files);
}

}  // namespace drvsec
