// Suppression files (issue #19 §2): drvsec.toml or --config, entries scoped by rule, path glob,
// package, IOCTL or fingerprint, each with a justification; suppressed findings are kept and counted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/suppressions.h"
#include "test_support.h"

namespace drvsec::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string scratch(const std::string& name) {
  const fs::path dir = fs::path(DRVSEC_BINARY_DIR) / "test-output" / "suppressions" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Runs drvsec with standard error captured (after standard output).
CommandResult run_with_stderr(const std::string& args) {
  return run_command("'" + std::string(DRVSEC_EXE) + "' " + args + " 2>&1");
}

SuppressionFile parse(const std::string& text, const std::string& base = "/proj") {
  return parse_suppression_file(text, "drvsec.toml", base);
}

// The error a file gives, as "line:column: why".
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const SuppressionError& e) {
    return fmt::format("{}:{}: {}", e.line, e.column, e.why);
  }
  return "no error";
}

Finding finding(std::string rule, std::string path, std::optional<uint32_t> ioctl = std::nullopt, std::string fp = "f") {
  Finding f;
  f.rule_id = std::move(rule);
  f.location.path = std::move(path);
  f.ioctl = ioctl;
  f.fingerprint = std::move(fp);
  return f;
}

// ---- globs ----

TEST(PathGlob, MatchesSegmentsAndAnyDepth) {
  EXPECT_TRUE(PathGlob("*.sys").matches("a.sys"));
  EXPECT_FALSE(PathGlob("*.sys").matches("x/a.sys"));
  EXPECT_FALSE(PathGlob("*.sys").matches("a.sysx"));
  EXPECT_TRUE(PathGlob("drivers/legacy/*.sys").matches("drivers/legacy/port.sys"));
  EXPECT_FALSE(PathGlob("drivers/legacy/*.sys").matches("drivers/legacy/old/port.sys"));
  EXPECT_TRUE(PathGlob("drivers/**/*.sys").matches("drivers/port.sys"));
  EXPECT_TRUE(PathGlob("drivers/**/*.sys").matches("drivers/a/b/port.sys"));
  EXPECT_FALSE(PathGlob("drivers/**/*.sys").matches("other/a/port.sys"));
  EXPECT_TRUE(PathGlob("**").matches("a/b/c"));
  EXPECT_TRUE(PathGlob("port?.sys").matches("port1.sys"));
  EXPECT_FALSE(PathGlob("port?.sys").matches("port.sys"));
  EXPECT_TRUE(PathGlob("port[0-9].sys").matches("port7.sys"));
  EXPECT_FALSE(PathGlob("port[!0-9].sys").matches("port7.sys"));
  EXPECT_TRUE(PathGlob("port[!0-9].sys").matches("portx.sys"));
  EXPECT_TRUE(PathGlob("a\\*b").matches("a*b"));
  EXPECT_FALSE(PathGlob("a\\*b").matches("axb"));
  EXPECT_TRUE(PathGlob("[]]").matches("]"));
  EXPECT_TRUE(PathGlob("drivers/*").has_slash());
  EXPECT_FALSE(PathGlob("*.sys").has_slash());
}

TEST(PathGlob, ManyStarsDoNotBacktrack) {
  const std::string pattern = std::string(200, '*') + "a" + std::string(200, '?') + "*b";
  std::string hay(5000, 'a');
  const PathGlob g("**" + pattern);
  EXPECT_FALSE(g.matches(hay));  // quadratic at worst: this returns at once
  EXPECT_TRUE(g.matches(hay + "b"));
}

TEST(PathGlob, MalformedGlobsAreRefused) {
  for (const char* bad : {"", "[abc", "[]", "a\\", "[z-a]", "[a/]"}) EXPECT_THROW(PathGlob{bad}, std::invalid_argument) << bad;
}

// ---- the file ----

