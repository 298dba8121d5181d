#include "binary/device_strings.h"

#include <algorithm>
#include <functional>

namespace drvsec {

std::vector<FoundString> find_utf16_strings(std::span<const uint8_t> data, std::string_view prefix,
                                            size_t max_chars, size_t max_hits) {
  std::vector<FoundString> out;
  if (prefix.empty()) return out;
  std::string needle;
  for (char c : prefix) {
    needle.push_back(c);
    needle.push_back('\0');
  }
  const auto* begin = reinterpret_cast<const char*>(data.data());
  const auto* end = begin + data.size();
  std::boyer_moore_horspool_searcher searcher(needle.begin(), needle.end());
  for (const char* at = begin; out.size() < max_hits;) {
    auto [hit, hit_end] = searcher(at, end);
    if (hit == end) break;
    at = hit + 1;
    if ((hit - begin) % 2 != 0) continue;  // strings in images are 2-byte aligned
    std::string text;
    const char* p = hit;
    while (p + 1 < end && text.size() < max_chars) {
      const uint16_t unit = static_cast<uint8_t>(p[0]) | (static_cast<uint8_t>(p[1]) << 8);
      if (unit == 0) break;
      if (unit < 0x20 || unit == 0x7F) break;  // not a printable name character
      text.push_back(unit < 0x80 ? static_cast<char>(unit) : '?');
      p += 2;
    }
    if (text.size() <= prefix.size()) continue;  // the prefix alone names nothing
    out.push_back({static_cast<uint64_t>(hit - begin), std::move(text)});
    at = p;
  }
  return out;
}

}  // namespace drvsec
