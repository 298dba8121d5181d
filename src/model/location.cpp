#include "model/location.h"

#include <fmt/format.h>

namespace drvsec {

std::string function_label(uint32_t function_rva) { return fmt::format("sub_{:X}", function_rva); }

std::string function_label(const Location& l) {
  if (!l.function.empty()) return l.function;
  return l.function_rva ? function_label(*l.function_rva) : std::string();
}

}  // namespace drvsec
