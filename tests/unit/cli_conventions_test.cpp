// Command-line conventions: "-o -", unknown subcommands, --color with NO_COLOR and TERM, escaped
// names, ioctl decode without 0x, rules --format json, shell completion and the man page.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace drvsec::test {
namespace {

const std::string kDriver = fixture("minimal_wdm_mingw-x64.sys");

bool has_ansi(const std::string& text) { return text.find("\x1b[") != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The subcommands `drvsec [COMMAND] --help` lists (CLI11's "Subcommands:" block).
std::vector<std::string> help_subcommands(const std::string& command) {
  const auto r = run_drvsec(command + " --help");
  std::vector<std::string> names;
  bool in_block = false;
  for (const std::string& line : lines_of(r.out)) {
    if (line == "Subcommands:") {
      in_block = true;
      continue;
    }
    if (!in_block) continue;
    if (line.empty() || line[0] != ' ') break;
    names.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return names;
}

TEST(CliConventions, DashOutputIsStandardOutputForEveryFormat) {
  const std::string dir = output_path("cli-conventions/dash/");
  for (const std::string format : {"text", "json", "sarif", "jsonl"}) {
    const std::string args = "scan --fail-on none --format " + format + " " + kDriver;
    const auto plain = run_command("cd " + shell_quote(dir) + " && " + shell_quote(DRVSEC_EXE) + " " + args + " 2>/dev/null");
    const auto dash = run_command("cd " + shell_quote(dir) + " && " + shell_quote(DRVSEC_EXE) + " " + args + " -o - 2>/dev/null");
    EXPECT_EQ(dash.exit_code, 0) << format;
    EXPECT_FALSE(dash.out.empty()) << format;
    EXPECT_EQ(dash.out, plain.out) << format;
    EXPECT_FALSE(std::filesystem::exists(dir + "-")) << format << ": wrote a file named '-'";
  }
  // merge too
  const std::string shard = output_path("cli-conventions/dash/shard.jsonl");
  ASSERT_EQ(run_drvsec("scan --fail-on none --format jsonl -o " + shard + " " + kDriver).exit_code, 0);
  const auto merged = run_command("cd " + shell_quote(dir) + " && " + shell_quote(DRVSEC_EXE) + " merge --fail-on none --format json -o - " +
                                  shard + " 2>/dev/null");
  EXPECT_EQ(merged.exit_code, 0);
  EXPECT_TRUE(nlohmann::json::accept(merged.out)) << merged.out;
  EXPECT_FALSE(std::filesystem::exists(dir + "-"));
}

TEST(CliConventions, UnknownSubcommandsSaySo) {
  auto r = run_drvsec("sacn " + kDriver, {.capture_stderr = true});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("drvsec: unknown subcommand 'sacn'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'scan'?"), std::string::npos) << r.out;
  r = run_drvsec("frobnicate", {.capture_stderr = true});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("unknown subcommand 'frobnicate'"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("did you mean"), std::string::npos) << r.out;
  r = run_drvsec("ioctl decod 0x222003", {.capture_stderr = true});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("unknown subcommand 'decod' of 'drvsec ioctl'; did you mean 'decode'?"), std::string::npos) << r.out;
  // A hostile word is escaped on the way to the terminal.
  r = run_drvsec("\"$(printf '\\033[2Jx')\"", {.capture_stderr = true});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("unknown subcommand '\\x1B[2Jx'"), std::string::npos) << r.out;
  EXPECT_FALSE(has_ansi(r.out));
  r = run_drvsec("scan --format \"$(printf 'x\\033[2J')\" " + kDriver, {.capture_stderr = true});  // CLI11's own message
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("x\\x1B[2J"), std::string::npos) << r.out;
  EXPECT_FALSE(has_ansi(r.out));
  // Where a command takes arguments, a word is an argument, not a command.
  r = run_drvsec("scan --format json sacn", {.capture_stderr = true});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out.find("unknown subcommand"), std::string::npos);
  EXPECT_EQ(run_drvsec("rules hv-wx-section").exit_code, 0);
}

