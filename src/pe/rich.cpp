// Rich header: the record MSVC's linker leaves in the DOS stub. Layout, all dwords XORed with a
// key: "DanS", three zero dwords, then (comp_id, count) pairs; ended by "Rich" and the plain key.
// comp_id is (product id << 16) | build. Non-MSVC linkers (GNU ld, lld) do not write one.
#include <algorithm>

#include <fmt/format.h>

#include "pe/parser.h"

namespace drvsec::pe {

namespace {
constexpr uint32_t kRich = 0x68636952;  // "Rich"
constexpr uint32_t kDanS = 0x536E6144;  // "DanS"
constexpr uint32_t kDosHeaderSize = 0x40;
constexpr uint32_t kEntriesStart = 16;  // "DanS" + three padding dwords
}  // namespace

void Parser::parse_rich() {
  // The header lies between the DOS header and the PE header, at 4-byte aligned offsets.
  const uint64_t stub_end = std::min<uint64_t>(img_.pe_header_offset, file_.size());
  std::optional<uint64_t> rich_at;
  for (uint64_t at = kDosHeaderSize; at + 8 <= stub_end; at += 4)
    if (reader_.u32(at) == kRich) {
      rich_at = at;
      break;
    }
  if (!rich_at) return;
  const uint32_t key = *reader_.u32(*rich_at + 4);
  std::optional<uint64_t> dans_at;
  for (uint64_t at = *rich_at; at >= kDosHeaderSize + 4;) {
    at -= 4;
    if ((*reader_.u32(at) ^ key) == kDanS) {
      dans_at = at;
      break;
    }
  }
  if (!dans_at || *rich_at - *dans_at < kEntriesStart || (*rich_at - *dans_at - kEntriesStart) % 8 != 0) {
    warn("Rich header is malformed (no \"DanS\" start matching its \"Rich\" end)");
    return;
  }
  for (uint64_t at = *dans_at + kEntriesStart; at < *rich_at; at += 8) {
    const uint32_t comp_id = *reader_.u32(at) ^ key;
    const uint32_t count = *reader_.u32(at + 4) ^ key;
    img_.rich.push_back({static_cast<uint16_t>(comp_id >> 16), static_cast<uint16_t>(comp_id), count});
  }
}

}  // namespace drvsec::pe
