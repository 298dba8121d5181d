#include "binary/recover.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

#include "binary/code_recovery.h"
#include "binary/device_strings.h"
#include "binary/kernel_platform.h"
#include "binary/memory_integrity_calls.h"
#include "binary/primitives.h"
#include "ddi/functions.h"
#include "model/fact_ids.h"

namespace drvsec {

namespace {

// Modules only kernel-mode images import.
constexpr std::array<std::string_view, 14> kKernelModules{
    "ntoskrnl.exe", "hal.dll",      "wdfldr.sys",  "fltmgr.sys", "ndis.sys",     "storport.sys", "scsiport.sys",
    "ks.sys",       "portcls.sys",  "tdi.sys",     "fwpkclnt.sys", "classpnp.sys", "wmilib.sys",  "cng.sys"};

// User-mode DLLs: a kernel-mode image cannot import them.
constexpr std::array<std::string_view, 9> kUserModules{"kernel32.dll", "kernelbase.dll", "user32.dll", "advapi32.dll",
                                                       "ntdll.dll",    "ucrtbase.dll",   "msvcrt.dll", "win32u.dll",
                                                       "gdi32.dll"};

std::string machine_name(uint16_t machine) {
  switch (machine) {
    case pe::machine::amd64: return "x64";
    case pe::machine::i386: return "x86";
    case pe::machine::arm64: return "arm64";
    case pe::machine::armnt: return "arm";
  }
  return fmt::format("0x{:04X}", machine);
}

bool imports_function(const pe::Image& image, std::string_view dll, std::string_view function) {
  for (const auto& m : image.imports)
    if (lowercase(m.dll) == dll)
      for (const auto& f : m.functions)
        if (f.name == function) return true;
  return false;
}

void classify(const pe::Image& image, DriverModel& model) {
  std::set<std::string> modules;
  for (const auto& m : image.imports) modules.insert(lowercase(m.dll));
  bool kernel_import = false;
  for (auto k : kKernelModules)
    if (modules.count(std::string(k))) kernel_import = true;
  const bool native = image.subsystem == pe::subsystem::native;
  // What the loader and the code say decides, not one header field: only kernel-mode images import
  // these modules, whatever their Subsystem says (a WHQL-signed display miniport is marked CUI) —
  // unless the image also imports user-mode DLLs, which the kernel loader cannot resolve (Wine's
  // user-mode "drivers" such as its hidclass.sys import both).
  bool user_import = false;
  for (auto u : kUserModules)
    if (modules.count(std::string(u))) user_import = true;
  // A native image whose import table is listed but could not be read (a truncated or damaged
  // file) is taken for the driver it claims to be: analysed, with its damage reported, not waved
  // through as "not a kernel driver".
  const bool imports_unreadable = image.imports.empty() && image.import_table_damaged;
  model.is_kernel_driver = (native && (kernel_import || imports_unreadable || (image.dll_characteristics & pe::dllchar::wdm_driver))) ||
                           (kernel_import && !user_import);
  if (native && imports_unreadable)
    model.framework_evidence.push_back("native subsystem; its import table could not be read (damaged or truncated file)");
  if (native && kernel_import) model.framework_evidence.push_back("native subsystem and kernel-mode imports");
  else if (model.is_kernel_driver && kernel_import)
    model.framework_evidence.push_back(fmt::format("kernel-mode imports (Subsystem is {}, not NATIVE)", image.subsystem));

  // Most specific framework first: a KMDF minifilter is still a minifilter for the guidance.
  if (modules.count("fltmgr.sys")) {
    model.framework = DriverFramework::minifilter;
    model.framework_evidence.push_back("imports FLTMGR.SYS (file system minifilter)");
  } else if (modules.count("wdfldr.sys")) {
    model.framework = DriverFramework::kmdf;
    model.framework_evidence.push_back(imports_function(image, "wdfldr.sys", "WdfVersionBind")
                                           ? "imports WdfVersionBind from WDFLDR.SYS (KMDF)"
                                           : "imports WDFLDR.SYS (KMDF)");
  } else if (modules.count("ndis.sys")) {
    model.framework = DriverFramework::ndis;
    model.framework_evidence.push_back("imports NDIS.SYS");
  } else if (modules.count("storport.sys") || modules.count("scsiport.sys")) {
    model.framework = DriverFramework::storport;
    model.framework_evidence.push_back("imports STORPORT.SYS/SCSIPORT.SYS");
  } else if (modules.count("ntoskrnl.exe")) {
    model.framework = DriverFramework::wdm;
  } else {
    model.framework = DriverFramework::other;
  }
}

void collect_capabilities(const pe::Image& image, DriverModel& model) {
  for (const auto& m : image.imports) {
    const std::string dll = lowercase(m.dll);
    for (const auto& f : m.functions) {
      if (dll == "tdi.sys") {
        model.capabilities.push_back({CapabilityCategory::tdi, f.name.empty() ? fmt::format("#{}", f.ordinal.value_or(0)) : f.name,
                                      m.dll, provenance_at(f.iat_rva, "import")});
        continue;
      }
      if (f.name.empty()) continue;
      if (const ddi::Function* e = ddi::find(f.name); e && e->capability)
        model.capabilities.push_back({*e->capability, f.name, m.dll, provenance_at(f.iat_rva, "import")});
    }
  }
}

std::optional<uint32_t> offset_to_rva(const pe::Image& image, uint64_t offset) {
  for (const auto& s : image.sections)
    if (offset >= s.raw_offset && offset - s.raw_offset < std::min(s.raw_size, s.mapped_size()))
      return static_cast<uint32_t>(s.virtual_address + (offset - s.raw_offset));
  return std::nullopt;
}

void collect_names(const pe::Image& image, DriverModel& model) {
  // Prefix 0 names devices; the others are symbolic links (the Win32 device namespace).
  static constexpr std::string_view kPrefixes[] = {"\\Device\\", "\\DosDevices\\", "\\??\\", "\\GLOBAL??\\"};
  std::set<std::string> seen;
  for (const auto& hit : find_utf16_strings(image.file(), kPrefixes)) {
    if (!seen.insert(hit.text).second) continue;
    const Provenance where = provenance_at(offset_to_rva(image, hit.file_offset), "UTF-16 string");
    if (hit.prefix != 0) {
      model.links.push_back({hit.text, "", where});
    } else if (hit.text == "\\Device\\PhysicalMemory") {
      model.capabilities.push_back({CapabilityCategory::physical_memory, hit.text, "", where});
    } else {
      Device d;
      d.name = hit.text;
      d.provenance = where;
      model.devices.push_back(std::move(d));
    }
  }
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(model.devices.begin(), model.devices.end(), by_name);
  std::sort(model.links.begin(), model.links.end(), by_name);
}

// Code recovery, then the analyses that reuse its CodeModel (primitives, memory-integrity calls).
void recover_from_code_with_primitives(const pe::Image& image, DriverModel& model) {
  if (image.machine != pe::machine::amd64 && image.machine != pe::machine::i386) {
    recover_from_code(image, model);  // notes that the machine is not analyzed
    return;
  }
  const CodeRecoveryLimits limits;
  disasm::CodeModel code(image, kernel_platform(image), limits.code);
  recover_from_code(code, model, limits);
  find_primitives(code, model);
  find_memory_integrity_calls(code, model);
}

}  // namespace

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

DriverModel recover_model_from_image(const pe::Image& image, AnalysisDepth depth) {
  DriverModel model;
  model.machine = machine_name(image.machine);
  classify(image, model);
  collect_capabilities(image, model);
  collect_names(image, model);
  model.version_info = image.version_info;
  for (const pe::Export& e : image.exports)
    if (!e.name.empty() && e.forwarder.empty() && e.rva != 0) model.function_names.emplace(e.rva, e.name);
  if (model.is_kernel_driver && depth == AnalysisDepth::code) recover_from_code_with_primitives(image, model);
  assign_fact_ids(model);
  return model;
}

}  // namespace drvsec