TEST(CliConventions, ColorFollowsTheOptionAndTheEnvironment) {
  const std::string scan = "scan --quiet --fail-on none " + kDriver;
  EXPECT_TRUE(has_ansi(run_drvsec(scan + " --color always").out));
  EXPECT_TRUE(has_ansi(run_drvsec(scan + " --color always", {.env = "NO_COLOR=1 TERM=dumb"}).out));  // asked for
  EXPECT_FALSE(has_ansi(run_drvsec(scan + " --color never").out));
  EXPECT_FALSE(has_ansi(run_drvsec(scan).out));                  // auto, and a pipe is not a terminal
  EXPECT_FALSE(has_ansi(run_drvsec(scan + " --color auto").out));
  EXPECT_EQ(run_drvsec(scan + " --color sometimes").exit_code, 2);
  // Only the text report is painted, and --color always paints the file it goes to.
  EXPECT_FALSE(has_ansi(run_drvsec("scan --quiet --fail-on none --format json --color always " + kDriver).out));
  const std::string file = output_path("cli-conventions/color.txt");
  ASSERT_EQ(run_drvsec(scan + " --color always -o " + file).exit_code, 0);
  EXPECT_TRUE(has_ansi(read_file(file)));
  ASSERT_EQ(run_drvsec(scan + " -o " + file).exit_code, 0);
  EXPECT_FALSE(has_ansi(read_file(file)));

  if (!have_script()) GTEST_SKIP() << "script(1) is not installed: no pseudo-terminal for --color auto";
  auto tty = [&](const std::string& env, const std::string& extra = "") {
    return run_drvsec(scan + extra, {.env = env, .in_terminal = true}).out;
  };
  const std::string on_tty = tty("-u NO_COLOR TERM=xterm");
  EXPECT_NE(on_tty.find("kernel driver"), std::string::npos) << on_tty;  // the report did reach the terminal
  EXPECT_TRUE(has_ansi(on_tty)) << on_tty;
  EXPECT_TRUE(has_ansi(tty("NO_COLOR= TERM=xterm")));  // set but empty: ignored
  EXPECT_FALSE(has_ansi(tty("NO_COLOR=1 TERM=xterm")));
  EXPECT_FALSE(has_ansi(tty("-u NO_COLOR TERM=dumb")));
  EXPECT_FALSE(has_ansi(tty("-u NO_COLOR TERM=xterm", " --color never")));
  EXPECT_TRUE(has_ansi(tty("NO_COLOR=1 TERM=dumb", " --color always")));
}

TEST(CliConventions, FileNamesWithControlCharactersAreEscaped) {
  const std::string dir = output_path("cli-conventions/names/");
  const std::string hostile = dir + "evil\x1b[2J\nname\xE2\x80\xAE.sys";
  std::filesystem::copy_file(kDriver, hostile, std::filesystem::copy_options::overwrite_existing);
  const auto r = run_drvsec("scan --quiet --fail-on none " + shell_quote(hostile));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("evil\\x1B[2J\\x0Aname\\u{202E}.sys"), std::string::npos) << r.out;
  // JSON carries the name exactly.
  const auto json = nlohmann::json::parse(run_drvsec("scan --quiet --fail-on none --format json " + shell_quote(hostile)).out);
  EXPECT_EQ(json["artifacts"][0]["path"], hostile);
  // ioctl list's table too.
  const auto list = run_drvsec("ioctl list " + shell_quote(hostile));
  EXPECT_EQ(list.out.find('\x1b'), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("evil\\x1B[2J\\x0Aname"), std::string::npos) << list.out;
}

