// The command line as a user meets it: exit codes, formats, determinism, rules, ioctl helpers.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace drvsec::test {
namespace {

const std::string kDriver = fixture("minimal_wdm_mingw-x64.sys");

TEST(Cli, VersionAndUsageErrors) {
  auto r = run_drvsec("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("drvsec "), std::string::npos);
  EXPECT_EQ(run_drvsec("").exit_code, 2);                       // no subcommand
  EXPECT_EQ(run_drvsec("scan").exit_code, 2);                   // no path
  EXPECT_EQ(run_drvsec("scan --format xml " + kDriver).exit_code, 2);
  EXPECT_EQ(run_drvsec("scan --rule no-such-rule " + kDriver).exit_code, 2);
  EXPECT_EQ(run_drvsec("rules no-such-rule").exit_code, 2);
}

TEST(Cli, ExitCodesFollowFailOn) {
  // A file that is not a PE, named explicitly: reported, exit 3 (input not analyzed).
  const std::string junk = output_path("cli/not-a-driver.sys");
  { std::ofstream(junk) << "this is not a PE image"; }
  auto r = run_drvsec("scan --format json " + junk);
  EXPECT_EQ(r.exit_code, 3);
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["findings"].size(), 1u);
  EXPECT_EQ(doc["findings"][0]["rule_id"], "input-not-analyzed");
  EXPECT_EQ(doc["artifacts"][0]["errors"][0], "not a PE image (no MZ signature)");
  // A missing path is reported too, and the other inputs are still scanned.
  r = run_drvsec("scan --format json /nonexistent/x.sys " + kDriver);
  EXPECT_EQ(r.exit_code, 3);
  doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["artifacts"].size(), 2u);
  EXPECT_EQ(doc["drivers"].size(), 1u);

  // --fail-on none never fails on findings; --fail-on note fails on any finding.
  const std::string careless = fixture("minimal_wdm_mingw-x64.sys");
  r = run_drvsec("scan --format json --fail-on note " + careless);
  doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(r.exit_code, doc["findings"].empty() ? 0 : 1);
  EXPECT_EQ(run_drvsec("scan --fail-on none " + careless).exit_code, 0);
}

TEST(Cli, OutputIsDeterministicAcrossRunsAndJobCounts) {
  const std::string dir = std::string(DRVSEC_FIXTURE_DIR);
  auto a = run_drvsec("scan --format json --jobs 1 --fail-on none " + dir);
  auto b = run_drvsec("scan --format json --jobs 4 --fail-on none " + dir);
  ASSERT_EQ(a.exit_code, 0);
  EXPECT_FALSE(a.out.empty());
  EXPECT_EQ(a.out, b.out);
  auto s1 = run_drvsec("scan --format sarif --jobs 1 --fail-on none " + dir);
  auto s2 = run_drvsec("scan --format sarif --jobs 3 --fail-on none " + dir);
  EXPECT_EQ(s1.out, s2.out);
  std::ofstream(output_path("sarif/cli-fixtures.sarif")) << s1.out;
}

TEST(Cli, DepthHeadersSkipsTheMachineCode) {
  // The careless sample has an IOCTL reaching a primitive: the code-level findings come from the
  // machine code and must disappear at --depth headers, the header-level ones must stay.
  const std::string careless = std::string(DRVSEC_SOURCE_DIR) + "/samples/bin/careless.sys";
  auto code = run_drvsec("scan --format json --fail-on none " + careless);
  auto headers = run_drvsec("scan --format json --fail-on none --depth headers " + careless);
  ASSERT_EQ(code.exit_code, 0);
  ASSERT_EQ(headers.exit_code, 0);
  const auto c = nlohmann::json::parse(code.out), h = nlohmann::json::parse(headers.out);
  EXPECT_EQ(c["summary"]["analysis_depth"], "code");
  EXPECT_EQ(h["summary"]["analysis_depth"], "headers");
  ASSERT_EQ(c["drivers"].size(), 1u);
  ASSERT_EQ(h["drivers"].size(), 1u);
  EXPECT_TRUE(c["drivers"][0]["code_analyzed"].get<bool>());
  EXPECT_FALSE(c["drivers"][0]["ioctls"].empty());
  EXPECT_FALSE(h["drivers"][0]["code_analyzed"].get<bool>());
  EXPECT_TRUE(h["drivers"][0]["ioctls"].empty());
  EXPECT_TRUE(h["drivers"][0]["primitives"].empty());
  // Same artifact facts (PE summary, signature) at both depths.
  EXPECT_EQ(c["artifacts"], h["artifacts"]);
  std::set<std::string> code_rules, header_rules;
  for (const auto& f : c["findings"]) code_rules.insert(f["rule_id"].get<std::string>());
  for (const auto& f : h["findings"]) header_rules.insert(f["rule_id"].get<std::string>());
  EXPECT_TRUE(code_rules.count("prim-msr-access") || code_rules.count("prim-physical-memory-map") ||
              code_rules.count("ioctl-any-access-reaches-primitive"));
  for (const std::string& id : header_rules) EXPECT_TRUE(code_rules.count(id)) << id;
  EXPECT_LT(header_rules.size(), code_rules.size());
  EXPECT_EQ(run_drvsec("scan --depth deep " + careless).exit_code, 2);
}

