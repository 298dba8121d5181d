// The input rules: nothing analyzed → input-not-analyzed; damaged optional parts → input-partially-analyzed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "engine/scan.h"
#include "test_support.h"

namespace drvsec {
namespace {

std::vector<uint8_t> load(const std::string& path) {
  std::string s = test::read_file(path);
  return {s.begin(), s.end()};
}

size_t count_rule(const std::vector<Finding>& findings, std::string_view id) {
  return std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.rule_id == id; });
}

TEST(InputRules, IntactDriverHasNeither) {
  auto bytes = load(test::fixture("minimal_wdm_mingw-x64.sys"));
  ScanOptions options;
  FileAnalysis file = analyze_bytes("d.sys", bytes, options);
  auto findings = run_rules(file, options);
  EXPECT_EQ(count_rule(findings, "input-not-analyzed"), 0u);
  EXPECT_EQ(count_rule(findings, "input-partially-analyzed"), 0u);
}

TEST(InputRules, DamagedImportTableIsReportedAndTheRestAnalyzed) {
  auto bytes = load(test::fixture("minimal_wdm_mingw-x64.sys"));
  ScanOptions options;
  FileAnalysis intact = analyze_bytes("d.sys", bytes, options);
  ASSERT_TRUE(intact.image);
  ASSERT_FALSE(intact.image->imports.empty());
  // Point the import directory far outside the image.
  const uint32_t import_entry = intact.image->security_directory_entry_offset - 3 * 8;  // DataDirectory[1]
  const uint32_t bogus = 0x7FFFFFF0;
  std::memcpy(bytes.data() + import_entry, &bogus, 4);
  FileAnalysis damaged = analyze_bytes("d.sys", bytes, options);
  ASSERT_TRUE(damaged.image);
  EXPECT_TRUE(damaged.image->imports.empty());
  auto findings = run_rules(damaged, options);
  EXPECT_EQ(count_rule(findings, "input-not-analyzed"), 0u);
  ASSERT_GE(count_rule(findings, "input-partially-analyzed"), 1u);
  EXPECT_TRUE(damaged.model);  // still analyzed: sections, strings
  EXPECT_FALSE(damaged.model->devices.empty());
}

TEST(InputRules, TruncatedHeadersAreNotAnalyzed) {
  auto bytes = load(test::fixture("minimal_wdm_mingw-x64.sys"));
  bytes.resize(0x90);  // inside the PE header
  ScanOptions options;
  FileAnalysis file = analyze_bytes("d.sys", bytes, options);
  EXPECT_FALSE(file.image);
  ASSERT_EQ(file.artifact.errors.size(), 1u);
  EXPECT_NE(file.artifact.errors[0].find("malformed PE"), std::string::npos);
  auto findings = run_rules(file, options);
  EXPECT_EQ(count_rule(findings, "input-not-analyzed"), 1u);
}

}  // namespace
}  // namespace drvsec