TEST(CliConventions, IoctlDecodeReadsCodesAsAdvisoriesWriteThem) {
  const auto reference = run_drvsec("ioctl decode 0x22201C");
  ASSERT_EQ(reference.exit_code, 0);
  EXPECT_NE(reference.out.find("code         0x0022201C"), std::string::npos) << reference.out;
  for (const std::string text : {"22201C", "22201c", "22201Ch", "0X22201C", "0n2236444"}) {
    const auto r = run_drvsec("ioctl decode " + text);
    EXPECT_EQ(r.exit_code, 0) << text;
    EXPECT_EQ(r.out, reference.out) << text;
  }
  auto r = run_drvsec("ioctl decode 222003", {.capture_stderr = true});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("'222003' is ambiguous"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0x222003"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0n222003"), std::string::npos) << r.out;
  EXPECT_EQ(run_drvsec("ioctl decode 222003h").out, run_drvsec("ioctl decode 0x222003").out);
  EXPECT_EQ(run_drvsec("ioctl decode 0x1FFFFFFFF").exit_code, 2);
}

TEST(CliConventions, RulesAsJson) {
  const auto r = run_drvsec("rules --format json");
  ASSERT_EQ(r.exit_code, 0);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["tool"]["name"], "drvsec");
  const auto table = lines_of(run_drvsec("rules").out);
  ASSERT_EQ(doc["rules"].size(), table.size());
  std::set<std::string> ids;
  for (const auto& rule : doc["rules"]) {
    const std::string id = rule["id"];
    ids.insert(id);
    EXPECT_FALSE(rule["title"].get<std::string>().empty()) << id;
    EXPECT_FALSE(rule["summary"].get<std::string>().empty()) << id;
    EXPECT_TRUE(rule["severity"] == "error" || rule["severity"] == "warning" || rule["severity"] == "note") << id;
    EXPECT_TRUE(rule["guidance"].is_array()) << id;
    EXPECT_TRUE(rule["cwe"].is_array()) << id;
    EXPECT_TRUE(!rule["guidance"].empty() || rule.contains("no_guidance_reason")) << id;
    EXPECT_TRUE(!rule["cwe"].empty() || rule.contains("no_cwe_reason")) << id;
  }
  for (const std::string& line : table) EXPECT_TRUE(ids.count(line.substr(0, line.find(' ')))) << line;

  const auto one = nlohmann::json::parse(run_drvsec("rules hv-wx-section --format json").out);
  ASSERT_EQ(one["rules"].size(), 1u);
  const auto& wx = one["rules"][0];
  EXPECT_EQ(wx["id"], "hv-wx-section");
  EXPECT_EQ(wx["severity"], "error");
  EXPECT_EQ(wx["guidance"][0], "HV-5");
  EXPECT_EQ(wx["cwe"], nlohmann::json::array({"CWE-732"}));
  EXPECT_EQ(wx["summary"].get<std::string>().rfind("Every section header of the image.", 0), 0u) << wx["summary"];
  EXPECT_EQ(run_drvsec("rules no-such-rule --format json").exit_code, 2);
  EXPECT_EQ(run_drvsec("rules --format yaml").exit_code, 2);
}

// Completions offered by the bash script for a command line whose last word is being completed.
std::vector<std::string> bash_complete(const std::string& script, const std::vector<std::string>& words) {
  std::string array;
  for (const std::string& w : words) array += shell_quote(w) + " ";
  const std::string program = "source " + shell_quote(script) + " && COMP_WORDS=(" + array + ") && COMP_CWORD=" +
                              std::to_string(words.size() - 1) + " && _drvsec && printf '%s\\n' \"${COMPREPLY[@]}\"";
  auto lines = lines_of(run_command("bash -c " + shell_quote(program) + " 2>&1").out);
  std::erase(lines, "");
  return lines;
}

