// sm-partial-ioctl-compare (SM-6): the IOCTL dispatch looks at only some bits of the code (a
// switch on (code >> 2) & 0xFFF, on METHOD_FROM_CTL_CODE or DEVICE_TYPE_FROM_CTL_CODE), so codes
// that differ in the other bits (required access, transfer method, device type) reach the same
// handler. Reads only the DriverModel.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rules/rule.h"

namespace drvsec {
namespace {

// What the compared bits of a CTL_CODE are, for the message.
std::string describe_bits(uint32_t bits) {
  std::vector<std::string> parts;
  if (bits & 0xFFFF0000) parts.push_back("device type");
  if (bits & 0x0000C000) parts.push_back("access");
  if (bits & 0x00003FFC) parts.push_back("function");
  if (bits & 0x00000003) parts.push_back("method");
  return fmt::format("0x{:08X} ({})", bits, fmt::join(parts, ", "));
}

class PartialIoctlCompare final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{.id = "sm-partial-ioctl-compare",
                               .title = "IOCTL dispatch compares only part of the code",
                               .severity = Severity::warning,
                               .confidence = Confidence::high,
                               .checklist = {"SM-6"},
                               .cwe = {"CWE-697"},
                               .applies_to = "drivers whose IOCTL dispatch was recovered (binary code analysis)"};
    return meta;
  }
  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model) return;
    for (const PartialIoctlDispatch& d : file.model->partial_ioctl_dispatch) {
      if (d.code_bits == 0xFFFFFFFF) continue;
      Finding f = make_finding(file, fmt::format("{} dispatches IOCTLs on bits {} of the code only: codes that differ "
                                                 "in the other bits (access, method, device type) reach the same handlers",
                                                 file.model->function_label(d.function_rva), describe_bits(d.code_bits)));
      at_code(f, *file.model, d.provenance.at.rva, d.function_rva);
      f.facts.push_back(d.id);
      f.evidence.push_back(fmt::format("{} on IoControlCode & 0x{:X}{}", d.form, d.code_bits,
                                       d.values.empty() ? std::string()
                                                        : fmt::format(" (tested values: 0x{:X})", fmt::join(d.values, ", 0x"))));
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(PartialIoctlCompare);

}  // namespace
}  // namespace drvsec
