// BinSkim BA2008: kernel Control Flow Guard (kCFG) checks indirect call targets in drivers built
// with /guard:cf when virtualization-based security is on. It needs both the GUARD_CF flag and a
// load configuration with the guard fields; the flag alone gives no protection.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

class ControlFlowGuard final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "mit-control-flow-guard",
        .title = "Driver is not built with Control Flow Guard",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .checklist = {"CL-15"},
        .cwe = {"CWE-693"},
        .applies_to = "x64 and ARM64 kernel drivers (kernel CFG does not exist on 32-bit Windows)",
        .related = {"BinSkim BA2008"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    // Kernel CFG is enforced only with virtualization-based security, i.e. on 64-bit Windows.
    if (!pe_rules::has_memory_integrity(image.machine)) return;
    const bool flag = image.dll_characteristics & pe::dllchar::guard_cf;
    const pe::LoadConfig* lc = image.load_config ? &*image.load_config : nullptr;
    const uint32_t guard_flags = lc ? lc->guard_flags.value_or(0) : 0;
    const bool instrumented = guard_flags & pe::guard::cf_instrumented;
    const bool check_function = lc && lc->guard_cf_check_function_va.value_or(0) != 0;
    if (flag && instrumented && check_function) return;

    std::string message;
    if (flag)
      message = "GUARD_CF is set but the load configuration lacks the CFG fields, so the kernel cannot enforce "
                "Control Flow Guard";
    else if (instrumented)
      message = "the code is CFG-instrumented but GUARD_CF is clear, so the kernel does not enforce Control Flow Guard";
    else
      message = "driver is not built with Control Flow Guard (/guard:cf)";
    Finding f = make_finding(file, message);
    f.evidence.push_back(
        pe_rules::dll_characteristics_evidence(image, "IMAGE_DLLCHARACTERISTICS_GUARD_CF", pe::dllchar::guard_cf));
    if (!lc) {
      f.evidence.push_back("no load configuration directory (DataDirectory[10])");
    } else {
      f.evidence.push_back(fmt::format("load configuration GuardFlags = {} (IMAGE_GUARD_CF_INSTRUMENTED 0x100 is {})",
                                       lc->guard_flags ? fmt::format("0x{:08X}", *lc->guard_flags) : "absent",
                                       instrumented ? "set" : "clear"));
      f.evidence.push_back(fmt::format("load configuration GuardCFCheckFunctionPointer = 0x{:X}",
                                       lc->guard_cf_check_function_va.value_or(0)));
    }
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(ControlFlowGuard);

}  // namespace
}  // namespace drvsec