TEST(SuppressionFile, ReadsEveryKey) {
  const SuppressionFile f = parse(R"(
[[suppress]]
rule = "prim-port-io"
path = "drivers/legacy/*.sys"
package = "drivers/legacy/port.inf"
ioctl = "0x222003"
fingerprint = "abc"
justification = "Port I/O is the device's interface; the IOCTL is admin-only."
expires = 2027-06-30

[[suppress]]
rule = "*"
ioctl = 0x222004
justification = "test driver"
)");
  ASSERT_EQ(f.entries.size(), 2u);
  const Suppression& a = f.entries[0];
  EXPECT_EQ(a.kind, Suppression::Kind::config);
  EXPECT_EQ(a.file, "drvsec.toml");
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.rule, "prim-port-io");
  EXPECT_EQ(a.path_glob, "drivers/legacy/*.sys");
  EXPECT_TRUE(a.glob.has_value());
  EXPECT_EQ(a.base_dir, "/proj");
  EXPECT_EQ(a.package, "drivers/legacy/port.inf");
  EXPECT_EQ(a.ioctl, 0x222003u);
  EXPECT_EQ(a.fingerprint, "abc");
  EXPECT_EQ(a.justification, "Port I/O is the device's interface; the IOCTL is admin-only.");
  ASSERT_TRUE(a.expires);
  EXPECT_EQ(to_string(*a.expires), "2027-06-30");
  EXPECT_EQ(f.entries[1].line, 11u);
  EXPECT_EQ(f.entries[1].rule, "*");
  EXPECT_EQ(f.entries[1].ioctl, 0x222004u);
  EXPECT_TRUE(parse("").entries.empty());
  EXPECT_TRUE(parse("# nothing suppressed yet\n").entries.empty());
  EXPECT_TRUE(parse("suppress = []\n").entries.empty());
}

TEST(SuppressionFile, ErrorsSayWhere) {
  EXPECT_EQ(error_of("[[suppress]]\nrule = \"prim-port-io\"\n"), "1:1: this entry has no 'justification': say why the finding is accepted");
  EXPECT_EQ(error_of("\n[[suppress]]\nrule = \"prim-port-io\"\njustification = \"  \"\n"),
            "4:17: 'justification' is empty: say why the finding is accepted");
  EXPECT_EQ(error_of("[[suppress]]\njustification = \"x\"\n"), "1:1: this entry has no 'rule' (a rule id, or \"*\")");
  EXPECT_EQ(error_of("[[suppress]]\nrule = \"no-such-rule\"\njustification = \"x\"\n"),
            "2:8: unknown rule id 'no-such-rule' (see `drvsec rules`)");
  EXPECT_NE(error_of("[[suppress]]\nrule = \"input-not-analyzed\"\njustification = \"x\"\n").find("2:8: input-not-analyzed findings cannot be suppressed"),
            std::string::npos);
  EXPECT_NE(error_of("[[suppress]]\nrule = \"input-partially-analyzed\"\njustification = \"x\"\n").find("cannot be suppressed"), std::string::npos);
  EXPECT_EQ(error_of("[[suppress]]\nrule = \"*\"\njustification = \"x\"\nfile = \"a\"\n"),
            "4:1: unknown key 'file' (rule, path, package, ioctl, fingerprint, justification, expires)");
  EXPECT_NE(error_of("[[suppress]]\nrule = \"*\"\njustification = \"x\"\npath = \"[abc\"\n").find("4:8: bad glob '[abc': an unclosed '['"),
            std::string::npos);
  EXPECT_NE(error_of("[[suppress]]\nrule = \"*\"\njustification = \"x\"\nioctl = \"222003\"\n").find("4:9: bad IOCTL code: '222003' is ambiguous"),
            std::string::npos);
  EXPECT_EQ(error_of("[[suppress]]\nrule = \"*\"\njustification = \"x\"\nioctl = -1\n"), "4:9: 'ioctl' is a 32-bit IOCTL code");
  EXPECT_EQ(error_of("[[suppress]]\nrule = \"*\"\njustification = \"x\"\nexpires = \"2027-06-30\"\n"),
            "4:11: 'expires' is a TOML date, e.g. expires = 2027-06-30 (no quotes)");
  EXPECT_EQ(error_of("[[suppress]]\nrule = 3\njustification = \"x\"\n"), "2:8: 'rule' is a string");
  EXPECT_EQ(error_of("rules = 1\n"), "1:1: unknown key 'rules' (a suppression file holds [[suppress]] tables)");
  EXPECT_EQ(error_of("[suppress]\nrule = \"*\"\n"), "1:1: 'suppress' is an array of tables: write each entry as [[suppress]]");
  EXPECT_EQ(error_of("suppress = [1, 2]\n").substr(0, 4), "1:12");
  // TOML syntax: toml++'s description, at the place it stopped.
  const std::string syntax = error_of("[[suppress]]\nrule = \"*\n");
  EXPECT_EQ(syntax.substr(0, 2), "2:") << syntax;
  const std::string not_utf8 = error_of("[[suppress]]\nrule = \"\xff\"\n");
  EXPECT_EQ(not_utf8.substr(0, 2), "2:") << not_utf8;
  // Hostile files: nesting without end, NUL bytes, a huge file — errors, never a crash.
  EXPECT_NE(error_of("a = " + std::string(100000, '[')), "no error");
  EXPECT_NE(error_of(std::string("[[suppress]]\nrule = \"*\0\"\n", 24)), "no error");
  EXPECT_EQ(error_of(std::string(17u << 20, '#')), "0:0: larger than 16 MiB");
}

