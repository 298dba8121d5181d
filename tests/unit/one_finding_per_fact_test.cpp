// One finding per fact (issue #19 §3): a dangerous primitive is reported once per site, naming every
// IOCTL that reaches it, and no (site, IOCTL, primitive) fact of the driver model is lost from the
// findings. Checked on every fixture driver, and on the test corpus when ../shared is present.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace drvsec::test {
namespace {

using nlohmann::json;

// For each driver of a JSON report: every primitive of the model is on exactly one prim-* finding
// (memcpy-like copies only when caller-controlled), and that finding names each IOCTL reaching it.
void expect_every_fact_reported(const json& doc, size_t& primitives_seen, size_t& pairs_seen) {
  std::map<std::pair<std::string, std::string>, std::set<std::string>> reported;  // (path, primitive id) -> ioctl ids
  std::map<std::pair<std::string, std::string>, int> findings_per_site;
  for (const json& f : doc["findings"]) {
    if (f["rule_id"].get<std::string>().rfind("prim-", 0) != 0) continue;
    const std::string path = f["location"]["path"];
    std::string primitive;
    std::set<std::string> ioctls;
    for (const json& fact : f["facts"]) {
      const std::string id = fact;
      if (id.rfind("primitive/", 0) == 0) primitive = id;
      if (id.rfind("ioctl/", 0) == 0) ioctls.insert(id);
    }
    ASSERT_FALSE(primitive.empty()) << f["message"];
    ++findings_per_site[{path, primitive}];
    reported[{path, primitive}] = ioctls;
  }
  for (const auto& [site, n] : findings_per_site) EXPECT_EQ(n, 1) << site.first << " " << site.second << ": one finding per site";
  for (const json& d : doc["drivers"]) {
    if (!d.contains("primitives")) continue;
    for (const json& p : d["primitives"]) {
      if (p["kind"] == "kernel_memory_copy" && !p["controlled"].get<bool>()) continue;  // not a primitive unless controlled
      ++primitives_seen;
      const auto it = reported.find({d["path"].get<std::string>(), p["id"].get<std::string>()});
      ASSERT_NE(it, reported.end()) << d["path"] << " " << p["id"] << " has no finding";
      std::set<std::string> expected;
      for (const json& code : p["ioctls"]) expected.insert("ioctl/" + code.get<std::string>());
      EXPECT_EQ(it->second, expected) << d["path"] << " " << p["id"];
      pairs_seen += expected.size();
    }
  }
}

json scan(const std::string& path) {
  const auto r = run_drvsec("scan '" + path + "' --format json --fail-on none");
  EXPECT_EQ(r.exit_code, 0) << path;
  return json::parse(r.out);
}

TEST(OneFindingPerFact, FixtureDrivers) {
  size_t primitives = 0, pairs = 0;
  expect_every_fact_reported(scan(DRVSEC_FIXTURE_DIR), primitives, pairs);
  EXPECT_GT(primitives, 40u);
  EXPECT_GT(pairs, 40u);
}

TEST(OneFindingPerFact, Corpus) {
  const std::string corpus = shared_path("corpus/ioctlance");
  if (!std::filesystem::is_directory(corpus)) GTEST_SKIP() << "../shared/corpus is not present";
  size_t primitives = 0, pairs = 0;
  expect_every_fact_reported(scan(corpus), primitives, pairs);
  EXPECT_GT(primitives, 1000u);
  EXPECT_GT(pairs, 1000u);
}

}  // namespace
}  // namespace drvsec::test

namespace drvsec::test {
namespace {

// --min-severity / --min-confidence leave findings out of the report and the exit decision, and say
// how many; an input that could not be analyzed is never left out.
TEST(Thresholds, LeaveFindingsOutAndCountThem) {
  const std::string driver = "'" + fixture("primitives_mingw-x64.sys") + "'";
  const json all = json::parse(run_drvsec("scan " + driver + " --format json --fail-on none").out);
  size_t errors = 0, high = 0;
  for (const json& f : all["findings"]) {
    errors += f["severity"] == "error";
    high += f["confidence"] == "high";
  }
  ASSERT_GT(errors, 0u);
  ASSERT_LT(errors, all["findings"].size());
  const auto r = run_drvsec("scan " + driver + " --format json --fail-on none --min-severity error");
  EXPECT_EQ(r.exit_code, 0);
  const json only_errors = json::parse(r.out);
  EXPECT_EQ(only_errors["findings"].size(), errors);
  for (const json& f : only_errors["findings"]) EXPECT_EQ(f["severity"], "error");
  EXPECT_EQ(only_errors["summary"]["threshold"]["hidden"], all["findings"].size() - errors);
  const json confident = json::parse(run_drvsec("scan " + driver + " --format json --fail-on none --min-confidence high").out);
  EXPECT_EQ(confident["findings"].size(), high);
  // The gate follows what is shown: warnings left out cannot fail --fail-on warning.
  const std::string clean = "'" + fixture("minimal_wdm_mingw-x64.sys") + "'";
  const json minimal = json::parse(run_drvsec("scan " + clean + " --format json --fail-on none").out);
  bool has_error = false;
  for (const json& f : minimal["findings"]) has_error |= f["severity"] == "error";
  ASSERT_FALSE(has_error) << "the minimal driver has warnings and notes only";
  ASSERT_EQ(run_drvsec("scan " + clean + " --fail-on warning").exit_code, 1);
  EXPECT_EQ(run_drvsec("scan " + clean + " --fail-on warning --min-severity error").exit_code, 0);
  const auto text = run_drvsec("scan " + driver + " --color never --fail-on none --min-severity error");
  EXPECT_NE(text.out.find(fmt::format("{} findings below --min-severity error / --min-confidence low not shown",
                                      all["findings"].size() - errors)), std::string::npos) << text.out;
  // jsonl takes no threshold (the merge does).
  EXPECT_EQ(run_drvsec("scan " + driver + " --format jsonl --min-severity error").exit_code, 2);
  // A truncated driver is still reported, whatever the thresholds.
  const std::string dir = output_path("thresholds/broken");
  std::filesystem::create_directories(dir);
  { std::ofstream(dir + "/broken.sys") << "MZ"; }
  const auto broken = run_drvsec("scan '" + dir + "/broken.sys' --format json --min-severity error --min-confidence high");
  EXPECT_EQ(broken.exit_code, 3);
  EXPECT_FALSE(json::parse(broken.out)["findings"].empty());
}

}  // namespace
}  // namespace drvsec::test
