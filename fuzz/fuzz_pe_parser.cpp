// Fuzzes the PE parser alone (no hashing, no analysis): pe::Image::parse on the input, then every
// accessor over everything the parse returned, so a view or offset that escaped the bounds checks
// is touched under ASan/UBSan.
#include <cstddef>
#include <cstdint>
#include <span>

#include "pe/image.h"

namespace {

volatile uint64_t sink;  // keeps the reads from being optimized away

void consume(std::span<const uint8_t> bytes) {
  if (!bytes.empty()) sink = sink + bytes.front() + bytes.back();
}

void exercise(const drvsec::pe::Image& img) {
  using namespace drvsec::pe;
  for (const Section& s : img.sections) {
    consume(img.bytes_at_rva(s.virtual_address, s.mapped_size()));
    if (auto text = img.string_at_rva(s.virtual_address)) sink = sink + text->size();
    if (auto off = img.rva_to_offset(s.virtual_address)) sink = sink + *off;
    sink = sink + (img.section_at_rva(s.virtual_address + s.mapped_size() / 2) != nullptr);
  }
  for (const ImportedModule& m : img.imports)
    for (const ImportedFunction& f : m.functions) consume(img.bytes_at_rva(f.iat_rva, 8));
  for (const Export& e : img.exports) consume(img.bytes_at_rva(e.rva, 16));
  for (const Relocation& r : img.relocations) consume(img.bytes_at_rva(r.rva, 8));
  for (const RuntimeFunction& f : img.runtime_functions) consume(img.bytes_at_rva(f.unwind_rva, 4));
  if (img.load_config) {
    for (auto va : {img.load_config->security_cookie_va, img.load_config->guard_cf_function_table_va,
                    img.load_config->guard_cf_check_function_va, img.load_config->se_handler_table_va})
      if (va)
        if (auto rva = img.va_to_rva(*va)) consume(img.bytes_at_rva(*rva, 16));
  }
  if (img.debug.codeview) sink = sink + img.debug.codeview->pdb_path.size();
  if (img.version_info)
    for (const auto& [key, value] : img.version_info->strings) sink = sink + key.size() + value.size();
  for (const RichEntry& r : img.rich) sink = sink + r.count;
  if (img.overlay) consume(img.file().subspan(img.overlay->offset, img.overlay->size));
  consume(img.security_data());
  for (const DataDirectory& d : img.directories) consume(img.bytes_at_rva(d.rva, d.size));
  sink = sink + img.has_import("ntoskrnl.exe") + img.computed_checksum + img.warnings.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const drvsec::pe::Image img = drvsec::pe::Image::parse(std::span(data, size));
    exercise(img);
  } catch (const drvsec::pe::FormatError&) {
    // Not a usable PE: the expected outcome for most inputs.
  }
  return 0;
}
