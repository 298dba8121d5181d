// BinSkim BA2025: kernel-mode hardware-enforced stack protection (CET shadow stacks) only
// admits drivers whose debug directory carries IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS with
// IMAGE_DLLCHARACTERISTICS_EX_CET_COMPAT (linker /CETCOMPAT).
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

class CetCompatible final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "mit-cet-compatible",
        .title = "Driver is not marked CET shadow-stack compatible",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .checklist = {"CL-15"},
        .cwe = {"CWE-693"},
        .applies_to = "x64 kernel drivers (CET shadow stacks exist only on x64)",
        .related = {"BinSkim BA2025"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    if (image.machine != pe::machine::amd64) return;
    const std::optional<uint32_t>& ex = image.debug.extended_dll_characteristics;
    if (ex && (*ex & pe::dllchar_ex::cet_compat)) return;

    Finding f = make_finding(file, "driver is not marked CET shadow-stack compatible (link with /CETCOMPAT)");
    f.evidence.push_back(ex ? fmt::format("debug directory EX_DLLCHARACTERISTICS = 0x{:X} (CET_COMPAT 0x1 is clear)", *ex)
                            : "no IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS (20) entry in the debug directory");
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(CetCompatible);

}  // namespace
}  // namespace drvsec
