// App Control (SiPolicy) evaluation, rule type by rule type, with small policies written here,
// then Microsoft's real block policy from ../shared/intel when present.
#include "intel/sipolicy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "intel_test_support.h"

namespace drvsec::intel {
namespace {

using drvsec::testing::file_hashes;
using drvsec::testing::fixture;
using drvsec::testing::read_bytes;

// A policy with `file_rules` and `signers`; the kernel scenario (131) denies `denied_signers`,
// allows `allowed_signers` and references `kernel_refs`; the user-mode scenario (12) references `user_refs`.
std::string make_policy(const std::string& file_rules, const std::string& signers, const std::vector<std::string>& kernel_refs,
                        const std::vector<std::string>& denied_signers = {},
                        const std::vector<std::string>& allowed_signers = {},
                        const std::vector<std::string>& user_refs = {}) {
  auto refs = [](const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += fmt::format("<FileRuleRef RuleID=\"{}\" />", id);
    return out.empty() ? out : "<FileRulesRef>" + out + "</FileRulesRef>";
  };
  auto signer_list = [](const char* outer, const char* inner, const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += fmt::format("<{} SignerId=\"{}\" />", inner, id);
    return out.empty() ? out : fmt::format("<{0}>{1}</{0}>", outer, out);
  };
  return fmt::format(R"(<?xml version="1.0" encoding="utf-8"?>
<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy">
  <VersionEx>1.2.3.4</VersionEx>
  <FileRules>{}</FileRules>
  <Signers>{}</Signers>
  <SigningScenarios>
    <SigningScenario Value="131" ID="ID_SIGNINGSCENARIO_DRIVERS" FriendlyName="Kernel">
      <ProductSigners>{}{}{}</ProductSigners>
    </SigningScenario>
    <SigningScenario Value="12" ID="ID_SIGNINGSCENARIO_WINDOWS" FriendlyName="User">
      <ProductSigners>{}</ProductSigners>
    </SigningScenario>
  </SigningScenarios>
  <Settings><Setting Provider="PolicyInfo" Key="Information" ValueName="Name"><Value><String>Test policy</String></Value></Setting></Settings>
</SiPolicy>)",
                     file_rules, signers, signer_list("DeniedSigners", "DeniedSigner", denied_signers),
                     signer_list("AllowedSigners", "AllowedSigner", allowed_signers), refs(kernel_refs), refs(user_refs));
}

const char* kAllowAll = R"(<Allow ID="ID_ALLOW_ALL" FriendlyName="" FileName="*" />)";

// Facts of the real fixture driver, with hand-written Authenticode/page hashes and signer chain.
struct Subject {
  std::vector<uint8_t> bytes = read_bytes(fixture("minimal_wdm_mingw-x64.sys"));
  sig::SignatureInfo signature;
  pe::VersionInfo version;
  Subject() {
    signature.file = file_hashes(bytes);
    signature.authenticode = sig::AuthenticodeHashes{
        std::string(40, 'a'), std::string(64, 'b'), std::string(40, 'c'), std::string(64, 'd')};
    sig::Signature s;
    sig::Certificate leaf, pca, root;
    leaf.subject_cn = "Contoso Hardware Ltd.";
    leaf.tbs_sha1 = std::string(40, '1');
    leaf.tbs_sha256 = std::string(64, '1');
    pca.subject_cn = "Contoso Code Signing PCA";
    pca.tbs_sha1 = std::string(40, '2');
    pca.tbs_sha256 = std::string(64, '2');
    root.subject_cn = "Contoso Root";
    root.tbs_sha384 = std::string(96, '3');
    s.chain = {leaf, pca, root};
    s.kind = sig::SignerKind::vendor;
    signature.signatures.push_back(s);
    version.strings = {{"OriginalFilename", "Contoso.sys"}, {"InternalName", "contoso64"}, {"ProductName", "Contoso Tools"}};
    version.file_version = FileVersion{2, 5, 100, 7};
  }
  FileFacts facts() const { return {signature.file.sha256, &signature, &version}; }
};

PolicyVerdict evaluate(const std::string& xml, const FileFacts& facts) { return SiPolicy::parse(xml).evaluate(facts); }

TEST(SiPolicy, ParsesFileVersionsAsFourSixteenBitParts) {
  EXPECT_EQ(parse_file_version("10.0.19041.1"), (FileVersion{10, 0, 19041, 1}));
  EXPECT_EQ(parse_file_version("1.2"), (FileVersion{1, 2, 0, 0}));
  EXPECT_EQ(parse_file_version("65535.65535.65535.65535"), (FileVersion{65535, 65535, 65535, 65535}));
  EXPECT_FALSE(parse_file_version("65536.0.0.0"));
  EXPECT_FALSE(parse_file_version("1.2.3.4.5"));
  EXPECT_FALSE(parse_file_version("1..2"));
  EXPECT_FALSE(parse_file_version(""));
  EXPECT_FALSE(parse_file_version("1.2.3.4 "));
}

TEST(SiPolicy, DeniesByEachAuthenticodeAndPageHashKind) {
  Subject subject;
  const std::pair<std::string, PolicyMatchKind> cases[] = {
      {std::string(40, 'A'), PolicyMatchKind::authenticode_sha1},  // upper case in the XML, as Microsoft writes it
      {std::string(64, 'b'), PolicyMatchKind::authenticode_sha256},
      {std::string(40, 'c'), PolicyMatchKind::page_hash_sha1},
      {std::string(64, 'D'), PolicyMatchKind::page_hash_sha256},
  };
  for (const auto& [hash, kind] : cases) {
    const std::string rules = std::string(kAllowAll) +
                              fmt::format(R"(<Deny ID="ID_DENY_X" FriendlyName="x.sys Hash" Hash="{}" />)", hash);
    PolicyVerdict v = evaluate(make_policy(rules, "", {"ID_ALLOW_ALL", "ID_DENY_X"}), subject.facts());
    ASSERT_EQ(v.decision, PolicyDecision::denied) << hash;
    ASSERT_EQ(v.denies.size(), 1u);
    EXPECT_EQ(v.denies[0].kind, kind);
    EXPECT_EQ(v.denies[0].rule_id, "ID_DENY_X");
    EXPECT_EQ(v.denies[0].friendly_name, "x.sys Hash");
  }
  // A hash nobody has: allowed by the allow-all rule.
  const std::string rules = std::string(kAllowAll) + R"(<Deny ID="ID_DENY_X" Hash="0123456789012345678901234567890123456789" />)";
  PolicyVerdict v = evaluate(make_policy(rules, "", {"ID_ALLOW_ALL", "ID_DENY_X"}), subject.facts());
  EXPECT_EQ(v.decision, PolicyDecision::allowed);
  EXPECT_TRUE(v.denies.empty());
  // Hash rules match Authenticode hashes, not the flat file hash.
  const std::string flat = std::string(kAllowAll) +
                           fmt::format(R"(<Deny ID="ID_DENY_FLAT" Hash="{}" />)", subject.signature.file.sha256);
  EXPECT_EQ(evaluate(make_policy(flat, "", {"ID_ALLOW_ALL", "ID_DENY_FLAT"}), subject.facts()).decision,
            PolicyDecision::allowed);
}

TEST(SiPolicy, DeniesByOriginalFilenameWithinTheVersionRange) {
  Subject subject;
  auto verdict = [&](const std::string& attributes) {
    const std::string rules = std::string(kAllowAll) + "<Deny ID=\"ID_DENY_NAME\" FriendlyName=\"contoso\" " + attributes + " />";
    return evaluate(make_policy(rules, "", {"ID_ALLOW_ALL", "ID_DENY_NAME"}), subject.facts());
  };
  // The file is 2.5.100.7; FileName compares with OriginalFilename, case-insensitively.
  PolicyVerdict v = verdict(R"(FileName="contoso.SYS" MinimumFileVersion="0.0.0.0" MaximumFileVersion="2.5.100.7")");
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_EQ(v.denies[0].kind, PolicyMatchKind::file_attributes);
  EXPECT_NE(v.denies[0].why.find("2.5.100.7"), std::string::npos);
  EXPECT_EQ(verdict(R"(FileName="Contoso.sys" MinimumFileVersion="2.5.100.7")").decision, PolicyDecision::denied);
  EXPECT_EQ(verdict(R"(FileName="Contoso.sys" MaximumFileVersion="2.5.100.6")").decision, PolicyDecision::allowed);
  EXPECT_EQ(verdict(R"(FileName="Contoso.sys" MinimumFileVersion="2.5.101.0")").decision, PolicyDecision::allowed);
  // Version parts compare as numbers: 2.5.100.7 > 2.5.99.65535.
  EXPECT_EQ(verdict(R"(FileName="Contoso.sys" MinimumFileVersion="2.5.99.65535")").decision, PolicyDecision::denied);
  EXPECT_EQ(verdict(R"(FileName="Other.sys")").decision, PolicyDecision::allowed);
  // The file's name on disk does not count: only the version resource does.
  Subject no_version;
  PolicyVerdict none = SiPolicy::parse(make_policy(std::string(kAllowAll) + R"(<Deny ID="ID_DENY_NAME" FileName="Contoso.sys" />)",
                                                   "", {"ID_ALLOW_ALL", "ID_DENY_NAME"}))
                           .evaluate({no_version.signature.file.sha256, &no_version.signature, nullptr});
  EXPECT_EQ(none.decision, PolicyDecision::allowed);
  EXPECT_FALSE(none.unevaluated.empty());
}

TEST(SiPolicy, DeniesSignerByCertRootTbsAndCertPublisher) {
  Subject subject;
  auto signer = [](const std::string& root, const std::string& extra) {
    return fmt::format(R"(<Signer ID="ID_SIGNER_C" Name="Contoso PCA"><CertRoot Type="TBS" Value="{}" />{}</Signer>)", root, extra);
  };
  const std::string pca_sha256(64, '2');
  // The PCA (intermediate) certificate's TBS hash, and the leaf's CN as CertPublisher.
  PolicyVerdict v = evaluate(make_policy(kAllowAll, signer(pca_sha256, R"(<CertPublisher Value="Contoso Hardware Ltd." />)"),
                                         {"ID_ALLOW_ALL"}, {"ID_SIGNER_C"}),
                             subject.facts());
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_EQ(v.denies[0].kind, PolicyMatchKind::signer);
  EXPECT_EQ(v.denies[0].rule_id, "ID_SIGNER_C");
  EXPECT_TRUE(v.denies[0].certain);
  // Another publisher under the same PCA is not denied.
  v = evaluate(make_policy(kAllowAll, signer(pca_sha256, R"(<CertPublisher Value="Fabrikam" />)"), {"ID_ALLOW_ALL"},
                           {"ID_SIGNER_C"}),
               subject.facts());
  EXPECT_EQ(v.decision, PolicyDecision::allowed);
  // SHA-1 TBS of the leaf (LeafCertificate level) and SHA-384 TBS of the root both identify certificates.
  EXPECT_EQ(evaluate(make_policy(kAllowAll, signer(std::string(40, '1'), ""), {"ID_ALLOW_ALL"}, {"ID_SIGNER_C"}),
                     subject.facts())
                .decision,
            PolicyDecision::denied);
  EXPECT_EQ(evaluate(make_policy(kAllowAll, signer(std::string(96, '3'), ""), {"ID_ALLOW_ALL"}, {"ID_SIGNER_C"}),
                     subject.facts())
                .decision,
            PolicyDecision::denied);
  // CertIssuer is not evaluated: a possible match, not a certain one.
  v = evaluate(make_policy(kAllowAll, signer(pca_sha256, R"(<CertIssuer Value="Contoso Code Signing PCA" />)"),
                           {"ID_ALLOW_ALL"}, {"ID_SIGNER_C"}),
               subject.facts());
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_FALSE(v.denies[0].certain);
  EXPECT_NE(v.denies[0].why.find("CertIssuer 'Contoso Code Signing PCA' not checked"), std::string::npos);
  // An unsigned file matches no signer.
  Subject unsigned_file;
  unsigned_file.signature.signatures.clear();
  EXPECT_EQ(evaluate(make_policy(kAllowAll, signer(pca_sha256, ""), {"ID_ALLOW_ALL"}, {"ID_SIGNER_C"}), unsigned_file.facts())
                .decision,
            PolicyDecision::allowed);
}

TEST(SiPolicy, CertOemIdComparesTheSignaturesProgramName) {
  Subject subject;
  const std::string policy = make_policy(
      kAllowAll,
      fmt::format(R"(<Signer ID="ID_SIGNER_OPUS" Name="Contoso PCA Contoso OPUS"><CertRoot Type="TBS" Value="{}" /><CertOemID Value="Contoso Hardware" /></Signer>)",
                  std::string(64, '2')),
      {"ID_ALLOW_ALL"}, {"ID_SIGNER_OPUS"});
  // No SpcSpOpusInfo program name in the signature: the condition does not hold.
  EXPECT_EQ(evaluate(policy, subject.facts()).decision, PolicyDecision::allowed);
  subject.signature.signatures[0].program_name = "Fabrikam";
  EXPECT_EQ(evaluate(policy, subject.facts()).decision, PolicyDecision::allowed);
  subject.signature.signatures[0].program_name = "contoso hardware";  // compared exactly
  EXPECT_EQ(evaluate(policy, subject.facts()).decision, PolicyDecision::allowed);
  subject.signature.signatures[0].program_name = "Contoso Hardware";
  PolicyVerdict v = evaluate(policy, subject.facts());
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_TRUE(v.denies[0].certain);
  EXPECT_NE(v.denies[0].why.find("program name (OEM ID) 'Contoso Hardware' equals CertOemID"), std::string::npos);
}

TEST(SiPolicy, CertEkuNeedsTheEkuOnTheLeafCertificate) {
  Subject subject;
  auto policy = [](const std::string& eku_value) {
    std::string xml = make_policy(
        kAllowAll,
        fmt::format(R"(<Signer ID="ID_SIGNER_EKU" Name="PCA with EKU"><CertRoot Type="TBS" Value="{}" /><CertEKU ID="ID_EKU_X" /></Signer>)",
                    std::string(64, '2')),
        {"ID_ALLOW_ALL"}, {"ID_SIGNER_EKU"});
    const std::string rules = "<FileRules>";
    return xml.replace(xml.find(rules), rules.size(),
                       fmt::format(R"(<EKUs><EKU ID="ID_EKU_X" Value="{}" /></EKUs><FileRules>)", eku_value));
  };
  const std::string whql = "010A2B0601040182370A0305";  // 1.3.6.1.4.1.311.10.3.5, as Microsoft's policies write it
  // The leaf has no EKU: no match.
  EXPECT_EQ(evaluate(policy(whql), subject.facts()).decision, PolicyDecision::allowed);
  // Only on the PCA, not the leaf: no match.
  subject.signature.signatures[0].chain[1].ekus = {"1.3.6.1.4.1.311.10.3.5"};
  EXPECT_EQ(evaluate(policy(whql), subject.facts()).decision, PolicyDecision::allowed);
  subject.signature.signatures[0].chain[0].ekus = {"1.3.6.1.4.1.311.10.3.5", "1.3.6.1.5.5.7.3.3"};  // sorted
  PolicyVerdict v = evaluate(policy(whql), subject.facts());
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_TRUE(v.denies[0].certain);
  EXPECT_NE(v.denies[0].why.find("leaf certificate has EKU 1.3.6.1.4.1.311.10.3.5"), std::string::npos);
  // A bare OID body is read the same way; another EKU does not match.
  EXPECT_EQ(evaluate(policy("2B0601040182370A0305"), subject.facts()).decision, PolicyDecision::denied);
  EXPECT_EQ(evaluate(policy("010A2B0601040182370A0306"), subject.facts()).decision, PolicyDecision::allowed);
  // An EKU value that is not an OID, or a CertEKU naming no EKU, is refused at load time.
  EXPECT_THROW(SiPolicy::parse(policy("0180")), LoadError);  // the OID body ends inside an arc
  std::string dangling = policy(whql);
  dangling.replace(dangling.find(R"(<CertEKU ID="ID_EKU_X")"), 22, R"(<CertEKU ID="ID_EKU_Y")");
  EXPECT_THROW(SiPolicy::parse(dangling), LoadError);
}

TEST(SiPolicy, WellKnownRootSignersAreCountedButNotMatched) {
  Subject subject;
  const std::string policy = make_policy(
      kAllowAll, R"(<Signer ID="ID_SIGNER_WK" Name="Microsoft Product Root 2010"><CertRoot Type="Wellknown" Value="06" /></Signer>)",
      {"ID_ALLOW_ALL"}, {"ID_SIGNER_WK"});
  const SiPolicy parsed = SiPolicy::parse(policy);
  EXPECT_EQ(parsed.stats().kernel_wellknown_signers, 1u);
  PolicyVerdict v = parsed.evaluate(subject.facts());
  EXPECT_EQ(v.decision, PolicyDecision::allowed);
  EXPECT_NE(std::find_if(v.unevaluated.begin(), v.unevaluated.end(),
                         [](const std::string& n) { return n.find("well-known root") != std::string::npos; }),
            v.unevaluated.end());
  EXPECT_THROW(SiPolicy::parse(make_policy("", R"(<Signer ID="S"><CertRoot Type="Other" Value="06" /></Signer>)", {})),
               LoadError);
}

TEST(SiPolicy, SignerWithFileAttribRefNeedsSignerAndAttributes) {
  Subject subject;
  auto policy = [](const std::string& attrib) {
    const std::string rules = std::string(kAllowAll) + "<FileAttrib ID=\"ID_FILEATTRIB_C\" FriendlyName=\"Contoso attr\" " +
                              attrib + " />";
    const std::string signers = fmt::format(
        R"(<Signer ID="ID_SIGNER_C" Name="Contoso PCA"><CertRoot Type="TBS" Value="{}" /><FileAttribRef RuleID="ID_FILEATTRIB_C" /></Signer>)",
        std::string(40, '2'));
    return make_policy(rules, signers, {"ID_ALLOW_ALL"}, {"ID_SIGNER_C"});
  };
  PolicyVerdict v = evaluate(policy(R"(FileName="Contoso.sys" MinimumFileVersion="0.0.0.0" MaximumFileVersion="3.0.0.0")"),
                             subject.facts());
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_EQ(v.denies[0].kind, PolicyMatchKind::signer_file_attributes);
  EXPECT_EQ(v.denies[0].file_attrib_id, "ID_FILEATTRIB_C");
  // InternalName and ProductName attributes, as the real policy uses them.
  EXPECT_EQ(evaluate(policy(R"(InternalName="CONTOSO64" MaximumFileVersion="2.5.65535.65535")"), subject.facts()).decision,
            PolicyDecision::denied);
  EXPECT_EQ(evaluate(policy(R"(ProductName="Contoso Tools" MinimumFileVersion="2.0.0.0" MaximumFileVersion="2.65535.65535.65535")"),
                     subject.facts())
                .decision,
            PolicyDecision::denied);
  // Signer matches, attributes don't (version above the range): not denied.
  EXPECT_EQ(evaluate(policy(R"(FileName="Contoso.sys" MaximumFileVersion="2.4.0.0")"), subject.facts()).decision,
            PolicyDecision::allowed);
  // Attributes match, signer doesn't: not denied.
  Subject other = subject;
  other.signature.signatures[0].chain[1].tbs_sha1 = std::string(40, '9');
  EXPECT_EQ(evaluate(policy(R"(FileName="Contoso.sys")"), other.facts()).decision, PolicyDecision::allowed);
  // A FileAttrib referenced only from a signer is not a rule on its own.
  Subject unsigned_file = subject;
  unsigned_file.signature.signatures.clear();
  EXPECT_EQ(evaluate(policy(R"(FileName="Contoso.sys")"), unsigned_file.facts()).decision, PolicyDecision::allowed);
}

TEST(SiPolicy, AllowRulesAuthorizeAndDenyWins) {
  Subject subject;
  const std::string allow_hash = fmt::format(R"(<Allow ID="ID_ALLOW_H" FriendlyName="ok" Hash="{}" />)", std::string(64, 'b'));
  // Only an allow rule for this file's hash: allowed; any other file is not authorized (implicit deny).
  PolicyVerdict v = evaluate(make_policy(allow_hash, "", {"ID_ALLOW_H"}), subject.facts());
  EXPECT_EQ(v.decision, PolicyDecision::allowed);
  ASSERT_EQ(v.allows.size(), 1u);
  EXPECT_EQ(v.allows[0].rule_id, "ID_ALLOW_H");
  Subject other = subject;
  other.signature.authenticode->sha256 = std::string(64, 'e');
  EXPECT_EQ(evaluate(make_policy(allow_hash, "", {"ID_ALLOW_H"}), other.facts()).decision, PolicyDecision::not_allowed);
  // An allowed signer authorizes, too.
  const std::string signer = fmt::format(R"(<Signer ID="ID_SIGNER_OK" Name="ok"><CertRoot Type="TBS" Value="{}" /></Signer>)",
                                         std::string(64, '2'));
  EXPECT_EQ(evaluate(make_policy("", signer, {}, {}, {"ID_SIGNER_OK"}), subject.facts()).decision, PolicyDecision::allowed);
  // Explicit deny beats an explicit allow of the same file.
  const std::string both = allow_hash + fmt::format(R"(<Deny ID="ID_DENY_H" Hash="{}" />)", std::string(40, 'a'));
  v = evaluate(make_policy(both, "", {"ID_ALLOW_H", "ID_DENY_H"}), subject.facts());
  EXPECT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_EQ(v.allows.size(), 1u);
}

TEST(SiPolicy, OnlyTheKernelModeScenarioAppliesToDrivers) {
  Subject subject;
  const std::string rules = std::string(kAllowAll) + fmt::format(R"(<Deny ID="ID_DENY_U" Hash="{}" />)", std::string(64, 'b'));
  // The deny rule is referenced from the user-mode scenario (12) only.
  PolicyVerdict v = evaluate(make_policy(rules, "", {"ID_ALLOW_ALL"}, {}, {}, {"ID_DENY_U"}), subject.facts());
  EXPECT_EQ(v.decision, PolicyDecision::allowed);
  // Referenced from the kernel scenario: denied.
  v = evaluate(make_policy(rules, "", {"ID_ALLOW_ALL", "ID_DENY_U"}), subject.facts());
  EXPECT_EQ(v.decision, PolicyDecision::denied);
  // A policy without scenario 131 says nothing about drivers.
  const std::string user_only = R"(<SiPolicy xmlns="urn:schemas-microsoft-com:sipolicy"><FileRules /><Signers /><SigningScenarios>
      <SigningScenario Value="12" ID="U"><ProductSigners /></SigningScenario></SigningScenarios></SiPolicy>)";
  EXPECT_EQ(evaluate(user_only, subject.facts()).decision, PolicyDecision::no_scenario);
}