TEST(SuppressionFile, ReadingNamesTheFile) {
  const std::string dir = scratch("read");
  write(dir + "/s.toml", "[[suppress]]\nrule = \"*\"\njustification = \"x\"\npath = \"a/*.sys\"\n");
  const SuppressionFile f = read_suppression_file(dir + "/s.toml");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].base_dir, fs::path(dir).lexically_normal().generic_string());
  try {
    read_suppression_file(dir + "/absent.toml");
    ADD_FAILURE();
  } catch (const SuppressionError& e) {
    EXPECT_EQ(std::string(e.what()), dir + "/absent.toml: cannot be read");
  }
  EXPECT_THROW(read_suppression_file(dir), SuppressionError);
}

// ---- applying ----

TEST(ApplySuppressions, EachScopeHolds) {
  const SuppressionFile file = parse(R"(
[[suppress]]
rule = "prim-port-io"
justification = "rule only"

[[suppress]]
rule = "*"
path = "legacy/*.sys"
justification = "glob relative to the file's folder"

[[suppress]]
rule = "prim-msr-access"
path = "msr.sys"
justification = "a glob without '/' also matches the file name"

[[suppress]]
rule = "*"
ioctl = "0x222000"
justification = "one IOCTL"

[[suppress]]
rule = "*"
fingerprint = "one"
justification = "one finding"

[[suppress]]
rule = "*"
package = "pkg/a.inf"
justification = "one package"

[[suppress]]
rule = "*"
justification = "expired"
expires = 2020-01-01

[[suppress]]
rule = "hv-executable-pool"
path = "nothing/*"
justification = "matches nothing"
)",
                                     "/proj");
  std::vector<Finding> findings{
      finding("prim-port-io", "/elsewhere/x.sys"),                   // 0: rule only
      finding("prim-control-register", "/proj/legacy/old.sys"),             // 1: glob
      finding("prim-control-register", "/proj/legacy/deeper/old.sys"),      // kept: '*' is one segment
      finding("prim-control-register", "/other/legacy/old.sys"),            // kept: outside /proj
      finding("prim-msr-access", "/anywhere/msr.sys"),               // 2: file name
      finding("prim-control-register", "/a/b.sys", 0x222000u),              // 3: IOCTL
      finding("prim-control-register", "/a/b.sys", 0x222004u),              // kept
      finding("prim-control-register", "/a/c.sys", std::nullopt, "one"),    // 4: fingerprint
      finding("prim-control-register", "/a/pkg.sys"),                       // 5: package
      finding("input-not-analyzed", "/proj/legacy/broken.sys"),      // kept: never suppressed
      finding("input-partially-analyzed", "/a/b.sys", 0x222000u),    // kept
  };
  PackageOf packages;
  packages.path_to_key = {{"/a/pkg.sys", "pkg/a.inf"}};
  std::vector<SuppressedFinding> suppressed;
  const SuppressionSummary s = apply_suppressions({file}, packages, {2026, 12, 7}, findings, suppressed);
  EXPECT_EQ(s.suppressed, 6u);
  ASSERT_EQ(suppressed.size(), 6u);
  std::vector<size_t> entries;
  for (const auto& sf : suppressed) entries.push_back(sf.entry);
  EXPECT_EQ(entries, (std::vector<size_t>{0, 1, 2, 3, 4, 5}));
  ASSERT_EQ(findings.size(), 5u);
  EXPECT_EQ(findings[0].location.path, "/proj/legacy/deeper/old.sys");
  EXPECT_EQ(findings[1].location.path, "/other/legacy/old.sys");
  EXPECT_EQ(findings[2].ioctl, 0x222004u);
  EXPECT_EQ(findings[3].rule_id, "input-not-analyzed");
  EXPECT_EQ(findings[4].rule_id, "input-partially-analyzed");
  ASSERT_EQ(s.entries.size(), 8u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(s.entries[i].matched, 1u) << i;
  EXPECT_TRUE(s.entries[6].expired);
  EXPECT_EQ(s.entries[6].matched, 0u);  // `rule = "*"` with no scope, but expired: applied to nothing
  EXPECT_FALSE(s.entries[7].expired);
  EXPECT_EQ(s.entries[7].matched, 0u);
  // The expiry date is the last day it applies.
  std::vector<Finding> again{finding("prim-control-register", "/z.sys")};
  suppressed.clear();
  EXPECT_EQ(apply_suppressions({file}, {}, {2020, 1, 1}, again, suppressed).suppressed, 1u);
  EXPECT_EQ(suppressed.at(0).entry, 6u);
}

