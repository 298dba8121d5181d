// A CI gate must not pass on inputs drvsec could not see (issue #19 §1): unreadable folders,
// dangling links, link loops, a scan without any kernel driver, code it could not decode, and
// kernel drivers whose headers hide what they are. Each is reported and gives exit 3.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace drvsec::test {
namespace {

namespace fs = std::filesystem;

// A fresh folder under /tmp (readable by every user: the unreadable-folder case runs as nobody).
struct TempTree {
  fs::path root;
  TempTree() {
    char name[] = "/tmp/drvsec-gate-XXXXXX";
    root = ::mkdtemp(name);
    fs::permissions(root, fs::perms::all & ~fs::perms::others_write & ~fs::perms::group_write);
  }
  ~TempTree() {
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec))
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::permissions(root / "locked", fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(root, ec);
  }
  std::string at(const std::string& rel) const { return (root / rel).string(); }
};

// Runs drvsec as an unprivileged user when the tests run as root (root reads any folder).
CommandResult run_unprivileged(const std::string& args) {
  const std::string prefix = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  return run_command(prefix + "'" + DRVSEC_EXE + "' " + args + " 2>/dev/null");
}

// The artifact errors of a JSON report, by path.
std::map<std::string, std::string> errors_by_path(const std::string& json) {
  std::map<std::string, std::string> out;
  const auto report = nlohmann::json::parse(json);
  for (const auto& a : report["artifacts"])
    if (!a["errors"].empty()) out[a["path"]] = a["errors"][0];
  return out;
}

std::vector<uint8_t> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
// The file offset of the PE optional header.
size_t optional_header(const std::vector<uint8_t>& b) {
  const uint32_t pe = b[0x3C] | b[0x3D] << 8 | b[0x3E] << 16 | static_cast<uint32_t>(b[0x3F]) << 24;
  return pe + 24;
}

TEST(NothingPassesSilently, UnreadableFoldersDanglingLinksAndLoopsAreErrors) {
  TempTree t;
  fs::create_directories(t.root / "sub");
  fs::copy_file(fixture("minimal_wdm_mingw-x64.sys"), t.root / "sub" / "driver.sys");
  fs::create_directories(t.root / "locked");
  fs::copy_file(fixture("minimal_wdm_mingw-x64.sys"), t.root / "locked" / "hidden.sys");
  fs::permissions(t.root / "locked", fs::perms::none);
  fs::create_symlink("/nonexistent/target.sys", t.root / "dangling.sys");
  fs::create_directory_symlink(t.root, t.root / "sub" / "up");         // a loop back to the root
  fs::create_directory_symlink(t.root / "sub", t.root / "linked-sub");  // followed: not a loop
  const auto r = run_unprivileged("scan '" + t.root.string() + "' --format json --fail-on none");
  EXPECT_EQ(r.exit_code, 3);
  const auto errors = errors_by_path(r.out);
  ASSERT_TRUE(errors.count(t.at("locked"))) << t.at("locked") << " not in " << nlohmann::json(errors).dump();
  EXPECT_NE(errors.at(t.at("locked")).find("cannot list folder"), std::string::npos);
  ASSERT_TRUE(errors.count(t.at("dangling.sys")));
  EXPECT_EQ(errors.at(t.at("dangling.sys")), "symbolic link to /nonexistent/target.sys: No such file or directory");
  ASSERT_TRUE(errors.count(t.at("sub/up")));
  ASSERT_TRUE(errors.count(t.at("linked-sub/up")));  // the same loop, reached through the followed link
  EXPECT_NE(errors.at(t.at("sub/up")).find("symbolic link loop"), std::string::npos);
  // The driver is scanned by both of its paths; nothing else is an error.
  EXPECT_EQ(errors.size(), 4u);
  const auto j = nlohmann::json::parse(r.out);
  std::set<std::string> drivers;
  for (const auto& d : j["drivers"]) drivers.insert(d["path"]);
  EXPECT_EQ(drivers, (std::set<std::string>{t.at("linked-sub/driver.sys"), t.at("sub/driver.sys")}));
}

