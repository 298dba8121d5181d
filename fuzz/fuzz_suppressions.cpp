// Fuzzes the suppression file reader (drvsec.toml): TOML parsing by toml++, then every key's checks
// (rule ids against the registry, globs, IOCTL codes, dates), and the compiled globs on a few paths.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "report/suppressions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const SuppressionFile file = parse_suppression_file(text, "drvsec.toml", "/proj");
    Finding f;
    f.rule_id = "prim-port-io";
    f.location.path = "/proj/drivers/legacy/port.sys";
    f.ioctl = 0x222003;
    f.fingerprint = "0123456789abcdef";
    for (const Suppression& s : file.entries) {
      (void)suppression_matches(s, f, nullptr);
      if (s.glob) (void)s.glob->matches(text.substr(0, 256));
    }
  } catch (const SuppressionError&) {
  }
  return 0;
}
