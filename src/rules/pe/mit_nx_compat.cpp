// HV-1 (binary proxy, BinSkim BA2016): IMAGE_DLLCHARACTERISTICS_NX_COMPAT declares that the
// image does not expect its data to be executable. A driver built without it was built
// without the toolchain's NX defaults, which is also where executable pool habits live.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

class NxCompat final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "mit-nx-compat",
        .title = "Image is not marked NX-compatible",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .checklist = {"HV-1", "CL-6", "CL-15"},
        .cwe = {"CWE-693"},
        .applies_to = "kernel drivers, every machine",
        .related = {"BinSkim BA2016"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    if ((image.dll_characteristics & pe::dllchar::nx_compat)) return;
    Finding f = make_finding(file, "image is not marked NX-compatible (link with /NXCOMPAT)");
    f.evidence.push_back(pe_rules::dll_characteristics_evidence(image, "IMAGE_DLLCHARACTERISTICS_NX_COMPAT",
                                                                pe::dllchar::nx_compat));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(NxCompat);

}  // namespace
}  // namespace drvsec
