// File-name helpers shared by input detection and discovery.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "base/ascii.h"

namespace drvsec {

// True when the name ends in one of the extensions (".sys", ...; compared case-insensitively).
inline bool has_extension(std::string_view path, std::initializer_list<std::string_view> extensions) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string ext = ascii_lower(path.substr(dot));
  for (auto e : extensions)
    if (ext == e) return true;
  return false;
}
}  // namespace drvsec
