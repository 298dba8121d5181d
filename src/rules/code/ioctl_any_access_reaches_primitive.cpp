// ioctl-any-access-reaches-primitive (SM-4, SM-5, CL-3e): a FILE_ANY_ACCESS IOCTL from which a
// dangerous primitive is reachable. Reads only the DriverModel (primitives + IOCTLs).
#include <fmt/format.h>

#include "model/ioctl_code.h"
#include "rules/code/primitive_findings.h"
#include "rules/rule.h"

namespace drvsec {
namespace {

class IoctlAnyAccessReachesPrimitive final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{.id = "ioctl-any-access-reaches-primitive",
                               .title = "FILE_ANY_ACCESS IOCTL reaches a dangerous primitive",
                               .severity = Severity::error,
                               .confidence = Confidence::high,
                               .levels = "warning with medium confidence when no primitive the IOCTL reaches has "
                                         "caller-controlled operands without a range check",
                               .checklist = {"SM-4", "SM-5", "CL-3e"},
                               .cwe = {"CWE-732", "CWE-782"},
                               .applies_to = "drivers whose IOCTLs and primitives were recovered (binary code analysis)"};
    return meta;
  }
  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model) return;
    for (const Ioctl& io : file.model->ioctls) {
      if (decode_ioctl(io.code).access != 0) continue;
      std::vector<const PrimitiveUse*> reached;
      bool controlled = false;
      for (const PrimitiveUse& u : file.model->primitives)
        if (std::binary_search(u.ioctls.begin(), u.ioctls.end(), io.code)) {
          reached.push_back(&u);
          controlled |= u.controlled();
        }
      if (reached.empty()) continue;
      Finding f = make_finding(file, fmt::format("IOCTL 0x{:X} has FILE_ANY_ACCESS and reaches {} dangerous primitive(s){}",
                                                 io.code, reached.size(),
                                                 controlled ? " with caller-controlled operands" : ""));
      f.severity = controlled ? Severity::error : Severity::warning;
      f.confidence = controlled ? Confidence::high : Confidence::medium;
      // Each primitive is its own finding (one per site, naming its IOCTLs): referred to, not restated.
      for (const PrimitiveUse* u : reached)
        f.evidence.push_back(fmt::format("see the {} finding at 0x{:X} (`{}`{})", primitive_findings::rule_for(u->kind), u->rva,
                                         u->what, u->controlled() ? ", caller-controlled operands" : ""));
      at_code(f, *file.model, io.handler_rva, io.handler_function_rva);
      f.ioctl = io.code;
      f.facts.push_back(io.id);
      for (const PrimitiveUse* u : reached) f.facts.push_back(u->id);
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(IoctlAnyAccessReachesPrimitive);

}  // namespace
}  // namespace drvsec
