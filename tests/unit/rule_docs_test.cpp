// The docs pages' headers are generated from RuleInfo (rules/rule_docs.h): the committed pages
// match what the rules say, every rule has a page and every page a rule, the metadata is
// complete, and update_doc_headers rewrites headers only, refusing pages it did not generate.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "model/checklist.h"
#include "rules/rule.h"
#include "rules/rule_docs.h"
#include "test_support.h"

namespace drvsec {
namespace {

namespace fs = std::filesystem;

const fs::path kDocsDir = fs::path(DRVSEC_SOURCE_DIR) / "docs" / "rules";

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::set<std::string> rule_ids() {
  std::set<std::string> ids;
  for (const Rule* r : RuleRegistry::instance().rules()) ids.insert(r->info().id);
  return ids;
}

// What `drvsec rules --check-doc-headers docs/rules` checks, page by page for readable failures.
TEST(RuleDocs, CommittedHeadersMatchTheRulesMetadata) {
  for (const Rule* r : RuleRegistry::instance().rules()) {
    const fs::path page = kDocsDir / (r->info().id + ".md");
    ASSERT_TRUE(fs::exists(page)) << page << " is missing: run `drvsec rules --write-doc-headers docs/rules`";
    const std::string text = test::read_file(page.string());
    const DocPageParts parts = split_doc_page(text);
    ASSERT_TRUE(parts.marked) << page << " has no generated header between the markers";
    EXPECT_EQ(parts.header, render_doc_header(r->info()))
        << page << " drifted from the rule's RuleInfo: run `drvsec rules --write-doc-headers docs/rules`";
    EXPECT_TRUE(parts.body.starts_with("## ")) << page << ": the hand-written body starts with its first section";
  }
  std::ostringstream log;
  const DocHeaderUpdate check = update_doc_headers(kDocsDir, true, log);
  EXPECT_EQ(check.out_of_date, 0) << log.str();
  EXPECT_EQ(check.errors, 0) << log.str();
}

TEST(RuleDocs, EveryPageBelongsToARule) {
  const std::set<std::string> ids = rule_ids();
  std::set<std::string> pages;
  for (const auto& entry : fs::directory_iterator(kDocsDir)) {
    ASSERT_EQ(entry.path().extension(), ".md") << entry.path() << ": docs/rules holds only rule pages";
    pages.insert(entry.path().stem().string());
    EXPECT_TRUE(ids.count(entry.path().stem().string())) << entry.path() << ": no registered rule has this id";
  }
  EXPECT_EQ(pages, ids);
}

// The embedded page readers get (`drvsec rules ID`, SARIF help) is the committed one without markers.
TEST(RuleDocs, EmbeddedPagesAreTheCommittedOnesWithoutMarkers) {
  for (const Rule* r : RuleRegistry::instance().rules()) {
    const std::string& id = r->info().id;
    const std::string committed = test::read_file((kDocsDir / (id + ".md")).string());
    const std::string_view embedded = rule_documentation(id);
    EXPECT_EQ(embedded, without_doc_markers(committed)) << id << ": rebuild to embed the current page";
    EXPECT_TRUE(embedded.starts_with("# " + id + " — " + r->info().title + "\n")) << id;
    EXPECT_EQ(embedded.find("<!--"), std::string_view::npos) << id << ": a marker comment reached readers";
  }
}

// CWE ids the rules may cite, with their names (cwe.mitre.org): a new CWE is looked up once and added here.
const std::map<std::string, std::string> kKnownCwes = {
    {"CWE-120", "Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')"},
    {"CWE-121", "Stack-based Buffer Overflow"},
    {"CWE-123", "Write-what-where Condition"},
    {"CWE-284", "Improper Access Control"},
    {"CWE-298", "Improper Validation of Certificate Expiration"},
    {"CWE-328", "Use of Weak Hash"},
    {"CWE-347", "Improper Verification of Cryptographic Signature"},
    {"CWE-354", "Improper Validation of Integrity Check Value"},
    {"CWE-477", "Use of Obsolete Function"},
    {"CWE-668", "Exposure of Resource to Wrong Sphere"},
    {"CWE-676", "Use of Potentially Dangerous Function"},
    {"CWE-693", "Protection Mechanism Failure"},
    {"CWE-697", "Incorrect Comparison"},
    {"CWE-732", "Incorrect Permission Assignment for Critical Resource"},
    {"CWE-749", "Exposed Dangerous Method or Function"},
    {"CWE-781", "Improper Address Validation in IOCTL with METHOD_NEITHER I/O Control Code"},
    {"CWE-782", "Exposed IOCTL with Insufficient Access Control"},
    {"CWE-787", "Out-of-bounds Write"},
    {"CWE-863", "Incorrect Authorization"},
    {"CWE-908", "Use of Uninitialized Resource"},
    {"CWE-1395", "Dependency on Vulnerable Third-Party Component"},
};

// Every rule maps to the guidance or says why it cannot, and to a CWE or says why not: the page
// header shows either, so a page without guidance ids or CWE is a decision, not an omission.
TEST(RuleDocs, MetadataIsComplete) {
  for (const Rule* r : RuleRegistry::instance().rules()) {
    const RuleInfo& info = r->info();
    EXPECT_NE(info.checklist.empty(), info.no_checklist_reason.empty())
        << info.id << ": cite guidance items, or (only then) give no_checklist_reason";
    EXPECT_NE(info.cwe.empty(), info.no_cwe_reason.empty()) << info.id << ": cite a CWE, or (only then) give no_cwe_reason";
    std::set<std::string> seen;
    for (const auto& item : info.checklist) {
      EXPECT_NE(find_checklist_item(item), nullptr) << info.id << " cites unknown guidance item " << item;
      EXPECT_TRUE(seen.insert(item).second) << info.id << " cites " << item << " twice";
    }
    for (const auto& cwe : info.cwe) {
      EXPECT_TRUE(kKnownCwes.count(cwe)) << info.id << " cites " << cwe << ", not in kKnownCwes (check it exists and fits)";
      EXPECT_TRUE(seen.insert(cwe).second) << info.id << " cites " << cwe << " twice";
    }
    for (const auto& text : {info.title, info.levels, info.no_checklist_reason, info.no_cwe_reason, info.applies_to})
      EXPECT_EQ(text.find('\n'), std::string::npos) << info.id << ": header fields are one line";
  }
}

// update_doc_headers on a folder of its own: one stale page, one current, one without markers,
// one whose end marker is missing, one page no rule owns; the other rules' pages are missing.
class UpdateDocHeaders : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& rules = RuleRegistry::instance().rules();
    ASSERT_GE(rules.size(), 5u);  // four pages set up here, one created
    stale_ = rules[0];
    current_ = rules[1];
    unmarked_ = rules[2];
    unterminated_ = rules[3];
    dir_ = test::output_path("rule_docs/pages");
    fs::remove_all(dir_);
    fs::create_directories(dir_);

