// An input that could not be analyzed (unreadable, not a PE image, malformed headers, over a
// limit) gets one error finding per reason, so no input disappears silently from a report.
#include "rules/rule.h"

namespace drvsec {
namespace {

class InputNotAnalyzed final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "input-not-analyzed",
        .title = "Input could not be analyzed",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .checklist = {},
        .no_checklist_reason = "about the scan itself, not about the driver",
        .cwe = {},
        .no_cwe_reason = "about the scan, not a weakness of the driver",
        .applies_to = "every input",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    for (const std::string& reason : file.artifact.errors) out.push_back(make_finding(file, reason));
  }
};

DRVSEC_REGISTER_RULE(InputNotAnalyzed);

}  // namespace
}  // namespace drvsec
