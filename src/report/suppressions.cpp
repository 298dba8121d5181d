#include "report/suppressions.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "model/ioctl_code.h"
#include "report/report.h"
#include "rules/rule.h"

namespace drvsec {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxGlobLength = 4096;
constexpr size_t kMaxFileSize = 16u << 20;

bool unsuppressible(std::string_view rule) { return is_input_failure_rule(rule); }

std::string normalized_absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(path), ec);
  if (ec) p = fs::path(path);
  return p.lexically_normal().generic_string();
}

}  // namespace

SuppressionError::SuppressionError(std::string file_, uint32_t line_, uint32_t column_, const std::string& why_)
    : std::runtime_error(line_ ? fmt::format("{}:{}:{}: {}", file_, line_, column_, why_) : fmt::format("{}: {}", file_, why_)),
      file(std::move(file_)),
      line(line_),
      column(column_),
      why(why_) {}

std::string to_string(const CalendarDate& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

CalendarDate today_utc() {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{days};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

std::string_view to_string(Suppression::Kind kind) { return kind == Suppression::Kind::config ? "config" : "inline"; }

// --- globs -----------------------------------------------------------------------------------------

PathGlob::PathGlob(std::string_view pattern) {
  if (pattern.empty()) throw std::invalid_argument("an empty glob");
  if (pattern.size() > kMaxGlobLength) throw std::invalid_argument(fmt::format("a glob longer than {} characters", kMaxGlobLength));
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    Token t{};
    if (c == '*') {
      size_t n = 0;
      while (i < pattern.size() && pattern[i] == '*') ++n, ++i;
      t.kind = n >= 2 ? Token::globstar : Token::star;
      if (t.kind == Token::globstar && i < pattern.size() && pattern[i] == '/') {
        t.c = '/';  // `**/`: none, or anything that ends with '/'
        ++i;
        has_slash_ = true;
      }
      tokens_.push_back(std::move(t));
      continue;
    }
    if (c == '?') {
      t.kind = Token::any_one;
      ++i;
    } else if (c == '[') {
      t.kind = Token::set;
      size_t j = i + 1;
      if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) t.negated = true, ++j;
      bool closed = false;
      for (bool first = true; j < pattern.size(); first = false) {
        if (pattern[j] == ']' && !first) {
          closed = true;
          ++j;
          break;
        }
        char lo = pattern[j++];
        char hi = lo;
        if (j + 1 < pattern.size() && pattern[j] == '-' && pattern[j + 1] != ']') {
          hi = pattern[j + 1];
          j += 2;
          if (hi < lo) throw std::invalid_argument(fmt::format("the range {}-{} runs backwards", lo, hi));
        }
        if (lo == '/' || hi == '/') throw std::invalid_argument("a set cannot hold '/'");
        t.ranges.emplace_back(lo, hi);
      }
      if (!closed) throw std::invalid_argument("an unclosed '['");
      if (t.ranges.empty()) throw std::invalid_argument("an empty set '[]'");
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= pattern.size()) throw std::invalid_argument("a trailing '\\'");
      t.kind = Token::literal;
      t.c = pattern[i + 1];
      i += 2;
    } else {
      t.kind = Token::literal;
      t.c = c;
      has_slash_ |= c == '/';
      ++i;
    }
    tokens_.push_back(std::move(t));
  }
}

bool PathGlob::one(const Token& t, char c) const {
  switch (t.kind) {
    case Token::literal: return c == t.c;
    case Token::any_one: return c != '/';
    case Token::set: {
      if (c == '/') return false;
      const bool in = std::any_of(t.ranges.begin(), t.ranges.end(), [&](const auto& r) { return c >= r.first && c <= r.second; });
      return in != t.negated;
    }
    default: return false;
  }
}

// reach[j]: the tokens so far match text[0, j). One row per token: O(tokens × length), no backtracking.
bool PathGlob::matches(std::string_view text) const {
  const size_t n = text.size();
  std::vector<char> cur(n + 1, 0), next(n + 1, 0);
  cur[0] = 1;
  for (const Token& t : tokens_) {
    std::fill(next.begin(), next.end(), 0);
    switch (t.kind) {
      case Token::star:
        for (size_t j = 0; j <= n; ++j) next[j] = cur[j] || (j > 0 && next[j - 1] && text[j - 1] != '/');
        break;
      case Token::globstar:
        if (t.c == '/') {
          bool any_before = false;
          for (size_t j = 0; j <= n; ++j) {
            next[j] = cur[j] || (j > 0 && any_before && text[j - 1] == '/');
            any_before |= cur[j] != 0;
          }
        } else {
          for (size_t j = 0; j <= n; ++j) next[j] = cur[j] || (j > 0 && next[j - 1]);
        }
        break;
      default:
        for (size_t j = 0; j < n; ++j) next[j + 1] = cur[j] && one(t, text[j]);
        break;
    }
    cur.swap(next);
    if (std::none_of(cur.begin(), cur.end(), [](char c) { return c != 0; })) return false;
  }
  return cur[n] != 0;
}

