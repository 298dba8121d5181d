// Fingerprints that survive a rebuild (issue #19 §2), and --baseline reporting only what is new.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "model/finding.h"
#include "test_support.h"

namespace drvsec::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Finding finding(std::string rule, std::string message, std::optional<uint32_t> rva, std::string path = "/a/drv.sys") {
  Finding f;
  f.rule_id = std::move(rule);
  f.message = std::move(message);
  f.location.path = std::move(path);
  f.location.rva = rva;
  return f;
}

std::string fingerprint_of(Finding f) {
  std::vector<Finding> one{std::move(f)};
  assign_fingerprints(one);
  return one[0].fingerprint;
}

TEST(Fingerprint, AddressesOfTheLocationAreNotPartOfIt) {
  Finding a = finding("prim-msr-access", "MSR access `rdmsr` at 0x15D2 (IOCTL 0x9C402604) in sub_1580", 0x15D2);
  a.location.function_rva = 0x1580;
  Finding b = finding("prim-msr-access", "MSR access `rdmsr` at 0x2A10 (IOCTL 0x9C402604) in sub_29F0", 0x2A10);
  b.location.function_rva = 0x29F0;
  EXPECT_EQ(fingerprint_key(a), fingerprint_key(b));
  EXPECT_EQ(fingerprint_of(a), fingerprint_of(b));
  // The IOCTL code is a fact, not a place: another code is another finding.
  Finding c = finding("prim-msr-access", "MSR access `rdmsr` at 0x2A10 (IOCTL 0x9C402608) in sub_29F0", 0x2A10);
  EXPECT_NE(fingerprint_of(a), fingerprint_of(c));
  // A number that is not the location's address stays (here a pool type equal to no address).
  EXPECT_NE(fingerprint_key(finding("hv-executable-pool", "pool type 0x0 at 0x10", 0x10)),
            fingerprint_key(finding("hv-executable-pool", "pool type 0x200 at 0x10", 0x10)));
}

TEST(Fingerprint, FileNameRuleAndNamedFunctionArePartOfIt) {
  const Finding a = finding("mit-nx-compat", "image is not marked NX-compatible", std::nullopt, "/one/x.sys");
  EXPECT_EQ(fingerprint_of(a), fingerprint_of(finding("mit-nx-compat", a.message, std::nullopt, "/elsewhere/X.SYS")))
      << "the folder is not part of it, and Windows names are case-insensitive";
  EXPECT_NE(fingerprint_of(a), fingerprint_of(finding("mit-nx-compat", a.message, std::nullopt, "/one/y.sys")));
  EXPECT_NE(fingerprint_of(a), fingerprint_of(finding("mit-dynamic-base", a.message, std::nullopt, "/one/x.sys")));
  Finding named = finding("prim-port-io", "Port I/O `in` at 0x100", 0x100);
  named.location.function = "ReadPort";
  EXPECT_NE(fingerprint_of(named), fingerprint_of(finding("prim-port-io", "Port I/O `in` at 0x100", 0x100)));
}

TEST(Fingerprint, RepeatsInOneFileAreRankedInAddressOrder) {
  std::vector<Finding> v{finding("prim-port-io", "Port I/O `in` at 0x100", 0x100),
                         finding("prim-port-io", "Port I/O `in` at 0x180", 0x180),
                         finding("prim-port-io", "Port I/O `in` at 0x100", 0x100, "/b/other.sys")};
  std::sort(v.begin(), v.end(), finding_less);
  assign_fingerprints(v);
  std::set<std::string> distinct;
  for (const Finding& f : v) distinct.insert(f.fingerprint);
  EXPECT_EQ(distinct.size(), 3u);
  // The first occurrence keeps its fingerprint when a second appears after it.
  std::vector<Finding> alone{finding("prim-port-io", "Port I/O `in` at 0x140", 0x140)};
  assign_fingerprints(alone);
  const auto first = std::find_if(v.begin(), v.end(), [](const Finding& f) { return f.location.rva == 0x100u && f.location.path == "/a/drv.sys"; });
  EXPECT_EQ(alone[0].fingerprint, first->fingerprint);
}

