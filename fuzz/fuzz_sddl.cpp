// Fuzzes the SDDL parser and everything that reads its result: evaluation, risks in every context,
// the explanation and the summary.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sddl/evaluate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec::sddl;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult r = parse(text);
  if (!r) {
    if (!r.error || r.error->column == 0 || r.error->column > text.size() + 1) __builtin_trap();
    (void)to_string(*r.error);
    return 0;
  }
  const Evaluation ev = evaluate(*r.descriptor);
  for (Context c : {Context::any, Context::device_secure, Context::inf}) (void)assess(*r.descriptor, ev, c);
  (void)explain(*r.descriptor);
  (void)summary(ev);
  return 0;
}
