// drvsec command line: scan, merge, rules, checklist, ioctl decode/encode/list, sddl, completion, man.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "base/terminal_text.h"
#include "cli/cli_docs.h"
#include "model/checklist.h"
#include "binary/recover.h"
#include "model/ioctl_code.h"
#include "base/mapped_file.h"
#include "rules/rule.h"
#include "rules/rule_docs.h"
#include "cli/scan_command.h"
#include "cli/sddl_command.h"
#include "engine/scan.h"
#include "intel/intelligence.h"
#include "report/ioctl_list.h"
#include "report/report.h"
#include "report/rules_json.h"

namespace {

using namespace drvsec;

// The generated headers of the docs pages (rules/rule_docs.h): print one, rewrite or check a folder.
struct DocHeaderOptions {
  bool print = false;
  std::string write_dir, check_dir;
};

int run_doc_headers(const std::string& id, const DocHeaderOptions& docs) {
  if (docs.print) {
    const Rule* r = RuleRegistry::instance().find(id);
    if (!r) {
      std::cerr << "drvsec: " << (id.empty() ? "--doc-header needs a rule id" : "unknown rule id '" + escape_for_terminal(id) + "'") << '\n';
      return kExitUsage;
    }
    std::cout << render_doc_header(r->info());
    return kExitClean;
  }
  if (!id.empty()) {
    std::cerr << "drvsec: --write-doc-headers and --check-doc-headers take every rule, not a rule id\n";
    return kExitUsage;
  }
  const bool check_only = docs.write_dir.empty();
  const std::string& dir = check_only ? docs.check_dir : docs.write_dir;
  if (!std::filesystem::is_directory(dir)) {
    std::cerr << "drvsec: " << escape_for_terminal(dir) << " is not a folder\n";
    return kExitUsage;
  }
  const DocHeaderUpdate update = update_doc_headers(dir, check_only, std::cerr);
  if (update.errors > 0 || (check_only && update.out_of_date > 0)) {
    if (check_only && update.out_of_date > 0)
      std::cerr << "drvsec: " << update.out_of_date << " page(s) out of date; run `drvsec rules --write-doc-headers " << dir
                << "`\n";
    if (update.errors > 0) std::cerr << "drvsec: " << update.errors << " page(s) need a hand edit (see above)\n";
    return kExitFindings;
  }
  return kExitClean;
}

int run_rules_command(const std::string& id, const std::string& format) {
  if (format == "json") {
    std::vector<const Rule*> rules = RuleRegistry::instance().rules();
    if (!id.empty()) {
      const Rule* r = RuleRegistry::instance().find(id);
      if (!r) {
        std::cerr << "drvsec: unknown rule id '" << escape_for_terminal(id) << "'\n";
        return kExitUsage;
      }
      rules = {r};
    }
    write_rules_json(rules, std::cout);
    return kExitClean;
  }
  if (id.empty()) {
    for (const Rule* r : RuleRegistry::instance().rules()) {
      const RuleInfo& m = r->info();
      std::string refs;
      for (const auto& c : m.checklist) refs += (refs.empty() ? "" : ",") + c;
      std::cout << fmt::format("{:<32} {:<8} {:<40} {}\n", m.id, to_string(m.severity), refs, m.title);
    }
    return kExitClean;
  }
  const Rule* r = RuleRegistry::instance().find(id);
  if (!r) {
    std::cerr << "drvsec: unknown rule id '" << escape_for_terminal(id) << "'\n";
    return kExitUsage;
  }
  std::string_view doc = rule_documentation(id);
  if (doc.empty()) std::cout << r->info().id << ": " << r->info().title << '\n';
  else std::cout << doc;
  return kExitClean;
}

// The guidance items with the rules that check each; items no rule cites are left to a person.
int run_checklist_command() {
  for (const ChecklistItem& item : checklist_catalog()) {
    std::string rules;
    for (const Rule* r : RuleRegistry::instance().rules())
      for (const auto& c : r->info().checklist)
        if (c == item.id) rules += (rules.empty() ? "" : ", ") + r->info().id;
    std::cout << fmt::format("{:<8} {:<9} {}\n", item.id, to_string(item.kind), item.title);
    std::cout << fmt::format("{:<18} {}\n", "", rules.empty() ? "(no rule in this version: check by hand)" : "rules: " + rules);
  }
  return kExitClean;
}

void print_ioctl(uint32_t code) {
  const IoctlFields f = decode_ioctl(code);
  auto type_name = device_type_name(f.device_type);
  std::cout << fmt::format("code         0x{:08X}\n", code);
  std::cout << fmt::format("device type  0x{:X}{}{}\n", f.device_type, type_name.empty() ? "" : " ", type_name);
  std::cout << fmt::format("function     0x{:X}{}\n", f.function, f.function >= 0x800 ? " (vendor range)" : " (Microsoft range)");
  std::cout << fmt::format("method       {} ({})\n", f.method, method_name(f.method));
  std::cout << fmt::format("access       {} ({})\n", f.access, access_name(f.access));
  std::cout << fmt::format("CTL_CODE(0x{:X}, 0x{:X}, {}, {})\n", f.device_type, f.function, method_name(f.method),
                           access_name(f.access));
}

// `drvsec ioctl list`: recover each driver's IOCTL interface from its code.
int run_ioctl_list(const std::vector<std::string>& files, const std::string& format, uint64_t max_file_size) {
  std::vector<IoctlListEntry> drivers;
  bool failed = false;
  for (const auto& path : files) {
    try {
      MappedFile file(path, max_file_size);
      const pe::Image image = pe::Image::parse(file.bytes());
      drivers.push_back({path, recover_model_from_image(image)});
    } catch (const std::exception& e) {
      std::cerr << "drvsec: " << escape_for_terminal(path) << ": " << escape_for_terminal(e.what()) << '\n';
      failed = true;
    }
  }
  if (format == "json") write_ioctl_json(drivers, std::cout);
  else write_ioctl_table(drivers, std::cout);
  return failed ? kExitInputErrors : kExitClean;
}

// Edit distance, for "did you mean" (command names are short).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The message for a word where a command must be and no command has that name ("drvsec sacn",
// "drvsec ioctl decod"); empty when the command line has none. The words are walked from the
// start through the commands they name; the walk stops at the first option and at a command
// that takes positional arguments (there the word is an argument, e.g. a path to scan).
std::string unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  const CLI::App* current = &app;
  std::string path = app.get_name();
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.starts_with("-")) return {};
    const auto subs = current->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return {};
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : subs)
      if (sub->check_name(word)) next = sub;
    if (next) {
      current = next;
      path += " " + word;
      continue;
    }
    if (!current->get_options([](const CLI::Option* o) { return !o->nonpositional(); }).empty()) return {};
    std::string names, closest;
    size_t best = 3;  // suggest only a name at most two edits away
    for (const CLI::App* sub : subs) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
      if (size_t d = edit_distance(word, sub->get_name()); d < best) best = d, closest = sub->get_name();
    }
    std::string message = fmt::format("unknown subcommand '{}'", escape_for_terminal(word));
    if (current != &app) message += fmt::format(" of '{}'", path);
    if (!closest.empty()) message += fmt::format("; did you mean '{}'?", closest);
    return message + fmt::format(" (commands: {}; see `{} --help`)", names, path);
  }
  return {};
}