// A scratch folder under the build tree, emptied first.
std::string scratch(const std::string& name) {
  const fs::path dir = fs::path(DRVSEC_BINARY_DIR) / "test-output" / "fingerprint" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

json scan_json(const std::string& args) {
  const auto r = run_drvsec("scan " + args + " --format json --fail-on none");
  EXPECT_EQ(r.exit_code, 0) << args;
  return json::parse(r.out);
}

std::multiset<std::string> fingerprints(const json& doc) {
  std::multiset<std::string> out;
  for (const json& f : doc["findings"]) out.insert(f["fingerprint"].get<std::string>());
  return out;
}

// The primitives fixture and the same source rebuilt with an unrelated function first: the code
// moves, and every finding keeps its fingerprint (the old hash of message + sub_<rva> kept none).
TEST(Fingerprint, SurvivesARebuildWithAnUnrelatedFunctionAdded) {
  for (const char* tc : {"mingw-x64", "mingw-x86", "clang-x64", "clang-x86"}) {
    const std::string dir = scratch(std::string("rebuild-") + tc);
    fs::create_directories(dir + "/before");
    fs::create_directories(dir + "/after");
    fs::copy_file(fixture(std::string("primitives_") + tc + ".sys"), dir + "/before/primitives.sys");
    fs::copy_file(fixture(std::string("primitives_rebuilt_") + tc + ".sys"), dir + "/after/primitives.sys");
    const json before = scan_json("'" + dir + "/before/primitives.sys'");
    const json after = scan_json("'" + dir + "/after/primitives.sys'");
    // The rebuild really moved the primitives (else the test proves nothing): in address order, each
    // primitive of the rebuilt driver lies elsewhere than its counterpart.
    auto primitive_rvas = [](const json& doc) {
      std::vector<uint64_t> rvas;
      for (const json& f : doc["findings"])
        if (f["rule_id"].get<std::string>().rfind("prim-", 0) == 0)
          rvas.push_back(std::stoull(f["location"]["rva"].get<std::string>(), nullptr, 16));
      std::sort(rvas.begin(), rvas.end());
      return rvas;
    };
    const std::vector<uint64_t> rvas_before = primitive_rvas(before), rvas_after = primitive_rvas(after);
    ASSERT_GE(rvas_before.size(), 8u) << tc;
    ASSERT_EQ(rvas_before.size(), rvas_after.size()) << tc;
    for (size_t i = 0; i < rvas_before.size(); ++i) EXPECT_NE(rvas_before[i], rvas_after[i]) << tc << ": primitive " << i << " did not move";
    EXPECT_EQ(fingerprints(before), fingerprints(after)) << tc;
    const std::multiset<std::string> all = fingerprints(before);
    EXPECT_EQ(all.size(), std::set<std::string>(all.begin(), all.end()).size()) << tc << ": fingerprints are unique within a file";
  }
}

TEST(Fingerprint, SameFindingsOnTwoDriversDoNotCollide) {
  const std::string dir = scratch("two-names");
  fs::copy_file(fixture("primitives_mingw-x64.sys"), dir + "/one.sys");
  fs::copy_file(fixture("primitives_mingw-x64.sys"), dir + "/two.sys");
  const json doc = scan_json("'" + dir + "'");
  const auto all = fingerprints(doc);
  EXPECT_GT(all.size(), 10u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
}

TEST(Baseline, ReportsOnlyWhatIsNew) {
  const std::string dir = scratch("baseline");
  const std::string samples = source_path("samples");
  const std::string careless = fixture("primitives_mingw-x64.sys");
  // The baseline knows the samples and one more driver; the run scans the samples alone.
  ASSERT_EQ(run_drvsec("scan '" + samples + "' '" + careless + "' --fail-on none --format sarif -o '" + dir + "/base.sarif'").exit_code, 0);
  ASSERT_EQ(run_drvsec("scan '" + samples + "' '" + careless + "' --fail-on none --format json -o '" + dir + "/base.json'").exit_code, 0);
  const json base = json::parse(read_file(dir + "/base.json"));
  size_t fixture_findings = 0, sample_findings = 0;
  for (const json& f : base["findings"]) (f["location"]["path"] == careless ? fixture_findings : sample_findings)++;
  ASSERT_GT(fixture_findings, 0u);
  ASSERT_GT(sample_findings, 0u);
  for (const char* file : {"base.sarif", "base.json"}) {
    const auto r = run_drvsec("scan '" + samples + "' --fail-on warning --format json --baseline '" + dir + "/" + file + "'");
    EXPECT_EQ(r.exit_code, 0) << file << ": nothing new, so the gate passes";
    const json doc = json::parse(r.out);
    EXPECT_TRUE(doc["findings"].empty()) << file;
    EXPECT_EQ(doc["summary"]["baseline"]["new"], 0u);
    EXPECT_EQ(doc["summary"]["baseline"]["unchanged"], sample_findings);
    EXPECT_EQ(doc["summary"]["baseline"]["absent"], fixture_findings);
  }
  // A baseline that lacks some findings: those, and only those, are reported, and gate the run.
  ASSERT_EQ(run_drvsec("scan '" + samples + "' --rule mit-nx-compat --fail-on none --format json -o '" + dir + "/nx.json'").exit_code, 0);
  const auto r = run_drvsec("scan '" + samples + "' --fail-on warning --format sarif --baseline '" + dir + "/nx.json'");
  EXPECT_EQ(r.exit_code, 1);
  const json sarif = json::parse(r.out);
  const json& run = sarif["runs"][0];
  size_t nx_in_base = json::parse(read_file(dir + "/nx.json"))["findings"].size();
  EXPECT_EQ(run["results"].size(), sample_findings - nx_in_base);
  for (const json& result : run["results"]) {
    EXPECT_NE(result["ruleId"], "mit-nx-compat");
    EXPECT_EQ(result["baselineState"], "new");
  }
  EXPECT_EQ(run["properties"]["baseline"]["unchanged"], nx_in_base);
  // The text report says what was left out.
  const auto text = run_drvsec("scan '" + samples + "' --fail-on none --color never --baseline '" + dir + "/base.json'");
  EXPECT_NE(text.out.find(fmt::format("0 new, {} unchanged (not shown), {} no longer found", sample_findings, fixture_findings)),
            std::string::npos) << text.out;
}

TEST(Baseline, NeverHidesAnInputThatCouldNotBeAnalyzed) {
  const std::string dir = scratch("baseline-errors");
  { std::ofstream(dir + "/broken.sys") << "MZ not really a driver"; }
  fs::copy_file(fixture("minimal_wdm_mingw-x64.sys"), dir + "/ok.sys");
  ASSERT_EQ(run_drvsec("scan '" + dir + "' --fail-on none --format json -o '" + dir + "/base.json'").exit_code, 3);
  const auto r = run_drvsec("scan '" + dir + "' --fail-on none --format json --baseline '" + dir + "/base.json'");
  EXPECT_EQ(r.exit_code, 3);
  bool reported = false;
  const json doc = json::parse(r.out);
  for (const json& f : doc["findings"]) reported |= f["rule_id"] == "input-not-analyzed";
  EXPECT_TRUE(reported);
}

TEST(Baseline, ABadBaselineIsAUsageError) {
  const std::string dir = scratch("baseline-bad");
  const std::string samples = "'" + source_path("samples") + "'";
  EXPECT_EQ(run_drvsec("scan " + samples + " --baseline '" + dir + "/absent.json'").exit_code, 2);
  { std::ofstream(dir + "/not-json.json") << "{ nope"; }
  EXPECT_EQ(run_drvsec("scan " + samples + " --baseline '" + dir + "/not-json.json'").exit_code, 2);
  { std::ofstream(dir + "/other-tool.sarif") << R"({"runs":[{"tool":{"driver":{"name":"other"}},"results":[]}]})"; }
  EXPECT_EQ(run_drvsec("scan " + samples + " --baseline '" + dir + "/other-tool.sarif'").exit_code, 2);
  // Fingerprints of the earlier drvsec (message + sub_<rva>) cannot be compared: said, not guessed.
  { std::ofstream(dir + "/v1.sarif") << R"({"runs":[{"tool":{"driver":{"name":"drvsec"}},"results":[{"partialFingerprints":{"drvsecFindingHash/v1":"ab"}}]}]})"; }
  const auto v1 = run_command("'" + std::string(DRVSEC_EXE) + "' scan " + samples + " --baseline '" + dir + "/v1.sarif' 2>&1 >/dev/null");
  EXPECT_EQ(v1.exit_code, 2);
  EXPECT_NE(v1.out.find("older drvsec"), std::string::npos) << v1.out;
  EXPECT_EQ(run_drvsec("scan " + samples + " --format jsonl --baseline '" + dir + "/v1.sarif'").exit_code, 2);
}

TEST(Baseline, MergeJudgesTheShardsAgainstIt) {
  const std::string dir = scratch("baseline-merge");
  const std::string samples = "'" + source_path("samples") + "'";
  ASSERT_EQ(run_drvsec("scan " + samples + " --fail-on none --format json -o '" + dir + "/base.json'").exit_code, 0);
  for (int k = 1; k <= 2; ++k)
    ASSERT_EQ(run_drvsec(fmt::format("scan {} --fail-on none --format jsonl --shard {}/2 -o '{}/s{}.jsonl'", samples, k, dir, k)).exit_code, 0);
  const auto r = run_drvsec(fmt::format("merge '{0}/s1.jsonl' '{0}/s2.jsonl' --format json --fail-on warning --baseline '{0}/base.json'", dir));
  EXPECT_EQ(r.exit_code, 0);
  const json doc = json::parse(r.out);
  EXPECT_TRUE(doc["findings"].empty());
  EXPECT_EQ(doc["summary"]["baseline"]["unchanged"], json::parse(read_file(dir + "/base.json"))["findings"].size());
}

}  // namespace
}  // namespace drvsec::test

