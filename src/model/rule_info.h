// A rule's metadata: what reports, the checklist and the docs pages say about it. The rules
// themselves (src/rules/) carry one each; layers above them read it without running rules.
// The header of each page docs/rules/<id>.md is rendered from it (rules/rule_docs.h), so what
// the page says about a rule cannot drift from what the reports say.
#pragma once

#include <string>
#include <vector>

#include "model/finding.h"

namespace drvsec {

// Fields are in the order rules write them (designated initializers must follow it).
struct RuleInfo {
  std::string id;          // stable, kebab-case: "hv-wx-section"
  std::string title;       // one line
  Severity severity = Severity::warning;   // default; a finding may raise or lower it
  Confidence confidence = Confidence::high;
  // When a finding's severity or confidence differs from the defaults, and why:
  // "warning on 32-bit machines, which have no memory integrity". Empty when they never differ.
  std::string levels;
  std::vector<std::string> checklist;      // guidance items: "HV-5", "CL-15"
  std::string no_checklist_reason;         // why `checklist` is empty (required then)
  std::vector<std::string> cwe;            // "CWE-732"
  std::string no_cwe_reason;               // why `cwe` is empty (required then)
  std::string applies_to;                  // inputs/machines/driver kinds it applies to
  std::vector<std::string> related;        // the same check in other tools: "BinSkim BA2021"
};

}  // namespace drvsec