    RuleInfo old_info = stale_->info();
    old_info.title = "an older title";
    old_info.checklist = {"CL-1"};
    stale_page_ = render_doc_header(old_info) + kBody;
    write_file(path(stale_), stale_page_);
    current_page_ = render_doc_header(current_->info()) + kBody;
    write_file(path(current_), current_page_);
    unmarked_page_ = "# " + unmarked_->info().id + "\n\n**hand-written header**\n\n" + kBody;
    write_file(path(unmarked_), unmarked_page_);
    unterminated_page_ = std::string(kDocHeaderBegin) + "\n# " + unterminated_->info().id + "\n\n" + kBody;
    write_file(path(unterminated_), unterminated_page_);
    write_file(dir_ / "no-such-rule.md", kBody);
  }

  fs::path path(const Rule* r) const { return dir_ / (r->info().id + ".md"); }
  std::string page(const Rule* r) const { return test::read_file(path(r).string()); }
  size_t page_count() const { return std::distance(fs::directory_iterator(dir_), fs::directory_iterator()); }

  static inline const std::string kBody = "## What it checks\nSomething.\n\n## How to fix\n```c\nx = 1;\n```\n";
  const Rule* stale_ = nullptr;
  const Rule* current_ = nullptr;
  const Rule* unmarked_ = nullptr;
  const Rule* unterminated_ = nullptr;
  fs::path dir_;
  std::string stale_page_, current_page_, unmarked_page_, unterminated_page_;
};

TEST_F(UpdateDocHeaders, CheckOnlyReportsAndWritesNothing) {
  const int missing = static_cast<int>(RuleRegistry::instance().rules().size()) - 4;
  std::ostringstream log;
  const DocHeaderUpdate r = update_doc_headers(dir_, true, log);
  EXPECT_EQ(r.out_of_date, 1 + missing) << log.str();
  EXPECT_EQ(r.errors, 3) << log.str();  // no markers, no end marker, no rule
  EXPECT_EQ(page(stale_), stale_page_);
  EXPECT_EQ(page(current_), current_page_);
  EXPECT_EQ(page_count(), 5u);
  const std::string text = log.str();
  EXPECT_NE(text.find(path(stale_).string() + ": header out of date"), std::string::npos) << text;
  EXPECT_EQ(text.find(path(current_).string()), std::string::npos) << text;
  EXPECT_NE(text.find(path(unmarked_).string() + ": error: no generated header"), std::string::npos) << text;
  EXPECT_NE(text.find(path(unterminated_).string() + ": error: the generated header has no end marker"), std::string::npos)
      << text;
  EXPECT_NE(text.find("no-such-rule.md: error: no rule has this id"), std::string::npos) << text;
  EXPECT_NE(text.find("would create"), std::string::npos) << text;
}

