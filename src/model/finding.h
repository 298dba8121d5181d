// A finding: one rule's statement about one input, with the evidence behind it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drvsec {

// Ordered: a higher value is more severe. Maps 1:1 to SARIF result levels.
enum class Severity { note = 1, warning = 2, error = 3 };
// How sure the rule is that the finding is real (not how bad it is).
enum class Confidence { low = 1, medium = 2, high = 3 };

std::string_view to_string(Severity s);
std::string_view to_string(Confidence c);
std::optional<Severity> parse_severity(std::string_view text);

struct Location {
  std::string path;
  std::optional<uint32_t> line;      // source and INF inputs
  std::optional<uint32_t> rva;       // binary inputs: relative virtual address
  std::optional<std::string> function;  // enclosing function name or "sub_<rva>"
};

struct Finding {
  std::string rule_id;
  Severity severity = Severity::warning;
  Confidence confidence = Confidence::high;
  std::vector<std::string> checklist;  // guidance item ids, e.g. "HV-5", "CL-5.17"
  std::vector<std::string> cwe;        // e.g. "CWE-749"
  std::string message;
  Location location;
  std::vector<std::string> evidence;   // short facts a person can check
  std::optional<uint32_t> ioctl;       // the IOCTL code the finding belongs to, when known

  // Stable identity for de-duplication and baselines (no line or address drift for
  // findings whose subject is named in the evidence key).
  std::string fingerprint() const;
};

// Deterministic order: path, rule, rva/line, message.
bool finding_less(const Finding& a, const Finding& b);

}  // namespace drvsec
