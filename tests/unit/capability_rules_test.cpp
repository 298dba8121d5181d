// The import rules (src/rules/imports) on real drivers: tests/fixtures/capabilities.c built once per
// capability (present) and once without any (absent), with mingw and clang, for x64 and x86.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "rules/rule.h"
#include "engine/scan.h"

namespace drvsec {
namespace {

const std::vector<std::string> kImportRules{"api-banned-string", "api-deprecated-pool", "api-tdi",
                                            "cap-firmware",      "cap-physical-memory", "cap-port-io",
                                            "cap-process-control", "cap-user-mapping", "named-device-link"};

struct Scanned {
  FileAnalysis file;
  std::vector<Finding> findings;  // import rules only
  std::vector<uint8_t> bytes;     // the image views these
};

std::unique_ptr<Scanned> scan_fixture(const std::string& name) {
  auto s = std::make_unique<Scanned>();
  const std::string path = std::string(DRVSEC_FIXTURE_DIR) + "/" + name + ".sys";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  s->bytes.assign(std::istreambuf_iterator<char>(in), {});
  ScanOptions options;
  options.only_rules = kImportRules;
  s->file = analyze_bytes(path, s->bytes, options);
  s->findings = run_rules(s->file, options);
  return s;
}

std::set<std::string> apis(const FileAnalysis& f, CapabilityCategory c) {
  std::set<std::string> out;
  if (f.model)
    for (const auto& cap : f.model->capabilities)
      if (cap.category == c) out.insert(cap.api);
  return out;
}

const Finding* only_finding(const Scanned& s, const std::string& rule) {
  const Finding* found = nullptr;
  for (const auto& f : s.findings)
    if (f.rule_id == rule) {
      EXPECT_EQ(found, nullptr) << "more than one " << rule << " finding";
      found = &f;
    }
  return found;
}

class CapabilityFixtures : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Scanned> load(const std::string& variant) {
    auto s = scan_fixture("caps_" + variant + "_" + GetParam());
    EXPECT_TRUE(s->file.model && s->file.model->is_kernel_driver) << variant;
    return s;
  }
  bool x86() const { return GetParam().ends_with("x86"); }
};

// Each variant fires exactly its own rule; the baseline (the same driver without the capability)
// fires none of them.
TEST_P(CapabilityFixtures, EachCapabilityFiresOnlyItsRule) {
  const std::map<std::string, std::set<std::string>> expected{
      {"none", {}},
      {"physical_memory", {"cap-physical-memory"}},
      {"physmem_section", {"cap-physical-memory"}},
      {"section_only", {"cap-physical-memory"}},
      {"physmem_string_only", {"cap-physical-memory"}},
      {"user_mapping", {"cap-user-mapping"}},
      {"process_control", {"cap-process-control"}},
      {"process_control_checked", {"cap-process-control"}},
      {"port_io", {"cap-port-io"}},
      {"firmware", {"cap-firmware"}},
      {"banned_string", {"api-banned-string"}},
      {"deprecated_pool", {"api-deprecated-pool"}},
      {"deprecated_pool_fallback", {"api-deprecated-pool"}},
      {"tdi", {"api-tdi"}},  // it builds an MDL, but maps nothing: no cap-user-mapping
      {"named_device", {"named-device-link"}},
  };
  for (const auto& [variant, rules] : expected) {
    auto s = load(variant);
    std::set<std::string> fired;
    for (const auto& f : s->findings) fired.insert(f.rule_id);
    EXPECT_EQ(fired, rules) << variant;
  }
  auto none = load("none");
  EXPECT_TRUE(none->file.model->capabilities.empty());
  // The baseline creates one unnamed device object (code recovery records it); it names none.
  for (const Device& d : none->file.model->devices) EXPECT_TRUE(d.name.empty()) << d.name;
  EXPECT_TRUE(none->file.model->links.empty());
}

TEST_P(CapabilityFixtures, PhysicalMemoryImportsAreANote) {
  auto s = load("physical_memory");
  EXPECT_EQ(apis(s->file, CapabilityCategory::physical_memory),
            (std::set<std::string>{"MmCopyMemory", "MmGetPhysicalAddress", "MmMapIoSpace", "MmMapIoSpaceEx", "MmUnmapIoSpace"}));
  const Finding* f = only_finding(*s, "cap-physical-memory");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::note);
  EXPECT_TRUE(f->location.rva.has_value());
  EXPECT_EQ(f->evidence.size(), 5u);
}

