// The INF reader (src/inf): syntax, encodings, %strkey% substitution, CatalogFile look-up and limits,
// on INF text written here (the shared corpus holds no INF files).
#include "inf/inf_file.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "inf/catalog_lookup.h"

namespace drvsec::inf {
namespace {

namespace fs = std::filesystem;

std::span<const uint8_t> bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

InfFile parse(const std::string& text, const Limits& limits = {}) { return InfFile::parse(bytes_of(text), limits); }

std::string utf16le(const std::string& ascii, bool bom) {
  std::string out = bom ? std::string("\xFF\xFE", 2) : std::string();
  for (char c : ascii) out += {c, '\0'};
  return out;
}

const char* kPackage = R"(; Contoso sample driver package
[Version]
Signature   = "$WINDOWS NT$"
Class       = System ; a comment after a value
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %ManufacturerName%
CatalogFile = contoso.cat
CatalogFile.NTamd64 = contoso_x64.cat
DriverVer   = 01/02/2024,1.2.3.4
PnpLockdown = 1

[SourceDisksFiles]
contoso.sys = 1,,

[DefaultInstall.NTamd64]
CopyFiles = Drivers_Dir, \
            Extra_Dir

[version]
AddedLater = yes

[Strings]
ManufacturerName = "Contoso, ""Ltd."" ; not a comment"
DiskName         = "Contoso 100% Disk"
)";

TEST(InfFile, ReadsSectionsKeysValuesCommentsAndContinuations) {
  const InfFile inf = parse(kPackage);
  EXPECT_TRUE(inf.problems().empty());
  ASSERT_EQ(inf.sections().size(), 4u);  // [version] merges into [Version]
  const Section* version = inf.section("VERSION");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->name, "Version");
  EXPECT_EQ(version->lines.size(), 9u);
  EXPECT_EQ(inf.value("Version", "signature"), "$WINDOWS NT$");
  EXPECT_EQ(inf.value("Version", "Class"), "System");
  EXPECT_EQ(inf.value("Version", "AddedLater"), "yes");
  EXPECT_FALSE(inf.value("Version", "Missing"));
  const Line& driver_ver = version->lines[6];
  EXPECT_EQ(driver_ver.key, "DriverVer");
  EXPECT_EQ(driver_ver.values, (std::vector<std::string>{"01/02/2024", "1.2.3.4"}));
  EXPECT_EQ(driver_ver.line_number, 9u);
  // Empty values are kept, positions matter in INF lines.
  EXPECT_EQ(inf.section("SourceDisksFiles")->lines.at(0).values, (std::vector<std::string>{"1", "", ""}));
  // A trailing backslash continues the line.
  const Line& copy = inf.section("DefaultInstall.NTamd64")->lines.at(0);
  EXPECT_EQ(copy.values, (std::vector<std::string>{"Drivers_Dir", "Extra_Dir"}));
  // Quoted strings: "" is a quote, ';' inside quotes is text; %strkey% substitution from [Strings].
  EXPECT_EQ(inf.value("Version", "Provider"), "Contoso, \"Ltd.\" ; not a comment");
  EXPECT_EQ(inf.substitute("%DiskName% at 100%%, %Unknown%"), "Contoso 100% Disk at 100%, %Unknown%");
}

TEST(InfFile, ReadsUtf16AndAnsiAndUtf8) {
  const std::string text = "[Version]\r\nSignature=\"$Windows NT$\"\r\nCatalogFile=wide.cat\r\n";
  for (bool bom : {true, false}) {
    const InfFile inf = parse(utf16le(text, bom));
    EXPECT_EQ(inf.value("Version", "CatalogFile"), "wide.cat") << bom;
  }
  // UTF-8 with BOM and non-ASCII text; ANSI (Windows-1252) bytes become the same characters in UTF-8.
  EXPECT_EQ(parse("\xEF\xBB\xBF[Strings]\nName=\"Caf\xC3\xA9\"\n").value("Strings", "Name"), "Caf\xC3\xA9");
  EXPECT_EQ(parse("[Strings]\nName=\"Caf\xE9\"\n").value("Strings", "Name"), "Caf\xC3\xA9");
  // Old Mac line ends and a Ctrl-Z end-of-file marker.
  const InfFile cr = parse("[A]\rx=1\ry=2\x1A[B]\rz=3\r");
  EXPECT_EQ(cr.value("A", "y"), "2");
  EXPECT_EQ(cr.section("B"), nullptr);
}

