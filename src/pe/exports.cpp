// Export directory: the address table (one RVA per biased ordinal), the name pointer table and
// the parallel name-ordinal table. An address inside the export directory itself is a forwarder
// string ("DLL.Name"). Tables are bounded by limits.max_exports; unreadable parts are warned about.
#include <algorithm>

#include <fmt/format.h>

#include "pe/parser.h"

namespace drvsec::pe {

void Parser::parse_exports() {
  const DataDirectory& d = directory(dir::export_);
  if (!d.present()) return;
  ByteReader r(directory_bytes(dir::export_, "export directory"));
  constexpr uint32_t kDirectorySize = 40;
  if (!r.in_bounds(0, kDirectorySize)) {
    warn("export directory is smaller than IMAGE_EXPORT_DIRECTORY");
    return;
  }
  const uint32_t name_rva = *r.u32(12), ordinal_base = *r.u32(16);
  uint32_t function_count = *r.u32(20), name_count = *r.u32(24);
  const uint32_t functions_rva = *r.u32(28), names_rva = *r.u32(32), name_ordinals_rva = *r.u32(36);
  if (auto dll = img_.string_at_rva(name_rva)) img_.export_dll_name = std::move(*dll);
  else if (name_rva) warn(fmt::format("export DLL name at RVA 0x{:X} is unreadable", name_rva));

  if (function_count > limits_.max_exports) {
    warn(fmt::format("{} exported functions declared, above the limit of {}; list cut", function_count,
                     limits_.max_exports));
    function_count = limits_.max_exports;
  }
  if (name_count > limits_.max_exports) {
    warn(fmt::format("{} export names declared, above the limit of {}; list cut", name_count, limits_.max_exports));
    name_count = limits_.max_exports;
  }
  auto table = [&](uint32_t rva, uint32_t count, uint32_t width, const char* what) -> std::span<const uint8_t> {
    if (count == 0) return {};
    auto bytes = img_.bytes_at_rva(rva, count * width);  // count <= max_exports: no overflow
    if (bytes.size() < uint64_t{count} * width)
      warn(fmt::format("export {} at RVA 0x{:X} ({} entries) is not fully backed by file data", what, rva, count));
    return bytes;
  };
  ByteReader functions(table(functions_rva, function_count, 4, "address table"));
  ByteReader names(table(names_rva, name_count, 4, "name pointer table"));
  ByteReader name_ordinals(table(name_ordinals_rva, name_count, 2, "name ordinal table"));
  const uint32_t readable_functions = static_cast<uint32_t>(functions.size() / 4);

  // Names per address-table index (an index may carry several names; the first one wins).
  std::vector<std::string> name_of(readable_functions);
  const uint32_t readable_names = static_cast<uint32_t>(std::min(names.size() / 4, name_ordinals.size() / 2));
  for (uint32_t i = 0; i < readable_names; ++i) {
    const uint16_t index = *name_ordinals.u16(2ull * i);
    const uint32_t rva = *names.u32(4ull * i);
    if (index >= readable_functions) {
      warn(fmt::format("export name {} refers to address table index {} beyond the table", i, index));
      continue;
    }
    auto name = img_.string_at_rva(rva);
    if (!name) {
      warn(fmt::format("export name {} at RVA 0x{:X} is unreadable", i, rva));
      continue;
    }
    if (name_of[index].empty()) name_of[index] = std::move(*name);
  }

  for (uint32_t i = 0; i < readable_functions; ++i) {
    const uint32_t rva = *functions.u32(4ull * i);
    if (rva == 0) continue;  // unused ordinal
    Export e;
    e.ordinal = ordinal_base + i;
    e.name = std::move(name_of[i]);
    if (rva >= d.rva && rva - d.rva < d.size) {  // points into the export directory: a forwarder
      auto forwarder = img_.string_at_rva(rva);
      if (!forwarder) {
        warn(fmt::format("export forwarder string at RVA 0x{:X} is unreadable", rva));
        continue;
      }
      e.forwarder = std::move(*forwarder);
    } else {
      e.rva = rva;
    }
    img_.exports.push_back(std::move(e));
  }
}

}  // namespace drvsec::pe