// Exit codes and environment, for --help (the footer) and the man page (their own sections).
const std::vector<ManSection>& reference_sections() {
  static const std::vector<ManSection> sections{
      {"Exit status",
       {"0\tno finding at or above --fail-on (default error)", "1\tfindings at or above --fail-on",
        "2\tusage error: unknown command or option, invalid value, unreadable file list, unwritable output",
        "3\tsome input could not be analyzed (it is reported, and the other inputs are scanned), or no "
        "kernel driver was found"}},
      {"Environment",
       {"NO_COLOR\tset and not empty: no colours in the text report under --color auto (https://no-color.org)",
        "TERM\tdumb: no colours under --color auto"}},
      {"Notes",
       {"-o - writes to standard output, as no -o does. In the text report, control characters, C1 controls, "
        "bidirectional overrides and bytes that are not UTF-8 in file names and in strings recovered from a "
        "driver are escaped (\\x1B, \\u{9B}, \\u{202E}); the JSON and SARIF reports carry them exactly.",
        "ioctl decode reads 0x222003 and 222003h as hexadecimal, 0n2236419 as decimal, and a code without a "
        "prefix or suffix in the one base in which it is a 32-bit number (22201C is hexadecimal); digits that "
        "are a 32-bit number in both bases, such as 222003, are refused as ambiguous."}},
  };
  return sections;
}

