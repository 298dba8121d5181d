// SARIF as GitHub code scanning and the SARIF viewers take it (issue #19 §4): every result has a
// region whose byte offset points at the instruction in the file, URIs are relative to %SRCROOT%,
// rules carry security-severity, and the invocation says how the run ended and what it could not read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace drvsec::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Runs drvsec in `dir` (so %SRCROOT% is that folder); keeps the SARIF for the schema validation.
struct SarifRun {
  int exit_code = -1;
  json doc;
  const json& run() const { return doc["runs"][0]; }
};
SarifRun sarif_scan(const std::string& dir, const std::string& args, const std::string& keep_as) {
  const std::string out = output_path("sarif/" + keep_as + ".sarif");
  const auto r = run_command("cd " + quoted(dir) + " && " + quoted(DRVSEC_EXE) + " scan " + args +
                             " --format sarif -o " + quoted(out) + " 2>/dev/null");
  SarifRun s;
  s.exit_code = r.exit_code;
  s.doc = json::parse(read_file(out));
  return s;
}

std::vector<uint8_t> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The instruction a primitive's message names ("Port I/O `out` at 0x1196 …").
std::string named_instruction(const std::string& message) {
  std::smatch m;
  return std::regex_search(message, m, std::regex("`([^`]+)`")) ? m[1].str() : "";
}

TEST(Sarif, ByteOffsetsPointAtTheInstructionInTheFile) {
  const std::string dir = fs::path(fixture("primitives_clang-x64.sys")).parent_path().string();
  const std::vector<std::string> drivers = {"primitives_clang-x64.sys", "primitives_mingw-x64.sys", "primitives_clang-x86.sys",
                                            "primitives_mingw-x86.sys", "caps_port_io_clang-x64.sys", "caps_port_io_mingw-x86.sys"};
  std::string args = "--fail-on none";
  for (const auto& d : drivers) args += " " + d;
  const SarifRun s = sarif_scan(dir, args, "byte-offsets");
  size_t port = 0, msr = 0, calls = 0;
  for (const json& r : s.run()["results"]) {
    const std::string rule = r["ruleId"];
    if (rule != "prim-port-io" && rule != "prim-msr-access") continue;
    const json& loc = r["locations"][0]["physicalLocation"];
    const std::string uri = loc["artifactLocation"]["uri"];
    ASSERT_EQ(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    ASSERT_TRUE(loc["region"].contains("byteOffset")) << r.dump();
    EXPECT_EQ(loc["region"]["startLine"], 1);
    EXPECT_EQ(loc["region"]["properties"]["section"], ".text");
    const std::vector<uint8_t> file = bytes_of(dir + "/" + uri);
    size_t off = loc["region"]["byteOffset"];
    ASSERT_LT(off + 2, file.size());
    if (file[off] == 0x66) ++off;  // operand-size prefix of `in ax, dx` / `out dx, ax`
    const std::string insn = named_instruction(r["message"]["text"]);
    const uint8_t b = file[off];
    if (insn == "in") {
      EXPECT_TRUE(b == 0xE4 || b == 0xE5 || b == 0xEC || b == 0xED) << uri << " +" << off;
      ++port;
    } else if (insn == "out") {
      EXPECT_TRUE(b == 0xE6 || b == 0xE7 || b == 0xEE || b == 0xEF) << uri << " +" << off;
      ++port;
    } else if (insn == "wrmsr" || insn == "rdmsr") {
      EXPECT_EQ(b, 0x0F);
      EXPECT_EQ(file[off + 1], insn == "wrmsr" ? 0x30 : 0x32) << uri << " +" << off;
      ++msr;
    } else {  // an API such as READ_PORT_UCHAR or HalGetBusDataByOffset: the call instruction
      EXPECT_TRUE(b == 0xE8 || (b == 0xFF && (file[off + 1] == 0x15 || file[off + 1] == 0x25)) || b == 0xE9)
          << insn << " in " << uri << " +" << off;
      ++calls;
    }
  }
  EXPECT_GE(port, 8u);
  EXPECT_GE(msr, 4u);
  EXPECT_GE(calls, 1u);
}

TEST(Sarif, UrisAreRelativeToTheSourceRootWithItsBase) {
  const fs::path samples = source_path("samples");
  const SarifRun s = sarif_scan(samples.string(), "--fail-on none bin/careful.sys " + quoted(source_path("samples/bin/careless.sys")),
                                "relative-uris");
  const json& run = s.run();
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://" + samples.lexically_normal().string() + "/");
  std::set<std::string> uris;
  for (const json& a : run["artifacts"]) {
    EXPECT_EQ(a["location"]["uriBaseId"], "%SRCROOT%");
    uris.insert(a["location"]["uri"]);
  }
  // An absolute path inside the root is made relative too.
  EXPECT_EQ(uris, (std::set<std::string>{"bin/careful.sys", "bin/careless.sys"}));
  for (const json& r : run["results"]) {
    const json& region = r["locations"][0]["physicalLocation"]["region"];
    EXPECT_GE(region["startLine"].get<int>(), 1);
  }
  // Outside the root: an absolute file: URI without a base.
  const SarifRun outside = sarif_scan(samples.string(), "--fail-on none /proc/self/../version bin/careful.sys", "absolute-uris");
  bool absolute = false;
  for (const json& a : outside.run()["artifacts"])
    if (a["location"]["uri"] == "file:///proc/version") absolute = !a["location"].contains("uriBaseId");
  EXPECT_TRUE(absolute) << outside.run()["artifacts"].dump();
}

TEST(Sarif, RulesCarrySecuritySeverityAndTheRunItsCategory) {
  const SarifRun s = sarif_scan(source_path("samples/bin"),
                                "--fail-on none careless.sys", "security-severity");
  const json& run = s.run();
  EXPECT_EQ(run["automationDetails"]["id"], "drvsec/code/");
  std::map<std::string, double> by_rule;
  for (const json& rule : run["tool"]["driver"]["rules"]) {
    const double v = std::stod(rule["properties"]["security-severity"].get<std::string>());
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 10.0);
    by_rule[rule["id"]] = v;
    EXPECT_FALSE(rule.contains("helpUri") && DRVSEC_DOCS_BASE_URL[0] == '\0');  // no link that does not resolve
    EXPECT_FALSE(rule["help"]["markdown"].get<std::string>().empty()) << rule["id"];
  }
  EXPECT_EQ(by_rule.at("hv-executable-pool"), 8.0);      // error
  EXPECT_EQ(by_rule.at("mit-control-flow-guard"), 5.0);  // warning
  EXPECT_EQ(by_rule.at("mit-cet-compatible"), 2.0);      // note
  // A rule's security-severity is never below the level of one of its results.
  for (const json& r : run["results"]) {
    const std::string level = r["level"];
    const double floor = level == "error" ? 8.0 : level == "warning" ? 5.0 : 2.0;
    EXPECT_GE(by_rule.at(r["ruleId"]), floor) << r["ruleId"];
    EXPECT_FALSE(r["partialFingerprints"].empty());
  }
  // A headers-only triage is another category, so the two do not replace each other on upload.
  const SarifRun h = sarif_scan(source_path("samples/bin"),
                                "--fail-on none --depth headers careless.sys", "security-severity-headers");
  EXPECT_EQ(h.run()["automationDetails"]["id"], "drvsec/headers/");
}

