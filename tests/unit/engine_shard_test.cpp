// Streaming and sharding as a user meets them: --format jsonl, --files-from, --shard K/N and
// `drvsec merge`, which must give exactly the report of one unsharded scan.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "engine/package.h"
#include "test_support.h"

namespace drvsec::test {
namespace {

using drvsec::shard_of;

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    out.push_back(text.substr(start, end - start));
  return out;
}

// Each test's own folder: ctest runs the tests of this file in parallel processes.
std::string test_path(const std::string& name) {
  return output_path(std::string("shards/") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/" + name);
}

const std::string kMissing = "/nonexistent/missing.sys";
std::string junk_path() { return test_path("junk.sys"); }

// A list of real inputs: the fixture drivers, the Wine drivers when setup fetched them, a file that
// is not a PE, and a path that does not exist.
std::string make_list() {
  const std::string list = test_path("list.txt");
  std::ofstream out(list);
  for (const auto& e : fs::directory_iterator(DRVSEC_FIXTURE_DIR))
    if (e.is_regular_file()) out << e.path().string() << '\n';
  if (fs::exists(thirdparty_path("wine")))
    for (const auto& e : fs::recursive_directory_iterator(thirdparty_path("wine")))
      if (e.is_regular_file()) out << e.path().string() << '\n';
  std::ofstream(junk_path()) << "not a driver";
  out << junk_path() << '\n' << kMissing << '\n';
  return list;
}

struct Shards {
  std::string list = make_list();
  std::vector<std::string> files;
  explicit Shards(int n, const std::string& options = "") {
    const std::string junk = junk_path();
    for (int k = 1; k <= n; ++k) {
      files.push_back(test_path("shard-" + std::to_string(k) + ".jsonl"));
      EXPECT_EQ(run_drvsec("scan --files-from '" + list + "' --shard " + std::to_string(k) + "/" + std::to_string(n) +
                               " --format jsonl " + options + " -o '" + files.back() + "'")
                    .exit_code,
                // exit 3 for the shards that hold the junk file or the missing path (inputs not analyzed)
                k == static_cast<int>(shard_of(junk, n)) || k == static_cast<int>(shard_of(kMissing, n)) ? 3 : 1);
    }
  }
  std::string merge_args(std::initializer_list<int> skip = {}) const {
    std::string args;
    for (size_t k = 0; k < files.size(); ++k)
      if (std::find(skip.begin(), skip.end(), static_cast<int>(k + 1)) == skip.end()) args += " '" + files[k] + "'";
    return args;
  }
};

TEST(Shards, MergedShardsEqualOneScanInEveryFormat) {
  Shards shards(3);
  for (const std::string format : {"json", "sarif", "text"}) {
    const auto single = run_drvsec("scan --files-from '" + shards.list + "' --format " + format);
    const auto merged = run_drvsec("merge" + shards.merge_args() + " --format " + format);
    EXPECT_EQ(single.exit_code, 3);
    EXPECT_EQ(merged.exit_code, 3);
    EXPECT_FALSE(single.out.empty());
    EXPECT_EQ(merged.out, single.out) << format;
  }
  // The merged JSON holds every driver of the list: the analysed ones and the two that failed (the
  // list's other files, .lib and .pdb, are skipped and counted like files found in a folder).
  const auto doc = nlohmann::json::parse(run_drvsec("merge" + shards.merge_args() + " --format json").out);
  std::set<std::string> reported;
  for (const auto& a : doc["artifacts"]) reported.insert(a["path"].get<std::string>());
  size_t drivers = 0;
  for (const std::string& path : lines_of(read_file(shards.list)))
    if (path.ends_with(".sys")) {
      EXPECT_TRUE(reported.count(path)) << path;
      ++drivers;
    }
  EXPECT_EQ(reported.size(), drivers);
  EXPECT_GT(doc["summary"]["skipped"]["other_files"], 0);
}

TEST(Shards, JsonlIsOneRecordPerPackageInKeyOrderForAnyJobCount) {
  const std::string list = make_list();
  const auto one = run_drvsec("scan --files-from '" + list + "' --format jsonl --jobs 1");
  const auto two = run_drvsec("scan --files-from '" + list + "' --format jsonl --jobs 2");
  EXPECT_EQ(one.out, two.out);
  const auto lines = lines_of(one.out);
  ASSERT_GE(lines.size(), 3u);
  const auto header = nlohmann::json::parse(lines.front());
  EXPECT_EQ(header["record"], "header");
  EXPECT_EQ(header["shard"]["index"], 1);
  EXPECT_EQ(header["shard"]["count"], 1);
  EXPECT_EQ(header["packages"].size() + 2, lines.size());
  EXPECT_EQ(header["all_packages"], header["packages"].size());
  std::string previous;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    const auto record = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(record["record"], "package");
    EXPECT_EQ(record["key"], header["packages"][i - 1]);
    EXPECT_LT(previous, record["key"].get<std::string>());
    previous = record["key"];
  }
  const auto end = nlohmann::json::parse(lines.back());
  EXPECT_EQ(end["record"], "end");
  EXPECT_EQ(end["packages"], lines.size() - 2);
}

TEST(Shards, EveryPackageIsInExactlyOneShard) {
  Shards shards(4);
  std::multiset<std::string> keys;
  size_t all = 0;
  for (const std::string& file : shards.files) {
    const auto header = nlohmann::json::parse(lines_of(read_file(file)).front());
    all = header["all_packages"];
    for (const auto& k : header["packages"]) keys.insert(k.get<std::string>());
  }
  EXPECT_EQ(keys.size(), all);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
}

TEST(Shards, MergeNamesWhatIsMissing) {
  Shards shards(3);
  // A whole shard missing: named by number, and with the list each of its packages by path.
  std::set<std::string> shard2;
  const auto shard2_header = nlohmann::json::parse(lines_of(read_file(shards.files[1])).front());
  for (const auto& k : shard2_header["packages"]) shard2.insert(k.get<std::string>());
  ASSERT_FALSE(shard2.empty());
  auto r = run_command("'" + std::string(DRVSEC_EXE) + "' merge" + shards.merge_args({2}) + " --files-from '" +
                       shards.list + "' --format json 2>&1 >/dev/null");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("shard 2/3 is missing"), std::string::npos) << r.out;
  for (const std::string& key : shard2) EXPECT_NE(r.out.find("missing: " + key), std::string::npos) << key;
  // The report itself says so: one input-not-analyzed error per missing package.
  const auto doc = nlohmann::json::parse(
      run_drvsec("merge" + shards.merge_args({2}) + " --files-from '" + shards.list + "' --format json").out);
  size_t named = 0;
  for (const auto& f : doc["findings"])
    if (f["rule_id"] == "input-not-analyzed" && shard2.count(f["location"]["path"].get<std::string>()) &&
        f["message"].get<std::string>().find("shard 2/3 is missing") != std::string::npos)
      ++named;
  EXPECT_EQ(named, shard2.size());

