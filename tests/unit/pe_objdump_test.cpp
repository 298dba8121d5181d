// Cross-checks the PE parser against GNU objdump (binutils' independent PE reader) on the fixture
// drivers and the third-party drivers: headers, sections, imports, exports, base relocations and
// x64 .pdata must agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "pe/image.h"
#include "pe_test_support.h"

namespace drvsec {
namespace {

using pe_test::ObjdumpView;

// The section size objdump shows: binutils uses VirtualSize when the raw data is padded beyond it
// (or for uninitialized data without raw data), else SizeOfRawData.
uint64_t objdump_section_size(const pe::Section& s) {
  constexpr uint32_t kUninitializedData = 0x80;
  const bool use_virtual = s.virtual_size > 0 &&
                           (((s.characteristics & kUninitializedData) && s.raw_size == 0) || s.raw_size > s.virtual_size);
  return use_virtual ? s.virtual_size : s.raw_size;
}

std::string objdump_reloc_name(uint8_t type) {
  switch (type) {
    case 1: return "HIGH";
    case 2: return "LOW";
    case 3: return "HIGHLOW";
    case 4: return "HIGHADJ";
    case 10: return "DIR64";
    default: return "type" + std::to_string(type);
  }
}

// How much each kind of data the comparisons covered, so a parse of objdump's output that silently
// matched nothing cannot pass.
struct Coverage {
  size_t imports = 0, exports = 0, relocations = 0, runtime_functions = 0;
};

void expect_agrees_with_objdump(const std::string& path, Coverage& coverage) {
  SCOPED_TRACE(path);
  const std::vector<uint8_t> bytes = pe_test::read_file(path);
  ASSERT_FALSE(bytes.empty());
  const pe::Image img = pe::Image::parse(bytes);
  const ObjdumpView v = pe_test::objdump_view(path, img.is_pe32_plus);
  ASSERT_FALSE(v.sections.empty()) << "objdump produced no section list";

  EXPECT_EQ(img.entry_point_rva, v.entry_point);
  EXPECT_EQ(img.image_base, v.image_base);
  EXPECT_EQ(img.subsystem, v.subsystem);
  EXPECT_EQ(img.dll_characteristics, v.dll_characteristics);

  ASSERT_EQ(img.sections.size(), v.sections.size());
  for (size_t i = 0; i < img.sections.size(); ++i) {
    const pe::Section& s = img.sections[i];
    const pe_test::ObjdumpSection& o = v.sections[i];
    SCOPED_TRACE(o.name);
    EXPECT_EQ(s.name, o.name);
    EXPECT_EQ(img.image_base + s.virtual_address, o.vma);
    EXPECT_EQ(objdump_section_size(s), o.size);
    if (s.raw_size) {
      EXPECT_EQ(s.raw_offset, o.file_offset);
    }
    EXPECT_EQ(s.raw_size != 0, o.flags.count("CONTENTS") == 1);
    EXPECT_EQ(!s.writable(), o.flags.count("READONLY") == 1);
    EXPECT_EQ((s.characteristics & pe::scn::cnt_code) != 0, o.flags.count("CODE") == 1);
  }

  std::vector<std::pair<std::string, std::vector<std::string>>> ours;
  for (const pe::ImportedModule& m : img.imports) {
    if (m.delay_load) continue;  // objdump does not decode delay-load imports
    std::vector<std::string> names;
    for (const pe::ImportedFunction& f : m.functions)
      names.push_back(f.ordinal ? "#" + std::to_string(*f.ordinal) : f.name);
    ours.push_back({m.dll, names});
  }
  EXPECT_EQ(ours, v.imports);

  std::set<std::string> export_names;
  for (const pe::Export& e : img.exports)
    if (!e.name.empty()) export_names.insert(e.name);
  EXPECT_EQ(export_names, v.export_names);

  std::vector<std::pair<uint32_t, std::string>> relocations;
  for (const pe::Relocation& r : img.relocations) relocations.push_back({r.rva, objdump_reloc_name(r.type)});
  EXPECT_EQ(relocations, v.relocations);

  if (img.machine == pe::machine::amd64) {
    std::vector<uint32_t> begins;
    for (const pe::RuntimeFunction& f : img.runtime_functions) begins.push_back(f.begin_rva);
    std::vector<uint32_t> expected;
    for (uint64_t va : v.function_begins)
      if (va) expected.push_back(static_cast<uint32_t>(va - img.image_base));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(begins, expected);
  }
  EXPECT_TRUE(img.warnings.empty()) << img.warnings.front();
  for (const auto& m : v.imports) coverage.imports += m.second.size();
  coverage.exports += v.export_names.size();
  coverage.relocations += v.relocations.size();
  coverage.runtime_functions += v.function_begins.size();
}

TEST(PeObjdump, FixtureDriversAgree) {
  int checked = 0;
  Coverage coverage;
  for (const auto& e : std::filesystem::directory_iterator(DRVSEC_FIXTURE_DIR)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".sys" || !(name.starts_with("pe_") || name.starts_with("minimal_wdm_"))) continue;
    expect_agrees_with_objdump(e.path().string(), coverage);
    ++checked;
  }
  EXPECT_GE(checked, 16);
  EXPECT_GT(coverage.imports, 20u);
  EXPECT_GE(coverage.exports, 12u);
  EXPECT_GT(coverage.relocations, 10u);
  EXPECT_GT(coverage.runtime_functions, 10u);
}

TEST(PeObjdump, ThirdPartyDriversAgree) {
  const std::vector<std::string> drivers = pe_test::thirdparty_drivers();
  if (drivers.empty()) GTEST_SKIP() << "no third-party drivers: " << pe_test::thirdparty_dir() << " is missing";
  Coverage coverage;
  for (const std::string& path : drivers) expect_agrees_with_objdump(path, coverage);
  EXPECT_GE(drivers.size(), 19u);  // Wine's 17 kernel drivers and WinDivert32/64
  EXPECT_GT(coverage.imports, 500u);
  EXPECT_GT(coverage.exports, 500u);
  EXPECT_GT(coverage.relocations, 1000u);
  EXPECT_GT(coverage.runtime_functions, 500u);
  std::printf("objdump cross-check: %zu imports, %zu exports, %zu relocations, %zu runtime functions\n",
              coverage.imports, coverage.exports, coverage.relocations, coverage.runtime_functions);
}

}  // namespace
}  // namespace drvsec
