#include "binary/device_strings.h"

#include <cstring>

namespace drvsec {

namespace {

// True when the UTF-16LE text at `at` (with `available` bytes) starts with ASCII `prefix`.
bool starts_with_utf16(const uint8_t* at, size_t available, std::string_view prefix) {
  if (available < prefix.size() * 2) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (at[2 * i] != static_cast<uint8_t>(prefix[i]) || at[2 * i + 1] != 0) return false;
  return true;
}

}  // namespace

std::vector<FoundString> find_utf16_strings(std::span<const uint8_t> data, std::span<const std::string_view> prefixes,
                                            size_t max_chars, size_t max_hits) {
  std::vector<FoundString> out;
  std::vector<size_t> hits(prefixes.size(), 0);
  const uint8_t* begin = data.data();
  const uint8_t* end = begin + data.size();
  // Every prefix starts with '\': memchr (vectorized) finds the candidates, the rest is compared there.
  for (const uint8_t* at = begin; at < end;) {
    const auto* slash = static_cast<const uint8_t*>(std::memchr(at, '\\', static_cast<size_t>(end - at)));
    if (!slash) break;
    at = slash + 1;
    if ((slash - begin) % 2 != 0) continue;  // strings in images are 2-byte aligned
    const size_t available = static_cast<size_t>(end - slash);
    for (size_t k = 0; k < prefixes.size(); ++k) {
      if (prefixes[k].empty() || hits[k] >= max_hits || !starts_with_utf16(slash, available, prefixes[k])) continue;
      std::string text;
      const uint8_t* p = slash;
      while (p + 1 < end && text.size() < max_chars) {
        const uint16_t unit = static_cast<uint16_t>(p[0] | (p[1] << 8));
        if (unit < 0x20 || unit == 0x7F) break;  // NUL or not a printable name character
        text.push_back(unit < 0x80 ? static_cast<char>(unit) : '?');
        p += 2;
      }
      if (text.size() <= prefixes[k].size()) break;  // the prefix alone names nothing
      out.push_back({static_cast<uint64_t>(slash - begin), k, std::move(text)});
      ++hits[k];
      at = p;
      break;
    }
  }
  return out;
}

}  // namespace drvsec
