// ASCII case folding: Windows compares file, section and module names without case, and only for
// ASCII letters in the places drvsec reads them (INF names, import modules, file names).
#pragma once

#include <string>
#include <string_view>

namespace drvsec {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace drvsec
