// What an INF file states, read from its syntax (inf_file.h) the way Windows reads it: the [Version]
// facts, the manufacturers and their models (hardware IDs, root-enumerated ones flagged), the
// DDInstall sections each platform installs (the decorated section chosen as Windows chooses it:
// .NT<arch> over .NT over undecorated), their AddReg/DelReg lines, services, copied files and
// destination directories, device interfaces, WMI sections, co-installers, Needs/Include, and the
// [DefaultInstall] and [ClassInstall32] sections. Every fact names where it is written (a Location
// with the INF's path and line). This is the formats layer: facts only, no judgement; the rules that
// read these facts come later (docs/inf.md says what is read and what is not yet).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inf/inf_file.h"
#include "model/location.h"

namespace drvsec::inf {

// A value as the INF states it, %strkey% substituted, and the line it is on.
struct InfText {
  std::string value;
  Location at;
};

// A platform decoration ("TargetOSVersion"): NT[Architecture][.[OSMajorVersion][.[OSMinorVersion]
// [.[ProductType][.[SuiteMask][.[BuildNumber]]]]]], compared case-insensitively.
struct InfPlatform {
  std::string decoration;    // as written, e.g. "NTamd64.10.0...16299"; empty when undecorated
  std::string architecture;  // lower-cased: "x86", "amd64", "arm64", "ia64", "arm"; empty: any
  std::string os_version;    // what follows the architecture, without the leading '.', e.g. "10.0...16299"
};
// The decoration parsed, or nullopt when it does not start with "NT" (then it is no platform).
std::optional<InfPlatform> parse_platform(std::string_view decoration);

// The architectures drvsec resolves install sections for, in this order.
inline constexpr std::string_view kArchitectures[] = {"x86", "amd64", "arm64"};

struct VersionFacts {
  std::optional<InfText> signature, class_name, class_guid, provider, driver_ver, pnp_lockdown;
  std::string driver_date, driver_version;  // DriverVer = mm/dd/yyyy[,w.x.y.z], split
  // CatalogFile (decoration "") and CatalogFile.<decoration>, in file order.
  struct Catalog {
    std::string decoration;
    InfText file;
  };
  std::vector<Catalog> catalog_files;
};

struct HardwareId {
  std::string id;
  bool root_enumerated = false;  // ROOT\... (a software device Windows creates, no hardware behind it)
};

// One line of a Models section: device-description = install-section-name[, hw-id][, compatible-id...].
struct ModelDevice {
  std::string description;
  std::string install_section;   // as written; resolved per platform in `PlatformInstall`
  std::vector<HardwareId> ids;   // the hardware ID first, then compatible IDs
  Location at;
};

// A Models section a [Manufacturer] line names, with one of its decorations (or none).
struct ModelsSection {
  std::string manufacturer;  // the [Manufacturer] key (substituted), empty when the line has none
  std::string name;          // the section's name: models-section-name[.decoration]
  InfPlatform platform;
  bool present = false;      // the INF has the section
  std::vector<ModelDevice> devices;
  Location at;               // the [Manufacturer] line
};

enum class RegistryValueKind {
  none,                    // not one of the values below
  security,                // HKR,,Security: the device's (or class's, or interface's) SDDL
  device_characteristics,  // HKR,,DeviceCharacteristics: FILE_DEVICE_* characteristics (DWORD)
  device_type,             // HKR,,DeviceType: FILE_DEVICE_* type (DWORD)
  exclusive,               // HKR,,Exclusive: one handle at a time (DWORD)
  upper_filters,           // UpperFilters (MULTI_SZ): filter drivers above the function driver
  lower_filters,           // LowerFilters (MULTI_SZ)
};

// One line of an add-registry or del-registry section:
// reg-root, [subkey], [value-entry-name], [flags], [value[, value...]].
struct RegistryLine {
  bool remove = false;          // a DelReg line
  std::string section;          // the add-registry (or del-registry) section, as written
  std::string root;             // upper-cased: HKR, HKLM, HKCU, HKCR, HKU (or what is written)
  std::string subkey;
  std::string value_name;
  std::optional<uint32_t> flags;
  std::vector<std::string> value;  // the fields after flags, substituted
  std::optional<uint64_t> number;  // the first value field read as a number, when it is one
  RegistryValueKind kind = RegistryValueKind::none;  // recognised on HKR with an empty subkey
  // The SDDL of [<section>.security], which secures the keys this section writes, when it exists.
  std::optional<InfText> section_security;
  Location at;
};

// [DestinationDirs] file-list-section (or DefaultDestDir) = dirid[, subdir].
struct DestinationDir {
  std::string section;             // lower-cased key; "defaultdestdir" for the default
  std::optional<int32_t> dirid;    // nullopt when not a number (e.g. %11%: Windows wants a number); 65535 reads as -1
  std::string subdir;
  Location at;
};

// One file a CopyFiles directive copies.
struct FileCopy {
  std::string destination;       // destination file name (substituted)
  std::string source;            // source file name when it differs, else empty
  std::string list_section;      // the file-list section, empty for CopyFiles=@file
  std::optional<int32_t> dirid;  // from [DestinationDirs] for the list, else DefaultDestDir; nullopt when neither
  std::string subdir;
  std::optional<InfText> list_security;  // the SDDL of [<list_section>.security], when it exists
  Location at;                   // the file-list line (or the CopyFiles=@ line)
};

// AddService = ServiceName, [flags], service-install-section[, event-log-install-section...].
struct ServiceInstall {
  std::string name;
  std::optional<uint32_t> flags;
  std::string install_section;
  bool section_present = false;
  std::optional<uint32_t> service_type, start_type, error_control;  // numbers as written
  std::string service_binary, load_order_group, security, display_name;
  std::vector<RegistryLine> registry;  // the service-install section's AddReg/DelReg
  Location at;                         // the AddService line
};

// AddInterface = {InterfaceClassGUID}[, [reference-string][, [add-interface-section][, flags]]]
// in DDInstall.Interfaces, or {GUID} = install-interface-section[, flags] in [InterfaceInstall32].
struct InterfaceInstall {
  std::string class_guid;
  std::string reference;
  std::string install_section;
  std::vector<RegistryLine> registry;  // the add-interface (install-interface) section's AddReg/DelReg
  Location at;
};

// WMIInterface = {GUID}, flags, WMI-class-section in DDInstall.WMI; the class section's Security.
struct WmiInterface {
  std::string guid;
  std::optional<uint32_t> flags;
  std::string class_section;
  std::optional<InfText> security;
  Location at;
};

// A directive of an install section as written (key lower-cased, values substituted): every one
// is kept, so that a rule can name the ones InfVerif rejects (RegisterDlls, UpdateInis, ...).
struct Directive {
  std::string key;
  std::vector<std::string> values;
  Location at;
};

// An install section as a platform resolves it (DDInstall, DefaultInstall, ClassInstall32, or an
// install section named by Needs), with the sub-sections Windows reads with it.
struct InstallSection {
  std::string requested;  // the name the INF uses (the Models line, or "DefaultInstall")
  std::string name;       // the section chosen for the platform, as written; empty when none exists
  Location at;            // its header
  std::vector<Directive> directives;
  std::vector<RegistryLine> registry;     // AddReg/DelReg of the section
  std::vector<RegistryLine> hw_registry;  // AddReg/DelReg of <name>.HW
  std::vector<FileCopy> files;            // CopyFiles of the section
  std::vector<ServiceInstall> services;   // AddService of <name>.Services
  std::vector<InterfaceInstall> interfaces;  // AddInterface of <name>.Interfaces
  std::vector<WmiInterface> wmi;             // <name>.WMI
  std::optional<Location> coinstallers;      // <name>.CoInstallers exists
  std::vector<RegistryLine> coinstaller_registry;
  std::vector<FileCopy> coinstaller_files;
  std::vector<InfText> needs, includes;
};

// What one architecture installs: the device install sections its models name, [DefaultInstall]
// and [ClassInstall32], each resolved for that architecture.
struct PlatformInstall {
  std::string architecture;                   // one of kArchitectures
  std::vector<InstallSection> device_installs;  // one per distinct install section, in first-named order
  std::optional<InstallSection> default_install;
  std::optional<InstallSection> class_install;
};

struct InfModel {
  std::string path;
  std::string encoding;
  std::vector<Diagnostic> diagnostics;  // the reader's and the model's, by line
  VersionFacts version;
  std::vector<ModelsSection> models;
  std::vector<DestinationDir> destination_dirs;
  std::vector<InterfaceInstall> interface_install32;  // [InterfaceInstall32]
  std::vector<PlatformInstall> platforms;             // one per kArchitectures entry

  // A device INF: some Models section lists a device.
  bool has_models() const;
  // Every hardware and compatible ID the models list are ROOT\ ones (and there is at least one).
  bool only_root_enumerated() const;
};

// Reads the facts of `inf`; `path` is written into every Location. Never throws on content: what
// cannot be read becomes a diagnostic (file-level facts missing are not diagnostics: rules judge).
InfModel read_model(const InfFile& inf, std::string path);

// An INF number: 0x-prefixed hexadecimal or decimal, optional leading '-' for decimal DIRIDs;
// nullopt when it is not one or does not fit.
std::optional<uint64_t> parse_number(std::string_view text);

// The name of a documented system DIRID ("Windows", "System32", "drivers", "DriverStore", ...),
// or empty when drvsec does not know it.
std::string_view dirid_name(int32_t dirid);

}  // namespace drvsec::inf