// --- the file --------------------------------------------------------------------------------------

namespace {

class Parser {
 public:
  Parser(const std::string& path, const std::string& base_dir) : path_(path), base_dir_(base_dir) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& why) const {
    throw SuppressionError(path_, where.begin.line, where.begin.column, why);
  }

  SuppressionFile parse(std::string_view text) {
    if (text.size() > kMaxFileSize) throw SuppressionError(path_, 0, 0, fmt::format("larger than {} MiB", kMaxFileSize >> 20));
    toml::table doc;
    try {
      doc = toml::parse(text, path_);
    } catch (const toml::parse_error& e) {
      fail(e.source(), std::string(e.description()));
    }
    SuppressionFile file;
    file.path = path_;
    for (auto&& [key, node] : doc) {
      if (key.str() != "suppress")
        fail(key.source(), fmt::format("unknown key '{}' (a suppression file holds [[suppress]] tables)", key.str()));
      const toml::array* entries = node.as_array();
      if (entries && entries->empty()) continue;
      if (!entries || !entries->is_array_of_tables()) fail(node.source(), "'suppress' is an array of tables: write each entry as [[suppress]]");
      for (const toml::node& entry : *entries) file.entries.push_back(parse_entry(*entry.as_table()));
    }
    return file;
  }

 private:
  std::string text_of(const toml::node& node, std::string_view key) const {
    const auto* s = node.as_string();
    if (!s) fail(node.source(), fmt::format("'{}' is a string", key));
    return s->get();
  }

  Suppression parse_entry(const toml::table& table) const {
    Suppression s;
    s.kind = Suppression::Kind::config;
    s.file = path_;
    s.line = table.source().begin.line;
    s.column = table.source().begin.column;
    s.base_dir = base_dir_;
    bool has_rule = false, has_justification = false;
    for (auto&& [key, node] : table) {
      const std::string_view k = key.str();
      if (k == "rule") {
        s.rule = text_of(node, k);
        has_rule = true;
        if (s.rule.empty()) fail(node.source(), "'rule' is empty: give a rule id (see `drvsec rules`) or \"*\"");
        if (unsuppressible(s.rule))
          fail(node.source(), fmt::format("{} findings cannot be suppressed: they say an input was not (fully) analyzed", s.rule));
        if (s.rule != "*" && !RuleRegistry::instance().find(s.rule))
          fail(node.source(), fmt::format("unknown rule id '{}' (see `drvsec rules`)", s.rule));
      } else if (k == "path") {
        s.path_glob = text_of(node, k);
        try {
          s.glob.emplace(s.path_glob);
        } catch (const std::invalid_argument& e) {
          fail(node.source(), fmt::format("bad glob '{}': {}", s.path_glob, e.what()));
        }
      } else if (k == "package") {
        s.package = text_of(node, k);
        if (s.package.empty()) fail(node.source(), "'package' is empty");
      } else if (k == "ioctl") {
        if (const auto* i = node.as_integer()) {
          if (i->get() < 0 || i->get() > 0xFFFFFFFFll) fail(node.source(), "'ioctl' is a 32-bit IOCTL code");
          s.ioctl = static_cast<uint32_t>(i->get());
        } else {
          const ParsedIoctlCode code = parse_ioctl_code(text_of(node, k));
          if (!code.code) fail(node.source(), fmt::format("bad IOCTL code: {}", code.error));
          s.ioctl = *code.code;
        }
      } else if (k == "fingerprint") {
        s.fingerprint = text_of(node, k);
        if (s.fingerprint.empty()) fail(node.source(), "'fingerprint' is empty");
      } else if (k == "justification") {
        s.justification = text_of(node, k);
        has_justification = true;
        if (std::all_of(s.justification.begin(), s.justification.end(), [](unsigned char c) { return std::isspace(c); }))
          fail(node.source(), "'justification' is empty: say why the finding is accepted");
      } else if (k == "expires") {
        const auto* d = node.as_date();
        if (!d) fail(node.source(), "'expires' is a TOML date, e.g. expires = 2027-06-30 (no quotes)");
        const toml::date date = d->get();
        s.expires = CalendarDate{date.year, date.month, date.day};
      } else {
        fail(key.source(), fmt::format("unknown key '{}' (rule, path, package, ioctl, fingerprint, justification, expires)", k));
      }
    }
    if (!has_rule) fail(table.source(), "this entry has no 'rule' (a rule id, or \"*\")");
    if (!has_justification) fail(table.source(), "this entry has no 'justification': say why the finding is accepted");
    return s;
  }

