// The INF model (src/inf/inf_model.h) and the reader's encodings and diagnostics, on the INF files
// written for these tests in tests/fixtures/inf/. The expected values and line numbers are read off
// the fixture text by hand (each file is short enough to count), not taken from drvsec's output.
#include "inf/inf_model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace drvsec::inf {
namespace {

std::string fixture_path(const std::string& name) { return std::string(DRVSEC_SOURCE_DIR) + "/tests/fixtures/inf/" + name; }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

InfFile parse_bytes(const std::string& bytes, std::string_view language = "0409") {
  return InfFile::parse({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, {}, language);
}

InfModel model_of(const std::string& path, std::string_view language = "0409") {
  return read_model(parse_bytes(read_bytes(path), language), path);
}

const PlatformInstall& platform(const InfModel& m, std::string_view arch) {
  for (const PlatformInstall& p : m.platforms)
    if (p.architecture == arch) return p;
  ADD_FAILURE() << "no platform " << arch;
  return m.platforms.front();
}

uint32_t line_of(const Location& l) { return l.range ? l.range->line : 0; }

// The facts of careful.inf (CRLF line ends, UTF-8 with non-ASCII text in [Strings.0407]).
void expect_careful(const InfModel& m) {
  EXPECT_TRUE(m.diagnostics.empty()) << m.diagnostics.front().message;
  ASSERT_TRUE(m.version.class_name && m.version.class_guid && m.version.pnp_lockdown && m.version.driver_ver);
  EXPECT_EQ(m.version.class_name->value, "CarefulDevices");
  EXPECT_EQ(line_of(m.version.class_name->at), 4u);
  EXPECT_EQ(m.version.class_name->at.path, m.path);
  EXPECT_EQ(m.version.class_guid->value, "{6d1e0b8a-3f4c-4b8e-9a51-2c7d0e4f1a20}");
  EXPECT_EQ(m.version.provider->value, "Careful Devices, Inc.");  // a [Strings] value keeps its comma
  EXPECT_EQ(m.version.pnp_lockdown->value, "1");
  EXPECT_EQ(line_of(m.version.pnp_lockdown->at), 9u);
  EXPECT_EQ(m.version.driver_date, "03/14/2026");
  EXPECT_EQ(m.version.driver_version, "2.1.0.7");
  ASSERT_EQ(m.version.catalog_files.size(), 1u);
  EXPECT_EQ(m.version.catalog_files[0].decoration, "");
  EXPECT_EQ(m.version.catalog_files[0].file.value, "careful.cat");
  EXPECT_EQ(line_of(m.version.catalog_files[0].file.at), 7u);

  // [Manufacturer] line 12 names two decorated Models sections.
  ASSERT_EQ(m.models.size(), 2u);
  EXPECT_EQ(m.models[0].name, "Careful.NTamd64.10.0...16299");
  EXPECT_EQ(m.models[0].manufacturer, "Careful Devices, Inc.");
  EXPECT_EQ(m.models[0].platform.architecture, "amd64");
  EXPECT_EQ(m.models[0].platform.os_version, "10.0...16299");
  EXPECT_EQ(line_of(m.models[0].at), 12u);
  ASSERT_TRUE(m.models[0].present);
  ASSERT_EQ(m.models[0].devices.size(), 1u);
  const ModelDevice& device = m.models[0].devices[0];
  EXPECT_EQ(device.description, "Careful Device");
  EXPECT_EQ(device.install_section, "Careful_Device");
  ASSERT_EQ(device.ids.size(), 2u);  // the second ID is on the continuation line 16
  EXPECT_EQ(device.ids[0].id, "PCI\\VEN_1234&DEV_5678&SUBSYS_00011234");
  EXPECT_EQ(device.ids[1].id, "PCI\\VEN_1234&DEV_5678");
  EXPECT_FALSE(device.ids[0].root_enumerated);
  EXPECT_EQ(line_of(device.at), 15u);
  EXPECT_EQ(device.at.range->end_line, 16u);
  EXPECT_EQ(m.models[1].name, "Careful.NTarm64");
  EXPECT_EQ(m.models[1].platform.architecture, "arm64");
  EXPECT_EQ(m.models[1].devices.at(0).ids.at(0).id, "ACPI\\CRF0001");
  EXPECT_TRUE(m.has_models());
  EXPECT_FALSE(m.only_root_enumerated());

  // x86 has no Models section; amd64 and arm64 both install Careful_Device, resolved to .NT.
  EXPECT_TRUE(platform(m, "x86").device_installs.empty());
  for (std::string_view arch : {"amd64", "arm64"}) {
    const PlatformInstall& p = platform(m, arch);
    EXPECT_FALSE(p.default_install);
    ASSERT_EQ(p.device_installs.size(), 1u) << arch;
    const InstallSection& install = p.device_installs[0];
    EXPECT_EQ(install.requested, "Careful_Device");
    EXPECT_EQ(install.name, "Careful_Device.NT");
    EXPECT_EQ(line_of(install.at), 30u);
    ASSERT_EQ(install.files.size(), 1u);
    EXPECT_EQ(install.files[0].destination, "careful.sys");
    EXPECT_EQ(install.files[0].dirid, 13);  // DefaultDestDir, line 22
    EXPECT_EQ(line_of(install.files[0].at), 34u);
    EXPECT_FALSE(install.files[0].list_security);
    ASSERT_EQ(install.hw_registry.size(), 3u);
    EXPECT_EQ(install.hw_registry[0].kind, RegistryValueKind::security);
    EXPECT_EQ(install.hw_registry[0].root, "HKR");
    EXPECT_EQ(install.hw_registry[0].value, (std::vector<std::string>{"D:P(A;;GA;;;SY)(A;;GA;;;BA)"}));
    EXPECT_FALSE(install.hw_registry[0].flags);
    EXPECT_EQ(line_of(install.hw_registry[0].at), 40u);
    EXPECT_FALSE(install.hw_registry[0].section_security);
    EXPECT_EQ(install.hw_registry[1].kind, RegistryValueKind::device_characteristics);
    EXPECT_EQ(install.hw_registry[1].flags, 0x10001u);
    EXPECT_EQ(install.hw_registry[1].number, 0x100u);
    EXPECT_EQ(install.hw_registry[2].kind, RegistryValueKind::exclusive);
    EXPECT_EQ(install.hw_registry[2].number, 1u);
    ASSERT_EQ(install.services.size(), 1u);
    const ServiceInstall& s = install.services[0];
    EXPECT_EQ(s.name, "careful");
    EXPECT_EQ(s.flags, 2u);
    EXPECT_EQ(line_of(s.at), 45u);
    EXPECT_TRUE(s.section_present);
    EXPECT_EQ(s.service_type, 1u);
    EXPECT_EQ(s.start_type, 3u);
    EXPECT_EQ(s.error_control, 1u);
    EXPECT_EQ(s.service_binary, "%13%\\careful.sys");  // a DIRID token stays as written
    EXPECT_EQ(s.display_name, "Careful Device Service");
    ASSERT_EQ(install.interfaces.size(), 1u);
    EXPECT_EQ(install.interfaces[0].class_guid, "{8f2b6c1e-5d7a-4e3b-b0c9-1a2b3c4d5e6f}");
    EXPECT_EQ(install.interfaces[0].install_section, "Careful_Interface");
    ASSERT_EQ(install.interfaces[0].registry.size(), 1u);
    EXPECT_EQ(install.interfaces[0].registry[0].kind, RegistryValueKind::security);
    EXPECT_EQ(line_of(install.interfaces[0].registry[0].at), 61u);
    ASSERT_EQ(install.wmi.size(), 1u);
    EXPECT_EQ(install.wmi[0].guid, "{0d4a7b3c-2e1f-4a5b-8c9d-7e6f5a4b3c2d}");
    EXPECT_EQ(install.wmi[0].flags, 1u);
    ASSERT_TRUE(install.wmi[0].security);
    EXPECT_EQ(install.wmi[0].security->value, "O:BAG:BAD:(A;;0x12001f;;;BA)(A;;0x12001f;;;SY)");
    EXPECT_EQ(line_of(install.wmi[0].security->at), 67u);
    EXPECT_FALSE(install.coinstallers);
  }
}

TEST(InfModel, ReadsTheCarefulPackageWithCrlfLineEnds) {
  const std::string path = fixture_path("careful.inf");
  ASSERT_NE(read_bytes(path).find("\r\n"), std::string::npos);  // the fixture really is CRLF
  const InfModel m = model_of(path);
  EXPECT_EQ(m.encoding, "utf-8");
  expect_careful(m);
}

TEST(InfModel, ReadsTheSamePackageSavedAsUtf16WithBom) {
  const std::string bytes = read_bytes(DRVSEC_INF_UTF16);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(bytes.substr(0, 2), std::string("\xFF\xFE", 2));
  const InfModel m = read_model(parse_bytes(bytes), DRVSEC_INF_UTF16);
  EXPECT_EQ(m.encoding, "utf-16le-bom");
  expect_careful(m);
}

TEST(InfModel, LocalizedStringsWinForTheirLanguageOnly) {
  const std::string bytes = read_bytes(fixture_path("careful.inf"));
  // [Strings.0407] (line 76) defines DeviceDesc and DiskName; the rest comes from [Strings].
  const InfFile german = parse_bytes(bytes, "0407");
  EXPECT_EQ(german.substitute("%DeviceDesc%"), "Sorgf\xC3\xA4ltiges Ger\xC3\xA4t");
  EXPECT_EQ(german.substitute("%ProviderName%"), "Careful Devices, Inc.");
  const InfFile english = parse_bytes(bytes);
  EXPECT_EQ(english.substitute("%DeviceDesc%"), "Careful Device");
  // A key only a localized section defines still resolves for another language.
  const InfFile only_localized = parse_bytes("[Version]\nProvider=%P%\n[Strings.0407]\nP=\"Deutsch\"\n");
  EXPECT_TRUE(only_localized.diagnostics().empty());
  EXPECT_EQ(only_localized.string_value("p"), "Deutsch");
  // Within one section the first definition wins; %% is a percent sign.
  EXPECT_EQ(parse_bytes("[Strings]\nA=first\nA=second\n").substitute("%a% 100%%"), "first 100%");
}

TEST(InfModel, ReadsWindows1252AsUtf8) {
  const std::string bytes = read_bytes(fixture_path("ansi.inf"));
  ASSERT_NE(bytes.find('\xE9'), std::string::npos);
  const InfModel m = model_of(fixture_path("ansi.inf"));
  EXPECT_EQ(m.encoding, "windows-1252");
  ASSERT_TRUE(m.version.provider);
  // 0xE9 is U+00E9; 0x80 is U+20AC in Windows-1252 (not the C1 control Latin-1 would give).
  EXPECT_EQ(m.version.provider->value, "Soci\xC3\xA9t\xC3\xA9 \xE2\x82\xAC" "uro");
  EXPECT_EQ(line_of(m.version.provider->at), 4u);
}

TEST(InfModel, ReadsTheCarelessLegacyPackage) {
  const InfModel m = model_of(fixture_path("careless.inf"));
  EXPECT_TRUE(m.diagnostics.empty());
  EXPECT_FALSE(m.version.pnp_lockdown);
  EXPECT_TRUE(m.version.catalog_files.empty());
  ASSERT_EQ(m.models.size(), 1u);
  EXPECT_EQ(m.models[0].name, "Careless");
  EXPECT_EQ(m.models[0].platform.decoration, "");
  ASSERT_EQ(m.models[0].devices.size(), 1u);
  EXPECT_EQ(m.models[0].devices[0].ids.at(0).id, "ROOT\\CARELESS");
  EXPECT_TRUE(m.models[0].devices[0].ids[0].root_enumerated);
  EXPECT_TRUE(m.only_root_enumerated());

  // Undecorated sections apply to every architecture.
  for (std::string_view arch : kArchitectures) {
    const PlatformInstall& p = platform(m, arch);
    ASSERT_EQ(p.device_installs.size(), 1u) << arch;
    const InstallSection& install = p.device_installs[0];
    EXPECT_EQ(install.name, "Careless_Install");
    EXPECT_EQ(line_of(install.at), 21u);
    // CopyFiles: Careless_Files goes to DefaultDestDir 12, Careless_Tools to 11 (line 19).
    ASSERT_EQ(install.files.size(), 2u);
    EXPECT_EQ(install.files[0].destination, "careless.sys");
    EXPECT_EQ(install.files[0].dirid, 12);
    EXPECT_EQ(install.files[1].destination, "carelesstool.exe");
    EXPECT_EQ(install.files[1].source, "careless_tool.exe");
    EXPECT_EQ(install.files[1].dirid, 11);
    EXPECT_EQ(line_of(install.files[1].at), 37u);
    // HKLM write from the install section, line 40.
    ASSERT_EQ(install.registry.size(), 1u);
    EXPECT_EQ(install.registry[0].root, "HKLM");
    EXPECT_EQ(install.registry[0].subkey, "Software\\Careless");
    EXPECT_EQ(install.registry[0].value_name, "Debug");
    EXPECT_EQ(line_of(install.registry[0].at), 40u);
    // The directives as written, RegisterDlls (line 24) among them.
    ASSERT_EQ(install.directives.size(), 3u);
    EXPECT_EQ(install.directives[2].key, "registerdlls");
    EXPECT_EQ(line_of(install.directives[2].at), 24u);
    // A global class filter (HKLM class key, UpperFilters) and characteristics without 0x100.
    ASSERT_EQ(install.hw_registry.size(), 2u);
    EXPECT_EQ(install.hw_registry[0].kind, RegistryValueKind::upper_filters);
    EXPECT_EQ(install.hw_registry[0].root, "HKLM");
    EXPECT_EQ(install.hw_registry[0].flags, 0x00010008u);
    EXPECT_EQ(line_of(install.hw_registry[0].at), 30u);
    EXPECT_EQ(install.hw_registry[1].kind, RegistryValueKind::device_characteristics);
    EXPECT_EQ(install.hw_registry[1].number, 0u);
    // Boot start.
    ASSERT_EQ(install.services.size(), 1u);
    EXPECT_EQ(install.services[0].start_type, 0u);
    EXPECT_EQ(install.services[0].load_order_group, "Boot Bus Extender");
    EXPECT_EQ(install.services[0].service_binary, "%12%\\careless.sys");
    // Co-installers (line 52), their registry value and file.
    ASSERT_TRUE(install.coinstallers);
    EXPECT_EQ(line_of(*install.coinstallers), 52u);
    ASSERT_EQ(install.coinstaller_registry.size(), 1u);
    EXPECT_EQ(install.coinstaller_registry[0].value, (std::vector<std::string>{"careless_co.dll,CoInstallerEntry"}));
    ASSERT_EQ(install.coinstaller_files.size(), 1u);
    EXPECT_EQ(install.coinstaller_files[0].destination, "careless_co.dll");
    // [DefaultInstall] (line 62) with its own service.
    ASSERT_TRUE(p.default_install);
    EXPECT_EQ(p.default_install->name, "DefaultInstall");
    EXPECT_EQ(line_of(p.default_install->at), 62u);
    ASSERT_EQ(p.default_install->services.size(), 1u);
    EXPECT_FALSE(p.default_install->services[0].flags);
    EXPECT_EQ(p.default_install->services[0].install_section, "Careless_Service");
  }
}

TEST(InfModel, MalformedLinesGiveLocatedDiagnosticsAndReadingGoesOn) {
  const InfModel m = model_of(fixture_path("malformed.inf"));
  const std::vector<Diagnostic> expected = {
      {1, 0, "text outside a section (before the first section header) is ignored"},
      {2, 1, "section header without ']'; the rest of the line is the name"},
      {3, 13, "unterminated quoted string; it ends at the end of the line"},
      {6, 9, "text after the section header's ']' is ignored"},
      {7, 16, "%Unknown% is defined by no [Strings] section; it is kept as written"},
      {8, 0, "'=' without a key before it"},
      {9, 1, "section header without a name; its lines are ignored"},
      {12, 0, "[DestinationDirs] DefaultDestDir: '%11%' is not a DIRID number"},
      {14, 0, "[Manufacturer] 'Win98' is not a platform decoration (NT[arch][.version])"},
      {20, 0, "registry flags 'banana' are not a number"},
      {21, 0, "registry entry without a root key (HKR, HKLM, ...)"},
  };
  ASSERT_EQ(m.diagnostics.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(m.diagnostics[i], expected[i]) << i << ": " << m.diagnostics[i].message;
  // Reading went on: the unclosed header still names [Version], the quote was closed at the line end,
  // the section after the broken header is read, and so is the rest of the file.
  const InfFile inf = parse_bytes(read_bytes(fixture_path("malformed.inf")));
  EXPECT_EQ(inf.value("Version", "Signature"), "$Windows NT$");
  EXPECT_EQ(inf.value("Broken", "Key"), "yes");
  EXPECT_EQ(inf.section("Broken")->lines.at(0).values.at(2), "%13%\\x.sys");
  ASSERT_EQ(m.models.size(), 1u);
  EXPECT_EQ(m.models[0].name, "Models.NTamd64");
  const InstallSection& install = platform(m, "amd64").device_installs.at(0);
  EXPECT_EQ(install.name, "Install.NTamd64");
  ASSERT_EQ(install.registry.size(), 2u);
  EXPECT_FALSE(install.registry[0].flags);
  EXPECT_EQ(install.registry[1].value_name, "NoRoot");
  EXPECT_TRUE(platform(m, "x86").device_installs.empty());
}

TEST(InfModel, ChoosesTheDecoratedInstallSectionAsWindowsDoes) {
  const InfModel m = read_model(parse_bytes("[Manufacturer]\nM=Models\n[Models]\nD=Inst,PCI\\VEN_1\n"
                                            "[Inst]\nNeeds=Base\n[Inst.NT]\nInclude=machine.inf\nNeeds=Other\n"
                                            "[Inst.NTamd64]\nCopyFiles=F\n[Inst.NTamd64.HW]\nAddReg=R\n"
                                            "[R]\nHKR,,Security,,\"D:P(A;;GA;;;SY)\"\n"
                                            "[R.Security]\n\"D:P(A;;GA;;;SY)(A;;GR;;;BA)\"\n"
                                            "[F]\nx.sys\n[F.security]\n\"D:P(A;;FA;;;SY)\"\n"),
                                "t.inf");
  const InstallSection& amd64 = platform(m, "amd64").device_installs.at(0);
  EXPECT_EQ(amd64.name, "Inst.NTamd64");
  ASSERT_EQ(amd64.hw_registry.size(), 1u);
  // [R.Security] (line 16) secures the keys [R] writes.
  ASSERT_TRUE(amd64.hw_registry[0].section_security);
  EXPECT_EQ(amd64.hw_registry[0].section_security->value, "D:P(A;;GA;;;SY)(A;;GR;;;BA)");
  EXPECT_EQ(line_of(amd64.hw_registry[0].section_security->at), 17u);
  ASSERT_EQ(amd64.files.size(), 1u);
  EXPECT_EQ(amd64.files[0].destination, "x.sys");
  EXPECT_FALSE(amd64.files[0].dirid);  // no [DestinationDirs]
  ASSERT_TRUE(amd64.files[0].list_security);
  EXPECT_EQ(amd64.files[0].list_security->value, "D:P(A;;FA;;;SY)");
  EXPECT_EQ(line_of(amd64.files[0].list_security->at), 21u);
  const InstallSection& arm = platform(m, "arm64").device_installs.at(0);
  EXPECT_EQ(arm.name, "Inst.NT");  // no .NTarm64: .NT over the undecorated section
  EXPECT_TRUE(arm.hw_registry.empty());
  ASSERT_EQ(arm.includes.size(), 1u);
  EXPECT_EQ(arm.includes[0].value, "machine.inf");
  ASSERT_EQ(arm.needs.size(), 1u);
  EXPECT_EQ(arm.needs[0].value, "Other");
  EXPECT_EQ(line_of(arm.needs[0].at), 9u);
}

TEST(InfModel, NumbersPlatformsAndDirids) {
  EXPECT_EQ(parse_number("0x10001"), 0x10001u);
  EXPECT_EQ(parse_number(" 12 "), 12u);
  EXPECT_EQ(parse_number("0xFFFFFFFFFFFFFFFF"), UINT64_MAX);
  EXPECT_FALSE(parse_number("0x1FFFFFFFFFFFFFFFF"));
  EXPECT_FALSE(parse_number("99999999999999999999999"));
  EXPECT_FALSE(parse_number("0x"));
  EXPECT_FALSE(parse_number("12a"));
  auto p = parse_platform("ntARM64.10.0...22000");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->architecture, "arm64");
  EXPECT_EQ(p->os_version, "10.0...22000");
  EXPECT_EQ(parse_platform("NT")->architecture, "");
  EXPECT_FALSE(parse_platform("NTmips"));
  EXPECT_FALSE(parse_platform("Win98"));
  EXPECT_EQ(dirid_name(13), "driver store");
  EXPECT_EQ(dirid_name(12), "System32\\drivers");
  EXPECT_EQ(dirid_name(4242), "");
  const InfModel m = read_model(parse_bytes("[DestinationDirs]\nDefaultDestDir=65535\nA=-1,sub\n"), "d.inf");
  ASSERT_EQ(m.destination_dirs.size(), 2u);
  EXPECT_EQ(m.destination_dirs[0].dirid, -1);  // 65535 is a synonym of -1
  EXPECT_EQ(m.destination_dirs[1].dirid, -1);
  EXPECT_EQ(m.destination_dirs[1].subdir, "sub");
}

TEST(InfModel, HostileReferencesStayBounded) {
  // Every line names the same large registry section many times, for every platform.
  std::string text = "[Manufacturer]\nM=Models\n[Models]\n";
  for (int i = 0; i < 200; ++i) text += "D=Inst" + std::to_string(i) + ",PCI\\X\n";
  for (int i = 0; i < 200; ++i) {
    text += "[Inst" + std::to_string(i) + "]\nAddReg=";
    for (int k = 0; k < 100; ++k) text += "R,";
    text += "R\n";
  }
  text += "[R]\n";
  for (int i = 0; i < 1000; ++i) text += "HKR,,V" + std::to_string(i) + ",0x10001,1\n";
  const InfModel m = read_model(parse_bytes(text), "h.inf");
  size_t lines = 0;
  for (const PlatformInstall& p : m.platforms)
    for (const InstallSection& s : p.device_installs) lines += s.registry.size();
  EXPECT_LE(lines, 500'000u);
  ASSERT_FALSE(m.diagnostics.empty());
  EXPECT_NE(m.diagnostics.back().message.find("section lines read while resolving"), std::string::npos);
}

}  // namespace
}  // namespace drvsec::inf
