// PE/COFF image parser: bounds-checked views over a file's bytes, no analysis.
//
// Every offset, size and count read from the file is checked before use. A file that is not
// a PE image, or whose headers are unusable, makes Image::parse throw FormatError. Damage in
// an optional part (imports, resources, relocations, ...) does not: that part is left empty
// or partial and a line is added to Image::warnings, so the rest of the file is still analyzed.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/version_info.h"
#include "pe/constants.h"

namespace drvsec::pe {

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Upper bounds on work per file; exceeding one is a warning (or a FormatError for headers).
struct Limits {
  uint32_t max_sections = 96;            // the Windows loader refuses more
  uint32_t max_import_modules = 4096;
  uint32_t max_imports_per_module = 65536;
  uint32_t max_exports = 65536;
  uint32_t max_relocations = 4'000'000;
  uint32_t max_runtime_functions = 1'000'000;
  uint32_t max_resource_entries = 65536;
  uint32_t max_debug_entries = 64;
  uint32_t max_string_length = 4096;     // import/export names, strings from resources
};

struct DataDirectory {
  uint32_t rva = 0;   // for SECURITY: a file offset, not an RVA
  uint32_t size = 0;
  bool present() const { return rva != 0 && size != 0; }
};

struct Section {
  std::string name;  // up to 8 chars; long names ("/123") are resolved when a COFF string table exists
  uint32_t virtual_address = 0;
  uint32_t virtual_size = 0;
  uint32_t raw_offset = 0;  // PointerToRawData
  uint32_t raw_size = 0;    // SizeOfRawData
  uint32_t characteristics = 0;

  bool executable() const { return characteristics & scn::mem_execute; }
  bool writable() const { return characteristics & scn::mem_write; }
  bool readable() const { return characteristics & scn::mem_read; }
  bool shared() const { return characteristics & scn::mem_shared; }
  bool discardable() const { return characteristics & scn::mem_discardable; }
  // The RVA range the loader maps: max(virtual_size, raw_size) when virtual_size is 0.
  uint32_t mapped_size() const { return virtual_size ? virtual_size : raw_size; }
  bool contains_rva(uint32_t rva) const {
    return rva >= virtual_address && rva - virtual_address < mapped_size();
  }
};

struct ImportedFunction {
  std::string name;                 // empty when imported by ordinal only
  std::optional<uint16_t> ordinal;  // set when imported by ordinal
  uint16_t hint = 0;
  uint32_t iat_rva = 0;             // RVA of the IAT slot the loader fills (call [iat] targets it)
};

struct ImportedModule {
  std::string dll;           // as written in the file (case preserved)
  bool delay_load = false;
  uint32_t descriptor_rva = 0;
  uint32_t iat_rva = 0;      // FirstThunk (delay: ImportAddressTableRVA)
  std::vector<ImportedFunction> functions;
};

struct Export {
  std::string name;      // empty for ordinal-only exports
  uint32_t ordinal = 0;  // biased ordinal
  uint32_t rva = 0;      // 0 for forwarders
  std::string forwarder; // "DLL.Name" when the export is forwarded
};

struct Relocation {  // one base relocation; IMAGE_REL_BASED_ABSOLUTE padding entries are not listed
  uint32_t rva = 0;   // page RVA + offset
  uint8_t type = 0;   // reloc::highlow, reloc::dir64, ...
};

// IMAGE_LOAD_CONFIG_DIRECTORY: only the fields both the structure's Size and the data directory's
// size cover are set (x86 images with the XP-era directory size 0x40: the Size alone).
// se_handler_* are read for 32-bit images only.
struct LoadConfig {
  uint32_t size = 0;                   // the structure's own Size field
  uint32_t directory_size = 0;         // DataDirectory[LOAD_CONFIG].Size
  std::optional<uint64_t> security_cookie_va;
  std::optional<uint64_t> se_handler_table_va;
  std::optional<uint64_t> se_handler_count;
  std::optional<uint64_t> guard_cf_check_function_va;
  std::optional<uint64_t> guard_cf_dispatch_function_va;
  std::optional<uint64_t> guard_cf_function_table_va;
  std::optional<uint64_t> guard_cf_function_count;
  std::optional<uint32_t> guard_flags;
};

struct CodeViewInfo {
  std::string pdb_path;
  std::string guid;  // "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}"
  uint32_t age = 0;
};

struct DebugInfo {
  std::vector<uint32_t> entry_types;               // IMAGE_DEBUG_TYPE_* of every entry
  std::optional<CodeViewInfo> codeview;            // RSDS
  std::optional<uint32_t> extended_dll_characteristics;  // IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS (20)
};

struct RuntimeFunction {  // x64 .pdata entry (ARM64 .pdata has another layout and is not parsed)
  uint32_t begin_rva = 0;
  uint32_t end_rva = 0;
  uint32_t unwind_rva = 0;
};

struct RichEntry {
  uint16_t product_id = 0;
  uint16_t build = 0;
  uint32_t count = 0;
};

// The parser's result type is the model's (model/version_info.h): recovery moves it into the model.
using VersionInfo = drvsec::VersionInfo;

struct FileRange {
  uint64_t offset = 0;
  uint64_t size = 0;
};

class Image {
 public:
  // Parses `file`; the bytes must outlive the Image (it keeps views into them).
  static Image parse(std::span<const uint8_t> file, const Limits& limits = {});

