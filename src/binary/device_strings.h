// Finds object-manager names (\Device\..., \DosDevices\..., \??\..., \GLOBAL??\...) stored as
// UTF-16LE strings in an image: the names a driver gives its devices and symbolic links.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace drvsec {

struct FoundString {
  uint64_t file_offset = 0;
  size_t prefix = 0;  // index into the prefixes searched for
  std::string text;   // converted to UTF-8 (non-ASCII code units become '?')
};

// All UTF-16LE strings that start with one of `prefixes` (ASCII, each beginning with a backslash)
// at 2-byte-aligned offsets, up to the first NUL or non-printable code unit, at most `max_chars`
// long and `max_hits` per prefix, in file order. One pass over `data`, whatever the prefix count.
std::vector<FoundString> find_utf16_strings(std::span<const uint8_t> data, std::span<const std::string_view> prefixes,
                                            size_t max_chars = 256, size_t max_hits = 256);

}  // namespace drvsec
