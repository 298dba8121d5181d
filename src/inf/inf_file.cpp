#include "inf/inf_file.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/ascii.h"
#include "base/utf8.h"

namespace drvsec::inf {

namespace {


bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}


bool is_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool looks_like_utf16le(std::span<const uint8_t> b) {
  // ASCII text in UTF-16LE without a BOM: every odd byte of the first characters is zero.
  const size_t n = std::min<size_t>(b.size() & ~size_t{1}, 64);
  if (n < 4) return false;
  for (size_t i = 0; i < n; i += 2)
    if (b[i] == 0 || b[i + 1] != 0) return false;
  return true;
}

std::string from_utf16le(std::span<const uint8_t> b) {
  std::string out;
  out.reserve(b.size() / 2);
  for (size_t i = 0; i + 1 < b.size(); i += 2) {
    const auto unit = [&](size_t k) { return static_cast<uint16_t>(b[k] | b[k + 1] << 8); };
    const std::optional<uint16_t> next = i + 3 < b.size() ? std::optional(unit(i + 2)) : std::nullopt;
    if (append_utf16_unit(out, unit(i), next) == 2) i += 2;
  }
  return out;
}

bool valid_utf8(std::span<const uint8_t> b) {
  for (size_t i = 0; i < b.size();) {
    const uint8_t c = b[i];
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > b.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((b[i + k] & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// Windows-1252 bytes 0x80-0x9F (code page 1252 as Microsoft publishes it); the five bytes the code
// page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) keep their own value, as Windows converts
// them. Every other byte is the code point of the same value.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// The text of the file as UTF-8, whatever its encoding, and the encoding's name.
std::string decode(std::span<const uint8_t> b, std::string& encoding) {
  if (b.size() >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
    encoding = "utf-16le-bom";
    return from_utf16le(b.subspan(2));
  }
  if (b.size() >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
    encoding = "utf-8-bom";
    b = b.subspan(3);
  } else if (looks_like_utf16le(b)) {
    encoding = "utf-16le";
    return from_utf16le(b);
  } else {
    encoding = "utf-8";
  }
  if (valid_utf8(b)) return std::string(b.begin(), b.end());
  encoding = "windows-1252";
  std::string out;
  out.reserve(b.size() + b.size() / 8);
  for (uint8_t c : b) append_utf8(out, c >= 0x80 && c < 0xA0 ? kCp1252High[c - 0x80] : c);
  return out;
}

// Splits one logical line (comment already removed) at unquoted commas; quotes are removed and ""
// inside quotes is a literal quote.
std::vector<std::string> split_values(std::string_view text, size_t max_values, bool& truncated) {
  std::vector<std::string> values;
  std::string current;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        current += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
      any = true;
    } else if (c == ',' && !quoted) {
      if (values.size() + 1 >= max_values) {
        truncated = true;
        break;
      }
      values.push_back(std::string(trim(current)));
      current.clear();
    } else {
      current += c;
      any = true;
    }
  }
  if (any || !values.empty()) values.push_back(std::string(trim(current)));
  return values;
}

// The whole text with quotes removed ("" inside quotes is a quote), commas kept; trimmed outside quotes.
std::string unquote_whole(std::string_view text) {
  text = trim(text);
  std::string out;
  out.reserve(text.size());
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '"') {
      out += text[i];
    } else if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
      out += '"';
      ++i;
    } else {
      quoted = !quoted;
    }
  }
  return out;
}

// Position of the first character outside double quotes equal to `wanted`, or npos. `open_quote`
// receives the position of a quote left open at the end, or npos.
size_t find_unquoted(std::string_view text, char wanted, size_t* open_quote = nullptr) {
  bool quoted = false;
  size_t opened = std::string_view::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') {
      quoted = !quoted;
      opened = quoted ? i : std::string_view::npos;
    } else if (!quoted && text[i] == wanted) {
      if (open_quote) *open_quote = std::string_view::npos;
      return i;
    }
  }
  if (open_quote) *open_quote = opened;
  return std::string_view::npos;
}

