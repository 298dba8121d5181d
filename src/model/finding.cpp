#include "model/finding.h"

#include <cctype>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "base/ascii.h"
#include "base/hash.h"

namespace drvsec {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::note: return "note";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "warning";
}

std::optional<Confidence> parse_confidence(std::string_view text) {
  for (Confidence c : {Confidence::low, Confidence::medium, Confidence::high})
    if (text == to_string(c)) return c;
  return std::nullopt;
}

bool is_input_failure_rule(std::string_view rule_id) {
  return rule_id == "input-not-analyzed" || rule_id == "input-partially-analyzed";
}

bool reports_an_input_failure(const Finding& f) { return is_input_failure_rule(f.rule_id); }

std::string_view to_string(Confidence c) {
  switch (c) {
    case Confidence::low: return "low";
    case Confidence::medium: return "medium";
    case Confidence::high: return "high";
  }
  return "medium";
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "note") return Severity::note;
  if (text == "warning") return Severity::warning;
  if (text == "error") return Severity::error;
  return std::nullopt;
}

namespace {

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

// The message with the location's addresses replaced by "?": hexadecimal numbers equal to the RVA
// or the function's RVA (an IOCTL code or a constant stays: it is a fact, not a place), and every
// `sub_<hex>` function name.
std::string without_addresses(const Finding& f) {
  const std::string& m = f.message;
  std::string out;
  out.reserve(m.size());
  for (size_t i = 0; i < m.size();) {
    const bool word_start = i == 0 || !(std::isalnum(static_cast<unsigned char>(m[i - 1])) || m[i - 1] == '_');
    size_t digits = 0;
    if (word_start && m.compare(i, 4, "sub_") == 0) digits = i + 4;
    else if (word_start && m.compare(i, 2, "0x") == 0) digits = i + 2;
    if (digits) {
      size_t end = digits;
      while (end < m.size() && is_hex_digit(m[end]) && end - digits < 16) ++end;
      const bool whole = end > digits && (end == m.size() || !(std::isalnum(static_cast<unsigned char>(m[end])) || m[end] == '_'));
      if (whole) {
        const uint64_t value = std::stoull(m.substr(digits, end - digits), nullptr, 16);
        const bool address = m[i] == 's' || (f.location.rva && value == *f.location.rva) ||
                             (f.location.function_rva && value == *f.location.function_rva);
        if (address) {
          out += '?';
          i = end;
          continue;
        }
      }
    }
    out += m[i++];
  }
  return out;
}

std::string_view file_name(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string fingerprint_key(const Finding& f) {
  std::string key = f.rule_id;
  key += '\n';
  key += ascii_lower(file_name(f.location.path));
  key += '\n';
  key += without_addresses(f);
  key += '\n';
  key += f.location.function;  // a real name (export, symbol, source); never sub_<hex>
  return key;  // no line either: an edit above a source finding moves it; the rank tells repeats apart
}

void assign_fingerprints(std::vector<Finding>& findings) {
  // Ranks restart in every file: findings are sorted by path, so one map per run of a path.
  std::map<std::string, uint32_t> seen;
  const std::string* path = nullptr;
  for (Finding& f : findings) {
    if (!path || *path != f.location.path) seen.clear();
    path = &f.location.path;
    std::string key = fingerprint_key(f);
    const uint32_t rank = seen[key]++;
    key += fmt::format("\n#{}", rank);
    f.fingerprint = sha256_hex("drvsec-fingerprint-v2\n" + key).substr(0, 32);
  }
}

bool finding_less(const Finding& a, const Finding& b) {
  auto key = [](const Finding& f) {
    return std::tie(f.location.path, f.rule_id, f.location.rva, f.location.range, f.message);
  };
  return key(a) < key(b);
}

}  // namespace drvsec