TEST(Cli, ReportDirWritesJsonAndSarif) {
  const std::string dir = output_path("cli/reports/x");
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
  auto r = run_drvsec("scan --fail-on none --report-dir " + std::filesystem::path(dir).parent_path().string() + " " + kDriver);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("minimal_wdm_mingw-x64.sys"), std::string::npos);  // text on stdout
  const auto base = std::filesystem::path(dir).parent_path();
  auto json = nlohmann::json::parse(read_file((base / "drvsec.json").string()));
  EXPECT_EQ(json["schema_version"], 2);
  auto sarif = nlohmann::json::parse(read_file((base / "drvsec.sarif").string()));
  EXPECT_EQ(sarif["version"], "2.1.0");
  std::filesystem::copy_file(base / "drvsec.sarif", output_path("sarif/cli-report-dir.sarif"),
                             std::filesystem::copy_options::overwrite_existing);
}

TEST(Cli, JsonDescribesTheDriverModel) {
  auto r = run_drvsec("scan --format json --fail-on none " + kDriver);
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["drivers"].size(), 1u);
  const auto& d = doc["drivers"][0];
  EXPECT_EQ(d["kernel_driver"], true);
  EXPECT_EQ(d["machine"], "x64");
  EXPECT_EQ(d["framework"], "wdm");
  ASSERT_FALSE(d["devices"].empty());
  EXPECT_EQ(d["devices"][0]["name"], "\\Device\\TestDev");
  EXPECT_EQ(d["links"][0]["name"], "\\DosDevices\\TestDev");
  EXPECT_EQ(doc["artifacts"][0]["sha256"].get<std::string>().size(), 64u);
  const auto& pe = doc["artifacts"][0]["pe"];
  EXPECT_EQ(pe["format"], "PE32+");
  EXPECT_EQ(pe["subsystem"], 1);  // native
  const auto& flags = pe["dll_characteristics"];
  EXPECT_NE(std::find(flags.begin(), flags.end(), "NX_COMPAT"), flags.end());  // built with --nxcompat
  EXPECT_EQ(pe["sections"][0]["name"], ".text");
}

TEST(Cli, RulesListAndExplain) {
  auto r = run_drvsec("rules");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("input-not-analyzed"), std::string::npos);
  r = run_drvsec("rules hv-wx-section");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("hv-wx-section"), std::string::npos);
}

TEST(Cli, IoctlDecodeAndEncode) {
  auto r = run_drvsec("ioctl decode 0x222003");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("FILE_DEVICE_UNKNOWN"), std::string::npos);
  EXPECT_NE(r.out.find("METHOD_NEITHER"), std::string::npos);
  EXPECT_NE(r.out.find("FILE_ANY_ACCESS"), std::string::npos);
  r = run_drvsec("ioctl encode FILE_DEVICE_UNKNOWN 0x800 METHOD_NEITHER FILE_ANY_ACCESS");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("0x00222003"), std::string::npos);
  r = run_drvsec("ioctl encode 0x22 0x1000 0 0");  // function out of range
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(run_drvsec("ioctl decode banana").exit_code, 2);
}

}  // namespace
}  // namespace drvsec::test