// 1-based column, in characters, of byte `offset` of a UTF-8 line.
uint32_t column_of(std::string_view line, size_t offset) {
  uint32_t column = 1;
  for (size_t i = 0; i < offset && i < line.size(); ++i)
    if ((static_cast<uint8_t>(line[i]) & 0xC0) != 0x80) ++column;
  return column;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_strings_section(std::string_view name) {
  return iequals(name, "Strings") || (name.size() > 8 && iequals(name.substr(0, 8), "Strings."));
}

// A %token% found while reading, checked once the string table is known.
struct TokenUse {
  uint32_t line = 0, column = 0;
  std::string key;  // as written
};

}  // namespace

InfFile InfFile::parse(std::span<const uint8_t> bytes, const Limits& limits, std::string_view language) {
  InfFile inf;
  bool diagnostics_full = false;
  auto report = [&](uint32_t line, uint32_t column, std::string message) {
    if (inf.diagnostics_.size() < limits.max_diagnostics) {
      inf.diagnostics_.push_back({line, column, std::move(message)});
    } else if (!diagnostics_full) {
      diagnostics_full = true;
      inf.diagnostics_.push_back({line, 0, fmt::format("more than {} diagnostics; the rest are not kept", limits.max_diagnostics)});
    }
  };
  if (bytes.size() > limits.max_bytes) {
    report(0, 0, fmt::format("INF file of {} bytes is larger than the {}-byte limit; not read", bytes.size(), limits.max_bytes));
    return inf;
  }
  const std::string text = decode(bytes, inf.encoding_);
  std::map<std::string, size_t> section_index;  // lower-cased name -> position in sections_
  Section* current = nullptr;
  bool current_is_strings = false;
  size_t kept_lines = 0;
  bool reported_no_section = false, reported_line_limit = false;
  std::vector<TokenUse> tokens;

  std::string logical;
  uint32_t physical = 0, logical_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    // One physical line: up to \r\n, \n or \r. A Ctrl-Z (0x1A) ends the file, as on Windows.
    size_t end = text.find_first_of("\r\n\x1A", pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view physical_text(text.data() + pos, end - pos);
    std::string_view raw = physical_text;
    const bool eof_marker = end < text.size() && text[end] == '\x1A';
    pos = end;
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') ++pos;
    if (physical < UINT32_MAX) ++physical;
    if (logical.empty()) logical_start = physical;

    // Comments: ';' outside quotes to the end of the line. A quote still open at the end of the
    // physical line is closed there (the line is read as if the quote ended it).
    size_t open_quote = std::string_view::npos;
    if (size_t semicolon = find_unquoted(raw, ';', &open_quote); semicolon != std::string_view::npos)
      raw = raw.substr(0, semicolon);
    if (open_quote != std::string_view::npos)
      report(physical, column_of(physical_text, open_quote), "unterminated quoted string; it ends at the end of the line");
    std::string_view content = trim(raw);
    // Line continuation: a backslash as the last character (outside quotes) joins the next line.
    const bool continued = !content.empty() && content.back() == '\\' && open_quote == std::string_view::npos && !eof_marker;
    if (continued) content.remove_suffix(1);
    if (logical.size() + content.size() > limits.max_line_length) {
      report(logical_start, 0, fmt::format("longer than {} bytes; the rest is ignored", limits.max_line_length));
      content = content.substr(0, limits.max_line_length - std::min(logical.size(), limits.max_line_length));
    }
    // The %tokens% of this physical line, located (the column is the physical line's), checked
    // against the string table once it is known. [Strings*] values are substituted nowhere.
    if (current && !current_is_strings) {
      const size_t base = static_cast<size_t>(content.data() - physical_text.data());
      for (size_t i = 0; i < content.size();) {
        const size_t open = content.find('%', i);
        if (open == std::string_view::npos) break;
        const size_t close = content.find('%', open + 1);
        if (close == std::string_view::npos) break;
        const std::string_view key = content.substr(open + 1, close - open - 1);
        if (!key.empty() && !all_digits(key) && tokens.size() < limits.max_lines)
          tokens.push_back({physical, column_of(physical_text, base + open), std::string(key)});
        i = close + 1;
      }
    }
    if (open_quote != std::string_view::npos && !content.empty()) {
      logical.append(content);
      logical += '"';  // close the quote so that the rest of the logical line splits normally
    } else {
      logical.append(content);
    }
    if (continued && pos < text.size()) continue;

    const std::string_view line = trim(logical);
    if (!line.empty()) {
      if (line.front() == '[') {
        const size_t close = line.find(']');
        const uint32_t bracket_column = column_of(physical_text, static_cast<size_t>(physical_text.find('[')));
        if (close == std::string_view::npos)
          report(logical_start, bracket_column, "section header without ']'; the rest of the line is the name");
        else if (!trim(line.substr(close + 1)).empty())
          report(logical_start, column_of(physical_text, physical_text.find(']') + 1), "text after the section header's ']' is ignored");
        const std::string name(trim(line.substr(1, close == std::string_view::npos ? line.size() - 1 : close - 1)));
        if (name.empty()) {
          report(logical_start, bracket_column, "section header without a name; its lines are ignored");
          current = nullptr;
          reported_no_section = true;  // its lines are not "before the first section"
        } else {
          auto [it, inserted] = section_index.emplace(ascii_lower(name), inf.sections_.size());
          if (inserted) inf.sections_.push_back({name, {}, logical_start});
          current = &inf.sections_[it->second];
          current_is_strings = is_strings_section(name);
        }
      } else if (!current) {
        if (!reported_no_section)
          report(logical_start, 0, "text outside a section (before the first section header) is ignored");
        reported_no_section = true;
      } else if (kept_lines >= limits.max_lines) {
        if (!reported_line_limit) report(logical_start, 0, fmt::format("more than {} lines; the rest is ignored", limits.max_lines));
        reported_line_limit = true;
      } else {
        Line entry;
        entry.line_number = logical_start;
        entry.end_line = physical;
        std::string_view values = line;
        if (size_t equals = find_unquoted(line, '='); equals != std::string_view::npos) {
          bool ignored = false;
          const auto key = split_values(line.substr(0, equals), 2, ignored);
          entry.key = key.empty() ? std::string() : key.front();
          if (entry.key->empty()) report(logical_start, 0, "'=' without a key before it");
          values = line.substr(equals + 1);
        }
        bool truncated = false;
        entry.values = split_values(values, limits.max_values, truncated);
        entry.text = unquote_whole(values);
        if (truncated) report(logical_start, 0, fmt::format("more than {} values; the rest is ignored", limits.max_values));
        current->lines.push_back(std::move(entry));
        ++kept_lines;
      }
    }
    logical.clear();
    if (eof_marker) break;
  }

  // The string table: [Strings.<language>], then [Strings], then the other [Strings.xxxx] in file
  // order; the first definition of a key wins (emplace keeps it).
  std::vector<const Section*> tables;
  const std::string preferred = "strings." + ascii_lower(language);
  for (const Section& s : inf.sections_)
    if (!language.empty() && ascii_lower(s.name) == preferred) tables.push_back(&s);
  if (const Section* plain = inf.section("Strings")) tables.push_back(plain);
  for (const Section& s : inf.sections_)
    if (is_strings_section(s.name) && std::find(tables.begin(), tables.end(), &s) == tables.end()) tables.push_back(&s);
  for (const Section* table : tables)
    for (const Line& line : table->lines)
      if (line.key && !line.key->empty()) inf.strings_.emplace(ascii_lower(*line.key), line.text);

  for (const TokenUse& use : tokens)
    if (!inf.strings_.contains(ascii_lower(use.key)))
      report(use.line, use.column, fmt::format("%{}% is defined by no [Strings] section; it is kept as written", use.key));
  std::stable_sort(inf.diagnostics_.begin(), inf.diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return inf;
}

std::vector<std::string> InfFile::problems() const {
  std::vector<std::string> out;
  out.reserve(diagnostics_.size());
  for (const Diagnostic& d : diagnostics_) {
    if (d.line == 0) out.push_back(d.message);
    else if (d.column == 0) out.push_back(fmt::format("line {}: {}", d.line, d.message));
    else out.push_back(fmt::format("line {}, column {}: {}", d.line, d.column, d.message));
  }
  return out;
}

std::optional<std::string> InfFile::string_value(std::string_view key) const {
  if (auto it = strings_.find(ascii_lower(key)); it != strings_.end()) return it->second;
  return std::nullopt;
}

const Section* InfFile::section(std::string_view name) const {
  for (const Section& s : sections_)
    if (iequals(s.name, name)) return &s;
  return nullptr;
}

std::optional<std::string> InfFile::value(std::string_view section_name, std::string_view key) const {
  const Section* s = section(section_name);
  if (!s) return std::nullopt;
  for (const Line& line : s->lines)
    if (line.key && iequals(*line.key, key) && !line.values.empty()) return substitute(line.values.front());
  return std::nullopt;
}

std::string InfFile::substitute(std::string_view text) const {
  if (text.find('%') == std::string_view::npos) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t close = text[i] == '%' ? text.find('%', i + 1) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += text[i++];
      continue;
    }
    const std::string_view token = text.substr(i + 1, close - i - 1);
    if (token.empty()) {
      out += '%';  // %% is a literal percent sign
      i = close + 1;
    } else if (auto it = strings_.find(ascii_lower(token)); it != strings_.end()) {
      out += it->second;  // substituted once: a value's own %tokens% are not expanded again
      i = close + 1;
    } else {
      out += text.substr(i, close - i);  // unknown token: keep it, continue at the closing '%'
      i = close;
    }
  }
  return out;
}

