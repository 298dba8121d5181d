// ioctl-method-neither (CL-5.4, CL-5.5): an IOCTL with METHOD_NEITHER hands the driver raw user
// addresses (Type3InputBuffer, UserBuffer). Reads only the DriverModel.
#include <fmt/format.h>

#include "model/ioctl_code.h"
#include "rules/rule.h"

namespace drvsec {
namespace {

class IoctlMethodNeither final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{.id = "ioctl-method-neither",
                               .title = "IOCTL uses METHOD_NEITHER",
                               .severity = Severity::warning,
                               .confidence = Confidence::high,
                               .checklist = {"CL-5.4", "CL-5.5"},
                               .cwe = {"CWE-781"},
                               .applies_to = "drivers whose IOCTL codes were recovered (binary code analysis)"};
    return meta;
  }
  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model) return;
    for (const Ioctl& io : file.model->ioctls) {
      const IoctlFields f = decode_ioctl(io.code);
      if (f.method != 3) continue;
      Finding fd = make_finding(file, fmt::format("IOCTL 0x{:X} uses METHOD_NEITHER: the driver receives unchecked user-mode "
                                                  "addresses", io.code));
      if (f.access == 0) fd.evidence.push_back("access is FILE_ANY_ACCESS: any caller that can open the device may send it");
      fd.facts.push_back(io.id);
      for (const std::string& id : io.reachable_primitives)
        if (const PrimitiveUse* u = file.model->primitive(id)) {
          fd.evidence.push_back("reaches " + describe(*u));
          fd.facts.push_back(id);
        }
      at_code(fd, *file.model, io.handler_rva, io.handler_function_rva);
      fd.ioctl = io.code;
      out.push_back(std::move(fd));
    }
  }
};

DRVSEC_REGISTER_RULE(IoctlMethodNeither);

}  // namespace
}  // namespace drvsec
