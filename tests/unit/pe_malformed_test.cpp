// Hostile-input tests: real fixture drivers mutated into malformed PEs. Every case must end either
// in a FormatError with a clear message or in a parse whose warnings name the problem, never in a
// crash or hang (these tests also run under ASan+UBSan in CI).
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "pe/image.h"
#include "pe_test_support.h"

namespace drvsec {
namespace {

using pe_test::fixture_path;
using pe_test::read_file;

// A fixture's bytes plus the header offsets needed to damage them.
struct Mutant {
  std::vector<uint8_t> bytes;
  uint32_t pe = 0, coff = 0, opt = 0, dirs = 0, sections = 0;

  explicit Mutant(const std::string& fixture) : bytes(read_file(fixture_path(fixture))) {
    EXPECT_GT(bytes.size(), 0x400u) << fixture;
    pe = get32(0x3C);
    coff = pe + 4;
    opt = coff + 20;
    dirs = opt + (get16(opt) == 0x20B ? 112 : 96);
    sections = opt + get16(coff + 16);
  }
  uint16_t get16(uint64_t at) const { uint16_t v; std::memcpy(&v, bytes.data() + at, 2); return v; }
  uint32_t get32(uint64_t at) const { uint32_t v; std::memcpy(&v, bytes.data() + at, 4); return v; }
  void put16(uint64_t at, uint16_t v) { std::memcpy(bytes.data() + at, &v, 2); }
  void put32(uint64_t at, uint32_t v) { std::memcpy(bytes.data() + at, &v, 4); }
  void put64(uint64_t at, uint64_t v) { std::memcpy(bytes.data() + at, &v, 8); }
  uint64_t section(int i) const { return sections + 40ull * i; }
  void set_directory(int index, uint32_t rva, uint32_t size) { put32(dirs + 8ull * index, rva), put32(dirs + 8ull * index + 4, size); }
  // File offset of directory `index`'s first byte (via the unmodified image).
  uint64_t directory_offset(int index) const {
    const pe::Image img = pe::Image::parse(bytes);
    return img.rva_to_offset(img.directories[index].rva).value();
  }
};

// Uses every accessor on a parse result, so sanitizers see any bad view it holds.
void touch(const pe::Image& img) {
  for (const pe::Section& s : img.sections) {
    (void)img.bytes_at_rva(s.virtual_address, s.mapped_size());
    (void)img.string_at_rva(s.virtual_address);
  }
  for (const pe::ImportedModule& m : img.imports)
    for (const pe::ImportedFunction& f : m.functions) (void)img.section_at_rva(f.iat_rva);
  for (const pe::Relocation& r : img.relocations) (void)img.rva_to_offset(r.rva);
  (void)img.security_data();
  (void)img.has_import("ntoskrnl.exe");
}

std::string all_warnings(const pe::Image& img) {
  std::string out;
  for (const std::string& w : img.warnings) out += w + "\n";
  return out;
}

// The parse succeeds and some warning contains `expected`.
void expect_warning(const std::vector<uint8_t>& bytes, const std::string& expected, const pe::Limits& limits = {}) {
  const pe::Image img = pe::Image::parse(bytes, limits);
  touch(img);
  EXPECT_NE(all_warnings(img).find(expected), std::string::npos) << "wanted \"" << expected << "\", got:\n"
                                                                  << all_warnings(img);
}

void expect_format_error(const std::vector<uint8_t>& bytes, const std::string& expected) {
  try {
    (void)pe::Image::parse(bytes);
    ADD_FAILURE() << "parsed, expected a FormatError containing \"" << expected << "\"";
  } catch (const pe::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

TEST(PeMalformed, TruncationAtManyOffsets) {
  for (const char* fixture : {"pe_versioned_mingw-x64", "pe_exports_mingw-x86", "pe_load_config_clang-x64"}) {
    SCOPED_TRACE(fixture);
    const Mutant m(fixture);
    const pe::Image whole = pe::Image::parse(m.bytes);
    uint64_t end_of_sections = 0;
    for (const pe::Section& s : whole.sections) end_of_sections = std::max<uint64_t>(end_of_sections, s.raw_offset + s.raw_size);
    // Every length through the headers, then every 7th byte.
    for (size_t cut = 0; cut < m.bytes.size(); cut += cut < 0x400 ? 1 : 7) {
      const std::span<const uint8_t> prefix(m.bytes.data(), cut);
      try {
        const pe::Image img = pe::Image::parse(prefix);
        touch(img);
        if (cut < end_of_sections) {
          EXPECT_FALSE(img.warnings.empty()) << "cut at " << cut;
        }
      } catch (const pe::FormatError& e) {
        EXPECT_LE(cut, m.sections) << "headers were complete, yet: " << e.what();
        EXPECT_GT(std::strlen(e.what()), 10u);
      }
    }
  }
}

TEST(PeMalformed, HeaderLies) {
  Mutant m("minimal_wdm_mingw-x64");
  auto bytes = m.bytes;
  std::memcpy(bytes.data() + 0x3C, "\xF0\xFF\x00\x00", 4);  // e_lfanew beyond the file
  expect_format_error(bytes, "outside the file");
  bytes = m.bytes;
  std::memcpy(bytes.data() + 0x3C, "\xFF\xFF\xFF\xFF", 4);
  expect_format_error(bytes, "outside the file");
  bytes = m.bytes;
  bytes[0] = 'Z';
  expect_format_error(bytes, "no MZ signature");
  bytes = m.bytes;
  bytes[m.pe] = 'N';
  expect_format_error(bytes, "no PE signature");

  Mutant lie = m;
  lie.put16(m.coff + 16, 0x20);  // SizeOfOptionalHeader below the fixed part
  expect_format_error(lie.bytes, "optional header too small");
  lie = m;
  lie.put16(m.opt, 0x999);
  expect_format_error(lie.bytes, "unknown optional header magic");
  lie = m;
  lie.put16(m.coff + 16, 0xFFF0);  // the section table would start past the end of the file
  expect_warning(lie.bytes, "section table truncated");
  lie = m;
  lie.put16(m.coff + 16, 112 + 8);  // room for one data directory only
  expect_warning(lie.bytes, "room for 1 of 16 data directories");

  lie = m;
  lie.put16(m.coff + 2, 0xFFFF);  // NumberOfSections huge
  expect_format_error(lie.bytes, "above the limit");
  lie = m;
  lie.put16(m.coff + 2, 90);  // allowed, but the table runs into section data and past the file
  const pe::Image img = pe::Image::parse(lie.bytes);
  touch(img);
  EXPECT_FALSE(img.warnings.empty());
}

TEST(PeMalformed, EveryDirectoryOutOfRange) {
  // The parsed directories and what their warning says when the RVA points nowhere.
  const std::vector<std::pair<int, std::string>> parsed{
      {pe::dir::export_, "export directory"},       {pe::dir::import, "import descriptor table runs off"},
      {pe::dir::resource, "resource directory"},    {pe::dir::exception, "exception directory"},
      {pe::dir::security, "security directory"},    {pe::dir::basereloc, "base relocation directory"},
      {pe::dir::debug, "debug directory"},          {pe::dir::load_config, "load configuration directory"},
      {pe::dir::delay_import, "delay-load descriptor table runs off"}};
  for (const auto& [index, message] : parsed) {
    SCOPED_TRACE(message);
    for (uint32_t rva : {0x7FFFFFF0u, 0xFFFFFFF0u, 0x00FFFFF0u}) {
      Mutant m("pe_versioned_clang-x64");
      m.set_directory(index, rva, 0x1000);
      expect_warning(m.bytes, message);
    }
  }
  // Directories the parser does not read are ignored, whatever they hold.
  Mutant m("pe_versioned_clang-x64");
  for (int index : {7, 8, 9, 11, 12, 14, 15}) m.set_directory(index, 0xFFFFFFF0u, 0xFFFFFFFFu);
  touch(pe::Image::parse(m.bytes));
}

TEST(PeMalformed, ImportsThatPointBackOnThemselves) {
  const Mutant base("minimal_wdm_mingw-x64");
  const pe::Image img = pe::Image::parse(base.bytes);
  ASSERT_FALSE(img.imports.empty());
  const uint32_t descriptor_rva = img.directories[pe::dir::import].rva;
  const uint64_t descriptor = img.rva_to_offset(descriptor_rva).value();
  const uint32_t lookup_rva = base.get32(descriptor);
  const uint64_t lookup = img.rva_to_offset(lookup_rva).value();

  Mutant m = base;  // the lookup table is the descriptor table itself
  m.put32(descriptor, descriptor_rva);
  m.put32(descriptor + 16, descriptor_rva);
  auto t0 = std::chrono::steady_clock::now();
  expect_warning(m.bytes, "points into the import descriptor table");
  m = base;  // every thunk names the lookup table itself, and the table never ends within the limit
  for (int i = 0; i < 8; ++i) m.put64(lookup + 8ull * i, lookup_rva);
  expect_warning(m.bytes, "points back into its own lookup table");
  m = base;  // the lookup table never ends within the limit
  for (int i = 0; i < 8; ++i) m.put64(lookup + 8ull * i, 0x8000000000000001ull);  // by ordinal 1
  pe::Limits small;
  small.max_imports_per_module = 4;
  expect_warning(m.bytes, "more than 4 imports", small);
  m = base;  // the DLL name is the descriptor itself (no NUL within reach)
  m.put32(descriptor + 12, descriptor_rva);
  touch(pe::Image::parse(m.bytes));
  m = base;  // the descriptor table never ends: each descriptor repeats, limited by max_import_modules
  pe::Limits few;
  few.max_import_modules = 3;
  for (int i = 1; i < 4; ++i) std::memcpy(m.bytes.data() + descriptor + 20 * i, m.bytes.data() + descriptor, 20);
  expect_warning(m.bytes, "more than 3 import descriptors", few);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(PeMalformed, OverlappingAndOversizedSections) {
  Mutant m("minimal_wdm_mingw-x64");
  m.put32(m.section(1) + 12, m.get32(m.section(0) + 12));  // same VirtualAddress
  m.put32(m.section(1) + 20, m.get32(m.section(0) + 20));  // same PointerToRawData
  expect_warning(m.bytes, "overlap in memory");
  expect_warning(m.bytes, "overlap in the file");
  m = Mutant("minimal_wdm_mingw-x64");
  m.put32(m.section(0) + 16, 0x7FFFFFFF);  // SizeOfRawData far past the file
  expect_warning(m.bytes, "extends past the end of the file");
  m = Mutant("pe_long_names_mingw-x64");
  for (int i = 0; i < pe::Image::parse(m.bytes).number_of_sections; ++i)
    if (m.bytes[m.section(i)] == '/') std::memcpy(m.bytes.data() + m.section(i), "/9999999", 8);
  expect_warning(m.bytes, "points outside the COFF string table");
}

TEST(PeMalformed, ZeroSizedEverything) {
  Mutant m("pe_versioned_clang-x64");
  const int count = pe::Image::parse(m.bytes).number_of_sections;
  for (int i = 0; i < count; ++i)
    for (int field : {8, 16}) m.put32(m.section(i) + field, 0);  // VirtualSize, SizeOfRawData
  for (uint32_t field : {56u, 60u}) m.put32(m.opt + field, 0);    // SizeOfImage, SizeOfHeaders
  const pe::Image img = pe::Image::parse(m.bytes);
  touch(img);
  EXPECT_TRUE(img.imports.empty());
  EXPECT_FALSE(img.version_info);
  EXPECT_FALSE(img.warnings.empty());  // the directories now point at nothing

  Mutant none("pe_versioned_clang-x64");
  none.put16(none.coff + 2, 0);  // no sections at all
  expect_warning(none.bytes, "no sections");
  Mutant sizes("pe_versioned_clang-x64");
  for (int i = 0; i < 16; ++i) sizes.put32(sizes.dirs + 8 * i + 4, 0);
  const pe::Image empty = pe::Image::parse(sizes.bytes);
  EXPECT_FALSE(empty.version_info);
  EXPECT_TRUE(empty.relocations.empty());
}

TEST(PeMalformed, ResourceDirectoryLoops) {
  Mutant m("pe_versioned_clang-x64");
  const uint64_t root = m.directory_offset(pe::dir::resource);
  // The root's first entry (RT_VERSION, the only type) points back at the root.
  ASSERT_EQ(m.get32(root + 16), 16u);
  m.put32(root + 20, 0x80000000);
  expect_warning(m.bytes, "the tree loops");
  // The second level points at the first.
  m = Mutant("pe_versioned_clang-x64");
  const uint32_t level2 = m.get32(root + 20) & 0x7FFFFFFF;
  m.put32(root + level2 + 20, 0x80000000);
  expect_warning(m.bytes, "the tree loops");
  // Entry counts far beyond the data.
  m = Mutant("pe_versioned_clang-x64");
  m.put16(root + 14, 0xFFFF);
  expect_warning(m.bytes, "resource");
  // A version block whose length overruns the resource.
  m = Mutant("pe_versioned_clang-x64");
  const pe::Image img = pe::Image::parse(m.bytes);
  uint32_t node = 0;  // type → name → language: follow the first entry of each level
  for (int level = 0; level < 3; ++level) node = m.get32(root + node + 20) & 0x7FFFFFFF;
  const uint64_t version = img.rva_to_offset(m.get32(root + node)).value();  // the data entry's RVA
  ASSERT_EQ(std::memcmp(m.bytes.data() + version + 6, u"VS_VERSION_INFO", 30), 0);
  m.put16(version, 0xFFFF);
  expect_warning(m.bytes, "does not hold a VS_VERSIONINFO");
}

TEST(PeMalformed, RelocationBlocks) {
  const Mutant base("minimal_wdm_mingw-x86");
  ASSERT_TRUE(pe::Image::parse(base.bytes).directories[pe::dir::basereloc].present());
  const uint64_t block = base.directory_offset(pe::dir::basereloc);
  ASSERT_NE(base.get32(block), 0u);
  for (uint32_t size : {0u, 6u, 9u, 0x7FFFFFF0u}) {
    SCOPED_TRACE(size);
    Mutant m = base;
    m.put32(block + 4, size);
    expect_warning(m.bytes, size > 9 ? "runs past the directory" : "invalid SizeOfBlock");
  }
  pe::Limits few;
  few.max_relocations = 1;
  expect_warning(base.bytes, "more than 1 base relocations", few);
}

TEST(PeMalformed, ExportsDebugAndLoadConfigDamage) {
  Mutant m("pe_exports_mingw-x64");
  const uint64_t exports = m.directory_offset(pe::dir::export_);
  m.put32(exports + 20, 0x10000000);  // NumberOfFunctions
  m.put32(exports + 24, 0x10000000);  // NumberOfNames
  expect_warning(m.bytes, "above the limit");
  m = Mutant("pe_exports_mingw-x64");
  m.put32(exports + 36, 0xFFFFFF00);  // AddressOfNameOrdinals nowhere
  expect_warning(m.bytes, "name ordinal table");
  m = Mutant("pe_exports_mingw-x64");
  m.put32(exports + 12, 0xFFFFFF00);  // DLL name nowhere
  expect_warning(m.bytes, "export DLL name");

  m = Mutant("pe_debug_clang-x64");
  const uint64_t debug = m.directory_offset(pe::dir::debug);
  m.put32(debug + 20, 0);           // AddressOfRawData
  m.put32(debug + 24, 0xFFFFFF00);  // PointerToRawData
  expect_warning(m.bytes, "is outside the file");
  m = Mutant("pe_debug_clang-x64");
  m.put32(m.dirs + 8 * pe::dir::debug + 4, 30);  // not a multiple of 28
  expect_warning(m.bytes, "not a multiple");

  m = Mutant("pe_load_config_clang-x64");
  m.put32(m.dirs + 8 * pe::dir::load_config + 4, 2);
  expect_warning(m.bytes, "too small to hold its Size");
}

TEST(PeMalformed, RichHeaderWithoutStart) {
  Mutant m("minimal_wdm_mingw-x64");
  std::memcpy(m.bytes.data() + 0x78, "Rich\x11\x22\x33\x44", 8);  // an end marker with no "DanS"
  expect_warning(m.bytes, "Rich header is malformed");
}

}  // namespace
}  // namespace drvsec