std::vector<std::string> catalog_files(const InfFile& inf) {
  std::vector<std::pair<std::string, std::string>> found;  // (lower-cased key, value)
  if (const Section* version = inf.section("Version"))
    for (const Line& line : version->lines) {
      if (!line.key || line.values.empty() || line.values.front().empty()) continue;
      const std::string key = ascii_lower(*line.key);
      // CatalogFile, or CatalogFile.<platform extension> such as .NT, .NTamd64, .NTarm64.
      if (key == "catalogfile" || (key.rfind("catalogfile.nt", 0) == 0))
        found.emplace_back(key, inf.substitute(line.values.front()));
    }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& [key, value] : found)
    if (seen.insert(ascii_lower(value)).second) out.push_back(std::move(value));
  return out;
}

std::vector<std::string> installed_file_names(const InfFile& inf) {
  std::set<std::string> names;
  auto add = [&](std::string_view written) {
    std::string name = inf.substitute(written);
    if (auto slash = name.find_last_of("\\/"); slash != std::string::npos) name.erase(0, slash + 1);
    if (!name.empty()) names.insert(ascii_lower(name));
  };
  for (const Section& section : inf.sections())
    for (const Line& line : section.lines) {
      if (!line.key || line.values.empty()) continue;
      const std::string key = ascii_lower(*line.key);
      if (key == "servicebinary") {
        add(line.values.front());
      } else if (key == "copyfiles") {
        for (const std::string& value : line.values) {
          if (value.empty()) continue;
          if (value.front() == '@') {
            add(std::string_view(value).substr(1));
            continue;
          }
          const Section* list = inf.section(value);
          if (!list) continue;
          for (const Line& entry : list->lines) {
            // destination-file-name[,source-file-name][,unused][,flag]: a key-less line
            if (entry.key || entry.values.empty()) continue;
            add(entry.values.front());
            if (entry.values.size() > 1 && !entry.values[1].empty()) add(entry.values[1]);
          }
        }
      }
    }
  return {names.begin(), names.end()};
}

}  // namespace drvsec::inf