TEST(Sarif, TheInvocationSaysHowTheRunEndedAndWhatWasNotRead) {
  const std::string dir = source_path("samples/bin");
  // Findings at or above --fail-on: exit 1, and the invocation says so.
  SarifRun s = sarif_scan(dir, "--fail-on warning careless.sys", "invocation-findings");
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_EQ(s.run()["invocations"][0]["exitCode"], 1);
  EXPECT_EQ(s.run()["invocations"][0]["executionSuccessful"], true);
  EXPECT_TRUE(s.run()["invocations"][0]["toolExecutionNotifications"].empty());

  // An input that does not exist: exit 3, an error notification naming it and input-not-analyzed.
  s = sarif_scan(dir, "--fail-on none careless.sys /nonexistent/missing.sys", "invocation-unreadable");
  EXPECT_EQ(s.exit_code, 3);
  const json& inv = s.run()["invocations"][0];
  EXPECT_EQ(inv["exitCode"], 3);
  EXPECT_EQ(inv["executionSuccessful"], false);
  ASSERT_EQ(inv["toolExecutionNotifications"].size(), 1u) << inv.dump();
  const json& n = inv["toolExecutionNotifications"][0];
  EXPECT_EQ(n["level"], "error");
  EXPECT_EQ(n["associatedRule"]["id"], "input-not-analyzed");
  EXPECT_EQ(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "file:///nonexistent/missing.sys");
  EXPECT_EQ(n["message"]["text"].get<std::string>().rfind("not analyzed: ", 0), 0u) << n.dump();

  // A folder without any driver: exit 3 and the run-level message.
  const fs::path empty = fs::path(output_path("sarif-empty/x")).parent_path();
  s = sarif_scan(empty.string(), ".", "invocation-no-driver");
  EXPECT_EQ(s.exit_code, 3);
  ASSERT_EQ(s.run()["invocations"][0]["toolExecutionNotifications"].size(), 1u);
  EXPECT_NE(s.run()["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].get<std::string>().find(
                "no kernel driver found"),
            std::string::npos);
}

}  // namespace
}  // namespace drvsec::test
