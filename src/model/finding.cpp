#include "model/finding.h"

#include <tuple>

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

std::string Finding::fingerprint() const {
  // The message carries the subject (API name, section name, IOCTL code), so it is part of
  // the identity; the path is not, so a renamed file keeps its baseline.
  std::string key = rule_id + "\n" + message;
  if (const std::string function = function_label(location); !function.empty()) key += "\n" + function;
  return sha256_hex(key).substr(0, 32);
}

bool finding_less(const Finding& a, const Finding& b) {
  auto key = [](const Finding& f) {
    return std::tie(f.location.path, f.rule_id, f.location.rva, f.location.range, f.message);
  };
  return key(a) < key(b);
}

}  // namespace drvsec