namespace drvsec::test {
namespace {

// Two real versions of one driver from the test corpus (../shared, when present), copied under one
// name as a new release would be: most findings keep their fingerprint although the code moved. The
// ones that change are facts that changed (measured on ten such pairs: 505 of 544 kept; docs/README.md).
TEST(Fingerprint, SurvivesBetweenTwoReleasesOfARealDriver) {
  const std::string corpus = shared_path("corpus/ioctlance");
  if (!fs::is_directory(corpus)) GTEST_SKIP() << "../shared/corpus is not present";
  const std::vector<std::pair<std::string, std::string>> pairs{
      {"Dh_Kernel.sys", "Dh_Kernel_10.sys"},
      {"cpuz141.sys", "cpuz_x64.sys"},
      {"NTIOLib_1e8b0c1966e566a523d652e00f7727d8b0663f1dfdce3b9a09b9adfaef48d8ee.sys",
       "NTIOLib_cf4b5fa853ce809f1924df3a3ae3c4e191878c4ea5248d8785dc7e51807a512b.sys"}};
  for (const auto& [older, newer] : pairs) {
    SCOPED_TRACE(newer);
    const std::string dir = scratch("release-" + older);
    fs::create_directories(dir + "/old");
    fs::create_directories(dir + "/new");
    fs::copy_file(corpus + "/" + older, dir + "/old/driver.sys");
    fs::copy_file(corpus + "/" + newer, dir + "/new/driver.sys");
    const json a = scan_json("'" + dir + "/old/driver.sys'");
    const json b = scan_json("'" + dir + "/new/driver.sys'");
    const auto before = fingerprints(a);
    size_t kept = 0, moved = 0;
    std::set<std::string> old_rvas;
    for (const json& f : a["findings"])
      if (f["location"].contains("rva")) old_rvas.insert(f["rule_id"].get<std::string>() + f["location"]["rva"].get<std::string>());
    for (const json& f : b["findings"]) {
      kept += before.count(f["fingerprint"].get<std::string>()) > 0;
      if (f["location"].contains("rva"))
        moved += !old_rvas.count(f["rule_id"].get<std::string>() + f["location"]["rva"].get<std::string>());
    }
    ASSERT_GT(b["findings"].size(), 20u);
    EXPECT_GT(moved, b["findings"].size() / 4) << "the releases' code is laid out differently";
    EXPECT_GE(kept * 10, b["findings"].size() * 9) << kept << " of " << b["findings"].size() << " kept";
  }
}

}  // namespace
}  // namespace drvsec::test
