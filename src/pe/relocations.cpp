// Base relocation directory (.reloc): a sequence of blocks, each a page RVA, the block size
// and 16-bit entries (type in the high 4 bits, offset within the page in the low 12).
// A malformed block size ends the walk with a warning; the entries read so far are kept.
#include <fmt/format.h>

#include "pe/parser.h"

namespace drvsec::pe {

namespace {
constexpr uint32_t kBlockHeaderSize = 8;  // VirtualAddress + SizeOfBlock
}

void Parser::parse_relocations() {
  const std::span<const uint8_t> data = directory_bytes(dir::basereloc, "base relocation directory");
  ByteReader r(data);
  uint64_t at = 0;
  while (at + kBlockHeaderSize <= data.size()) {
    const uint32_t page_rva = *r.u32(at);
    const uint32_t block_size = *r.u32(at + 4);
    if (block_size < kBlockHeaderSize || block_size % 2 != 0) {
      // Some linkers pad the directory with zeros after the last block: that is not damage.
      if (page_rva == 0 && block_size == 0) break;
      warn(fmt::format("base relocation block at directory offset 0x{:X} has an invalid SizeOfBlock {}", at,
                       block_size));
      break;
    }
    if (block_size > data.size() - at) {
      warn(fmt::format("base relocation block at directory offset 0x{:X} (size {}) runs past the directory", at,
                       block_size));
      break;
    }
    for (uint64_t e = at + kBlockHeaderSize; e + 2 <= at + block_size; e += 2) {
      const uint16_t entry = *r.u16(e);
      const uint8_t type = static_cast<uint8_t>(entry >> 12);
      if (type == reloc::absolute) continue;  // padding that keeps blocks 32-bit aligned
      if (img_.relocations.size() >= limits_.max_relocations) {
        warn(fmt::format("more than {} base relocations, list cut", limits_.max_relocations));
        return;
      }
      img_.relocations.push_back({page_rva + (entry & 0xFFFu), type});
    }
    at += block_size;
  }
}

}  // namespace drvsec::pe
