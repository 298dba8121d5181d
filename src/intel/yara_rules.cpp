#include "intel/yara_rules.h"

#include <yara.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <semaphore>

#include <fmt/format.h>

namespace drvsec::intel {

namespace {

// libyara needs one process-wide initialization; it is never finalized (rules live until exit).
void initialize_yara() {
  static const int result = yr_initialize();
  if (result != ERROR_SUCCESS) throw LoadError(fmt::format("libyara failed to initialize (error {})", result));
}

// libyara serves at most YR_MAX_THREADS concurrent scans; more threads wait here instead of failing.
std::counting_semaphore<YR_MAX_THREADS>& scan_slots() {
  static std::counting_semaphore<YR_MAX_THREADS> slots(YR_MAX_THREADS);
  return slots;
}

struct CompilerMessages {
  std::vector<std::string> lines;
};

void on_compiler_message(int level, const char* file, int line, const YR_RULE*, const char* message, void* user) {
  auto* messages = static_cast<CompilerMessages*>(user);
  messages->lines.push_back(fmt::format("{}{}:{}: {}", level == YARA_ERROR_LEVEL_ERROR ? "error: " : "warning: ",
                                        file ? file : "<rules>", line, message ? message : ""));
}

struct Compiler {
  YR_COMPILER* compiler = nullptr;
  CompilerMessages messages;
  Compiler() {
    initialize_yara();
    if (yr_compiler_create(&compiler) != ERROR_SUCCESS) throw LoadError("libyara: out of memory creating a compiler");
    yr_compiler_set_callback(compiler, on_compiler_message, &messages);
  }
  ~Compiler() { yr_compiler_destroy(compiler); }
  YR_RULES* finish(int errors) {
    if (errors > 0) {
      std::string text;
      for (const auto& line : messages.lines)
        if (line.starts_with("error: ")) text += "\n  " + line;
      throw LoadError(fmt::format("YARA rules do not compile ({} errors):{}", errors, text));
    }
    YR_RULES* rules = nullptr;
    if (yr_compiler_get_rules(compiler, &rules) != ERROR_SUCCESS) throw LoadError("libyara: cannot build the rules");
    return rules;
  }
};

constexpr size_t kMaxStringMatches = 4;  // offsets reported per YARA string

int on_scan_message(YR_SCAN_CONTEXT* context, int message, void* data, void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  const YR_RULE* rule = static_cast<const YR_RULE*>(data);
  YaraMatch m;
  m.rule = rule->identifier;
  m.rule_namespace = rule->ns && rule->ns->name ? rule->ns->name : "";
  const char* tag;
  yr_rule_tags_foreach(rule, tag) m.tags.emplace_back(tag);
  const YR_META* meta;
  yr_rule_metas_foreach(rule, meta) {
    std::string value = meta->type == META_TYPE_STRING  ? std::string(meta->string ? meta->string : "")
                        : meta->type == META_TYPE_BOOLEAN ? std::string(meta->integer ? "true" : "false")
                                                          : std::to_string(meta->integer);
    m.meta.emplace_back(meta->identifier, std::move(value));
  }
  const YR_STRING* string;
  yr_rule_strings_foreach(rule, string) {
    size_t shown = 0;
    const YR_MATCH* match;
    yr_string_matches_foreach(context, string, match) {
      if (shown++ == kMaxStringMatches) break;
      m.strings.push_back(fmt::format("{} at 0x{:X}", string->identifier, match->base + match->offset));
    }
  }
  static_cast<std::vector<YaraMatch>*>(user)->push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

}  // namespace

YaraRules::YaraRules(YR_RULES* rules) : rules_(rules) {
  const YR_RULE* rule;
  yr_rules_foreach(rules_, rule)++ rule_count_;
}

YaraRules::~YaraRules() {
  if (rules_) yr_rules_destroy(rules_);
}

std::unique_ptr<YaraRules> YaraRules::compile_file(const std::string& path) {
  Compiler c;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw LoadError(fmt::format("cannot read {}", path));
  const int errors = yr_compiler_add_file(c.compiler, f, nullptr, path.c_str());
  std::fclose(f);
  return std::unique_ptr<YaraRules>(new YaraRules(c.finish(errors)));
}

std::unique_ptr<YaraRules> YaraRules::compile_source(const std::string& source) {
  Compiler c;
  const int errors = yr_compiler_add_string(c.compiler, source.c_str(), nullptr);
  return std::unique_ptr<YaraRules>(new YaraRules(c.finish(errors)));
}

std::vector<YaraMatch> YaraRules::scan(std::span<const uint8_t> bytes) const {
  std::vector<YaraMatch> matches;
  scan_slots().acquire();
  const int result = yr_rules_scan_mem(rules_, bytes.data(), bytes.size(), SCAN_FLAGS_REPORT_RULES_MATCHING,
                                       on_scan_message, &matches, kTimeoutSeconds);
  scan_slots().release();
  if (result == ERROR_SCAN_TIMEOUT)
    throw std::runtime_error(fmt::format("YARA scan stopped after {} s (timeout)", kTimeoutSeconds));
  if (result != ERROR_SUCCESS) throw std::runtime_error(fmt::format("YARA scan failed (libyara error {})", result));
  std::sort(matches.begin(), matches.end(), [](const YaraMatch& a, const YaraMatch& b) {
    return std::tie(a.rule_namespace, a.rule) < std::tie(b.rule_namespace, b.rule);
  });
  return matches;
}

}  // namespace drvsec::intel
