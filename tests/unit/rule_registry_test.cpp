// Every rule is complete: a documented page, guidance ids that exist, sane metadata.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "model/checklist.h"
#include "rules/rule.h"

namespace drvsec {
namespace {

TEST(RuleRegistry, IdsAreUniqueKebabCase) {
  std::set<std::string> ids;
  const std::regex kebab("[a-z0-9]+(-[a-z0-9]+)*");
  for (const Rule* r : RuleRegistry::instance().rules()) {
    EXPECT_TRUE(std::regex_match(r->info().id, kebab)) << r->info().id;
    EXPECT_TRUE(ids.insert(r->info().id).second) << r->info().id;
    EXPECT_FALSE(r->info().title.empty()) << r->info().id;
    EXPECT_FALSE(r->info().applies_to.empty()) << r->info().id;
  }
  EXPECT_GE(ids.size(), 2u);
}

TEST(RuleRegistry, EveryRuleHasADocumentationPage) {
  for (const Rule* r : RuleRegistry::instance().rules()) {
    std::string_view doc = rule_documentation(r->info().id);
    ASSERT_FALSE(doc.empty()) << "docs/rules/" << r->info().id << ".md is missing";
    EXPECT_EQ(doc.substr(0, 2 + r->info().id.size()), "# " + r->info().id) << r->info().id;
    // A page says what the rule checks and how to fix it, not just a title.
    EXPECT_GT(std::count(doc.begin(), doc.end(), '\n'), 8) << r->info().id << " documentation is too thin";
  }
}

// That the guidance items and CWEs a rule cites exist, and that the page header matches them: rule_docs_test.

TEST(ChecklistCatalog, CoversEveryRequirementFamily) {
  std::set<std::string> ids;
  for (const auto& item : checklist_catalog()) EXPECT_TRUE(ids.insert(std::string(item.id)).second) << item.id;
  for (const char* id : {"CL-1", "CL-5.17", "CL-19", "HV-1", "HV-13", "BP-1", "BP-8", "SM-1", "SM-12"})
    EXPECT_TRUE(ids.count(id)) << id;
  // 19 checklist tasks (CL-3 and CL-5 split into sub-items), HV-1..13, BP-1..8, SM-1..12.
  EXPECT_EQ(std::count_if(ids.begin(), ids.end(), [](auto& s) { return s.starts_with("HV-"); }), 13);
  EXPECT_EQ(std::count_if(ids.begin(), ids.end(), [](auto& s) { return s.starts_with("BP-"); }), 8);
  EXPECT_EQ(std::count_if(ids.begin(), ids.end(), [](auto& s) { return s.starts_with("SM-"); }), 12);
}

}  // namespace
}  // namespace drvsec
