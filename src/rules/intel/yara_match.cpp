// The user's YARA rules (--yara) match the driver: e.g. LOLDrivers' published rules for known
// vulnerable driver families, or an organization's own detections.
#include <fmt/format.h>

#include "rules/rule.h"
#include "intel/intelligence.h"

namespace drvsec {
namespace {

class YaraRuleMatch final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "intel-yara-match",
        .title = "A user-supplied YARA rule matches the driver",
        .severity = Severity::warning,
        .confidence = Confidence::medium,
        .levels = "note with low confidence when the YARA rules could not be run on the file (libyara's timeout)",
        .checklist = {"CL-18"},
        .cwe = {},
        .no_cwe_reason = "what a match means depends on the user's YARA rule",
        .applies_to = "PE inputs (the whole file is scanned), when --yara is given",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.intelligence || !file.intelligence->yara || !file.image) return;
    std::vector<intel::YaraMatch> matches;
    try {
      matches = file.intelligence->yara->scan(file.image->file());
    } catch (const std::runtime_error& e) {
      Finding f = make_finding(file, fmt::format("YARA rules could not be run on this file: {}", e.what()));
      f.confidence = Confidence::low;
      f.severity = Severity::note;
      out.push_back(std::move(f));
      return;
    }
    for (const intel::YaraMatch& m : matches) {
      const std::string qualified = m.rule_namespace.empty() || m.rule_namespace == "default"
                                        ? m.rule
                                        : m.rule_namespace + ":" + m.rule;
      std::string description;
      for (const auto& [key, value] : m.meta)
        if (key == "description" && description.empty()) description = value;
      Finding f = make_finding(file, fmt::format("YARA rule {} matches{}", qualified,
                                                 description.empty() ? "" : ": " + description));
      if (!m.tags.empty()) f.evidence.push_back(fmt::format("tags: {}", fmt::join(m.tags, ", ")));
      for (const auto& [key, value] : m.meta) f.evidence.push_back(fmt::format("meta {} = {}", key, value));
      for (const auto& s : m.strings) f.evidence.push_back(s);
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(YaraRuleMatch);

}  // namespace
}  // namespace drvsec
