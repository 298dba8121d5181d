#include "rules/rule_docs.h"

#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "model/checklist.h"
#include "rules/rule.h"

namespace drvsec {

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// "none", with the reason when there is one: what a page says for an empty list.
std::string none_because(const std::string& reason) { return reason.empty() ? "none" : "none (" + reason + ")"; }

// The line of `text` that starts at `pos`, without its newline; `next` is where the next one starts.
std::string_view line_at(std::string_view text, size_t pos, size_t& next) {
  size_t end = text.find('\n', pos);
  next = end == std::string_view::npos ? text.size() : end + 1;
  std::string_view line = text.substr(pos, (end == std::string_view::npos ? text.size() : end) - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

constexpr std::string_view kSkeletonBody =
    "## What it checks\nTODO\n\n## Why\nTODO\n\n## Where it applies\nTODO\n\n## How to fix\nTODO\n\n"
    "## False positives / negatives\nTODO\n\n## Example\nTODO\n";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string render_doc_header(const RuleInfo& info) {
  std::string out;
  out += kDocHeaderBegin;
  out += '\n';
  out += fmt::format("# {} — {}\n\n", info.id, info.title);
  out += fmt::format("- **Severity:** {}\n", to_string(info.severity));
  out += fmt::format("- **Confidence:** {}\n", to_string(info.confidence));
  if (!info.levels.empty()) out += fmt::format("- **Per finding:** {}\n", info.levels);
  if (info.checklist.empty()) {
    out += "- **Guidance:** " + none_because(info.no_checklist_reason) + '\n';
  } else {
    out += "- **Guidance:**\n";
    for (const auto& id : info.checklist) {
      const ChecklistItem* item = find_checklist_item(id);
      out += item ? fmt::format("  - {}: {}\n", id, item->title) : fmt::format("  - {}\n", id);
    }
  }
  out += "- **CWE:** " + (info.cwe.empty() ? none_because(info.no_cwe_reason) : joined(info.cwe)) + '\n';
  out += fmt::format("- **Applies to:** {}\n", info.applies_to);
  if (!info.related.empty()) out += fmt::format("- **Related checks:** {}\n", joined(info.related));
  out += '\n';
  out += kDocHeaderEnd;
  out += '\n';
  return out;
}

DocPageParts split_doc_page(std::string_view page) {
  size_t next = 0;
  if (line_at(page, 0, next) != kDocHeaderBegin) return {{}, page, false};
  for (size_t pos = next; pos < page.size(); pos = next)
    if (line_at(page, pos, next) == kDocHeaderEnd) return {page.substr(0, next), page.substr(next), true};
  return {{}, page, false};  // no end marker: where the header stops is unknown
}

std::string doc_summary(std::string_view page) {
  std::string out;
  bool in_section = false;
  size_t next = 0;
  for (size_t pos = 0; pos < page.size(); pos = next) {
    const std::string_view line = line_at(page, pos, next);
    if (!in_section) {
      in_section = line == "## What it checks";
      continue;
    }
    if (line.empty() || line.starts_with("#")) {
      if (out.empty() && line.empty()) continue;  // blank lines before the paragraph
      break;
    }
    out += (out.empty() ? "" : " ");
    out += line;
  }
  return out;
}

std::string without_doc_markers(std::string_view page) {
  std::string out;
  out.reserve(page.size());
  size_t next = 0;
  for (size_t pos = 0; pos < page.size(); pos = next) {
    const std::string_view line = line_at(page, pos, next);
    if (line != kDocHeaderBegin && line != kDocHeaderEnd) out.append(page.substr(pos, next - pos));
  }
  return out;
}

DocHeaderUpdate update_doc_headers(const std::filesystem::path& dir, bool check_only, std::ostream& log) {
  DocHeaderUpdate result;
  std::map<std::string, const Rule*> owners;  // by file name, sorted: the log is deterministic
  for (const Rule* r : RuleRegistry::instance().rules()) owners.emplace(r->info().id + ".md", r);

  for (const auto& [name, rule] : owners) {
    const std::filesystem::path path = dir / name;
    const bool exists = std::filesystem::exists(path);
    const std::string page = exists ? read_file(path) : std::string();
    const DocPageParts parts = split_doc_page(page);
    if (exists && !parts.marked) {
      ++result.errors;
      log << path.string() << ": error: "
          << (page.starts_with(kDocHeaderBegin) ? "the generated header has no end marker"
                                                : "no generated header (the page does not start with its marker)")
          << "; left as it is: replace its header with the output of `drvsec rules --doc-header " << rule->info().id
          << "`\n";
      continue;
    }
    const std::string header = render_doc_header(rule->info());
    if (exists && parts.header == header) continue;
    ++result.out_of_date;
    if (!exists) log << path.string() << ": missing; " << (check_only ? "would create" : "created") << " it with a skeleton body\n";
    else log << path.string() << ": header " << (check_only ? "out of date" : "regenerated") << '\n';
    if (check_only) continue;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << header << (exists ? parts.body : kSkeletonBody);
    if (!out) throw std::runtime_error("cannot write " + path.string());
  }
  std::error_code ec;
  std::set<std::filesystem::path> orphans;  // sorted: the log is deterministic
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".md" && !owners.count(entry.path().filename().string())) orphans.insert(entry.path());
  if (ec) throw std::runtime_error("cannot read " + dir.string() + ": " + ec.message());
  for (const auto& path : orphans) log << path.string() << ": error: no rule has this id (left as it is)\n";
  result.errors += static_cast<int>(orphans.size());
  return result;
}

}  // namespace drvsec
