// CL-15: a signature that does not match the image (modified after signing) or does not verify
// cryptographically protects nothing; Windows refuses to load such a driver.
#include "core/rule.h"
#include "rules/sig/signature_facts.h"

namespace drvsec {
namespace {

class InvalidSignature final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "sig-invalid-signature",
        .title = "Signature does not match the file or does not verify",
        .severity = Severity::error,
        .confidence = Confidence::high,
        .checklist = {"CL-15"},
        .cwe = {"CWE-347", "CWE-354"},
        .applies_to = "signed PE images and catalogs, every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const sig::SignatureInfo* s = sig_rules::facts(file);
    if (!s) return;
    const bool is_pe = file.artifact.kind == InputKind::pe;
    if (is_pe && s->signatures.empty() && file.image && file.image->security_directory) {
      Finding f = make_finding(file, "the certificate table holds no usable signature");
      for (const std::string& p : s->problems) f.evidence.push_back(p);
      out.push_back(std::move(f));
      return;
    }
    for (const sig::Signature& g : s->signatures) {
      const std::string label = sig_rules::signature_label(*s, g);
      if (is_pe && s->authenticode && !g.digest_matches) {
        Finding f = make_finding(file, fmt::format("{}: the signed Authenticode digest does not match the file; "
                                                   "the image was modified after signing",
                                                   label));
        f.evidence.push_back(fmt::format("signed {} digest {}", g.digest_algorithm, g.signed_digest));
        if (g.digest_algorithm == "sha1") f.evidence.push_back(fmt::format("file's Authenticode SHA-1 {}", s->authenticode->sha1));
        if (g.digest_algorithm == "sha256")
          f.evidence.push_back(fmt::format("file's Authenticode SHA-256 {}", s->authenticode->sha256));
        f.evidence.push_back(sig_rules::signer_evidence(g));
        out.push_back(std::move(f));
      }
      if (!g.signature_valid) {
        Finding f = make_finding(file, fmt::format("{}: the PKCS#7 signature does not verify with the signer's "
                                                   "certificate (or the signer certificate is missing)",
                                                   label));
        f.evidence.push_back(sig_rules::signer_evidence(g));
        out.push_back(std::move(f));
      }
    }
  }
};

DRVSEC_REGISTER_RULE(InvalidSignature);

}  // namespace
}  // namespace drvsec