TEST(ApplySuppressions, DiscoveryWalksUpToTheRepository) {
  const std::string dir = scratch("discover");
  fs::create_directories(dir + "/repo/.git");
  fs::create_directories(dir + "/repo/drivers/x");
  write(dir + "/drvsec.toml", "");  // above the repository: not found
  EXPECT_EQ(discover_suppression_file(dir + "/repo/drivers/x"), "");
  write(dir + "/repo/drvsec.toml", "");
  const std::string at_root = discover_suppression_file(dir + "/repo/drivers/x");
  EXPECT_EQ(fs::absolute(at_root).lexically_normal(), fs::absolute(dir + "/repo/drvsec.toml").lexically_normal()) << at_root;
  write(dir + "/repo/drivers/drvsec.toml", "");
  write(dir + "/repo/drivers/x/a.sys", "");
  const std::string nearer = discover_suppression_file(dir + "/repo/drivers/x/a.sys");  // a file: from its folder
  EXPECT_EQ(fs::absolute(nearer).lexically_normal(), fs::absolute(dir + "/repo/drivers/drvsec.toml").lexically_normal()) << nearer;
}

// ---- the command line ----

struct Scanned {
  std::string dir, driver;
  json all;  // the unsuppressed report
};

Scanned scan_primitives(const std::string& name) {
  Scanned s;
  s.dir = scratch(name);
  fs::create_directories(s.dir + "/drivers");
  s.driver = s.dir + "/drivers/primitives.sys";
  fs::copy_file(fixture("primitives_mingw-x64.sys"), s.driver);
  const auto r = run_drvsec("scan '" + s.dir + "' --no-config --format json --fail-on none");
  EXPECT_EQ(r.exit_code, 0);
  s.all = json::parse(r.out);
  return s;
}

std::map<std::string, size_t> count_by_rule(const json& findings) {
  std::map<std::string, size_t> out;
  for (const json& f : findings) ++out[f["rule_id"].get<std::string>()];
  return out;
}