TEST(CliConventions, BashCompletionComesFromTheCommandLine) {
  const std::string script = output_path("cli-conventions/drvsec.bash");
  {
    const auto r = run_drvsec("completion bash");
    ASSERT_EQ(r.exit_code, 0);
    std::ofstream(script) << r.out;
  }
  const auto registered = run_command("bash -c " + shell_quote("source " + shell_quote(script) + " && complete -p drvsec"));
  EXPECT_EQ(registered.exit_code, 0);
  EXPECT_EQ(registered.out, "complete -F _drvsec drvsec\n");
  // The same subcommands as --help lists, at each level.
  const auto top = help_subcommands("");
  ASSERT_GE(top.size(), 7u);
  EXPECT_EQ(bash_complete(script, {"drvsec", ""}), top);
  EXPECT_EQ(bash_complete(script, {"drvsec", "ioctl", ""}), help_subcommands("ioctl"));
  EXPECT_EQ(bash_complete(script, {"drvsec", "sc"}), std::vector<std::string>{"scan"});
  EXPECT_EQ(bash_complete(script, {"drvsec", "scan", "--col"}), std::vector<std::string>{"--color"});
  EXPECT_EQ(bash_complete(script, {"drvsec", "scan", "--color", ""}), (std::vector<std::string>{"auto", "always", "never"}));
  EXPECT_EQ(bash_complete(script, {"drvsec", "scan", "-j", "2", "--format", "s"}), std::vector<std::string>{"sarif"});
  EXPECT_EQ(bash_complete(script, {"drvsec", "merge", "--format", ""}), (std::vector<std::string>{"text", "json", "sarif"}));
  EXPECT_EQ(bash_complete(script, {"drvsec", "scan", "--rule", "hv-wx-s"}), std::vector<std::string>{"hv-wx-section"});
  EXPECT_EQ(bash_complete(script, {"drvsec", "rules", "hv-wx-s"}), std::vector<std::string>{"hv-wx-section"});
  EXPECT_EQ(bash_complete(script, {"drvsec", "completion", ""}), (std::vector<std::string>{"bash", "zsh"}));
  EXPECT_EQ(bash_complete(script, {"drvsec", "ioctl", "encode", "0x22", "0x800", "METHOD_N"}),
            std::vector<std::string>{"METHOD_NEITHER"});
  EXPECT_EQ(bash_complete(script, {"drvsec", "ioctl", "encode", "0x22", "0x800", "3", "FILE_A"}),
            std::vector<std::string>{"FILE_ANY_ACCESS"});
  EXPECT_TRUE(bash_complete(script, {"drvsec", "scan", "--jobs", ""}).empty());
  // Paths complete as files, --report-dir as folders only.
  const std::string dir = output_path("cli-conventions/complete/");
  std::filesystem::create_directories(dir + "sub");
  std::ofstream(dir + "file.sys") << "x";
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(bash_complete(script, {"drvsec", "scan", dir})), (std::vector<std::string>{dir + "file.sys", dir + "sub"}));
  EXPECT_EQ(bash_complete(script, {"drvsec", "scan", "--report-dir", dir}), std::vector<std::string>{dir + "sub"});
  EXPECT_EQ(bash_complete(script, {"drvsec", "scan", "-o", dir + "f"}), std::vector<std::string>{dir + "file.sys"});
}