TEST(SiPolicy, RejectsMalformedPolicies) {
  EXPECT_THROW(SiPolicy::parse("not xml <"), LoadError);
  EXPECT_THROW(SiPolicy::parse("<Policy />"), LoadError);
  // A scenario that refers to a rule or a signer that does not exist.
  EXPECT_THROW(SiPolicy::parse(make_policy("", "", {"ID_MISSING"})), LoadError);
  EXPECT_THROW(SiPolicy::parse(make_policy("", "", {}, {"ID_SIGNER_MISSING"})), LoadError);
  EXPECT_THROW(SiPolicy::parse(make_policy(R"(<Deny ID="X" FileName="a.sys" MaximumFileVersion="1.2.x.4" />)", "", {"X"})),
               LoadError);
  EXPECT_THROW(SiPolicy::parse(make_policy(R"(<Deny ID="X" Hash="zz" />)", "", {"X"})), LoadError);
  EXPECT_THROW(SiPolicy::parse(make_policy(R"(<Deny ID="X" Hash="00" /><Deny ID="X" Hash="11" />)", "", {"X"})), LoadError);
  EXPECT_THROW(SiPolicy::load_file("/nonexistent/policy.xml"), LoadError);
}

// --- Microsoft's real block policy (../shared/intel), when present ---

