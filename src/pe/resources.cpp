// Resource directory: walks the three-level tree (type / name / language) to find the first
// RT_VERSION resource and decodes its VS_VERSIONINFO: the VS_FIXEDFILEINFO versions and the strings
// of the first StringFileInfo string table. The tree comes from the file and may be hostile:
// directories are visited at most once (an entry pointing back to an ancestor is a loop), nesting
// is bounded to three levels, and the number of entries read is bounded by limits.max_resource_entries.
#include <set>

#include <fmt/format.h>

#include "base/utf8.h"
#include "pe/parser.h"

namespace drvsec::pe {

namespace {

constexpr uint32_t kRtVersion = 16;
constexpr uint32_t kSubdirectoryFlag = 0x80000000;
constexpr int kTreeLevels = 3;
constexpr uint32_t kFixedFileInfoSignature = 0xFEEF04BD;
constexpr uint32_t kFixedFileInfoSize = 52;

struct ResourceTreeWalk {
  ByteReader tree;  // the resource directory; offsets in it are relative to its start
  const Limits& limits;
  std::vector<std::string>& warnings;
  std::set<uint32_t> visited;
  uint32_t entries_read = 0;
  bool stopped = false;
  std::optional<uint32_t> version_data_entry;  // offset of the first RT_VERSION IMAGE_RESOURCE_DATA_ENTRY

  void walk(uint32_t offset, int level, uint32_t type) {
    if (stopped) return;
    if (!visited.insert(offset).second) {
      warnings.push_back(fmt::format("resource directory at offset 0x{:X} is reached twice (the tree loops)", offset));
      return;
    }
    auto named = tree.u16(uint64_t{offset} + 12), ids = tree.u16(uint64_t{offset} + 14);
    if (!named || !ids) {
      warnings.push_back(fmt::format("resource directory at offset 0x{:X} lies outside the resource data", offset));
      return;
    }
    const uint32_t count = uint32_t{*named} + *ids;
    for (uint32_t i = 0; i < count && !stopped; ++i) {
      if (++entries_read > limits.max_resource_entries) {
        warnings.push_back(fmt::format("more than {} resource entries, walk stopped", limits.max_resource_entries));
        stopped = true;
        return;
      }
      const uint64_t at = uint64_t{offset} + 16 + 8ull * i;
      auto name = tree.u32(at), target = tree.u32(at + 4);
      if (!name || !target) {
        warnings.push_back(fmt::format("resource directory at offset 0x{:X} has entries past the resource data", offset));
        return;
      }
      const bool is_id = (*name & kSubdirectoryFlag) == 0;  // high bit set: a name string instead
      const uint32_t entry_type = level == 0 ? (is_id ? (*name & 0xFFFF) : 0) : type;
      if (*target & kSubdirectoryFlag) {
        if (level + 1 >= kTreeLevels) {
          warnings.push_back(fmt::format("resource tree nests deeper than {} levels at offset 0x{:X}", kTreeLevels, at));
          continue;
        }
        walk(*target & ~kSubdirectoryFlag, level + 1, entry_type);
      } else if (entry_type == kRtVersion && !version_data_entry) {
        version_data_entry = *target;
      }
    }
  }
};

// Reads a NUL-terminated UTF-16LE string in [begin, end) of `r`, at most `max_units` code units.
// Returns the UTF-8 text and the offset just past the NUL (or `end` when there is none).
std::pair<std::string, uint64_t> utf16_string(const ByteReader& r, uint64_t begin, uint64_t end, size_t max_units) {
  std::string out;
  uint64_t at = begin;
  for (size_t units = 0; at + 2 <= end; at += 2, ++units) {
    const uint16_t u = *r.u16(at);
    if (u == 0) return {out, at + 2};
    if (units >= max_units) continue;  // keep scanning for the terminator, stop collecting
    const std::optional<uint16_t> next = at + 4 <= end ? r.u16(at + 2) : std::nullopt;
    if (append_utf16_unit(out, u, next) == 2) at += 2, ++units;
  }
  return {out, end};
}

uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }

// One node of the VS_VERSIONINFO tree: wLength, wValueLength, wType, szKey, padding, Value, padding,
// Children. Offsets are relative to the version resource's start, which the format aligns to 4.
struct VersionBlock {
  std::string key;
  uint64_t value = 0;     // offset of the value
  uint16_t value_length = 0;
  uint16_t type = 0;      // 1: text (value_length counts UTF-16 units), 0: binary (bytes)
  uint64_t children = 0;  // offset of the first child
  uint64_t end = 0;       // offset past the block
};

std::optional<VersionBlock> read_block(const ByteReader& r, uint64_t at, uint64_t limit, size_t max_units) {
  auto length = r.u16(at);
  if (!length || *length < 6 || at + *length > limit) return std::nullopt;
  VersionBlock b;
  b.end = at + *length;
  b.value_length = *r.u16(at + 2);
  b.type = *r.u16(at + 4);
  auto [key, after_key] = utf16_string(r, at + 6, b.end, max_units);
  b.key = std::move(key);
  b.value = align4(after_key);
  const uint64_t value_bytes = b.type == 1 ? uint64_t{b.value_length} * 2 : b.value_length;
  b.children = std::min(align4(b.value + value_bytes), b.end);
  return b;
}

std::array<uint16_t, 4> version_parts(uint32_t ms, uint32_t ls) {
  return {static_cast<uint16_t>(ms >> 16), static_cast<uint16_t>(ms), static_cast<uint16_t>(ls >> 16),
          static_cast<uint16_t>(ls)};
}

}  // namespace

