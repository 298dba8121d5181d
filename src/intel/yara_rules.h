// The user's YARA rules (libyara), compiled once and shared read-only by every scan thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "intel/sipolicy.h"  // LoadError

struct YR_RULES;

namespace drvsec::intel {

struct YaraMatch {
  std::string rule;        // identifier
  std::string rule_namespace;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> meta;  // identifier -> value (strings, integers, booleans)
  std::vector<std::string> strings;  // "$a at 0x1234", first few per string
};

class YaraRules {
 public:
  // Compiles a rules file (include directives resolve relative to it). Throws LoadError with the
  // compiler's messages.
  static std::unique_ptr<YaraRules> compile_file(const std::string& path);
  static std::unique_ptr<YaraRules> compile_source(const std::string& source);
  ~YaraRules();
  YaraRules(const YaraRules&) = delete;
  YaraRules& operator=(const YaraRules&) = delete;

  // Matching rules, sorted by namespace then name. Throws std::runtime_error when the scan fails
  // (timeout, too many threads, ...).
  std::vector<YaraMatch> scan(std::span<const uint8_t> bytes) const;

  size_t rule_count() const { return rule_count_; }
  static constexpr int kTimeoutSeconds = 10;

 private:
  explicit YaraRules(YR_RULES* rules);
  YR_RULES* rules_ = nullptr;
  size_t rule_count_ = 0;
};

}  // namespace drvsec::intel
