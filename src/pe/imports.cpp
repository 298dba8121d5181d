// Import directory (regular and delay-load). Descriptor walks are bounded by the limits;
// thunk arrays that run off their section end the module's list with a warning.
#include <fmt/format.h>

#include "pe/parser.h"

namespace drvsec::pe {

namespace {

struct ThunkWalk {
  const Image& image;
  const Limits& limits;
  bool pe32_plus;

  // Reads the lookup table at `lookup_rva`; IAT slot i is at iat_rva + i * width.
  std::vector<ImportedFunction> read(uint32_t lookup_rva, uint32_t iat_rva, std::vector<std::string>& warnings,
                                     const std::string& dll) const {
    std::vector<ImportedFunction> out;
    const uint32_t width = pe32_plus ? 8 : 4;
    for (uint32_t i = 0;; ++i) {
      if (i >= limits.max_imports_per_module) {
        warnings.push_back(fmt::format("{}: more than {} imports, list cut", dll, limits.max_imports_per_module));
        break;
      }
      const uint64_t at = uint64_t{lookup_rva} + uint64_t{i} * width;
      if (at > 0xFFFFFFFFull) break;
      auto raw = image.bytes_at_rva(static_cast<uint32_t>(at), width);
      if (raw.size() < width) {
        warnings.push_back(fmt::format("{}: import lookup table runs off mapped data at RVA 0x{:X}", dll, at));
        break;
      }
      uint64_t thunk = 0;
      std::memcpy(&thunk, raw.data(), width);
      if (thunk == 0) break;
      ImportedFunction fn;
      fn.iat_rva = iat_rva + i * width;
      const uint64_t ordinal_flag = pe32_plus ? (1ull << 63) : (1ull << 31);
      if (thunk & ordinal_flag) {
        fn.ordinal = static_cast<uint16_t>(thunk & 0xFFFF);
      } else {
        const uint32_t hint_rva = static_cast<uint32_t>(thunk & 0x7FFFFFFF);
        if (hint_rva >= lookup_rva && hint_rva - lookup_rva <= uint64_t{i} * width) {
          warnings.push_back(fmt::format("{}: import name RVA 0x{:X} points back into its own lookup table", dll, hint_rva));
          continue;
        }
        auto hint = image.bytes_at_rva(hint_rva, 2);
        if (hint.size() == 2) fn.hint = static_cast<uint16_t>(hint[0] | (hint[1] << 8));
        auto name = hint_rva <= 0xFFFFFFFD ? image.string_at_rva(hint_rva + 2) : std::nullopt;
        if (!name) {
          warnings.push_back(fmt::format("{}: import name at RVA 0x{:X} is unreadable", dll, hint_rva + 2));
          continue;
        }
        fn.name = std::move(*name);
      }
      out.push_back(std::move(fn));
    }
    return out;
  }
};

}  // namespace

void Parser::parse_imports() {
  ThunkWalk walk{img_, limits_, img_.is_pe32_plus};

  if (const DataDirectory& d = directory(dir::import); d.present()) {
    for (uint32_t i = 0;; ++i) {
      if (i >= limits_.max_import_modules) {
        warn(fmt::format("more than {} import descriptors, list cut", limits_.max_import_modules));
        break;
      }
      const uint64_t at = uint64_t{d.rva} + 20ull * i;
      auto raw = at <= 0xFFFFFFFFull ? img_.bytes_at_rva(static_cast<uint32_t>(at), 20) : std::span<const uint8_t>{};
      if (raw.size() < 20) {
        warn(fmt::format("import descriptor table runs off mapped data at RVA 0x{:X}", at));
        img_.import_table_damaged = true;
        break;
      }
      ByteReader r(raw);
      const uint32_t original_first_thunk = *r.u32(0), name_rva = *r.u32(12), first_thunk = *r.u32(16);
      if (original_first_thunk == 0 && name_rva == 0 && first_thunk == 0) break;
      ImportedModule m;
      m.descriptor_rva = static_cast<uint32_t>(at);
      m.iat_rva = first_thunk;
      auto name = img_.string_at_rva(name_rva);
      if (!name) {
        warn(fmt::format("import descriptor {} has an unreadable DLL name (RVA 0x{:X})", i, name_rva));
        img_.import_table_damaged = true;
        continue;
      }
      m.dll = std::move(*name);
      const uint32_t lookup = original_first_thunk ? original_first_thunk : first_thunk;
      if (lookup >= d.rva && lookup < at + 20)  // this or an earlier descriptor
        warn(fmt::format("{}: import lookup table at RVA 0x{:X} points into the import descriptor table", m.dll, lookup));
      else
        m.functions = walk.read(lookup, first_thunk, img_.warnings, m.dll);
      img_.imports.push_back(std::move(m));
    }
  }

  if (const DataDirectory& d = directory(dir::delay_import); d.present()) {
    for (uint32_t i = 0;; ++i) {
      if (i >= limits_.max_import_modules) {
        warn(fmt::format("more than {} delay-load descriptors, list cut", limits_.max_import_modules));
        break;
      }
      const uint64_t at = uint64_t{d.rva} + 32ull * i;
      auto raw = at <= 0xFFFFFFFFull ? img_.bytes_at_rva(static_cast<uint32_t>(at), 32) : std::span<const uint8_t>{};
      if (raw.size() < 32) {
        warn(fmt::format("delay-load descriptor table runs off mapped data at RVA 0x{:X}", at));
        break;
      }
      ByteReader r(raw);
      const uint32_t attributes = *r.u32(0);
      uint64_t name = *r.u32(4), iat = *r.u32(12), int_table = *r.u32(16);
      if (name == 0 && iat == 0 && int_table == 0) break;
      if ((attributes & 1) == 0) {  // version 1 descriptors hold virtual addresses
        auto to_rva = [&](uint64_t va) -> uint64_t { return va ? img_.va_to_rva(va).value_or(0) : 0; };
        name = to_rva(name), iat = to_rva(iat), int_table = to_rva(int_table);
      }
      ImportedModule m;
      m.delay_load = true;
      m.descriptor_rva = static_cast<uint32_t>(at);
      m.iat_rva = static_cast<uint32_t>(iat);
      auto dll = img_.string_at_rva(static_cast<uint32_t>(name));
      if (!dll) {
        warn(fmt::format("delay-load descriptor {} has an unreadable DLL name", i));
        continue;
      }
      m.dll = std::move(*dll);
      m.functions = walk.read(static_cast<uint32_t>(int_table), static_cast<uint32_t>(iat), img_.warnings, m.dll);
      img_.imports.push_back(std::move(m));
    }
  }
}

}  // namespace drvsec::pe
