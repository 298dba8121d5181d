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

// The text of the file as UTF-8, whatever its encoding.
std::string decode(std::span<const uint8_t> b) {
  if (b.size() >= 2 && b[0] == 0xFF && b[1] == 0xFE) return from_utf16le(b.subspan(2));
  if (b.size() >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) b = b.subspan(3);
  else if (looks_like_utf16le(b)) return from_utf16le(b);
  if (valid_utf8(b)) return std::string(b.begin(), b.end());
  std::string out;  // ANSI: bytes as Latin-1 code points (Windows-1252 agrees outside 0x80-0x9F)
  out.reserve(b.size());
  for (uint8_t c : b) append_utf8(out, c);
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

// Position of the first character outside double quotes equal to `wanted`, or npos.
size_t find_unquoted(std::string_view text, char wanted) {
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    else if (!quoted && text[i] == wanted) return i;
  }
  return std::string_view::npos;
}

}  // namespace

InfFile InfFile::parse(std::span<const uint8_t> bytes, const Limits& limits) {
  InfFile inf;
  if (bytes.size() > limits.max_bytes) {
    inf.problems_.push_back(fmt::format("INF file of {} bytes is larger than the {}-byte limit; not read", bytes.size(),
                                        limits.max_bytes));
    return inf;
  }
  const std::string text = decode(bytes);
  std::map<std::string, size_t> section_index;  // lower-cased name -> position in sections_
  Section* current = nullptr;
  size_t kept_lines = 0;
  bool reported_no_section = false, reported_line_limit = false;

  std::string logical;
  uint32_t physical = 0, logical_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    // One physical line: up to \r\n, \n or \r. A Ctrl-Z (0x1A) ends the file, as on Windows.
    size_t end = text.find_first_of("\r\n\x1A", pos);
    if (end == std::string::npos) end = text.size();
    std::string_view raw(text.data() + pos, end - pos);
    const bool eof_marker = end < text.size() && text[end] == '\x1A';
    pos = end;
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') ++pos;
    ++physical;
    if (logical.empty()) logical_start = physical;

    // Comments: ';' outside quotes to the end of the line.
    if (size_t semicolon = find_unquoted(raw, ';'); semicolon != std::string_view::npos) raw = raw.substr(0, semicolon);
    std::string_view content = trim(raw);
    // Line continuation: a backslash as the last character joins the next line.
    const bool continued = !content.empty() && content.back() == '\\' && !eof_marker;
    if (continued) content.remove_suffix(1);
    if (logical.size() + content.size() > limits.max_line_length) {
      inf.problems_.push_back(fmt::format("line {}: longer than {} bytes; the rest is ignored", logical_start,
                                          limits.max_line_length));
      content = content.substr(0, limits.max_line_length - std::min(logical.size(), limits.max_line_length));
    }
    logical.append(content);
    if (continued && pos < text.size()) continue;

    const std::string_view line = trim(logical);
    if (!line.empty()) {
      if (line.front() == '[') {
        const size_t close = line.find(']');
        if (close == std::string_view::npos)
          inf.problems_.push_back(fmt::format("line {}: section header without ']'", logical_start));
        const std::string name(trim(line.substr(1, close == std::string_view::npos ? line.size() - 1 : close - 1)));
        auto [it, inserted] = section_index.emplace(ascii_lower(name), inf.sections_.size());
        if (inserted) inf.sections_.push_back({name, {}, logical_start});
        current = &inf.sections_[it->second];
      } else if (!current) {
        if (!reported_no_section)
          inf.problems_.push_back(fmt::format("line {}: text before the first section header is ignored", logical_start));
        reported_no_section = true;
      } else if (kept_lines >= limits.max_lines) {
        if (!reported_line_limit)
          inf.problems_.push_back(fmt::format("more than {} lines; the rest is ignored", limits.max_lines));
        reported_line_limit = true;
      } else {
        Line entry;
        entry.line_number = logical_start;
        std::string_view values = line;
        if (size_t equals = find_unquoted(line, '='); equals != std::string_view::npos) {
          bool ignored = false;
          const auto key = split_values(line.substr(0, equals), 2, ignored);
          entry.key = key.empty() ? std::string() : key.front();
          values = line.substr(equals + 1);
        }
        bool truncated = false;
        entry.values = split_values(values, limits.max_values, truncated);
        if (truncated)
          inf.problems_.push_back(fmt::format("line {}: more than {} values; the rest is ignored", logical_start,
                                              limits.max_values));
        current->lines.push_back(std::move(entry));
        ++kept_lines;
      }
    }
    logical.clear();
    if (eof_marker) break;
  }

  // The string table %strkey% tokens use: [Strings], else the first [Strings.<locale>].
  const Section* strings = inf.section("Strings");
  if (!strings)
    for (const Section& s : inf.sections_)
      if (s.name.size() > 8 && iequals(std::string_view(s.name).substr(0, 8), "Strings.")) {
        strings = &s;
        break;
      }
  if (strings)
    for (const Line& line : strings->lines)
      if (line.key) inf.strings_.emplace(ascii_lower(*line.key), line.values.empty() ? std::string() : line.values.front());
  return inf;
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
