// A driver's version resource (VERSIONINFO): read by the PE parser, kept in the driver model, and
// read from there by every consumer (block-rule matching, reports).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace drvsec {

struct VersionInfo {
  // StringFileInfo keys of the first string table (CompanyName, FileDescription, FileVersion,
  // ProductName, ProductVersion, OriginalFilename, InternalName, LegalCopyright, ...).
  std::map<std::string, std::string> strings;
  // VS_FIXEDFILEINFO file and product versions as four 16-bit parts, most significant first.
  std::optional<std::array<uint16_t, 4>> file_version;
  std::optional<std::array<uint16_t, 4>> product_version;
};

}  // namespace drvsec