TEST(SuppressCli, ARuleIsSuppressedAndKeptInJson) {
  const Scanned s = scan_primitives("rule");
  const auto all = count_by_rule(s.all["findings"]);
  ASSERT_GT(all.count("prim-port-io"), 0u);
  const std::string config = s.dir + "/custom.toml";
  write(config, "# port I/O is the point of this driver\n[[suppress]]\nrule = \"prim-port-io\"\njustification = \"the device is programmed through ports\"\n");
  const auto r = run_drvsec("scan '" + s.dir + "' --config '" + config + "' --format json --fail-on none");
  ASSERT_EQ(r.exit_code, 0);
  const json doc = json::parse(r.out);
  EXPECT_EQ(count_by_rule(doc["findings"]).count("prim-port-io"), 0u);
  ASSERT_EQ(doc["suppressed"].size(), all.at("prim-port-io"));
  EXPECT_EQ(doc["summary"]["suppressed"], all.at("prim-port-io"));
  EXPECT_EQ(doc["findings"].size() + doc["suppressed"].size(), s.all["findings"].size()) << "nothing dropped";
  for (const json& f : doc["suppressed"]) {
    EXPECT_EQ(f["rule_id"], "prim-port-io");
    EXPECT_FALSE(f["fingerprint"].get<std::string>().empty());
    EXPECT_EQ(f["suppression"]["file"], config);
    EXPECT_EQ(f["suppression"]["line"], 2);
    EXPECT_EQ(f["suppression"]["kind"], "config");
    EXPECT_EQ(f["suppression"]["rule"], "prim-port-io");
    EXPECT_EQ(f["suppression"]["justification"], "the device is programmed through ports");
  }
  const json& entries = doc["summary"]["suppressions"]["entries"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["matched"], all.at("prim-port-io"));
  EXPECT_EQ(entries[0]["status"], "used");
}

TEST(SuppressCli, GlobIoctlAndFingerprintScopes) {
  const Scanned s = scan_primitives("scopes");
  // IOCTL 0x800 of the fixture: CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS).
  size_t of_ioctl = 0;
  for (const json& f : s.all["findings"]) of_ioctl += f.value("ioctl", "") == "0x222000";
  ASSERT_GT(of_ioctl, 0u);
  const std::string config = s.dir + "/drvsec.toml";
  write(config, "[[suppress]]\nrule = \"*\"\nioctl = \"222000h\"\njustification = \"reviewed\"\n");
  json doc = json::parse(run_drvsec("scan '" + s.dir + "' --format json --fail-on none").out);
  EXPECT_EQ(doc["suppressed"].size(), of_ioctl);
  for (const json& f : doc["suppressed"]) EXPECT_EQ(f["ioctl"], "0x222000");
  for (const json& f : doc["findings"]) EXPECT_NE(f.value("ioctl", ""), "0x222000");

  const std::string fp = s.all["findings"][3]["fingerprint"];
  write(config, "[[suppress]]\nrule = \"*\"\nfingerprint = \"" + fp + "\"\njustification = \"reviewed\"\n");
  doc = json::parse(run_drvsec("scan '" + s.dir + "' --format json --fail-on none").out);
  ASSERT_EQ(doc["suppressed"].size(), 1u);
  EXPECT_EQ(doc["suppressed"][0]["fingerprint"], fp);

  // Relative to the file's folder: drivers/*.sys holds, *.sys (the file name) holds, other/*.sys does not.
  for (const auto& [glob, hits] : std::vector<std::pair<std::string, bool>>{{"drivers/*.sys", true}, {"*.sys", true}, {"other/*.sys", false},
                                                                            {"primitives.sys", true}, {"**/prim*", true}}) {
    write(config, "[[suppress]]\nrule = \"*\"\npath = \"" + glob + "\"\njustification = \"reviewed\"\n");
    doc = json::parse(run_drvsec("scan '" + s.dir + "' --format json --fail-on none").out);
    EXPECT_EQ(doc["suppressed"].size(), hits ? s.all["findings"].size() : 0u) << glob;
  }
}

TEST(SuppressCli, SuppressedFindingsDoNotFailTheRunButInputErrorsStill) {
  const Scanned s = scan_primitives("exit");
  ASSERT_EQ(run_drvsec("scan '" + s.dir + "' --no-config --fail-on warning").exit_code, 1);
  write(s.dir + "/drvsec.toml", "[[suppress]]\nrule = \"*\"\npath = \"drivers/*.sys\"\njustification = \"a test fixture\"\n");
  EXPECT_EQ(run_drvsec("scan '" + s.dir + "' --fail-on warning").exit_code, 0);
  EXPECT_EQ(run_drvsec("scan '" + s.dir + "' --fail-on note").exit_code, 0);
  // --no-config: the file found is not used.
  EXPECT_EQ(run_drvsec("scan '" + s.dir + "' --no-config --fail-on warning").exit_code, 1);
  // A file that could not be analyzed: `rule = "*"` on its path does not hide it.
  write(s.dir + "/drivers/broken.sys", "MZ not really a driver");
  const auto r = run_drvsec("scan '" + s.dir + "' --fail-on warning --format json");
  EXPECT_EQ(r.exit_code, 3);
  bool reported = false;
  const json doc = json::parse(r.out);
  for (const json& f : doc["findings"]) reported |= f["rule_id"] == "input-not-analyzed";
  EXPECT_TRUE(reported);
}

