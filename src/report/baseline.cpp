#include "report/baseline.h"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace drvsec {

namespace {

using Json = nlohmann::json;

constexpr const char* kSarifFingerprint = "drvsecFindingHash/v2";
constexpr const char* kOldSarifFingerprint = "drvsecFindingHash/v1";

const Json* member(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// The member at a path of keys, or nullptr.
const Json* at(const Json& j, std::initializer_list<const char*> keys) {
  const Json* p = &j;
  for (const char* k : keys)
    if (!(p = member(*p, k))) return nullptr;
  return p;
}

std::string string_at(const Json* j) { return j && j->is_string() ? j->get<std::string>() : std::string(); }

void read_json_report(const Json& doc, Baseline& b) {
  const Json* findings = member(doc, "findings");
  if (!findings || !findings->is_array()) throw BaselineError("a drvsec JSON report has a findings array; this one has none");
  for (const Json& f : *findings) {
    const std::string fp = string_at(member(f, "fingerprint"));
    if (fp.empty()) throw BaselineError("a finding has no fingerprint");
    b.fingerprints.insert(fp);
  }
}

void read_sarif(const Json& doc, Baseline& b) {
  const Json* runs = member(doc, "runs");
  if (!runs || !runs->is_array()) throw BaselineError("a SARIF log has a runs array; this one has none");
  for (const Json& run : *runs) {
    const std::string tool = string_at(at(run, {"tool", "driver", "name"}));
    if (tool != "drvsec") throw BaselineError(fmt::format("a run of '{}', not of drvsec", tool.empty() ? "an unnamed tool" : tool));
    const Json* results = member(run, "results");
    if (!results) continue;
    if (!results->is_array()) throw BaselineError("results is not an array");
    for (const Json& r : *results) {
      const Json* fps = member(r, "partialFingerprints");
      const std::string fp = string_at(fps ? member(*fps, kSarifFingerprint) : nullptr);
      if (fp.empty()) {
        if (fps && member(*fps, kOldSarifFingerprint))
          throw BaselineError("its fingerprints are of an older drvsec (drvsecFindingHash/v1): make the baseline again with this version");
        throw BaselineError(fmt::format("a result has no {} fingerprint", kSarifFingerprint));
      }
      b.fingerprints.insert(fp);
    }
  }
}

}  // namespace

Baseline read_baseline(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BaselineError(fmt::format("cannot read the baseline {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw BaselineError(fmt::format("cannot read the baseline {}", path));
  return parse_baseline(text.str(), path);
}

Baseline parse_baseline(std::string_view text, const std::string& path) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw BaselineError(fmt::format("the baseline {} is not JSON (a drvsec JSON or SARIF report is)", path));
  Baseline b;
  b.path = path;
  try {
    if (member(doc, "runs")) {
      b.format = "sarif";
      read_sarif(doc, b);
    } else {
      if (string_at(at(doc, {"tool", "name"})) != "drvsec")
        throw BaselineError("not a drvsec report (no tool.name \"drvsec\")");
      b.format = "json";
      read_json_report(doc, b);
    }
  } catch (const BaselineError& e) {
    throw BaselineError(fmt::format("the baseline {}: {}", path, e.what()));
  }
  return b;
}

BaselineSummary apply_baseline(const Baseline& baseline, std::vector<Finding>& findings) {
  BaselineSummary s;
  s.path = baseline.path;
  std::unordered_set<std::string> seen;
  std::vector<Finding> kept;
  kept.reserve(findings.size());
  for (Finding& f : findings) {
    const bool known = baseline.fingerprints.count(f.fingerprint) > 0;
    if (known) seen.insert(f.fingerprint);
    if (known && !reports_an_input_failure(f)) {
      ++s.unchanged;
    } else {
      ++s.new_results;
      kept.push_back(std::move(f));
    }
  }
  findings = std::move(kept);
  s.absent = baseline.fingerprints.size() - seen.size();
  return s;
}

}  // namespace drvsec