  // --- headers ---
  bool is_pe32_plus = false;
  uint16_t machine = 0;
  uint16_t number_of_sections = 0;  // as declared in the COFF header
  uint32_t time_date_stamp = 0;
  uint16_t characteristics = 0;     // COFF characteristics
  uint16_t subsystem = 0;
  uint16_t dll_characteristics = 0;
  uint64_t image_base = 0;
  uint32_t entry_point_rva = 0;
  uint32_t section_alignment = 0;
  uint32_t file_alignment = 0;
  uint32_t size_of_image = 0;
  uint32_t size_of_headers = 0;
  uint32_t checksum = 0;            // as stored
  uint32_t computed_checksum = 0;   // what the file's bytes give (the PE checksum algorithm)
  uint32_t pe_header_offset = 0;    // e_lfanew
  uint32_t checksum_offset = 0;     // file offset of OptionalHeader.CheckSum (Authenticode skips it)
  uint32_t security_directory_entry_offset = 0;  // file offset of DataDirectory[SECURITY] (Authenticode skips it)
  uint32_t number_of_rva_and_sizes = 0;
  std::array<DataDirectory, 16> directories{};

  std::vector<Section> sections;
  std::vector<ImportedModule> imports;  // regular then delay-load modules
  std::vector<Export> exports;  // by ordinal
  std::string export_dll_name;
  std::vector<Relocation> relocations;
  std::optional<LoadConfig> load_config;
  DebugInfo debug;
  std::vector<RuntimeFunction> runtime_functions;  // x64 only, sorted by begin_rva
  std::vector<RichEntry> rich;
  std::optional<VersionInfo> version_info;
  std::optional<FileRange> overlay;             // bytes after the last section's raw data (excluding the certificate table)
  std::optional<FileRange> security_directory;  // WIN_CERTIFICATE table, checked to lie within the file

  // Non-fatal anomalies met while parsing ("import descriptor chain truncated at ...").
  std::vector<std::string> warnings;
  bool import_table_damaged = false;  // import descriptors could not be read (the module list is incomplete)

  // --- access ---
  std::span<const uint8_t> file() const { return file_; }
  // File offset holding `rva`, or nullopt when it is not backed by file data.
  std::optional<uint64_t> rva_to_offset(uint32_t rva) const;
  // Up to `max_length` file bytes at `rva` (less when the section's raw data ends; empty when unmapped).
  std::span<const uint8_t> bytes_at_rva(uint32_t rva, uint32_t max_length) const;
  const Section* section_at_rva(uint32_t rva) const;
  // Reads a NUL-terminated ANSI string at `rva` (at most limits.max_string_length bytes).
  std::optional<std::string> string_at_rva(uint32_t rva) const;
  // Converts a virtual address (image_base-relative pointer from the file) to an RVA.
  std::optional<uint32_t> va_to_rva(uint64_t va) const;
  // The security directory's bytes (the WIN_CERTIFICATE table), empty when absent.
  std::span<const uint8_t> security_data() const;

  bool has_import(std::string_view dll_lowercase) const;
  const Limits& limits() const { return limits_; }

 private:
  std::span<const uint8_t> file_;
  Limits limits_;
  friend class Parser;
};

}  // namespace drvsec::pe
