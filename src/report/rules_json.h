// `drvsec rules --format json`: every registered rule's metadata, for tools that map drvsec's
// findings to their own policies (what the SARIF `rules` array carries, without a scan).
#pragma once

#include <ostream>
#include <vector>

#include "rules/rule.h"

namespace drvsec {

// {"schema_version": 1, "tool": {"name", "version"}, "rules": [{"id", "title", "summary",
// "severity", "confidence", "levels"?, "guidance": ["HV-5", ...], "no_guidance_reason"?,
// "cwe": ["CWE-732", ...], "no_cwe_reason"?, "applies_to", "related": [...]}]}, rules in id order.
// "summary" is the first paragraph of the rule's docs page ("What it checks"); optional members
// are left out when empty.
void write_rules_json(const std::vector<const Rule*>& rules, std::ostream& out);

}  // namespace drvsec