std::string help_footer() {
  std::string out;
  for (const ManSection& s : reference_sections()) {
    out += "\n" + s.title + ":\n";
    for (const std::string& p : s.paragraphs) {
      const size_t tab = p.find('\t');
      out += tab == std::string::npos ? "  " + p + "\n" : fmt::format("  {:<9} {}\n", p.substr(0, tab), p.substr(tab + 1));
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"drvsec: Microsoft Driver Security Guidance checks for Windows kernel drivers"};
  app.set_version_flag("--version", std::string("drvsec ") + DRVSEC_VERSION);
  app.name("drvsec");
  app.require_subcommand(1);
  app.footer(help_footer());

  // The values each option takes, as completion and the man page offer them (cli/cli_docs.h).
  OptionChoices choices;
  auto one_of = [&](CLI::Option* opt, std::vector<std::string> values) {
    choices[opt] = values;
    return opt->check(CLI::IsMember(values));
  };
  std::vector<std::string> rule_ids;
  for (const Rule* r : RuleRegistry::instance().rules()) rule_ids.push_back(r->info().id);
  const std::vector<std::string> color_modes{"auto", "always", "never"};

  // What `scan` and `merge` share: where the report goes and what it leaves out or gates on.
  auto add_report_options = [&](CLI::App* cmd, OutputOptions& o, std::string& color, const char* config_help) {
    cmd->add_option("-o,--output", o.output, "Write the report to FILE instead of standard output ('-': standard output)")
        ->type_name("FILE");
    cmd->add_option("--report-dir", o.report_dir, "Also write drvsec.json and drvsec.sarif into DIR")->type_name("DIR");
    cmd->add_option("--baseline", o.baseline, "Report only findings that are not in FILE (an earlier drvsec JSON or SARIF report)")
        ->type_name("FILE");
    one_of(cmd->add_option("--min-severity", o.min_severity, "Leave out findings below this severity (counted in the summary)"),
           {"note", "warning", "error"});
    one_of(cmd->add_option("--min-confidence", o.min_confidence, "Leave out findings below this confidence (counted in the summary)"),
           {"low", "medium", "high"});
    auto* config = cmd->add_option("--config", o.config, config_help)->type_name("FILE");
    cmd->add_flag("--no-config", o.no_config, "Use no suppression file (not even a drvsec.toml found)")->excludes(config);
    one_of(cmd->add_option("--fail-on", o.fail_on, "Exit 1 when a finding is at or above this level"),
           {"none", "note", "warning", "error"});
    one_of(cmd->add_option("--color", color,
                           "Colours in the text report: auto (default: on a terminal, unless NO_COLOR is set or "
                           "TERM=dumb), always, never"),
           color_modes);
  };

  ScanOptions options;
  ScanCommand scan_command;
  OutputOptions out;
  std::string shard_text;
  uint64_t max_mib = options.max_file_size >> 20;
  auto* scan_cmd = app.add_subcommand("scan", "Scan driver binaries (files or folders, recursively)");
  scan_cmd->add_option("paths", scan_command.paths, "Files or folders to scan")->type_name("PATH");
  scan_cmd->add_option("--files-from", scan_command.files_from,
                       "Also scan the files listed in FILE ('-': standard input), one per line or NUL-separated")
      ->type_name("FILE");
  scan_cmd->add_option("--shard", shard_text,
                       "K/N: analyse only the packages of shard K of N (stable split; merge the jsonl outputs with `drvsec merge`)")
      ->type_name("K/N");
  one_of(scan_cmd->add_option("--format", out.format, "Output format (jsonl: one record per package, as each completes)"),
         {"text", "json", "sarif", "jsonl"});
  std::string scan_color = "auto";
  add_report_options(scan_cmd, out, scan_color,
                     "Suppression file (default: drvsec.toml in the first scanned folder or a parent up to the "
                     "working folder or repository root, else in the working folder)");
  scan_cmd->add_flag("-q,--quiet", out.quiet, "No progress line and no notes on standard error");
  scan_cmd->add_option("-j,--jobs", options.jobs, "Files analyzed in parallel (default: one per core)");
  choices[scan_cmd->add_option("--rule", options.only_rules, "Run only this rule (repeatable)")->type_name("RULE")] = rule_ids;
  choices[scan_cmd->add_option("--exclude-rule", options.excluded_rules, "Do not run this rule (repeatable)")
              ->type_name("RULE")] = rule_ids;
  intel::IntelligenceFiles intel_files;
  scan_cmd->add_option("--blocklist", intel_files.blocklist, "App Control policy XML (e.g. Microsoft's SiPolicy_Enforced.xml)")
      ->type_name("FILE");
  scan_cmd->add_option("--loldrivers", intel_files.loldrivers, "LOLDrivers catalogue JSON (drivers.json from loldrivers.io)")
      ->type_name("FILE");
  scan_cmd->add_option("--yara", intel_files.yara, "YARA rules file to run on every driver")->type_name("FILE");
  std::string depth = "code";
  one_of(scan_cmd->add_option("--depth", depth,
                              "headers: PE structure, imports, strings, signature and block lists only (fast triage); "
                              "code (default): also dispatch routines, IOCTLs and primitives from the machine code"),
         {"headers", "code"});
  scan_cmd->add_option("--max-file-size", max_mib, "Skip files larger than this many MiB (reported)")
      ->check(CLI::Range(1, 1 << 20));

  MergeCommand merge_command;
  OutputOptions merge_out;
  auto* merge_cmd = app.add_subcommand("merge", "Merge the jsonl outputs of a sharded scan into one report");
  merge_cmd->add_option("shards", merge_command.shards, "The shards' jsonl files (every K of K/N)")
      ->required()
      ->type_name("FILE");
  one_of(merge_cmd->add_option("--format", merge_out.format, "Output format"), {"text", "json", "sarif"});
  std::string merge_color = "auto";
  add_report_options(merge_cmd, merge_out, merge_color, "Suppression file (default: drvsec.toml in the working folder)");
  merge_cmd->add_option("--files-from", merge_command.files_from,
                        "The scan's file list: names the packages of missing shards")
      ->type_name("FILE");
  merge_cmd->add_option("-j,--jobs", merge_command.jobs, "Threads rendering the report (default: one per core)");
  merge_cmd->add_flag("-q,--quiet", merge_out.quiet, "No notes on standard error");

  std::string rule_id;
  auto* rules_cmd = app.add_subcommand("rules", "List the rules, or explain one");
  choices[rules_cmd->add_option("id", rule_id, "Rule id to explain")] = rule_ids;
  std::string rules_format = "text";
  auto* rules_format_opt = one_of(rules_cmd->add_option("--format", rules_format,
                                                        "text (default): a table, or the rule's page; json: the rules' "
                                                        "metadata (id, severity, guidance items, CWE, summary)"),
                                  {"text", "json"});
  DocHeaderOptions doc_headers;
  auto* doc_header_flag =
      rules_cmd->add_flag("--doc-header", doc_headers.print, "Print the docs page header generated from the rule's metadata");
  auto dir_option = [&](const char* name, std::string& dir, const char* help) {
    return rules_cmd->add_option(name, dir, help)->type_name("DIR");
  };
  auto* write_headers = dir_option("--write-doc-headers", doc_headers.write_dir,
                                   "Rewrite the generated header of every rule's page in DIR (docs/rules), keeping the "
                                   "body; create missing pages");
  auto* check_headers = dir_option("--check-doc-headers", doc_headers.check_dir,
                                   "Exit 1 when a rule's page in DIR is missing or its generated header differs, when a "
                                   "page has no header markers, or when no rule owns a page");
  doc_header_flag->excludes(write_headers)->excludes(check_headers)->excludes(rules_format_opt);
  rules_format_opt->excludes(write_headers)->excludes(check_headers);
  write_headers->excludes(check_headers);

  auto* checklist_cmd = app.add_subcommand("checklist", "List the Driver Security Guidance items and the rules that check them");

  auto* ioctl_cmd = app.add_subcommand("ioctl", "IOCTL code helpers");
  ioctl_cmd->require_subcommand(1);
  std::string code_text;
  auto* decode_cmd = ioctl_cmd->add_subcommand("decode", "Split an IOCTL code into its CTL_CODE fields");
  decode_cmd->add_option("code", code_text,
                         "IOCTL code: 0x222003 or 222003h (hex), 22201C (hex: it has a letter), 0n2236419 (decimal)")
      ->required();
  std::string type_text, function_text, method_text, access_text;
  auto* encode_cmd = ioctl_cmd->add_subcommand("encode", "Build an IOCTL code: CTL_CODE(DEVTYPE, FUNCTION, METHOD, ACCESS)");
  encode_cmd->add_option("devtype", type_text, "Device type: number or FILE_DEVICE_* name")->required();
  encode_cmd->add_option("function", function_text, "Function: 0..0xFFF")->required();
  std::vector<std::string> method_names, access_names;
  for (uint32_t v = 0; v < 4; ++v) method_names.emplace_back(method_name(v));
  // access 3 as one word: access_name(3) is "FILE_READ_ACCESS|FILE_WRITE_ACCESS", which a shell splits at '|'
  for (uint32_t v = 0; v < 3; ++v) access_names.emplace_back(access_name(v));
  access_names.emplace_back("FILE_READ_WRITE_ACCESS");
  choices[encode_cmd->add_option("method", method_text, "METHOD_BUFFERED, METHOD_IN_DIRECT, METHOD_OUT_DIRECT, METHOD_NEITHER (or BUFFERED, ...), or 0..3")
              ->required()] = method_names;
  choices[encode_cmd->add_option("access", access_text, "FILE_ANY_ACCESS, FILE_READ_ACCESS, FILE_WRITE_ACCESS, FILE_READ_WRITE_ACCESS (or ANY, READ, WRITE, READ_WRITE), or 0..3")
              ->required()] = access_names;

  std::vector<std::string> list_files;
  std::string list_format = "text";
  auto* list_cmd = ioctl_cmd->add_subcommand("list", "Recover the IOCTL codes a driver handles from its machine code");
  list_cmd->add_option("files", list_files, "Driver binaries (.sys)")->required()->type_name("FILE");
  one_of(list_cmd->add_option("--format", list_format, "Output format"), {"text", "json"});

  SddlCommand sddl_command;
  auto* sddl_cmd = app.add_subcommand(
      "sddl", "Explain an SDDL string (or an SDDL_DEVOBJ_* name): effective access per caller, the lowest-privileged "
              "caller that can read, write or get all access, and the risks");
  sddl_cmd->add_option("sddl", sddl_command.text, "SDDL string, e.g. \"D:P(A;;GA;;;SY)\", or SDDL_DEVOBJ_* name")
      ->required();
  one_of(sddl_cmd->add_option("--format", sddl_command.format, "Output format"), {"text", "json"});
  one_of(sddl_cmd->add_option("--context", sddl_command.context,
                              "Where the string is used: device (IoCreateDeviceSecure/WDF: subset errors), inf (full SDDL), "
                              "any (default; device for SDDL_DEVOBJ_* names)"),
         {"any", "device", "inf"});

  std::string shell;
  auto* completion_cmd = app.add_subcommand("completion", "Print the shell completion script for bash or zsh");
  one_of(completion_cmd->add_option("shell", shell, "bash or zsh")->required(), {"bash", "zsh"});
  auto* man_cmd = app.add_subcommand("man", "Print the manual page (roff), generated from this help");
  completion_cmd->footer("bash: source <(drvsec completion bash)   zsh: drvsec completion zsh > ~/.zfunc/_drvsec (a folder of $fpath)");
  man_cmd->footer("Read it with: drvsec man | man -l -    Install it: drvsec man > /usr/local/share/man/man1/drvsec.1");

  if (std::string unknown = unknown_subcommand(app, argc, argv); !unknown.empty()) {
    std::cerr << "drvsec: " << unknown << '\n';
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11's message quotes the arguments it refuses: escaped, line by line, like every name.
    std::ostringstream err;
    int rc = app.exit(e, std::cout, err);
    std::istringstream lines(err.str());
    for (std::string line; std::getline(lines, line);) std::cerr << escape_for_terminal(line) << '\n';
    return rc == 0 ? kExitClean : kExitUsage;
  }

  // "-o -" is standard output, as no -o is.
  for (OutputOptions* o : {&out, &merge_out})
    if (o->output == "-") o->output.clear();
  out.color = *parse_color_mode(scan_color);
  merge_out.color = *parse_color_mode(merge_color);

  try {
    if (*completion_cmd) {
      if (shell == "bash") write_bash_completion(app, choices, std::cout);
      else write_zsh_completion(app, choices, std::cout);
      return kExitClean;
    }
    if (*man_cmd) {
      write_man_page(app, choices, DRVSEC_VERSION, reference_sections(), std::cout);
      return kExitClean;
    }
    if (*scan_cmd) {
      if (scan_command.paths.empty() && scan_command.files_from.empty()) {
        std::cerr << "drvsec: scan needs paths or --files-from (see drvsec scan --help)\n";
        return kExitUsage;
      }
      if (!shard_text.empty()) {
        unsigned k = 0, n = 0;
        char extra = 0;
        if (std::sscanf(shard_text.c_str(), "%u/%u%c", &k, &n, &extra) != 2 || n == 0 || k == 0 || k > n) {
          std::cerr << "drvsec: --shard wants K/N with 1 <= K <= N, got '" << escape_for_terminal(shard_text) << "'\n";
          return kExitUsage;
        }
        options.shard = {k, n};
      }
      options.max_file_size = max_mib << 20;
      options.depth = depth == "headers" ? AnalysisDepth::headers : AnalysisDepth::code;
      try {
        if (!intel_files.blocklist.empty() || !intel_files.loldrivers.empty() || !intel_files.yara.empty())
          options.intelligence = intel::Intelligence::load(intel_files);
      } catch (const intel::LoadError& e) {
        std::cerr << "drvsec: " << escape_for_terminal(e.what()) << '\n';
        return kExitUsage;
      }
      for (const auto& [kind, path] : {std::pair{"blocklist", intel_files.blocklist},
                                       {"loldrivers", intel_files.loldrivers}, {"yara", intel_files.yara}})
        if (!path.empty()) scan_command.intelligence.push_back(std::string(kind) + ":" + path);
      return run_scan(scan_command, options, out);
    }
    if (*merge_cmd) return run_merge(merge_command, merge_out);
    if (*rules_cmd) {
      if (doc_headers.print || !doc_headers.write_dir.empty() || !doc_headers.check_dir.empty())
        return run_doc_headers(rule_id, doc_headers);
      return run_rules_command(rule_id, rules_format);
    }
    if (*list_cmd) return run_ioctl_list(list_files, list_format, options.max_file_size);
    if (*checklist_cmd) return run_checklist_command();
    if (*sddl_cmd) return run_sddl(sddl_command, std::cout, std::cerr);
    if (*decode_cmd) {
      const ParsedIoctlCode code = parse_ioctl_code(code_text);
      if (!code.code) {
        std::cerr << "drvsec: " << escape_for_terminal(code.error) << '\n';
        return kExitUsage;
      }
      print_ioctl(*code.code);
      return kExitClean;
    }
    if (*encode_cmd) {
      auto type = parse_device_type(type_text);
      auto function = parse_number(function_text);
      auto method = parse_method(method_text);
      auto access = parse_access(access_text);
      std::optional<uint32_t> code;
      if (type && function && *function <= 0xFFF && method && access)
        code = encode_ioctl(*type, static_cast<uint32_t>(*function), *method, *access);
      if (!code) {
        std::cerr << "drvsec: invalid CTL_CODE fields (device type 0..0xFFFF, function 0..0xFFF, method 0..3, access 0..3)\n";
        return kExitUsage;
      }
      print_ioctl(*code);
      return kExitClean;
    }
  } catch (const std::exception& e) {
    std::cerr << "drvsec: " << escape_for_terminal(e.what()) << '\n';
    return kExitInputErrors;
  }
  return kExitUsage;
}