// Signature facts of one signature: a leaf with `leaf_cn` under a CA with `ca_cn` and TBS SHA-256 `ca_tbs`.
sig::SignatureInfo signed_by(const std::string& leaf_cn, const std::string& ca_cn, const std::string& ca_tbs) {
  sig::Certificate leaf, ca;
  leaf.subject_cn = leaf_cn;
  ca.subject_cn = ca_cn;
  ca.tbs_sha256 = ca_tbs;
  sig::Signature s;
  s.chain = {leaf, ca};
  sig::SignatureInfo info;
  info.signatures.push_back(s);
  return info;
}

TEST(SiPolicyReal, LoadsMicrosoftsDriverBlockPolicyQuickly) {
  const std::string path = drvsec::testing::shared_intel("SiPolicy_Enforced.xml");
  if (!drvsec::testing::exists(path)) GTEST_SKIP() << path << " not present";
  const auto start = std::chrono::steady_clock::now();
  SiPolicy policy = SiPolicy::load_file(path);
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ timing ] SiPolicy_Enforced.xml loaded in " << ms << " ms\n";
  EXPECT_EQ(policy.name(), "Microsoft Windows Driver Policy - Enforced");
  EXPECT_EQ(policy.version(), "10.0.27825.0");
  EXPECT_EQ(policy.stats().file_rules, 1869u);
  EXPECT_EQ(policy.stats().signers, 217u);
  EXPECT_EQ(policy.stats().kernel_denied_signers, 214u);
  EXPECT_EQ(policy.stats().kernel_allow_rules, 1u);  // ID_ALLOW_ALL_1; ID_ALLOW_ALL_2 is user mode
  EXPECT_GT(policy.stats().kernel_deny_rules, 1700u);
}