TEST_F(UpdateDocHeaders, WriteRewritesHeadersKeepsBodiesAndRefusesUnmarkedPages) {
  const int missing = static_cast<int>(RuleRegistry::instance().rules().size()) - 4;
  std::ostringstream log;
  DocHeaderUpdate r = update_doc_headers(dir_, false, log);
  EXPECT_EQ(r.out_of_date, 1 + missing) << log.str();
  EXPECT_EQ(r.errors, 3) << log.str();
  // The stale page: the header regenerated, the body byte for byte.
  EXPECT_EQ(page(stale_), render_doc_header(stale_->info()) + kBody);
  EXPECT_EQ(page(current_), current_page_);
  // Pages it did not generate are errors and stay as they are: their text is not thrown away.
  EXPECT_EQ(page(unmarked_), unmarked_page_);
  EXPECT_EQ(page(unterminated_), unterminated_page_);
  EXPECT_EQ(test::read_file((dir_ / "no-such-rule.md").string()), kBody);
  // A missing page is created: the generated header and a skeleton body to fill in.
  const Rule* created = RuleRegistry::instance().rules().back();
  const std::string fresh = page(created);
  EXPECT_TRUE(fresh.starts_with(render_doc_header(created->info()))) << fresh;
  EXPECT_NE(fresh.find("## What it checks\n"), std::string::npos) << fresh;
  EXPECT_EQ(page_count(), RuleRegistry::instance().rules().size() + 1);

  // Nothing is left to rewrite; the errors stay until a person edits those pages.
  std::ostringstream again;
  r = update_doc_headers(dir_, false, again);
  EXPECT_EQ(r.out_of_date, 0) << again.str();
  EXPECT_EQ(r.errors, 3) << again.str();
  fs::remove(dir_ / "no-such-rule.md");
  write_file(path(unmarked_), render_doc_header(unmarked_->info()) + kBody);
  write_file(path(unterminated_), render_doc_header(unterminated_->info()) + kBody);
  std::ostringstream clean;
  r = update_doc_headers(dir_, true, clean);
  EXPECT_EQ(r.out_of_date, 0) << clean.str();
  EXPECT_EQ(r.errors, 0) << clean.str();
  EXPECT_EQ(clean.str(), "");
}

TEST(RuleDocs, SplitKeepsTheBodyByteForByte) {
  const std::string header = render_doc_header(RuleRegistry::instance().rules().front()->info());
  const std::string body = "\n## What it checks\r\nCRLF and a trailing line without newline";
  const std::string page = header + body;
  DocPageParts parts = split_doc_page(page);
  EXPECT_TRUE(parts.marked);
  EXPECT_EQ(parts.header, header);
  EXPECT_EQ(parts.body, body);
  parts = split_doc_page("# hand-written\n\n## What it checks\n");
  EXPECT_FALSE(parts.marked);
  EXPECT_EQ(parts.header, "");
  EXPECT_EQ(without_doc_markers(page).find("<!--"), std::string::npos);
}

TEST(RuleDocs, CommandLine) {
  const Rule* rule = RuleRegistry::instance().rules().front();
  auto r = test::run_drvsec("rules --doc-header " + rule->info().id);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, render_doc_header(rule->info()));
  EXPECT_EQ(test::run_drvsec("rules --doc-header").exit_code, 2);
  EXPECT_EQ(test::run_drvsec("rules --doc-header no-such-rule").exit_code, 2);
  EXPECT_EQ(test::run_drvsec("rules --check-doc-headers /nonexistent/docs").exit_code, 2);
  EXPECT_EQ(test::run_drvsec("rules " + rule->info().id + " --check-doc-headers " + kDocsDir.string()).exit_code, 2);
  EXPECT_EQ(test::run_drvsec("rules --check-doc-headers " + kDocsDir.string()).exit_code, 0);

  // A stale page: --check-doc-headers fails and writes nothing, --write-doc-headers fixes it.
  const fs::path dir = test::output_path("rule_docs/cli");
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const Rule* r2 : RuleRegistry::instance().rules())
    write_file(dir / (r2->info().id + ".md"), render_doc_header(r2->info()) + "## What it checks\nx\n");
  RuleInfo old_info = rule->info();
  old_info.cwe = {"CWE-1"};
  const std::string stale = render_doc_header(old_info) + "## What it checks\nx\n";
  write_file(dir / (rule->info().id + ".md"), stale);
  EXPECT_EQ(test::run_drvsec("rules --check-doc-headers " + dir.string()).exit_code, 1);
  EXPECT_EQ(test::read_file((dir / (rule->info().id + ".md")).string()), stale);
  EXPECT_EQ(test::run_drvsec("rules --write-doc-headers " + dir.string()).exit_code, 0);
  EXPECT_EQ(test::run_drvsec("rules --check-doc-headers " + dir.string()).exit_code, 0);
  // A page without markers fails both: it is not rewritten.
  write_file(dir / (rule->info().id + ".md"), "# hand-written\n\n## What it checks\nx\n");
  EXPECT_EQ(test::run_drvsec("rules --write-doc-headers " + dir.string()).exit_code, 1);
  EXPECT_EQ(test::read_file((dir / (rule->info().id + ".md")).string()), "# hand-written\n\n## What it checks\nx\n");
}

}  // namespace
}  // namespace drvsec
