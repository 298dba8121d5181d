// IMAGE_LOAD_CONFIG_DIRECTORY32/64. The structure grew over Windows releases; its own Size field
// says how much of it a file has. A field is read only when both that Size and the data
// directory's size cover it, so an old or truncated structure never yields fields it lacks.
#include <algorithm>

#include <fmt/format.h>

#include "pe/parser.h"

namespace drvsec::pe {

namespace {

// Field offsets from the PE format specification ("Load Configuration Layout").
struct LoadConfigLayout {
  uint32_t pointer_size;
  uint32_t security_cookie;
  uint32_t se_handler_table;  // x86 only
  uint32_t se_handler_count;  // x86 only
  uint32_t guard_cf_check_function;
  uint32_t guard_cf_dispatch_function;
  uint32_t guard_cf_function_table;
  uint32_t guard_cf_function_count;
  uint32_t guard_flags;  // always 32 bits
};
constexpr LoadConfigLayout kLayout32{4, 0x3C, 0x40, 0x44, 0x48, 0x4C, 0x50, 0x54, 0x58};
constexpr LoadConfigLayout kLayout64{8, 0x58, 0x60, 0x68, 0x70, 0x78, 0x80, 0x88, 0x90};
constexpr uint32_t kXpCompatDirectorySize = 0x40;

}  // namespace

void Parser::parse_load_config() {
  const DataDirectory& d = directory(dir::load_config);
  if (!d.present()) return;
  const std::span<const uint8_t> data = directory_bytes(dir::load_config, "load configuration directory");
  auto declared_size = ByteReader(data).u32(0);
  if (!declared_size) {
    warn("load configuration directory is too small to hold its Size field");
    return;
  }
  LoadConfig lc;
  lc.size = *declared_size;
  lc.directory_size = d.size;
  // Linkers of the Windows XP era wrote a directory size of 0x40 for x86 images (the XP loader
  // demanded it) while the structure's Size, which later loaders use, was larger. Only there the
  // Size alone decides; otherwise both sizes must cover a field.
  const bool xp_compat_size = !img_.is_pe32_plus && d.size == kXpCompatDirectorySize && lc.size > d.size;
  const uint64_t directory_limit = xp_compat_size ? lc.size : d.size;
  // The part of the structure this file really has (bytes_at_rva never returns more than mapped).
  const std::span<const uint8_t> mapped = img_.bytes_at_rva(d.rva, lc.size);
  ByteReader r(mapped);
  const uint64_t covered = std::min<uint64_t>({lc.size, directory_limit, mapped.size()});
  const LoadConfigLayout& layout = img_.is_pe32_plus ? kLayout64 : kLayout32;

  auto pointer = [&](uint32_t offset) -> std::optional<uint64_t> {
    if (uint64_t{offset} + layout.pointer_size > covered) return std::nullopt;
    return layout.pointer_size == 8 ? r.u64(offset) : std::optional<uint64_t>(r.u32(offset));
  };
  lc.security_cookie_va = pointer(layout.security_cookie);
  if (!img_.is_pe32_plus) {  // SafeSEH tables exist only in 32-bit x86 images
    lc.se_handler_table_va = pointer(layout.se_handler_table);
    lc.se_handler_count = pointer(layout.se_handler_count);
  }
  lc.guard_cf_check_function_va = pointer(layout.guard_cf_check_function);
  lc.guard_cf_dispatch_function_va = pointer(layout.guard_cf_dispatch_function);
  lc.guard_cf_function_table_va = pointer(layout.guard_cf_function_table);
  lc.guard_cf_function_count = pointer(layout.guard_cf_function_count);
  if (uint64_t{layout.guard_flags} + 4 <= covered) lc.guard_flags = r.u32(layout.guard_flags);

  if (lc.size > d.size && !xp_compat_size)
    warn(fmt::format("load configuration Size {} exceeds its data directory size {}; fields beyond it ignored",
                     lc.size, d.size));
  img_.load_config = lc;
}

}  // namespace drvsec::pe