// BP-5: the \Device\PhysicalMemory string with the section APIs is high; each alone is lower.
TEST_P(CapabilityFixtures, PhysicalMemorySectionNeedsBothStringAndImports) {
  auto both = load("physmem_section");
  const Finding* f = only_finding(*both, "cap-physical-memory");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::error);
  EXPECT_NE(f->message.find("\\Device\\PhysicalMemory"), std::string::npos);
  EXPECT_TRUE(apis(both->file, CapabilityCategory::physical_memory).count("\\Device\\PhysicalMemory"));

  auto section_only = load("section_only");
  f = only_finding(*section_only, "cap-physical-memory");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::note);
  EXPECT_FALSE(apis(section_only->file, CapabilityCategory::physical_memory).count("\\Device\\PhysicalMemory"));

  auto string_only = load("physmem_string_only");
  f = only_finding(*string_only, "cap-physical-memory");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_EQ(f->confidence, Confidence::medium);
}

TEST_P(CapabilityFixtures, UserMapping) {
  auto s = load("user_mapping");
  EXPECT_TRUE(apis(s->file, CapabilityCategory::user_mapping).count("MmMapLockedPagesSpecifyCache"));
  const Finding* f = only_finding(*s, "cap-user-mapping");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::note);
  // The TDI variant imports MmBuildMdlForNonPagedPool (recorded) but maps nothing (no finding).
  auto tdi = load("tdi");
  EXPECT_EQ(apis(tdi->file, CapabilityCategory::user_mapping), std::set<std::string>{"MmBuildMdlForNonPagedPool"});
  EXPECT_FALSE(only_finding(*tdi, "cap-user-mapping"));
}

// BP-2: ZwTerminateProcess without PsIsProtectedProcess* is worse than with.
TEST_P(CapabilityFixtures, ProcessTerminationWithoutProtectedCheckIsWorse) {
  auto unchecked = load("process_control");
  auto checked = load("process_control_checked");
  const std::set<std::string> expected{"KeStackAttachProcess", "PsLookupProcessByProcessId", "ZwOpenProcess",
                                       "ZwTerminateProcess"};
  EXPECT_EQ(apis(unchecked->file, CapabilityCategory::process_control), expected);
  EXPECT_EQ(apis(checked->file, CapabilityCategory::process_control), expected);
  const Finding* u = only_finding(*unchecked, "cap-process-control");
  const Finding* c = only_finding(*checked, "cap-process-control");
  ASSERT_TRUE(u && c);
  EXPECT_EQ(u->severity, Severity::warning);
  EXPECT_EQ(c->severity, Severity::note);
  EXPECT_GT(u->severity, c->severity);
}

// READ_PORT_*/WRITE_PORT_* are HAL imports on x86 and inlined IN/OUT on x64.
TEST_P(CapabilityFixtures, PortIoImportsDependOnTheMachine) {
  auto s = load("port_io");
  const auto found = apis(s->file, CapabilityCategory::port_io);
  EXPECT_TRUE(found.count("HalGetBusDataByOffset"));
  EXPECT_TRUE(found.count("HalSetBusDataByOffset"));
  EXPECT_EQ(found.count("READ_PORT_UCHAR"), x86() ? 1u : 0u);
  EXPECT_EQ(found.count("WRITE_PORT_UCHAR"), x86() ? 1u : 0u);
  const Finding* f = only_finding(*s, "cap-port-io");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::note);
  EXPECT_NE(f->message.find("read and write"), std::string::npos);
}

TEST_P(CapabilityFixtures, FirmwareWritesAreAWarning) {
  auto s = load("firmware");
  EXPECT_EQ(apis(s->file, CapabilityCategory::firmware),
            (std::set<std::string>{"ExGetFirmwareEnvironmentVariable", "ExSetFirmwareEnvironmentVariable"}));
  const Finding* f = only_finding(*s, "cap-firmware");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::warning);
}

// The call site itself (not only the import): the ExSetFirmwareEnvironmentVariable of IOCTL 0x222400,
// whose variable name is a constant local string (tests/fixtures/capabilities.c) — reachable, not controlled.
TEST_P(CapabilityFixtures, FirmwareWriteSiteIsReportedOnce) {
  const std::string path = std::string(DRVSEC_FIXTURE_DIR) + "/caps_firmware_" + GetParam() + ".sys";
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  ScanOptions options;
  options.only_rules = {"prim-firmware-variable"};
  const FileAnalysis file = analyze_bytes(path, bytes, options);
  const std::vector<Finding> findings = run_rules(file, options);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].ioctl, 0x222400u);
  EXPECT_NE(findings[0].message.find("`ExSetFirmwareEnvironmentVariable`"), std::string::npos) << findings[0].message;
  EXPECT_TRUE(std::count(findings[0].evidence.begin(), findings[0].evidence.end(), "variable name: local variable")) << path;
  // The same variant without the write (the baseline fixture) has no site.
  const std::string none_path = std::string(DRVSEC_FIXTURE_DIR) + "/caps_none_" + GetParam() + ".sys";
  std::ifstream none_in(none_path, std::ios::binary);
  const std::vector<uint8_t> none_bytes{std::istreambuf_iterator<char>(none_in), {}};
  EXPECT_TRUE(run_rules(analyze_bytes(none_path, none_bytes, options), options).empty());
}

