// Debug directory: an array of 28-byte IMAGE_DEBUG_DIRECTORY entries. Reads the CodeView RSDS
// record (PDB path, GUID, age) and the extended DLL characteristics (CET compatibility).
#include <algorithm>

#include <fmt/format.h>

#include "pe/parser.h"

namespace drvsec::pe {

namespace {
constexpr uint32_t kEntrySize = 28;
constexpr uint32_t kRsdsSignature = 0x53445352;  // "RSDS"
constexpr uint32_t kRsdsFixedSize = 24;          // signature + GUID + age
}  // namespace

// An entry's data: by RVA when it is mapped, else by its file offset (data need not be mapped).
static std::span<const uint8_t> debug_data(const Image& img, const ByteReader& file, uint32_t rva,
                                           uint32_t file_offset, uint32_t size) {
  if (rva) {
    auto bytes = img.bytes_at_rva(rva, size);
    if (bytes.size() == size) return bytes;
  }
  return file.slice(file_offset, size);
}

static std::optional<CodeViewInfo> parse_rsds(std::span<const uint8_t> data, size_t max_string) {
  ByteReader r(data);
  if (r.u32(0) != kRsdsSignature || data.size() < kRsdsFixedSize) return std::nullopt;
  CodeViewInfo cv;
  // GUID: Data1 (32 bits), Data2, Data3 (16 bits, little-endian), Data4 (8 bytes in order).
  cv.guid = fmt::format("{{{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}", *r.u32(4),
                        *r.u16(8), *r.u16(10), data[12], data[13], data[14], data[15], data[16], data[17],
                        data[18], data[19]);
  cv.age = *r.u32(20);
  // The path is NUL-terminated; a record cut before its NUL keeps what is there.
  auto path = r.c_string(kRsdsFixedSize, max_string);
  if (path) {
    cv.pdb_path = std::move(*path);
  } else {
    const auto rest = data.subspan(kRsdsFixedSize, std::min(data.size() - kRsdsFixedSize, max_string));
    cv.pdb_path.assign(rest.begin(), rest.end());
  }
  return cv;
}

void Parser::parse_debug() {
  const DataDirectory& d = directory(dir::debug);
  if (!d.present()) return;
  const std::span<const uint8_t> table = directory_bytes(dir::debug, "debug directory");
  if (d.size % kEntrySize != 0)
    warn(fmt::format("debug directory size {} is not a multiple of the {}-byte entry size", d.size, kEntrySize));
  ByteReader r(table);
  const uint64_t entries = table.size() / kEntrySize;
  for (uint64_t i = 0; i < entries; ++i) {
    if (i >= limits_.max_debug_entries) {
      warn(fmt::format("more than {} debug directory entries, list cut", limits_.max_debug_entries));
      break;
    }
    const uint64_t at = i * kEntrySize;
    const uint32_t type = *r.u32(at + 12);
    const uint32_t size = *r.u32(at + 16);
    const uint32_t rva = *r.u32(at + 20);
    const uint32_t file_offset = *r.u32(at + 24);
    img_.debug.entry_types.push_back(type);
    if (size == 0) continue;
    const std::span<const uint8_t> data = debug_data(img_, reader_, rva, file_offset, size);
    if (data.size() != size) {
      warn(fmt::format("debug entry {} (type {}) data [RVA 0x{:X} / offset 0x{:X}, +0x{:X}) is outside the file", i,
                       type, rva, file_offset, size));
      continue;
    }
    if (type == debug_type::codeview && !img_.debug.codeview) {
      img_.debug.codeview = parse_rsds(data, limits_.max_string_length);
    } else if (type == debug_type::ex_dllcharacteristics && !img_.debug.extended_dll_characteristics) {
      img_.debug.extended_dll_characteristics = ByteReader(data).u32(0);
      if (!img_.debug.extended_dll_characteristics) warn("extended DLL characteristics debug entry is too small");
    }
  }
}

}  // namespace drvsec::pe
