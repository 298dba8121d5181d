// A hardened reader for Windows INF files (driver setup information): sections, `key = value, ...`
// lines, comments, quoted strings, line continuation and %strkey% substitution from [Strings], as
// "General Syntax Rules for INF Files" (Microsoft Learn) describes them. Input is UTF-16LE (with or
// without BOM), UTF-8 or ANSI (Windows-1252 bytes become the same code points in UTF-8). It never
// throws on content: anything odd becomes a line in `problems()` and parsing goes on, within limits.
// Only the reader and the catalog look-up live here; INF rules come later.
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
};

struct Line {
  std::optional<std::string> key;  // text before '=' (trimmed, quotes removed); none for value-only lines
  std::vector<std::string> values; // comma-separated values, trimmed, quotes removed ("" inside quotes is ")
  uint32_t line_number = 0;        // 1-based physical line where the logical line starts
};

struct Section {
  std::string name;        // as written between the brackets, trimmed
  std::vector<Line> lines; // sections of the same name (case-insensitive) are merged, in file order
  uint32_t line_number = 0;
};

class InfFile {
 public:
  static InfFile parse(std::span<const uint8_t> bytes, const Limits& limits = {});

  const std::vector<Section>& sections() const { return sections_; }
  const std::vector<std::string>& problems() const { return problems_; }
  // The section called `name`, compared case-insensitively (INF names are), or nullptr.
  const Section* section(std::string_view name) const;
  // The first value of the first line of `section` whose key is `key` (case-insensitive), with
  // %strkey% tokens substituted; nullopt when there is no such line or it has no value.
  std::optional<std::string> value(std::string_view section, std::string_view key) const;
  // Replaces %strkey% with its [Strings] value (the undecorated [Strings] section first, else the
  // first [Strings.<locale>] one) and %% with %. Unknown tokens stay as written.
  std::string substitute(std::string_view text) const;

 private:
  std::vector<Section> sections_;
  std::vector<std::string> problems_;
  std::unordered_map<std::string, std::string> strings_;  // lower-cased [Strings] key -> value
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