TEST(NothingPassesSilently, AScanWithoutAKernelDriverIsExit3) {
  TempTree t;
  fs::create_directories(t.root / "empty");
  std::ofstream(t.root / "notes" ) << "not a driver";
  const auto empty = run_command("'" + std::string(DRVSEC_EXE) + "' scan '" + t.at("empty") + "' --format json 2>&1 >/dev/null");
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.out.find("no kernel driver found in 0 input file(s)"), std::string::npos) << empty.out;
  // A user-mode PE image alone: analysed, and still no driver to check.
  EXPECT_EQ(run_drvsec("scan '" + fixture("pe_exports_mingw-x64.sys") + "' --format json").exit_code, 3);
  // The same scan with a driver in it passes by its findings.
  EXPECT_EQ(run_drvsec("scan '" + fixture("minimal_wdm_mingw-x64.sys") + "' --fail-on none").exit_code, 0);
  // A shard may hold no driver; the merge of a scan without any is exit 3.
  const std::string shard = t.at("shard.jsonl");
  EXPECT_EQ(run_drvsec("scan '" + t.at("empty") + "' --shard 1/2 --format jsonl -o '" + shard + "'").exit_code, 0);
  EXPECT_EQ(run_drvsec("merge '" + shard + "' --format json").exit_code, 3);
}

TEST(NothingPassesSilently, AKernelDriverMarkedAsAConsoleProgramIsStillAnalyzed) {
  TempTree t;
  auto b = bytes_of(source_path("samples/bin/careless.sys"));
  ASSERT_GT(b.size(), 0x400u);
  const size_t subsystem = optional_header(b) + 68;
  ASSERT_EQ(b[subsystem], 1);  // IMAGE_SUBSYSTEM_NATIVE
  b[subsystem] = 3;            // IMAGE_SUBSYSTEM_WINDOWS_CUI
  write_bytes(t.at("cui.sys"), b);
  const auto original = nlohmann::json::parse(run_drvsec("scan '" + source_path("samples/bin/careless.sys") + "' --format json").out);
  const auto patched = nlohmann::json::parse(run_drvsec("scan '" + t.at("cui.sys") + "' --format json").out);
  EXPECT_TRUE(patched["drivers"][0]["kernel_driver"]);
  std::multiset<std::string> before, after;
  for (const auto& f : original["findings"]) before.insert(f["rule_id"].get<std::string>() + " " + f["message"].get<std::string>());
  for (const auto& f : patched["findings"]) after.insert(f["rule_id"].get<std::string>() + " " + f["message"].get<std::string>());
  EXPECT_EQ(after, before);
  EXPECT_GT(after.size(), 20u);
}

TEST(NothingPassesSilently, ATruncatedDriverIsADriverWithItsDamageReported) {
  TempTree t;
  auto b = bytes_of(source_path("samples/bin/careless.sys"));
  b.resize(600);  // the headers and part of the section table
  write_bytes(t.at("truncated.sys"), b);
  const auto r = run_drvsec("scan '" + t.at("truncated.sys") + "' --format json");
  EXPECT_EQ(r.exit_code, 3);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["drivers"][0]["kernel_driver"]);
  EXPECT_FALSE(j["artifacts"][0]["gaps"].empty());
}

TEST(NothingPassesSilently, MachineCodeThatIsNotDecodedIsAGapInTheReportAndTheExitCode) {
  TempTree t;
  auto b = bytes_of(fixture("minimal_wdm_mingw-x64.sys"));
  const size_t machine = optional_header(b) - 20;  // COFF header Machine
  ASSERT_EQ(b[machine] | b[machine + 1] << 8, 0x8664);
  b[machine] = 0x64, b[machine + 1] = 0xAA;  // IMAGE_FILE_MACHINE_ARM64: no decoder yet
  write_bytes(t.at("arm64.sys"), b);
  const auto code = run_drvsec("scan '" + t.at("arm64.sys") + "' --format json --fail-on none");
  EXPECT_EQ(code.exit_code, 3);
  const auto j = nlohmann::json::parse(code.out);
  ASSERT_EQ(j["artifacts"][0]["gaps"].size(), 1u);
  EXPECT_EQ(j["artifacts"][0]["gaps"][0], "machine code not analyzed: no code analysis for machine arm64");
  bool said = false;
  for (const auto& f : j["findings"]) said |= f["rule_id"] == "input-partially-analyzed";
  EXPECT_TRUE(said);
  EXPECT_NE(run_drvsec("scan '" + t.at("arm64.sys") + "' --fail-on none").out.find("machine code not analyzed"), std::string::npos);
  // At --depth headers no code analysis is asked for: nothing is missing.
  EXPECT_EQ(run_drvsec("scan '" + t.at("arm64.sys") + "' --depth headers --fail-on none").exit_code, 0);
}

}  // namespace
}  // namespace drvsec::test