void Parser::parse_resources() {
  if (!directory(dir::resource).present()) return;
  ResourceTreeWalk walk{ByteReader(directory_bytes(dir::resource, "resource directory")), limits_, img_.warnings};
  walk.walk(0, 0, 0);
  if (!walk.version_data_entry) return;

  auto data_rva = walk.tree.u32(*walk.version_data_entry), data_size = walk.tree.u32(*walk.version_data_entry + 4ull);
  if (!data_rva || !data_size) {
    warn("RT_VERSION resource data entry lies outside the resource data");
    return;
  }
  const std::span<const uint8_t> data = img_.bytes_at_rva(*data_rva, *data_size);
  if (data.size() < *data_size) {
    warn(fmt::format("RT_VERSION resource [RVA 0x{:X}, +0x{:X}) is not backed by file data", *data_rva, *data_size));
    return;
  }
  const ByteReader r(data);
  const size_t max_units = limits_.max_string_length;
  auto root = read_block(r, 0, data.size(), max_units);
  if (!root || root->key != "VS_VERSION_INFO") {
    warn("RT_VERSION resource does not hold a VS_VERSIONINFO structure");
    return;
  }
  VersionInfo info;
  if (root->value_length >= kFixedFileInfoSize && r.u32(root->value) == kFixedFileInfoSignature &&
      r.in_bounds(root->value, kFixedFileInfoSize)) {
    info.file_version = version_parts(*r.u32(root->value + 8), *r.u32(root->value + 12));
    info.product_version = version_parts(*r.u32(root->value + 16), *r.u32(root->value + 20));
  }
  // Root children: StringFileInfo / VarFileInfo. Each child loop advances by at least 8 bytes
  // (a block is at least 6, aligned to 4), so it ends within the resource's size.
  uint32_t strings_read = 0;
  for (uint64_t at = root->children; at < root->end;) {
    auto child = read_block(r, at, root->end, max_units);
    if (!child) break;
    at = align4(child->end);
    if (child->key != "StringFileInfo") continue;
    auto table = read_block(r, child->children, child->end, max_units);  // the first string table only
    if (!table) break;
    for (uint64_t s = table->children; s < table->end;) {
      auto str = read_block(r, s, table->end, max_units);
      if (!str) break;
      s = align4(str->end);
      if (++strings_read > limits_.max_resource_entries) {
        warn("version resource holds too many strings, list cut");
        break;
      }
      // wValueLength is in UTF-16 units by the spec but in bytes for some compilers: read to the NUL.
      std::string value = str->value_length ? utf16_string(r, str->value, str->end, max_units).first : std::string();
      info.strings.emplace(std::move(str->key), std::move(value));
    }
    break;
  }
  img_.version_info = std::move(info);
}

}  // namespace drvsec::pe