  const std::string& path_;
  const std::string& base_dir_;
};

}  // namespace

SuppressionFile parse_suppression_file(std::string_view text, const std::string& path, const std::string& base_dir) {
  return Parser(path, base_dir).parse(text);
}

SuppressionFile read_suppression_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw SuppressionError(path, 0, 0, "a folder, not a suppression file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SuppressionError(path, 0, 0, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SuppressionError(path, 0, 0, "cannot be read");
  return parse_suppression_file(text.str(), path, fs::path(normalized_absolute(path)).parent_path().generic_string());
}

std::string discover_suppression_file(const std::string& start) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec).lexically_normal();
  if (ec) return {};
  auto shown = [&](const fs::path& file) {
    const fs::path rel = file.lexically_relative(cwd);
    return !rel.empty() && *rel.begin() != ".." ? rel.generic_string() : file.generic_string();
  };
  if (!start.empty()) {
    fs::path dir = fs::path(normalized_absolute(start));
    if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
    while (!dir.empty()) {
      if (fs::is_regular_file(dir / "drvsec.toml", ec)) return shown(dir / "drvsec.toml");
      if (dir == cwd || fs::exists(dir / ".git", ec) || dir == dir.parent_path()) break;
      dir = dir.parent_path();
    }
  }
  if (fs::is_regular_file(cwd / "drvsec.toml", ec)) return "drvsec.toml";
  return {};
}

// --- applying them ---------------------------------------------------------------------------------

const std::string* PackageOf::find(const std::string& path) const {
  auto it = std::lower_bound(path_to_key.begin(), path_to_key.end(), path, [](const auto& e, const std::string& p) { return e.first < p; });
  return it != path_to_key.end() && it->first == path ? &it->second : nullptr;
}

bool suppression_matches(const Suppression& s, const Finding& f, const std::string* package_key) {
  if (s.rule != "*" && s.rule != f.rule_id) return false;
  if (!s.fingerprint.empty() && s.fingerprint != f.fingerprint) return false;
  // The finding's IOCTL: a finding that names several (a primitive site several IOCTLs reach) has none
  // of its own, and is not held back because one of them is reviewed (suppress it by fingerprint).
  if (s.ioctl && (!f.ioctl || *f.ioctl != *s.ioctl)) return false;
  if (!s.package.empty() && (!package_key || *package_key != s.package)) return false;
  if (s.glob) {
    if (f.location.path.empty()) return false;
    const fs::path absolute(normalized_absolute(f.location.path));
    bool hit = false;
    if (!s.glob->has_slash()) hit = s.glob->matches(absolute.filename().generic_string());
    if (!hit && !s.base_dir.empty()) {
      const fs::path rel = absolute.lexically_relative(fs::path(s.base_dir));
      if (!rel.empty() && *rel.begin() != "..") hit = s.glob->matches(rel.generic_string());
    }
    if (!hit) return false;
  }
  return true;
}

SuppressionSummary apply_suppressions(const std::vector<SuppressionFile>& files, const PackageOf& packages,
                                      const CalendarDate& today, std::vector<Finding>& findings,
                                      std::vector<SuppressedFinding>& suppressed) {
  SuppressionSummary summary;
  for (const SuppressionFile& file : files) {
    summary.files.push_back(file.path);
    for (const Suppression& s : file.entries) {
      SuppressionUse use{s, 0, s.expires && today > *s.expires};
      summary.entries.push_back(std::move(use));
    }
  }
  std::vector<Finding> kept;
  kept.reserve(findings.size());
  for (Finding& f : findings) {
    std::optional<size_t> hit;
    if (!unsuppressible(f.rule_id)) {
      const std::string* key = packages.find(f.location.path);
      for (size_t i = 0; i < summary.entries.size() && !hit; ++i)
        if (!summary.entries[i].expired && suppression_matches(summary.entries[i].suppression, f, key)) hit = i;
    }
    if (hit) {
      ++summary.entries[*hit].matched;
      ++summary.suppressed;
      suppressed.push_back({std::move(f), *hit, {}});
    } else {
      kept.push_back(std::move(f));
    }
  }
  findings = std::move(kept);
  return summary;
}

void suppress_findings(Report& report, const std::vector<SuppressionFile>& files, const CalendarDate& today) {
  PackageOf packages;
  for (const ReportPackage& p : report.packages)
    for (const PackageFile& f : p.files) packages.path_to_key.emplace_back(f.path, p.key);
  std::sort(packages.path_to_key.begin(), packages.path_to_key.end());
  report.suppressions = apply_suppressions(files, packages, today, report.findings, report.suppressed);
}

}  // namespace drvsec
