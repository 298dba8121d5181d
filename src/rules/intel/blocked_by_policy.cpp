// CL-18: Microsoft's vulnerable-driver block rules (an App Control SiPolicy, on by default with
// memory integrity, S mode and Windows 11 22H2+) would refuse to load this driver.
#include <algorithm>

#include <fmt/format.h>

#include "rules/rule.h"
#include "intel/intelligence.h"

namespace drvsec {
namespace {

class BlockedByPolicy final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "intel-blocked-by-policy",
        .title = "Driver would be blocked by the App Control (driver block) policy",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .levels = "warning with low confidence when every matching deny is only possible (a signer condition such "
                  "as `CertIssuer` or `SignTimeAfter` that drvsec does not check); warning for an implicit deny "
                  "(the policy authorizes no rule for the driver)",
        .checklist = {"CL-18"},
        .cwe = {"CWE-1395"},
        .applies_to = "kernel drivers (kernel-mode signing scenario 131), when --blocklist is given",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.intelligence || !file.intelligence->policy || !file.image) return;
    const intel::SiPolicy& policy = *file.intelligence->policy;
    const intel::PolicyVerdict verdict = policy.evaluate(intel::facts_of(file));
    const std::string policy_name = policy.name().empty() ? std::string("the policy") : "'" + policy.name() + "'";

    if (verdict.decision == intel::PolicyDecision::denied) {
      // Report the first certain match; when every match is only possible (a signer condition drvsec
      // does not evaluate), say so and lower severity and confidence: the policy may not deny it.
      auto first_certain = std::find_if(verdict.denies.begin(), verdict.denies.end(),
                                        [](const intel::PolicyMatch& m) { return m.certain; });
      const bool certain = first_certain != verdict.denies.end();
      const intel::PolicyMatch& first = certain ? *first_certain : verdict.denies.front();
      Finding f = make_finding(file, fmt::format("{} {} this driver: rule {} ({}) matched by {}{}", policy_name,
                                                 certain ? "denies" : "may deny", first.rule_id, first.friendly_name,
                                                 to_string(first.kind),
                                                 verdict.denies.size() > 1
                                                     ? fmt::format(" (and {} more)", verdict.denies.size() - 1)
                                                     : std::string()));
      if (!certain) {
        f.severity = Severity::warning;
        f.confidence = Confidence::low;
      }
      for (const auto& m : verdict.denies)
        f.evidence.push_back(fmt::format("deny {} '{}' [{}]: {}{}", m.rule_id, m.friendly_name, to_string(m.kind), m.why,
                                         m.certain ? "" : " (possible match)"));
      add_context(f, policy, verdict);
      out.push_back(std::move(f));
    } else if (verdict.decision == intel::PolicyDecision::not_allowed) {
      Finding f = make_finding(
          file, fmt::format("{} authorizes no rule for this driver in the kernel-mode scenario, so App Control "
                            "would not load it (implicit deny)",
                            policy_name));
      f.severity = Severity::warning;
      add_context(f, policy, verdict);
      out.push_back(std::move(f));
    }
  }

 private:
  static void add_context(Finding& f, const intel::SiPolicy& policy, const intel::PolicyVerdict& verdict) {
    if (!policy.version().empty()) f.evidence.push_back("policy version " + policy.version());
    for (const auto& note : verdict.unevaluated) f.evidence.push_back(note);
  }
};

DRVSEC_REGISTER_RULE(BlockedByPolicy);

}  // namespace
}  // namespace drvsec