TEST(SuppressCli, SarifKeepsSuppressedResults) {
  const Scanned s = scan_primitives("sarif");
  write(s.dir + "/drvsec.toml", "\n[[suppress]]\nrule = \"prim-port-io\"\njustification = \"ports are the device's interface\"\n");
  const std::string out = output_path("sarif/suppressions.sarif");
  ASSERT_EQ(run_drvsec("scan '" + s.dir + "' --format sarif --fail-on none -o '" + out + "'").exit_code, 0);
  const json sarif = json::parse(read_file(out));
  const json& run = sarif["runs"][0];
  size_t suppressed = 0;
  for (const json& r : run["results"]) {
    if (!r.contains("suppressions")) {
      EXPECT_NE(r["ruleId"], "prim-port-io");
      continue;
    }
    ++suppressed;
    EXPECT_EQ(r["ruleId"], "prim-port-io");
    ASSERT_EQ(r["suppressions"].size(), 1u);
    const json& sup = r["suppressions"][0];
    EXPECT_EQ(sup["kind"], "external");
    EXPECT_EQ(sup["status"], "accepted");
    EXPECT_EQ(sup["justification"], "ports are the device's interface");
    EXPECT_EQ(sup["location"]["physicalLocation"]["region"]["startLine"], 2);
    const std::string uri = sup["location"]["physicalLocation"]["artifactLocation"]["uri"];
    EXPECT_EQ(uri.substr(uri.size() - 11), "drvsec.toml") << uri;
  }
  EXPECT_EQ(suppressed, count_by_rule(s.all["findings"]).at("prim-port-io"));
  EXPECT_EQ(run["results"].size(), s.all["findings"].size());
  EXPECT_EQ(run["properties"]["suppressions"]["suppressed"], suppressed);
}