TEST(InfFile, NamesCatalogFilesFromTheVersionSection) {
  EXPECT_EQ(catalog_files(parse(kPackage)), (std::vector<std::string>{"contoso.cat", "contoso_x64.cat"}));
  // Substituted, deduplicated case-insensitively, only in [Version].
  const InfFile inf = parse(
      "[Version]\nCatalogFile.NT = %Cat%\nCatalogFile.NTarm64=PKG.CAT\nCatalogFileX = no.cat\n[Other]\nCatalogFile=other.cat\n"
      "[Strings]\nCat=pkg.cat\n");
  EXPECT_EQ(catalog_files(inf), (std::vector<std::string>{"pkg.cat"}));
  EXPECT_TRUE(catalog_files(parse("[Version]\nSignature=\"$Windows NT$\"\n")).empty());
}

TEST(InfFile, MalformedInputBecomesProblemsWithinLimits) {
  const InfFile inf = parse("orphan = 1\n[Unclosed\nkey = \"open quote, still, one value\n");
  ASSERT_EQ(inf.problems().size(), 3u);
  EXPECT_NE(inf.problems()[0].find("before the first section"), std::string::npos);
  EXPECT_NE(inf.problems()[1].find("without ']'"), std::string::npos);
  EXPECT_EQ(inf.problems()[2], "line 3, column 7: unterminated quoted string; it ends at the end of the line");
  EXPECT_EQ(inf.section("Unclosed")->lines.at(0).values.size(), 1u);

  Limits small;
  small.max_bytes = 64;
  EXPECT_TRUE(parse(std::string(100, 'x'), small).sections().empty());
  EXPECT_EQ(parse(std::string(100, 'x'), small).problems().size(), 1u);
  small = Limits{};
  small.max_lines = 3;
  small.max_values = 4;
  small.max_line_length = 32;
  const InfFile limited = parse("[S]\na=1\nb=1,2,3,4,5,6\nc=" + std::string(100, 'v') + "\nd=1\ne=1\n", small);
  EXPECT_EQ(limited.section("S")->lines.size(), 3u);
  EXPECT_EQ(limited.section("S")->lines[1].values.size(), 4u);
  EXPECT_LE(limited.section("S")->lines[2].values.at(0).size(), 32u);
  EXPECT_EQ(limited.problems().size(), 3u);

  // A megabyte of continuation backslashes and quotes stays linear.
  std::string hostile = "[S]\n";
  for (int i = 0; i < 200000; ++i) hostile += "\"a\\\n";
  auto start = std::chrono::steady_clock::now();
  (void)parse(hostile);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));

  // A large string table and a line of many tokens: substitution is a hash look-up per token.
  std::string table = "[Strings]\n";
  for (int i = 0; i < 100000; ++i) table += "k" + std::to_string(i) + "=v\n";
  std::string tokens;
  for (int i = 0; i < 20000; ++i) tokens += "%k" + std::to_string(99999 - i % 7) + "%";
  const InfFile big = parse(table);
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(big.substitute(tokens), std::string(20000, 'v'));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(InfFile, ResolvesCatalogFilesCaseInsensitivelyNextToTheInf) {
  const fs::path dir = fs::temp_directory_path() / ("drvsec_inf_test_" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "pkg.inf") << "[Version]\nCatalogFile=PKG.cat\nCatalogFile.NTamd64=sub\\x64.CAT\nCatalogFile.NTx86=missing.cat\n";
  std::ofstream(dir / "pkg.cat") << "not really a catalog";
  std::ofstream(dir / "sub" / "x64.cat") << "x";
  std::ofstream(dir / "loose.cat") << "y";
  EXPECT_EQ(resolve_catalog_files((dir / "pkg.inf").string(), 1 << 20),
            (std::vector<std::string>{(dir / "pkg.cat").string(), (dir / "sub/x64.cat").string()}));
  EXPECT_EQ(catalogs_in_folder(dir.string(), 1 << 20),
            (std::vector<std::string>{(dir / "loose.cat").string(), (dir / "pkg.cat").string(), (dir / "sub/x64.cat").string()}));
  EXPECT_TRUE(resolve_catalog_files((dir / "missing.inf").string(), 1 << 20).empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace drvsec::inf
