// A fixture driver parsed and recovered into a DriverModel, kept together with the bytes the
// image views; shared by the code-analysis tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "binary/recover.h"
#include "analysis/file_analysis.h"
#include "rules/rule.h"
#include "unit/pe_test_support.h"

namespace drvsec::pe_test {

inline const char* const kToolchains[] = {"mingw-x64", "mingw-x86", "clang-x64", "clang-x86"};

struct LoadedDriver {
  std::vector<uint8_t> bytes;
  pe::Image image;
  FileAnalysis file;  // artifact.path = the fixture name; model recovered from `image`
};

// nullptr when the fixture <name>.sys was not built.
inline std::unique_ptr<LoadedDriver> load_driver(const std::string& name) {
  auto bytes = read_file(fixture_path(name));
  if (bytes.empty()) return nullptr;
  auto l = std::unique_ptr<LoadedDriver>(new LoadedDriver{std::move(bytes), {}, {}});
  l->image = pe::Image::parse(l->bytes);
  l->file.artifact.path = name;
  l->file.model = recover_model_from_image(l->image);
  return l;
}

// Findings of one registered rule on `file`.
inline std::vector<Finding> run_rule(const std::string& rule, const FileAnalysis& file) {
  std::vector<Finding> out;
  const Rule* r = RuleRegistry::instance().find(rule);
  EXPECT_NE(r, nullptr) << rule;
  if (r) r->check(file, out);
  return out;
}

}  // namespace drvsec::pe_test
