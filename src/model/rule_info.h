// A rule's metadata: what reports, the checklist and the docs pages say about it. The rules
// themselves (src/rules/) carry one each; layers above them read it without running rules.
#pragma once

#include <string>
#include <vector>

#include "model/finding.h"

namespace drvsec {

struct RuleInfo {
  std::string id;          // stable, kebab-case: "hv-wx-section"
  std::string title;       // one line
  Severity severity = Severity::warning;   // default; a finding may raise or lower it
  Confidence confidence = Confidence::high;
  std::vector<std::string> checklist;      // guidance items: "HV-5", "CL-15"
  std::vector<std::string> cwe;            // "CWE-732"
  std::string applies_to;                  // inputs/machines/driver kinds it applies to
};

}  // namespace drvsec
