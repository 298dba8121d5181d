#include "pe/parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

namespace drvsec::pe {

namespace {
constexpr uint16_t kDosMagic = 0x5A4D;      // "MZ"
constexpr uint32_t kNtSignature = 0x4550;   // "PE\0\0"
constexpr uint16_t kPe32Magic = 0x10B;
constexpr uint16_t kPe32PlusMagic = 0x20B;
constexpr uint32_t kMaxHeaderOffset = 0x10000000;  // e_lfanew beyond 256 MiB is never valid
}  // namespace

Image Image::parse(std::span<const uint8_t> file, const Limits& limits) {
  Image image;
  image.file_ = file;
  image.limits_ = limits;
  Parser p(image, file, image.limits_);
  p.parse_headers();
  // Optional parts: each step checks its own bounds and records warnings, never throws.
  p.check_section_layout();
  p.parse_rich();
  p.compute_checksum();
  p.parse_imports();
  p.parse_exports();
  p.parse_relocations();
  p.parse_load_config();
  p.parse_debug();
  p.parse_exceptions();
  p.parse_resources();
  p.locate_security_and_overlay();
  return image;
}

void Parser::parse_headers() {
  auto mz = reader_.u16(0);
  if (!mz || *mz != kDosMagic) throw FormatError("not a PE image: no MZ signature");
  auto lfanew = reader_.u32(0x3C);
  if (!lfanew) throw FormatError("truncated DOS header");
  if (*lfanew > kMaxHeaderOffset || !reader_.in_bounds(*lfanew, 24))
    throw FormatError(fmt::format("PE header offset 0x{:X} lies outside the file", *lfanew));
  if (reader_.u32(*lfanew) != kNtSignature) throw FormatError("not a PE image: no PE signature (MZ-only DOS program?)");
  img_.pe_header_offset = *lfanew;

  const uint64_t coff = *lfanew + 4;
  img_.machine = *reader_.u16(coff);
  img_.number_of_sections = *reader_.u16(coff + 2);
  img_.time_date_stamp = *reader_.u32(coff + 4);
  const uint16_t optional_size = *reader_.u16(coff + 16);
  img_.characteristics = *reader_.u16(coff + 18);

  const uint64_t opt = coff + 20;
  auto magic = reader_.u16(opt);
  if (!magic) throw FormatError("truncated optional header");
  if (*magic != kPe32Magic && *magic != kPe32PlusMagic)
    throw FormatError(fmt::format("unknown optional header magic 0x{:X}", *magic));
  img_.is_pe32_plus = *magic == kPe32PlusMagic;

  // Fixed part of the optional header up to NumberOfRvaAndSizes: 96 bytes (PE32) / 112 (PE32+).
  const uint32_t fixed = img_.is_pe32_plus ? 112 : 96;
  if (optional_size < fixed || !reader_.in_bounds(opt, fixed))
    throw FormatError(fmt::format("optional header too small ({} bytes)", optional_size));
  img_.entry_point_rva = *reader_.u32(opt + 16);
  img_.image_base = img_.is_pe32_plus ? *reader_.u64(opt + 24) : *reader_.u32(opt + 28);
  img_.section_alignment = *reader_.u32(opt + 32);
  img_.file_alignment = *reader_.u32(opt + 36);
  img_.size_of_image = *reader_.u32(opt + 56);
  img_.size_of_headers = *reader_.u32(opt + 60);
  img_.checksum_offset = static_cast<uint32_t>(opt + 64);
  img_.checksum = *reader_.u32(opt + 64);
  img_.subsystem = *reader_.u16(opt + 68);
  img_.dll_characteristics = *reader_.u16(opt + 70);
  img_.number_of_rva_and_sizes = *reader_.u32(opt + fixed - 4);

  const uint32_t declared_dirs = std::min<uint32_t>(img_.number_of_rva_and_sizes, 16);
  const uint32_t room_dirs = (optional_size - fixed) / 8;
  const uint32_t dirs = std::min(declared_dirs, room_dirs);
  if (dirs < declared_dirs)
    warn(fmt::format("optional header has room for {} of {} data directories", dirs, declared_dirs));
  for (uint32_t i = 0; i < dirs; ++i) {
    auto rva = reader_.u32(opt + fixed + 8ull * i);
    auto size = reader_.u32(opt + fixed + 8ull * i + 4);
    if (!rva || !size) {
      warn("data directories truncated by the end of the file");
      break;
    }
    img_.directories[i] = {*rva, *size};
  }
  if (dirs > dir::security) img_.security_directory_entry_offset = static_cast<uint32_t>(opt + fixed + 8 * dir::security);

  if (img_.number_of_sections > limits_.max_sections)
    throw FormatError(fmt::format("{} sections declared, above the limit of {}", img_.number_of_sections,
                                  limits_.max_sections));
  const uint64_t table = opt + optional_size;
  for (uint32_t i = 0; i < img_.number_of_sections; ++i) {
    const uint64_t at = table + 40ull * i;
    auto raw = reader_.slice(at, 40);
    if (raw.empty()) {
      warn(fmt::format("section table truncated after {} of {} sections", i, img_.number_of_sections));
      break;
    }
    Section s;
    const char* name = reinterpret_cast<const char*>(raw.data());
    s.name.assign(name, strnlen(name, 8));
    s.virtual_size = *reader_.u32(at + 8);
    s.virtual_address = *reader_.u32(at + 12);
    s.raw_size = *reader_.u32(at + 16);
    s.raw_offset = *reader_.u32(at + 20);
    s.characteristics = *reader_.u32(at + 36);
    img_.sections.push_back(std::move(s));
  }
  if (img_.sections.empty() && img_.number_of_sections == 0) warn("image has no sections");
}

std::span<const uint8_t> Parser::directory_bytes(int index, const char* what) {
  const DataDirectory& d = directory(index);
  if (!d.present()) return {};
  std::span<const uint8_t> bytes = img_.bytes_at_rva(d.rva, d.size);
  if (bytes.size() < d.size)
    warn(fmt::format("{} [RVA 0x{:X}, +0x{:X}) is {}", what, d.rva, d.size,
                     bytes.empty() ? "not backed by file data" : "only partly backed by file data"));
  return bytes;
}

// Resolves "/<decimal offset>" section names through the COFF string table (object files and
// images linked with debug info by GNU ld keep one), then warns about sections whose raw data
// runs past the file and about overlapping sections.
void Parser::check_section_layout() {
  const uint64_t coff = uint64_t{img_.pe_header_offset} + 4;
  const uint32_t symbol_table = reader_.u32(coff + 8).value_or(0);
  const uint32_t symbol_count = reader_.u32(coff + 12).value_or(0);
  const uint64_t strings = uint64_t{symbol_table} + uint64_t{symbol_count} * 18;  // 18-byte symbol records
  const uint32_t strings_size = symbol_table ? reader_.u32(strings).value_or(0) : 0;  // includes its own 4 bytes
  for (Section& s : img_.sections) {
    if (s.name.size() < 2 || s.name[0] != '/') continue;
    uint64_t offset = 0;
    bool digits = true;
    for (size_t i = 1; i < s.name.size() && digits; ++i) {
      digits = std::isdigit(static_cast<unsigned char>(s.name[i]));
      offset = offset * 10 + static_cast<uint64_t>(s.name[i] - '0');
    }
    if (!digits) continue;
    if (strings_size == 0) {
      warn(fmt::format("section name {} refers to a COFF string table the file does not have", s.name));
      continue;
    }
    auto name = offset >= 4 && offset < strings_size
                    ? reader_.c_string(strings + offset, std::min<uint64_t>(strings_size - offset, limits_.max_string_length))
                    : std::nullopt;
    if (!name) {
      warn(fmt::format("section name {} points outside the COFF string table", s.name));
      continue;
    }
    s.name = std::move(*name);
  }

  for (const Section& s : img_.sections)
    if (s.raw_size && !reader_.in_bounds(s.raw_offset, s.raw_size))
      warn(fmt::format("section {} raw data [0x{:X}, +0x{:X}) extends past the end of the file", s.name,
                       s.raw_offset, s.raw_size));

  const auto& secs = img_.sections;
  for (size_t i = 0; i < secs.size(); ++i)
    for (size_t j = i + 1; j < secs.size(); ++j) {
      const Section &a = secs[i], &b = secs[j];
      auto overlap = [](uint64_t a_begin, uint64_t a_size, uint64_t b_begin, uint64_t b_size) {
        return a_size && b_size && a_begin < b_begin + b_size && b_begin < a_begin + a_size;
      };
      if (overlap(a.virtual_address, a.mapped_size(), b.virtual_address, b.mapped_size()))
        warn(fmt::format("sections {} and {} overlap in memory (RVA 0x{:X} and 0x{:X})", a.name, b.name,
                         a.virtual_address, b.virtual_address));
      if (overlap(a.raw_offset, a.raw_size, b.raw_offset, b.raw_size))
        warn(fmt::format("sections {} and {} overlap in the file (offset 0x{:X} and 0x{:X})", a.name, b.name,
                         a.raw_offset, b.raw_offset));
    }
}

void Parser::locate_security_and_overlay() {
  const DataDirectory& sec = directory(dir::security);
  if (sec.present()) {
    if (reader_.in_bounds(sec.rva, sec.size))
      img_.security_directory = FileRange{sec.rva, sec.size};
    else
      warn(fmt::format("security directory [0x{:X}, +0x{:X}) lies outside the file", sec.rva, sec.size));
  }
  uint64_t end_of_image = img_.size_of_headers;
  for (const Section& s : img_.sections)
    if (s.raw_size && reader_.in_bounds(s.raw_offset, s.raw_size))
      end_of_image = std::max<uint64_t>(end_of_image, uint64_t{s.raw_offset} + s.raw_size);
  uint64_t end_of_data = file_.size();
  // The certificate table conventionally sits at the end; it is not overlay.
  if (img_.security_directory && img_.security_directory->offset >= end_of_image &&
      img_.security_directory->offset + img_.security_directory->size == file_.size())
    end_of_data = img_.security_directory->offset;
  if (end_of_data > end_of_image) img_.overlay = FileRange{end_of_image, end_of_data - end_of_image};
}

// ---- Image accessors -------------------------------------------------------------------

const Section* Image::section_at_rva(uint32_t rva) const {
  for (const Section& s : sections)
    if (s.contains_rva(rva)) return &s;
  return nullptr;
}

std::optional<uint64_t> Image::rva_to_offset(uint32_t rva) const {
  if (const Section* s = section_at_rva(rva)) {
    const uint32_t delta = rva - s->virtual_address;
    if (delta >= s->raw_size) return std::nullopt;  // zero-filled tail, not in the file
    const uint64_t off = uint64_t{s->raw_offset} + delta;
    if (off >= file_.size()) return std::nullopt;
    return off;
  }
  if (rva < size_of_headers && rva < file_.size()) return rva;
  return std::nullopt;
}

std::span<const uint8_t> Image::bytes_at_rva(uint32_t rva, uint32_t max_length) const {
  auto off = rva_to_offset(rva);
  if (!off) return {};
  uint64_t avail = file_.size() - *off;
  if (const Section* s = section_at_rva(rva)) avail = std::min<uint64_t>(avail, s->raw_size - (rva - s->virtual_address));
  return file_.subspan(static_cast<size_t>(*off), static_cast<size_t>(std::min<uint64_t>(avail, max_length)));
}

std::optional<std::string> Image::string_at_rva(uint32_t rva) const {
  auto off = rva_to_offset(rva);
  if (!off) return std::nullopt;
  return ByteReader(file_).c_string(*off, limits_.max_string_length);
}

std::optional<uint32_t> Image::va_to_rva(uint64_t va) const {
  if (va < image_base) return std::nullopt;
  uint64_t rva = va - image_base;
  if (rva > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<uint32_t>(rva);
}

std::span<const uint8_t> Image::security_data() const {
  if (!security_directory) return {};
  return file_.subspan(static_cast<size_t>(security_directory->offset), static_cast<size_t>(security_directory->size));
}

bool Image::has_import(std::string_view dll_lowercase) const {
  for (const ImportedModule& m : imports) {
    if (m.dll.size() != dll_lowercase.size()) continue;
    bool same = true;
    for (size_t i = 0; i < m.dll.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(m.dll[i])) == static_cast<unsigned char>(dll_lowercase[i]);
    if (same) return true;
  }
  return false;
}

}  // namespace drvsec::pe
