// Damage in an optional part of a PE image (imports, resources, relocations, ...) does not stop
// the analysis, but the parts that could not be read are missing from every other rule's view:
// say so, once per problem, so a clean report on a damaged file is not mistaken for a clean driver.
#include "rules/rule.h"

namespace drvsec {
namespace {

class InputPartiallyAnalyzed final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "input-partially-analyzed",
        .title = "Part of the input could not be analyzed",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .checklist = {},
        .no_checklist_reason = "about the scan itself; the other rules saw only the parts that could be read",
        .cwe = {},
        .no_cwe_reason = "about the scan, not a weakness of the driver",
        .applies_to = "PE images, every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    for (const std::string& gap : file.artifact.gaps) out.push_back(make_finding(file, gap));
  }
};

DRVSEC_REGISTER_RULE(InputPartiallyAnalyzed);

}  // namespace
}  // namespace drvsec
