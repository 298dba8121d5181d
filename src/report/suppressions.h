// Suppressions: findings a team has looked at and accepted, each with a justification. They come from
// a suppression file (drvsec.toml, `--config FILE`; docs/README.md "Suppressions") and, later, from
// comments in driver sources: both produce the same Suppression record. A suppressed finding is
// never dropped: it moves to Report::suppressed with the entry that matched, is counted in every
// report (SARIF keeps it as a result with `suppressions`), and takes no part in the exit status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"

namespace drvsec {

// A problem in a suppression file: where it is (1-based line and column; 0 when unknown) and why.
struct SuppressionError : std::runtime_error {
  SuppressionError(std::string file, uint32_t line, uint32_t column, const std::string& why);
  std::string file;
  uint32_t line = 0, column = 0;
  std::string why;
};

struct CalendarDate {
  int year = 0;
  unsigned month = 0, day = 0;
  auto operator<=>(const CalendarDate&) const = default;
};
std::string to_string(const CalendarDate& d);  // 2027-06-30
CalendarDate today_utc();

// A glob as suppressions use it: `*` any characters but '/', `**` any characters ('/' included; `**/`
// also none), `?` one character but '/', `[abc]`, `[a-z]`, `[!a-z]` one of (or none of) a set. Throws
// std::invalid_argument on a malformed glob (an unclosed '[', an empty set, a trailing '\\').
class PathGlob {
 public:
  explicit PathGlob(std::string_view pattern);
  bool matches(std::string_view path) const;
  bool has_slash() const { return has_slash_; }

 private:
  struct Token {
    enum Kind { literal, any_one, star, globstar, set } kind;
    char c = 0;
    bool negated = false;
    std::vector<std::pair<char, char>> ranges;
  };
  bool one(const Token& t, char c) const;
  std::vector<Token> tokens_;
  bool has_slash_ = false;
};

// One suppression, wherever it is written down.
struct Suppression {
  enum class Kind { config, inline_comment };  // a suppression file's entry; a comment in a source file
  Kind kind = Kind::config;
  std::string file;  // the file the suppression is written in, as the user named or drvsec found it
  uint32_t line = 0, column = 0;
  std::string rule;  // a rule id, or "*" for every rule
  // Scope; every one given must hold. Empty / unset: any.
  std::string path_glob;    // against the finding's path relative to base_dir (and its file name when the glob has no '/')
  std::optional<PathGlob> glob;  // path_glob compiled (set with it)
  std::string base_dir;     // absolute, normalized folder path_glob is relative to: the suppression file's folder
  std::string package;      // a package key
  std::optional<uint32_t> ioctl;
  std::string fingerprint;  // exactly one finding
  std::string justification;
  std::optional<CalendarDate> expires;  // the last day it applies
};
std::string_view to_string(Suppression::Kind kind);  // "config", "inline"

struct SuppressionFile {
  std::string path;
  std::vector<Suppression> entries;
};

// Parses a suppression file's text (TOML: [[suppress]] tables, docs/README.md). `path` names the file
// in messages and entries; `base_dir` is the folder its path globs are relative to. Throws
// SuppressionError on anything that is not a valid file: TOML syntax, an unknown key, a key of the
// wrong type, a missing or empty rule or justification, an unknown rule id, a rule whose findings
// cannot be suppressed (input-not-analyzed, input-partially-analyzed), a bad glob or IOCTL code.
SuppressionFile parse_suppression_file(std::string_view text, const std::string& path, const std::string& base_dir);
// Reads and parses a file; its globs are relative to its folder.
SuppressionFile read_suppression_file(const std::string& path);

// The file drvsec uses without --config: the first drvsec.toml found walking up from `start` (a
// folder, or a file's folder) through its parents, where the walk ends after the working folder, a
// folder holding `.git`, or the root; then the working folder's drvsec.toml. Empty: none.
std::string discover_suppression_file(const std::string& start);

// A finding a suppression holds back.
struct SuppressedFinding {
  Finding finding;
  size_t entry = 0;  // index into SuppressionSummary::entries
  std::string baseline_state;  // with --baseline: "new" or "unchanged" (SARIF baselineState); not judged by it
};

struct SuppressionUse {
  Suppression suppression;
  size_t matched = 0;
  bool expired = false;  // past its expiry date: applied to nothing
};

struct SuppressionSummary {
  std::vector<std::string> files;        // the suppression files read
  std::vector<SuppressionUse> entries;   // every entry, in file order
  size_t suppressed = 0;
};

// The file (package key) each finding path belongs to, for `package` scopes.
struct PackageOf {
  std::vector<std::pair<std::string, std::string>> path_to_key;  // sorted by path
  const std::string* find(const std::string& path) const;
};

// Moves every finding an unexpired entry matches (the first entry in file order wins) from `findings`
// to `suppressed`; findings that an input could not be analyzed are never suppressed. `today` decides
// expiry. `findings` keeps its order.
SuppressionSummary apply_suppressions(const std::vector<SuppressionFile>& files, const PackageOf& packages,
                                      const CalendarDate& today, std::vector<Finding>& findings,
                                      std::vector<SuppressedFinding>& suppressed);

// Whether `s` covers `f` (scope only: expiry and unsuppressible rules are apply_suppressions' business).
bool suppression_matches(const Suppression& s, const Finding& f, const std::string* package_key);

}  // namespace drvsec
