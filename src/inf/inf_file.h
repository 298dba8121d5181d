// A hardened reader for Windows INF files (driver setup information): sections, `key = value, ...`
// lines, comments, quoted strings, line continuation and %strkey% substitution from [Strings] and
// [Strings.<LanguageID>], as "General Syntax Rules for INF Files" and "INF Strings Section"
// (Microsoft Learn) describe them. Input is UTF-16LE (with or without BOM), UTF-8 (with or without
// BOM) or ANSI (Windows-1252, converted to UTF-8). It never throws on content: anything odd becomes a
// located `Diagnostic` and parsing goes on, within limits. The facts an INF states (Version, Models,
// install sections, AddReg, AddService, ...) are read from this syntax by inf_model.h; docs/inf.md
// describes both.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace drvsec::inf {

struct Limits {
  uint64_t max_bytes = 16ull << 20;   // larger inputs are refused (real INFs are kilobytes)
  size_t max_lines = 500'000;         // logical lines kept, all sections together
  size_t max_line_length = 64 << 10;  // bytes of one logical line, continuations joined
  size_t max_values = 1024;           // comma-separated values per line
  size_t max_diagnostics = 1000;      // diagnostics kept; one more says that the rest were dropped
};

// A malformed or suspicious piece of the file: where it is (1-based physical line; column 1-based in
// characters of the decoded line, 0 when not known) and what is wrong, in words.
struct Diagnostic {
  uint32_t line = 0;
  uint32_t column = 0;
  std::string message;
  bool operator==(const Diagnostic&) const = default;
};

struct Line {
  std::optional<std::string> key;  // text before '=' (trimmed, quotes removed); none for value-only lines
  std::vector<std::string> values; // comma-separated values, trimmed, quotes removed ("" inside quotes is ")
  std::string text;                // everything after '=' (or the whole line) unsplit, quotes removed:
                                   // a [Strings] value may hold commas
  uint32_t line_number = 0;        // 1-based physical line where the logical line starts
  uint32_t end_line = 0;           // the last physical line (continuations), equal to line_number if none
};

struct Section {
  std::string name;        // as written between the brackets, trimmed
  std::vector<Line> lines; // sections of the same name (case-insensitive) are merged, in file order
  uint32_t line_number = 0;
};

class InfFile {
 public:
  // `language`: the LanguageID (four hex digits, e.g. "0409") whose [Strings.<language>] section
  // wins over [Strings]; see substitute() for the whole precedence.
  static InfFile parse(std::span<const uint8_t> bytes, const Limits& limits = {}, std::string_view language = "0409");

  const std::vector<Section>& sections() const { return sections_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  // The diagnostics as text, "line N[, column C]: message" (or the message alone for the file).
  std::vector<std::string> problems() const;
  // How the file was encoded: "utf-16le", "utf-16le-bom", "utf-8", "utf-8-bom" or "windows-1252".
  const std::string& encoding() const { return encoding_; }
  // The section called `name`, compared case-insensitively (INF names are), or nullptr.
  const Section* section(std::string_view name) const;
  // The first value of the first line of `section` whose key is `key` (case-insensitive), with
  // %strkey% tokens substituted; nullopt when there is no such line or it has no value.
  std::optional<std::string> value(std::string_view section, std::string_view key) const;
  // Replaces %strkey% with its string value and %% with %. Which section defines a key, first that
  // wins: [Strings.<language>] (the parse language, "0409" unless told), then the undecorated
  // [Strings], then the other [Strings.<LanguageID>] sections in file order (a key defined only
  // there still resolves). Within one section the first definition wins. Unknown tokens (a DIRID
  // such as %12%, or a key no section defines) stay as written; the value is substituted once, its
  // own %tokens% are not expanded again.
  std::string substitute(std::string_view text) const;
  // The string value of `key` (case-insensitive, without the % signs), or nullopt.
  std::optional<std::string> string_value(std::string_view key) const;

 private:
  std::vector<Section> sections_;
  std::vector<Diagnostic> diagnostics_;
  std::string encoding_;
  std::unordered_map<std::string, std::string> strings_;  // lower-cased string key -> value
};

// The catalog files an INF names: [Version] CatalogFile and its platform-decorated forms
// (CatalogFile.NT, CatalogFile.NTx86, CatalogFile.NTamd64, CatalogFile.NTarm64, ...), substituted,
// in key order, without duplicates. Names are as written (relative to the INF's folder).
std::vector<std::string> catalog_files(const InfFile& inf);

// The names of the files the INF installs: every ServiceBinary value (the service's image, e.g.
// %12%\\foo.sys) and every file its CopyFiles directives copy (`CopyFiles=@foo.sys`, and the
// destination and source names of each line of a file-list section `CopyFiles=Section,...` names),
// from any section: all architectures' install sections count. Substituted, reduced to the file name
// (the part after the last '\\' or '/'), lower-cased (Windows compares them so), sorted, unique.
std::vector<std::string> installed_file_names(const InfFile& inf);

}  // namespace drvsec::inf
