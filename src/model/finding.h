// A finding: one rule's statement about one input, with the evidence behind it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/location.h"

namespace drvsec {

// Ordered: a higher value is more severe. Maps 1:1 to SARIF result levels.
enum class Severity { note = 1, warning = 2, error = 3 };
// How sure the rule is that the finding is real (not how bad it is).
enum class Confidence { low = 1, medium = 2, high = 3 };

std::string_view to_string(Severity s);
std::string_view to_string(Confidence c);
std::optional<Severity> parse_severity(std::string_view text);
std::optional<Confidence> parse_confidence(std::string_view text);

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
  // Ids of the driver-model facts the finding is about (fact_ids.h: "device/\\Device\\Foo",
  // "ioctl/0x222003", "primitive/0x1400", ...), in the model of the finding's file: the views
  // that link evidence (HTML, threat model, checklist) follow them instead of parsing evidence.
  std::vector<std::string> facts;

  // Stable identity across runs and rebuilds, for baselines and SARIF partialFingerprints; set by
  // assign_fingerprints once a file's findings are complete.
  std::string fingerprint;
};

// A finding that says an input could not be analyzed (fully): no filter, baseline or suppression
// may leave it out, or a failure would look like a clean result.
bool reports_an_input_failure(const Finding& f);
// The rules whose findings those are (input-not-analyzed, input-partially-analyzed).
bool is_input_failure_rule(std::string_view rule_id);

// Deterministic order: path, rule, rva, source range, message.
bool finding_less(const Finding& a, const Finding& b);

// Gives every finding its fingerprint: a hash of the rule, the file's name (not its folder, so a
// checkout elsewhere keeps its baseline; ASCII case folded, as Windows names files), the message
// with the addresses of the finding's own location taken out (its RVA, its function's RVA and any
// `sub_<hex>` name: a rebuild moves code), the function's name when it has a real one, and the
// finding's rank among the findings of its file with the same key (two `in` instructions of one
// function stay apart). `findings` must be sorted by finding_less; the rank follows address order.
void assign_fingerprints(std::vector<Finding>& findings);
// The address-free part of a finding's identity (before the rank): what assign_fingerprints hashes.
std::string fingerprint_key(const Finding& f);

}  // namespace drvsec
