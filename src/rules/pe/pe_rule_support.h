// Helpers shared by the rules that read the PE structure of a kernel driver.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "analysis/file_analysis.h"
#include "model/finding.h"
#include "rules/rule.h"
#include "pe/image.h"

namespace drvsec::pe_rules {

// The parsed image when the file is a kernel driver, else nullptr: these rules speak about
// kernel drivers only, and stay silent on user-mode images and unparsed files.
inline const pe::Image* kernel_driver_image(const FileAnalysis& file) {
  if (!file.image || !file.model || !file.model->is_kernel_driver) return nullptr;
  return &*file.image;
}

// Memory integrity (HVCI) needs virtualization-based security, which only 64-bit Windows has.
inline bool has_memory_integrity(uint16_t machine) {
  return machine == pe::machine::amd64 || machine == pe::machine::arm64;
}

// A memory-integrity violation stops a 64-bit driver from loading (error). A 32-bit driver
// never runs under memory integrity, so there it is the same defect, reported as a warning.
inline Severity memory_integrity_severity(uint16_t machine) {
  return has_memory_integrity(machine) ? Severity::error : Severity::warning;
}

inline std::string memory_integrity_consequence(uint16_t machine) {
  return has_memory_integrity(machine)
             ? "memory integrity (HVCI) refuses to load the driver"
             : "32-bit Windows has no memory integrity, but the same layout keeps a 64-bit build from loading under it";
}

// "'.text' (RVA 0x1000, characteristics 0x60000020)"
inline std::string describe_section(const pe::Section& s) {
  return fmt::format("'{}' (RVA 0x{:X}, characteristics 0x{:08X})", s.name, s.virtual_address, s.characteristics);
}

// Whether [rva, rva + size) overlaps the section's mapped range (64-bit arithmetic: no wrap).
inline bool overlaps(const pe::Section& s, uint32_t rva, uint32_t size) {
  const uint64_t begin = rva, end = uint64_t{rva} + (size ? size : 1);
  const uint64_t s_begin = s.virtual_address, s_end = uint64_t{s.virtual_address} + s.mapped_size();
  return begin < s_end && s_begin < end;
}

// "OptionalHeader.DllCharacteristics = 0x0160 (IMAGE_DLLCHARACTERISTICS_NX_COMPAT 0x0100 is clear)"
inline std::string dll_characteristics_evidence(const pe::Image& image, std::string_view flag_name, uint16_t flag) {
  return fmt::format("OptionalHeader.DllCharacteristics = 0x{:04X} ({} 0x{:04X} is {})", image.dll_characteristics,
                     flag_name, flag, (image.dll_characteristics & flag) ? "set" : "clear");
}

}  // namespace drvsec::pe_rules

namespace drvsec {

// A rule on the PE structure of kernel drivers: check_image() runs only on parsed kernel-driver images.
class PeRule : public Rule {
 public:
  void check(const FileAnalysis& file, std::vector<Finding>& out) const final {
    if (const pe::Image* image = pe_rules::kernel_driver_image(file)) check_image(file, *image, out);
  }

 protected:
  virtual void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const = 0;
};

}  // namespace drvsec
