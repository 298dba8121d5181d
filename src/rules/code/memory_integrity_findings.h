// Shared by the hv-executable-* rules: findings from DriverModel::memory_integrity_calls of one
// issue. A known executable argument is an error with high confidence; an argument that could
// not be determined is a warning with low confidence (reported, not dropped).
#pragma once

#include <fmt/format.h>

#include "rules/rule.h"

namespace drvsec {

class MemoryIntegrityRule : public Rule {
 public:
  MemoryIntegrityRule(RuleInfo info, MemoryIntegrityIssue issue, const char* argument)
      : info_(std::move(info)), issue_(issue), argument_(argument) {}
  const RuleInfo& info() const override { return info_; }
  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.model) return;
    for (const MemoryIntegrityCall& c : file.model->memory_integrity_calls) {
      if (c.issue != issue_ || (c.value && !c.executable)) continue;
      Finding f = make_finding(
          file, c.value ? fmt::format("{} at 0x{:X} gets {} 0x{:X}, which gives executable memory", c.api, c.rva, argument_, *c.value)
                        : fmt::format("{} at 0x{:X}: the {} could not be determined statically; it may give executable memory",
                                      c.api, c.rva, argument_));
      f.severity = c.value ? Severity::error : Severity::warning;
      f.confidence = c.value ? Confidence::high : Confidence::low;
      at_code(f, *file.model, c.rva, c.function_rva);
      f.facts.push_back(c.id);
      f.evidence.push_back(fmt::format("argument {} ({}) = {}", c.argument_index + 1, argument_,
                                       c.value ? fmt::format("0x{:X}", *c.value) : std::string("unknown")));
      out.push_back(std::move(f));
    }
  }

 private:
  RuleInfo info_;
  MemoryIntegrityIssue issue_;
  const char* argument_;
};

}  // namespace drvsec
