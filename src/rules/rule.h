// Rule interface and registry. Each rule lives in its own file under src/rules/, registers
// itself with DRVSEC_REGISTER_RULE, and has a page docs/rules/<id>.md.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/file_analysis.h"
#include "model/finding.h"
#include "model/rule_info.h"

namespace drvsec {

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  virtual void check(const FileAnalysis& file, std::vector<Finding>& out) const = 0;

 protected:
  // A finding pre-filled from this rule's metadata and the file's path.
  Finding make_finding(const FileAnalysis& file, std::string message) const;
};

// Puts a finding at an address of its file's code, in `function_rva` (named when the model knows
// the function's name; reports render an unnamed one from its address).
void at_code(Finding& f, const DriverModel& model, std::optional<uint32_t> rva, std::optional<uint32_t> function_rva);

class RuleRegistry {
 public:
  static RuleRegistry& instance();
  void add(std::unique_ptr<Rule> rule);
  // Sorted by id (kept sorted as rules register: every file's analysis walks this list).
  const std::vector<const Rule*>& rules() const { return sorted_; }
  const Rule* find(std::string_view id) const;

 private:
  std::vector<std::unique_ptr<Rule>> rules_;
  std::vector<const Rule*> sorted_;
};

// The Markdown page of a rule (docs/rules/<id>.md, embedded at build time) as readers see it:
// its generated header (rules/rule_docs.h) without the marker comments, then the body. Empty if missing.
std::string_view rule_documentation(std::string_view id);

namespace detail {
struct RuleRegistrar {
  explicit RuleRegistrar(std::unique_ptr<Rule> rule) { RuleRegistry::instance().add(std::move(rule)); }
};
}  // namespace detail

}  // namespace drvsec

#define DRVSEC_REGISTER_RULE(Class) \
  static const ::drvsec::detail::RuleRegistrar drvsec_registrar_##Class{std::make_unique<Class>()}