TEST(SuppressCli, ExpiredAndUnusedEntriesAreSaid) {
  const Scanned s = scan_primitives("expired");
  write(s.dir + "/drvsec.toml",
        "[[suppress]]\nrule = \"prim-port-io\"\njustification = \"until the rewrite\"\nexpires = 2020-01-01\n\n"
        "[[suppress]]\nrule = \"hv-executable-pool\"\npath = \"gone/*.sys\"\njustification = \"old\"\n");
  const auto r = run_with_stderr("scan '" + s.dir + "' --fail-on none --color never");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("drvsec.toml:1:1: the suppression of prim-port-io expired on 2020-01-01: no longer applied"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 suppressed ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: expired suppression at "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("note: unused suppression at "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("drvsec.toml:6 (hv-executable-pool)"), std::string::npos) << r.out;
  const json doc = json::parse(run_drvsec("scan '" + s.dir + "' --fail-on none --format json").out);
  EXPECT_EQ(doc["suppressed"].size(), 0u);
  EXPECT_EQ(doc["findings"].size(), s.all["findings"].size());
  EXPECT_EQ(doc["summary"]["suppressions"]["entries"][0]["status"], "expired");
  EXPECT_EQ(doc["summary"]["suppressions"]["entries"][1]["status"], "unused");
  // --quiet keeps the warning.
  const auto quiet = run_with_stderr("scan '" + s.dir + "' --fail-on none --quiet --format json -o /dev/null");
  EXPECT_NE(quiet.out.find("expired on 2020-01-01"), std::string::npos) << quiet.out;
}

TEST(SuppressCli, TextCountsPerEntry) {
  const Scanned s = scan_primitives("text");
  const size_t ports = count_by_rule(s.all["findings"]).at("prim-port-io");
  write(s.dir + "/drvsec.toml", "[[suppress]]\nrule = \"prim-port-io\"\njustification = \"ports\"\n");
  const auto r = run_drvsec("scan '" + s.dir + "' --fail-on none --color never");
  EXPECT_NE(r.out.find(fmt::format("{} suppressed (", ports)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(fmt::format("{} suppressed by ", ports)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("drvsec.toml:1 (prim-port-io): ports"), std::string::npos) << r.out;
}

TEST(SuppressCli, BadFilesAreUsageErrorsWithTheirPlace) {
  const Scanned s = scan_primitives("bad");
  write(s.dir + "/drvsec.toml", "[[suppress]]\nrule = \"prim-port-io\"\n");
  auto r = run_with_stderr("scan '" + s.dir + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("drvsec.toml:1:1: this entry has no 'justification'"), std::string::npos) << r.out;
  write(s.dir + "/drvsec.toml", "[[suppress]]\nrule = \"prim-port-oi\"\njustification = \"x\"\n");
  r = run_with_stderr("scan '" + s.dir + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("drvsec.toml:2:8: unknown rule id 'prim-port-oi'"), std::string::npos) << r.out;
  EXPECT_EQ(run_drvsec("scan '" + s.dir + "' --no-config --fail-on none").exit_code, 0);
  EXPECT_EQ(run_drvsec("scan '" + s.dir + "' --config '" + s.dir + "/absent.toml'").exit_code, 2);
  EXPECT_EQ(run_drvsec("scan '" + s.dir + "' --config x --no-config").exit_code, 2);
  EXPECT_EQ(run_drvsec("scan '" + s.dir + "' --format jsonl --config '" + s.dir + "/drvsec.toml'").exit_code, 2);
}

TEST(SuppressCli, SuppressionsApplyBeforeTheBaseline) {
  const Scanned s = scan_primitives("baseline");
  const std::string base = s.dir + "/base.json";
  write(base, s.all.dump());
  const size_t ports = count_by_rule(s.all["findings"]).at("prim-port-io");
  write(s.dir + "/drvsec.toml", "[[suppress]]\nrule = \"prim-port-io\"\njustification = \"ports\"\n");
  const auto r = run_drvsec("scan '" + s.dir + "' --format json --fail-on warning --baseline '" + base + "'");
  EXPECT_EQ(r.exit_code, 0);
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["suppressed"].size(), ports);
  EXPECT_EQ(doc["summary"]["baseline"]["unchanged"], s.all["findings"].size() - ports);
  EXPECT_EQ(doc["summary"]["baseline"]["new"], 0u);
  const std::string out = output_path("sarif/suppressions-baseline.sarif");
  ASSERT_EQ(run_drvsec("scan '" + s.dir + "' --format sarif --fail-on none --baseline '" + base + "' -o '" + out + "'").exit_code, 0);
  const json sarif = json::parse(read_file(out));
  for (const json& result : sarif["runs"][0]["results"]) {
    ASSERT_TRUE(result.contains("suppressions"));
    EXPECT_EQ(result["baselineState"], "unchanged");
  }
}

TEST(SuppressCli, MergeAppliesTheWorkingFoldersFile) {
  const Scanned s = scan_primitives("merge");
  const std::string shard = s.dir + "/s.jsonl";
  ASSERT_EQ(run_drvsec("scan '" + s.dir + "' --format jsonl --fail-on none -o '" + shard + "'").exit_code, 0);
  write(s.dir + "/drvsec.toml", "[[suppress]]\nrule = \"*\"\njustification = \"all reviewed\"\n");
  auto r = run_command("cd '" + s.dir + "' && '" + std::string(DRVSEC_EXE) + "' merge s.jsonl --format json --fail-on warning 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(json::parse(r.out)["suppressed"].size(), s.all["findings"].size());
  r = run_drvsec("merge '" + shard + "' --format json --fail-on warning --config '" + s.dir + "/drvsec.toml'");
  EXPECT_EQ(r.exit_code, 0);
  r = run_command("cd '" + s.dir + "' && '" + std::string(DRVSEC_EXE) + "' merge s.jsonl --no-config --fail-on warning >/dev/null 2>&1");
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace drvsec::test