  // A shard cut short (a killed task): the packages after the cut are named.
  const auto lines = lines_of(read_file(shards.files[0]));
  ASSERT_GE(lines.size(), 4u);
  const std::string cut = test_path("cut.jsonl");
  std::ofstream(cut) << lines[0] << '\n' << lines[1] << '\n' << lines[2].substr(0, lines[2].size() / 2);
  r = run_command("'" + std::string(DRVSEC_EXE) + "' merge '" + cut + "' '" + shards.files[1] + "' '" + shards.files[2] +
                  "' 2>&1 >/dev/null");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("cut short"), std::string::npos) << r.out;
  const auto header = nlohmann::json::parse(lines[0]);
  for (size_t i = 1; i < header["packages"].size(); ++i)
    EXPECT_NE(r.out.find("missing: " + header["packages"][i].get<std::string>()), std::string::npos);
  EXPECT_EQ(r.out.find("missing: " + header["packages"][0].get<std::string>()), std::string::npos);
}

TEST(Shards, MergeRefusesShardsOfDifferentScans) {
  Shards shards(2);
  const std::string other = test_path("other-depth.jsonl");
  ASSERT_EQ(run_drvsec("scan --files-from '" + shards.list + "' --shard 2/2 --depth headers --format jsonl -o '" + other + "'").exit_code, 3);
  EXPECT_EQ(run_drvsec("merge '" + shards.files[0] + "' '" + other + "'").exit_code, 2);
  EXPECT_EQ(run_drvsec("merge '" + shards.files[0] + "' '" + shards.files[0] + "'").exit_code, 2);  // shard 1 twice
  const std::string junk = test_path("junk.jsonl");
  std::ofstream(junk) << "{\"record\":\"header\"}\n";
  EXPECT_EQ(run_drvsec("merge '" + junk + "'").exit_code, 3);
}

TEST(Shards, ShardAndListUsageErrors) {
  EXPECT_EQ(run_drvsec("scan --files-from /nonexistent/list").exit_code, 2);
  EXPECT_EQ(run_drvsec(std::string("scan --format jsonl --report-dir /tmp/x ") + DRVSEC_FIXTURE_DIR).exit_code, 2);
  for (const char* bad : {"0/2", "3/2", "1/0", "x", "1/2/3", "1/2x"})
    EXPECT_EQ(run_drvsec(std::string("scan --shard ") + bad + " " + DRVSEC_FIXTURE_DIR).exit_code, 2) << bad;
  // The list from standard input, NUL-separated.
  const std::string driver = std::string(DRVSEC_FIXTURE_DIR) + "/minimal_wdm_mingw-x64.sys";
  const auto r = run_command("printf '%s\\0' '" + driver + "' | '" + std::string(DRVSEC_EXE) +
                             "' scan --files-from - --format json --fail-on none 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["artifacts"].size(), 1u);
}

}  // namespace
}  // namespace drvsec::test

namespace drvsec::test {
namespace {

// The progress line is drawn only on a terminal (script(1) gives drvsec one) and never with --quiet.
TEST(Progress, OnlyOnATerminalAndNotWithQuiet) {
  const std::string scan = std::string("'") + DRVSEC_EXE + "' scan --format json -o /dev/null --fail-on none " + DRVSEC_FIXTURE_DIR;
  const auto tty = run_command("script -qec \"" + scan + "\" /dev/null 2>&1");
  EXPECT_NE(tty.out.find(" packages, "), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("ETA"), std::string::npos);
  const auto quiet = run_command("script -qec \"" + scan + " --quiet\" /dev/null 2>&1");
  EXPECT_EQ(quiet.out.find(" packages, "), std::string::npos) << quiet.out;
  const auto piped = run_command(scan + " 2>&1");  // stderr is a pipe here
  EXPECT_EQ(piped.out, "");
}

}  // namespace
}  // namespace drvsec::test
