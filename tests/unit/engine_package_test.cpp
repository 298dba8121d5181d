// The package step (src/engine/package.h): which inputs form one driver package, and the shard split.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/discover.h"
#include "engine/package.h"
#include "inf/inf_file.h"
#include "test_support.h"

namespace drvsec {
namespace {

namespace fs = std::filesystem;

struct Folder {
  fs::path path = fs::path(test::output_path("packages/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "/x")).parent_path();
  Folder() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  std::string put(const std::string& name, const std::string& bytes) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << bytes;
    return (path / name).string();
  }
  std::string at(const std::string& name) const { return (path / name).string(); }
};

std::vector<std::string> keys(const std::vector<Package>& packages) {
  std::vector<std::string> out;
  for (const Package& p : packages) out.push_back(p.key);
  return out;
}
std::vector<std::string> paths(const Package& p) {
  std::vector<std::string> out;
  for (const DiscoveredInput& in : p.inputs) out.push_back(in.path);
  return out;
}

// An INF as a vendor writes one: the service binary, a CopyFiles list, the catalog (mixed case).
const std::string kInf =
    "[Version]\r\nSignature=\"$WINDOWS NT$\"\r\nCatalogFile=Widget.CAT\r\n"
    "[DefaultInstall.NTamd64]\r\nCopyFiles=Widget.Files,@helper.dll\r\n"
    "[Widget.Files]\r\nWidget.sys\r\nwidgetflt.sys,widgetflt_src.sys\r\n"
    "[DefaultInstall.NTamd64.Services]\r\nAddService=Widget,0x2,Widget.Service\r\n"
    "[Widget.Service]\r\nServiceType=1\r\nServiceBinary=%12%\\%DriverName%.sys\r\n"
    "[Strings]\r\nDriverName=widget\r\n";

TEST(InfInstalledFiles, ServiceBinaryAndCopyFilesNames) {
  const std::vector<uint8_t> bytes(kInf.begin(), kInf.end());
  const auto names = inf::installed_file_names(inf::InfFile::parse(bytes));
  EXPECT_EQ(names, (std::vector<std::string>{"helper.dll", "widget.sys", "widgetflt.sys", "widgetflt_src.sys"}));
}

TEST(Packages, InfSysAndCatalogInOneFolderAreOnePackage) {
  Folder f;
  f.put("pkg/widget.inf", kInf);
  f.put("pkg/WIDGET.SYS", "MZ driver");
  f.put("pkg/widget.cat", "catalog");
  f.put("pkg/unrelated.sys", "MZ other");
  f.put("other/widget.sys", "MZ same name, other folder");
  const auto packages = form_packages(discover_inputs({f.path.string()}), 1 << 20);
  ASSERT_EQ(keys(packages), (std::vector<std::string>{f.at("other/widget.sys"), f.at("pkg/unrelated.sys"), f.at("pkg/widget.inf")}));
  EXPECT_EQ(paths(packages[2]), (std::vector<std::string>{f.at("pkg/WIDGET.SYS"), f.at("pkg/widget.cat"), f.at("pkg/widget.inf")}));
  EXPECT_EQ(packages[0].inputs.size(), 1u);
  EXPECT_EQ(packages[1].inputs.size(), 1u);
}

// The JSON report lists each package with its files, as the jsonl records do.
TEST(Packages, JsonReportListsEachPackageWithItsFiles) {
  Folder f;
  f.put("pkg/widget.inf", kInf);
  fs::copy_file(test::fixture("minimal_wdm_mingw-x64.sys"), f.at("pkg/widget.sys"));
  fs::copy_file(test::fixture("minimal_wdm_mingw-x64.sys"), f.at("lone.sys"));
  const auto result = test::run_drvsec("scan '" + f.path.string() + "' --format json --fail-on none");
  ASSERT_EQ(result.exit_code, 0);
  const auto j = nlohmann::json::parse(result.out);
  ASSERT_EQ(j["packages"].size(), 2u);
  EXPECT_EQ(j["packages"][0]["key"], f.at("lone.sys"));
  EXPECT_EQ(j["packages"][0]["files"], nlohmann::json::parse(R"([{"path":")" + f.at("lone.sys") + R"(","role":"pe"}])"));
  EXPECT_EQ(j["packages"][1]["key"], f.at("pkg/widget.inf"));
  EXPECT_EQ(j["packages"][1]["files"],
            nlohmann::json::parse(R"([{"path":")" + f.at("pkg/widget.inf") + R"(","role":"inf"},{"path":")" +
                                  f.at("pkg/widget.sys") + R"(","role":"pe"}])"));
}

TEST(Packages, FolderWithTwoDriversAndNoInfIsTwoPackages) {
  Folder f;
  f.put("a.sys", "MZ a");
  f.put("b.sys", "MZ b");
  const auto packages = form_packages(discover_inputs({f.path.string()}), 1 << 20);
  EXPECT_EQ(keys(packages), (std::vector<std::string>{f.at("a.sys"), f.at("b.sys")}));
}

TEST(Packages, LoneSysIsAPackageOfOne) {
  Folder f;
  const std::string sys = f.put("lone.sys", "MZ");
  const auto packages = form_packages(discover_inputs({sys}), 1 << 20);
  ASSERT_EQ(packages.size(), 1u);
  EXPECT_EQ(packages[0].key, sys);
  EXPECT_EQ(paths(packages[0]), std::vector<std::string>{sys});
}

TEST(Packages, FileTwoInfsInstallGoesToTheFirstInPathOrder) {
  Folder f;
  f.put("a.inf", "[Version]\nSignature=\"$WINDOWS NT$\"\n[S]\nServiceBinary=%12%\\shared.sys\n");
  f.put("b.inf", "[Version]\nSignature=\"$WINDOWS NT$\"\n[S]\nServiceBinary=%12%\\shared.sys\n");
  f.put("shared.sys", "MZ");
  const auto packages = form_packages(discover_inputs({f.path.string()}), 1 << 20);
  ASSERT_EQ(keys(packages), (std::vector<std::string>{f.at("a.inf"), f.at("b.inf")}));
  EXPECT_EQ(paths(packages[0]), (std::vector<std::string>{f.at("a.inf"), f.at("shared.sys")}));
  EXPECT_EQ(paths(packages[1]), std::vector<std::string>{f.at("b.inf")});
}

TEST(Packages, ShardSplitIsSha256OfTheKey) {
  // SHA-256("") = e3b0c44298fc1c14..., SHA-256("abc") = ba7816bf8f01cfea... (FIPS 180-2 test vectors).
  EXPECT_EQ(shard_of("", 10), 0xe3b0c44298fc1c14ull % 10 + 1);
  EXPECT_EQ(shard_of("abc", 7), 0xba7816bf8f01cfeaull % 7 + 1);
  EXPECT_EQ(shard_of("anything", 1), 1u);
  for (uint32_t n : {2u, 3u, 16u})
    for (const char* key : {"x.sys", "drivers/y.inf", ""}) {
      const uint32_t k = shard_of(key, n);
      EXPECT_GE(k, 1u);
      EXPECT_LE(k, n);
    }
  // Keys that differ in one character spread over the shards (a weak hash would not, mod 3).
  std::vector<int> counts(4);
  for (int i = 0; i < 300; ++i) ++counts[shard_of("drivers/d" + std::to_string(i) + ".sys", 3)];
  for (int k = 1; k <= 3; ++k) EXPECT_GT(counts[k], 60) << k;
}

TEST(FileList, NewlineCrlfAndNulSeparated) {
  std::istringstream lines("a.sys\nb dir/c.sys\r\n\n\nd.sys");
  EXPECT_EQ(read_file_list(lines), (std::vector<std::string>{"a.sys", "b dir/c.sys", "d.sys"}));
  std::istringstream nul(std::string("x\ny.sys\0z.sys\0\0", 16));
  EXPECT_EQ(read_file_list(nul), (std::vector<std::string>{"x\ny.sys", "z.sys"}));
  std::istringstream empty("");
  EXPECT_TRUE(read_file_list(empty).empty());
}

}  // namespace
}  // namespace drvsec
