// CL-15 (BinSkim BA2022): signatures must use SHA-256 or stronger. MD5 is broken; a file signed
// only with SHA-1 is rejected by current Windows for new kernel-mode signatures.
#include <algorithm>

#include "rules/rule.h"
#include "rules/sig/signature_facts.h"

namespace drvsec {
namespace {

bool weak(const std::string& algorithm) { return algorithm == "md5" || algorithm == "sha1"; }

class WeakDigest final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "sig-weak-digest",
        .title = "Signature uses only a weak digest (MD5 or SHA-1)",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .checklist = {"CL-15"},
        .cwe = {"CWE-328"},
        .applies_to = "signed PE images and catalogs, every machine",
        .related = {"BinSkim BA2022"},
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const sig::SignatureInfo* s = sig_rules::facts(file);
    if (!s || s->signatures.empty()) return;
    // The signed-content digest (Authenticode) or, for catalogs, the signer's digest.
    auto algorithm = [](const sig::Signature& g) {
      return g.digest_algorithm.empty() ? g.signer_digest_algorithm : g.digest_algorithm;
    };
    const bool has_strong =
        std::any_of(s->signatures.begin(), s->signatures.end(), [&](const sig::Signature& g) { return !weak(algorithm(g)); });
    for (const sig::Signature& g : s->signatures) {
      const bool md5 = algorithm(g) == "md5" || g.signer_digest_algorithm == "md5";
      if (has_strong && !md5) continue;  // SHA-1 next to a SHA-256 signature is the dual-signing convention
      if (!weak(algorithm(g)) && !md5) continue;
      Finding f = make_finding(file, fmt::format("{} uses {}{}", sig_rules::signature_label(*s, g),
                                                 md5 ? "MD5, a broken digest" : "SHA-1",
                                                 has_strong ? "" : " and the file has no SHA-256 signature"));
      f.evidence.push_back(fmt::format("signed digest algorithm {}, signer digest algorithm {}", g.digest_algorithm,
                                       g.signer_digest_algorithm));
      f.evidence.push_back(sig_rules::signer_evidence(g));
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(WeakDigest);

}  // namespace
}  // namespace drvsec
