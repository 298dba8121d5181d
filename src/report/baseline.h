// --baseline FILE: a previous drvsec report (JSON or SARIF) as the set of fingerprints it holds, and
// a run's findings judged against it: a team gates CI on what is new, not on what it already knows.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "model/finding.h"

namespace drvsec {

struct BaselineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Baseline {
  std::string path;
  std::string format;  // "json" or "sarif"
  std::unordered_set<std::string> fingerprints;
};

// Reads the fingerprints of a drvsec JSON report (findings[].fingerprint) or SARIF log
// (results[].partialFingerprints["drvsecFindingHash/v2"]). Throws BaselineError saying why a file is
// not one (unreadable, not JSON, not drvsec's, fingerprints of an older drvsec).
Baseline read_baseline(const std::string& path);
// The same from a report's text (`path` names it in messages).
Baseline parse_baseline(std::string_view text, const std::string& path);

// What a run kept of its findings against a baseline.
struct BaselineSummary {
  std::string path;
  size_t new_results = 0;  // findings kept: those the baseline lacks (and every input error)
  size_t unchanged = 0;    // findings the baseline holds: dropped from the report
  size_t absent = 0;       // baseline fingerprints this run did not produce (fixed, or gone)
};

// Keeps only the findings that are new. Findings that say an input could not be analyzed (fully)
// are always kept: a baseline must never make a failure look like a clean result.
BaselineSummary apply_baseline(const Baseline& baseline, std::vector<Finding>& findings);

}  // namespace drvsec