TEST_P(CapabilityFixtures, BannedStringFunctions) {
  auto s = load("banned_string");
  EXPECT_EQ(apis(s->file, CapabilityCategory::banned_string), (std::set<std::string>{"sprintf", "strcpy"}));
  const Finding* f = only_finding(*s, "api-banned-string");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->checklist, std::vector<std::string>{"CL-5.17"});
}

TEST_P(CapabilityFixtures, DeprecatedPoolAndItsDownLevelFallback) {
  auto s = load("deprecated_pool");
  EXPECT_EQ(apis(s->file, CapabilityCategory::deprecated_pool), std::set<std::string>{"ExAllocatePoolWithTag"});
  const Finding* f = only_finding(*s, "api-deprecated-pool");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_EQ(f->confidence, Confidence::high);
  auto fallback = load("deprecated_pool_fallback");
  f = only_finding(*fallback, "api-deprecated-pool");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::note);
  EXPECT_EQ(f->confidence, Confidence::medium);
}

TEST_P(CapabilityFixtures, Tdi) {
  auto s = load("tdi");
  EXPECT_EQ(apis(s->file, CapabilityCategory::tdi), std::set<std::string>{"TdiCopyBufferToMdl"});
  const Finding* f = only_finding(*s, "api-tdi");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->checklist, std::vector<std::string>{"CL-5.19"});
}

TEST_P(CapabilityFixtures, NamedDeviceWithLink) {
  auto s = load("named_device");
  ASSERT_EQ(s->file.model->devices.size(), 1u);
  ASSERT_EQ(s->file.model->links.size(), 1u);
  EXPECT_EQ(s->file.model->devices[0].name, "\\Device\\CapsFixture");
  EXPECT_EQ(s->file.model->links[0].name, "\\DosDevices\\CapsFixture");
  const Finding* f = only_finding(*s, "named-device-link");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::note);
  EXPECT_EQ(f->confidence, Confidence::high);  // IoCreateSymbolicLink is imported
  EXPECT_NE(f->message.find("\\\\.\\CapsFixture -> \\Device\\CapsFixture"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Toolchains, CapabilityFixtures,
                         ::testing::Values("mingw-x64", "mingw-x86", "clang-x64", "clang-x86"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ImportRules, AreRegisteredWithDocumentation) {
  for (const auto& id : kImportRules) {
    const Rule* rule = RuleRegistry::instance().find(id);
    ASSERT_TRUE(rule) << id;
    EXPECT_FALSE(rule->info().checklist.empty()) << id;
    EXPECT_FALSE(rule->info().cwe.empty()) << id;
    const std::string_view doc = rule_documentation(id);
    EXPECT_NE(doc.find("# " + id), std::string_view::npos) << id;
    for (const auto& item : rule->info().checklist) EXPECT_NE(doc.find(item), std::string_view::npos) << id << " " << item;
  }
}

}  // namespace
}  // namespace drvsec

namespace drvsec {
namespace {

// samples/ (built into samples/bin by the normal build): the careful driver states only the
// named-device fact, the careless one much more.
TEST(Samples, CarefulToCareless) {
  const std::string bin = DRVSEC_SOURCE_DIR "/samples/bin/";
  auto rules_of = [&](const std::string& name) {
    ScanOptions options;
    options.only_rules = kImportRules;
    ScanResult r = scan({bin + name}, options);
    EXPECT_EQ(r.files.size(), 1u) << name;
    std::set<std::string> fired;
    for (const auto& f : r.findings) fired.insert(f.rule_id);
    return fired;
  };
  EXPECT_EQ(rules_of("careful.sys"), std::set<std::string>{"named-device-link"});
  EXPECT_EQ(rules_of("middle.sys"), (std::set<std::string>{"api-banned-string", "api-deprecated-pool", "cap-physical-memory",
                                                           "cap-user-mapping", "named-device-link"}));
  const std::set<std::string> careless{"api-banned-string", "api-deprecated-pool", "cap-physical-memory",
                                       "cap-process-control", "cap-user-mapping", "named-device-link"};
  EXPECT_EQ(rules_of("careless.sys"), careless);
  auto careless_x86 = careless;
  careless_x86.insert("cap-port-io");  // READ_PORT_UCHAR/WRITE_PORT_UCHAR are hal.dll imports on x86
  EXPECT_EQ(rules_of("careless_x86.sys"), careless_x86);
}

}  // namespace
}  // namespace drvsec
