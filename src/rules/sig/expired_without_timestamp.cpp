// CL-15: an Authenticode signature outlives its certificate only when a timestamp proves it was made
// while the certificate was valid. Without one, the signature is invalid once the certificate expires.
#include <chrono>
#include <ctime>

#include "rules/rule.h"
#include "rules/sig/signature_facts.h"

namespace drvsec {
namespace {

std::string now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

class ExpiredWithoutTimestamp final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "sig-expired-without-timestamp",
        .title = "Signing certificate expired and the signature has no timestamp",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .levels = "confidence medium when a timestamp is present but does not verify",
        .checklist = {"CL-15"},
        .cwe = {"CWE-298"},
        .applies_to = "signed PE images and catalogs, every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const sig::SignatureInfo* s = sig_rules::facts(file);
    if (!s || s->signatures.empty()) return;
    const std::string now = now_iso8601();  // ISO 8601 UTC strings of one format compare as times
    for (const sig::Signature& g : s->signatures) {
      if (g.chain.empty() || g.chain.front().not_after.empty() || g.chain.front().not_after >= now) continue;
      if (g.signing_time && g.timestamp_verified) continue;
      const std::string label = sig_rules::signature_label(*s, g);
      Finding f = make_finding(
          file, g.signing_time ? fmt::format("{}: the signing certificate expired on {} and the timestamp does not "
                                             "verify",
                                             label, g.chain.front().not_after)
                               : fmt::format("{}: the signing certificate expired on {} and the signature has no "
                                             "timestamp",
                                             label, g.chain.front().not_after));
      if (g.signing_time) {
        f.confidence = Confidence::medium;
        f.evidence.push_back(fmt::format("timestamp claims {}", *g.signing_time));
      }
      f.evidence.push_back(sig_rules::signer_evidence(g));
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(ExpiredWithoutTimestamp);

}  // namespace
}  // namespace drvsec
