// Exception directory (.pdata) of x64 images: 12-byte RUNTIME_FUNCTION entries (BeginAddress,
// EndAddress, UnwindInfoAddress). ARM64 .pdata uses 8-byte entries with packed unwind data, and
// x86 has no .pdata: for those machines runtime_functions stays empty (not parsed, not "none").
#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "pe/parser.h"

namespace drvsec::pe {

namespace {
constexpr uint32_t kRuntimeFunctionSize = 12;
}

void Parser::parse_exceptions() {
  if (img_.machine != machine::amd64 || !directory(dir::exception).present()) return;
  const std::span<const uint8_t> table = directory_bytes(dir::exception, "exception directory");
  ByteReader r(table);
  uint64_t count = table.size() / kRuntimeFunctionSize;
  if (count > limits_.max_runtime_functions) {
    warn(fmt::format("{} runtime functions, above the limit of {}; list cut", count, limits_.max_runtime_functions));
    count = limits_.max_runtime_functions;
  }
  uint64_t dropped = 0;
  img_.runtime_functions.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t at = i * kRuntimeFunctionSize;
    RuntimeFunction f{*r.u32(at), *r.u32(at + 4), *r.u32(at + 8)};
    if (f.begin_rva == 0 && f.end_rva == 0 && f.unwind_rva == 0) continue;  // zero padding
    if (f.begin_rva >= f.end_rva || f.end_rva > img_.size_of_image || f.unwind_rva >= img_.size_of_image) {
      ++dropped;
      continue;
    }
    img_.runtime_functions.push_back(f);
  }
  if (dropped)
    warn(fmt::format("{} runtime function entries lie outside the image (SizeOfImage 0x{:X}) or are empty; dropped",
                     dropped, img_.size_of_image));
  std::sort(img_.runtime_functions.begin(), img_.runtime_functions.end(),
            [](const RuntimeFunction& a, const RuntimeFunction& b) {
              return std::tie(a.begin_rva, a.end_rva, a.unwind_rva) < std::tie(b.begin_rva, b.end_rva, b.unwind_rva);
            });
}

}  // namespace drvsec::pe
