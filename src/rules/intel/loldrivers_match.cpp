// The driver is a known sample of the LOLDrivers catalogue (vulnerable or malicious driver):
// attackers bring such signed drivers along to reach the kernel ("bring your own vulnerable driver").
#include <fmt/format.h>

#include "rules/rule.h"
#include "intel/intelligence.h"

namespace drvsec {
namespace {

class LolDriversMatch final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "intel-loldrivers-match",
        .title = "Driver is a known vulnerable or malicious driver (LOLDrivers)",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .checklist = {"CL-18"},
        .cwe = {"CWE-1395"},
        .applies_to = "every input, when --loldrivers is given",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.intelligence || !file.intelligence->loldrivers) return;
    const intel::FileFacts facts = intel::facts_of(file);
    const std::vector<intel::LolMatch> matches = file.intelligence->loldrivers->match(facts);
    // One finding per catalogue entry; the evidence lists every hash that matched it.
    for (size_t i = 0; i < matches.size();) {
      const intel::LolEntry& entry = *matches[i].entry;
      const bool malicious = entry.category == intel::LolCategory::malicious;
      const std::string name = matches[i].sample->file_name.empty() ? std::string("driver") : matches[i].sample->file_name;
      Finding f = make_finding(
          file, fmt::format("known {} in LOLDrivers: entry {} ({}{})", malicious ? "malicious driver" : "vulnerable driver",
                            entry.id, name, entry.cves.empty() ? "" : ", " + fmt::format("{}", fmt::join(entry.cves, ", "))));
      f.evidence.push_back(fmt::format("LOLDrivers entry {}, category '{}'{}", entry.id, entry.category_text,
                                       entry.verified ? ", verified" : ""));
      if (!entry.cves.empty()) f.evidence.push_back(fmt::format("CVE: {}", fmt::join(entry.cves, ", ")));
      for (; i < matches.size() && matches[i].entry == &entry; ++i) {
        const intel::LolMatch& m = matches[i];
        f.evidence.push_back(fmt::format("{} {} matches sample {}{}", to_string(m.kind), m.hash,
                                         m.sample->file_name.empty() ? "(unnamed)" : m.sample->file_name,
                                         m.sample->file_version.empty() ? "" : " version " + m.sample->file_version));
      }
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(LolDriversMatch);

}  // namespace
}  // namespace drvsec