TEST(CliConventions, ZshCompletionComesFromTheCommandLine) {
  const auto r = run_drvsec("completion zsh");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("#compdef drvsec\n", 0), 0u);
  for (const std::string& sub : help_subcommands("")) EXPECT_NE(r.out.find("'drvsec|" + sub + "') cmd="), std::string::npos) << sub;
  for (const std::string& sub : help_subcommands("ioctl"))
    EXPECT_NE(r.out.find("'drvsec ioctl|" + sub + "') cmd="), std::string::npos) << sub;
  EXPECT_NE(r.out.find("'--color:Colours in the text report"), std::string::npos);
  EXPECT_NE(r.out.find("compadd -- 'auto' 'always' 'never'"), std::string::npos);
  EXPECT_NE(r.out.find("compdef _drvsec drvsec"), std::string::npos);
  if (run_command("command -v zsh >/dev/null 2>&1").exit_code != 0) GTEST_SKIP() << "zsh is not installed: syntax not checked";
  const std::string script = output_path("cli-conventions/_drvsec");
  std::ofstream(script) << r.out;
  EXPECT_EQ(run_command("zsh -n " + shell_quote(script) + " 2>&1").out, "");
  // Run it with zsh's completion builtins replaced by stubs that print what they are given.
  auto complete = [&](const std::string& line) {
    const std::string program = "compdef() { :; }; compadd() { shift; print -l -- \"$@\"; }; _files() { print -- \"files $*\"; }; "
                                "_describe() { print -l -- \"${(@P)${@[-1]}}\"; }; _message() { print -- \"message $*\"; }; "
                                "source " + shell_quote(script) + "; words=(" + line + "); CURRENT=${#words}; _drvsec";
    return run_command("zsh -f -c " + shell_quote(program) + " 2>&1").out;
  };
  EXPECT_EQ(complete("drvsec scan --color ''"), "auto\nalways\nnever\n");
  EXPECT_NE(complete("drvsec ''").find("scan:Scan driver binaries"), std::string::npos);
  EXPECT_EQ(complete("drvsec scan --report-dir ''"), "files -/\n");
  EXPECT_EQ(complete("drvsec scan -j 2 ''"), "files \n");
}

TEST(CliConventions, ManPageIsGeneratedFromTheHelp) {
  const auto r = run_drvsec("man");
  ASSERT_EQ(r.exit_code, 0);
  const std::string& page = r.out;
  EXPECT_NE(page.find("\n.TH DRVSEC 1 "), std::string::npos);
  for (const std::string section : {"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT"})
    EXPECT_NE(page.find("\n.SH " + section + "\n"), std::string::npos) << section;
  for (const std::string& sub : help_subcommands("")) EXPECT_NE(page.find(".SS \"drvsec " + sub + "\""), std::string::npos) << sub;
  for (const std::string& sub : help_subcommands("ioctl"))
    EXPECT_NE(page.find(".SS \"drvsec ioctl " + sub + "\""), std::string::npos) << sub;
  for (const std::string option : {"\\-\\-color", "\\-\\-fail\\-on", "\\-\\-files\\-from", "\\-\\-write\\-doc\\-headers"})
    EXPECT_NE(page.find("\\fB" + option + "\\fR"), std::string::npos) << option;
  EXPECT_NE(page.find("NO_COLOR"), std::string::npos);
  EXPECT_EQ(page, run_drvsec("man").out);  // deterministic: no date
  // The build lays out the same files for installation.
  EXPECT_EQ(read_file(std::string(DRVSEC_BINARY_DIR) + "/share/man/man1/drvsec.1"), page);
  EXPECT_EQ(read_file(std::string(DRVSEC_BINARY_DIR) + "/share/bash-completion/completions/drvsec"),
            run_drvsec("completion bash").out);
  EXPECT_EQ(read_file(std::string(DRVSEC_BINARY_DIR) + "/share/zsh/site-functions/_drvsec"), run_drvsec("completion zsh").out);

  const std::string file = output_path("cli-conventions/drvsec.1");
  std::ofstream(file) << page;
  if (run_command("command -v groff >/dev/null 2>&1").exit_code == 0) {
    const auto warnings = run_command("groff -man -ww -Wbreak -z " + shell_quote(file) + " 2>&1");
    EXPECT_EQ(warnings.out, "") << warnings.out;
  }
  if (run_command("command -v man >/dev/null 2>&1").exit_code != 0) GTEST_SKIP() << "man is not installed";
  const auto shown = run_command("MANWIDTH=100 man -P cat -l " + shell_quote(file) + " 2>&1 | col -b");
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_NE(shown.out.find("drvsec ioctl decode"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("--color"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("EXIT STATUS"), std::string::npos);
}

}  // namespace
}  // namespace drvsec::test
