// Appending Unicode code points as UTF-8 (shared by the readers of UTF-16 text: PE resources, INF files,
// and of JSON escapes: LOLDrivers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace drvsec {

// Appends `cp` as UTF-8; the caller maps unpaired surrogates to U+FFFD first.
inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Appends the code point that starts with the UTF-16 code unit `unit` (`next`: the unit after it, if
// any) and returns how many units it took: 2 for a surrogate pair, else 1. An unpaired surrogate
// becomes U+FFFD.
inline size_t append_utf16_unit(std::string& out, uint16_t unit, std::optional<uint16_t> next) {
  if (unit >= 0xD800 && unit < 0xDC00 && next && *next >= 0xDC00 && *next < 0xE000) {
    append_utf8(out, 0x10000 + ((uint32_t{unit} - 0xD800) << 10) + (*next - 0xDC00));
    return 2;
  }
  append_utf8(out, (unit >= 0xD800 && unit < 0xE000) ? 0xFFFD : unit);
  return 1;
}

}  // namespace drvsec