TEST(SiPolicyReal, AppliesRealRulesOfEachType) {
  const std::string path = drvsec::testing::shared_intel("SiPolicy_Enforced.xml");
  if (!drvsec::testing::exists(path)) GTEST_SKIP() << path << " not present";
  SiPolicy policy = SiPolicy::load_file(path);

  // Hash rules: Agent64's Authenticode SHA-256 and page SHA-1 as the policy lists them.
  sig::SignatureInfo agent;
  agent.authenticode = sig::AuthenticodeHashes{"", "3bc0cec99dce687304dad8f7a6daf772e695cbd0169d346d03ae12500361a1e8",
                                               "e083142033c9653977d319b3df4d2de369756138", ""};
  PolicyVerdict v = policy.evaluate({"", &agent, nullptr});
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  ASSERT_EQ(v.denies.size(), 2u);
  EXPECT_EQ(v.denies[0].rule_id, "ID_DENY_AGENT64_SHA1_PAGE");
  EXPECT_EQ(v.denies[0].kind, PolicyMatchKind::page_hash_sha1);
  EXPECT_EQ(v.denies[1].rule_id, "ID_DENY_AGENT64_SHA256");
  EXPECT_EQ(v.denies[1].kind, PolicyMatchKind::authenticode_sha256);

  // FileName deny with a version range: kprocesshacker.sys up to 3.1.65535.65535.
  pe::VersionInfo kph;
  kph.strings["OriginalFilename"] = "kprocesshacker.sys";
  kph.file_version = FileVersion{3, 0, 0, 0};
  v = policy.evaluate({"", nullptr, &kph});
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_EQ(v.denies[0].rule_id, "ID_DENY_PROCESSHACKER");
  kph.file_version = FileVersion{3, 2, 0, 0};
  EXPECT_EQ(policy.evaluate({"", nullptr, &kph}).decision, PolicyDecision::allowed);

  // Signer with CertPublisher only: CAPCOM under Symantec Class 3 SHA256 Code Signing CA.
  sig::SignatureInfo capcom = signed_by("CAPCOM Co.,Ltd.", "Symantec Class 3 SHA256 Code Signing CA",
                                         "a08e79c386083d875014c409c13d144e0a24386132980df11ff59737c8489eb1");
  v = policy.evaluate({"", &capcom, nullptr});
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_EQ(v.denies[0].rule_id, "ID_SIGNER_CAPCOM");

  // Signer + FileAttrib: the same CA with Gigabyte's gdrv.sys attributes (ID_FILEATTRIB_GDRV).
  capcom.signatures[0].chain[0].subject_cn = "Some Vendor";
  pe::VersionInfo other;
  other.strings["OriginalFilename"] = "unrelated.sys";
  EXPECT_EQ(policy.evaluate({"", &capcom, &other}).decision, PolicyDecision::allowed);
  pe::VersionInfo gdrv;
  gdrv.strings["OriginalFilename"] = "GDRV.sys";
  gdrv.file_version = FileVersion{5, 2, 0, 0};
  v = policy.evaluate({"", &capcom, &gdrv});
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  bool via_symantec = false;
  for (const auto& m : v.denies)
    via_symantec = via_symantec || (m.rule_id == "ID_SIGNER_SYMANTEC_CLASS_3" && m.file_attrib_id == "ID_FILEATTRIB_GDRV" &&
                                    m.kind == PolicyMatchKind::signer_file_attributes);
  EXPECT_TRUE(via_symantec);

  // Signer with CertOemID: Microsoft's WHCP CA with the vendor name "Cheat Engine" as program name.
  sig::SignatureInfo whcp = signed_by("Microsoft Windows Hardware Compatibility Publisher",
                                      "Microsoft Windows Third Party Component CA 2014",
                                      "d8be9e4d9074088ef818bc6f6fb64955e90378b2754155126feebbbd969cf0ae");
  whcp.signatures[0].program_name = "Some Other Vendor";
  EXPECT_EQ(policy.evaluate({"", &whcp, nullptr}).decision, PolicyDecision::allowed);
  whcp.signatures[0].program_name = "Cheat Engine";
  v = policy.evaluate({"", &whcp, nullptr});
  ASSERT_EQ(v.decision, PolicyDecision::denied);
  EXPECT_EQ(v.denies[0].rule_id, "ID_SIGNER_CHEAT_ENGINE");
  EXPECT_TRUE(v.denies[0].certain);
}

}  // namespace
}  // namespace drvsec::intel
