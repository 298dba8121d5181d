// CL-16: test-signed code must not ship. Test certificates are self-issued or come from well-known
// test roots (WDK "WDKTestCert", makecert "Root Agency", Microsoft test roots); such drivers load only
// with TESTSIGNING on, and a release built with them was never production-signed.
#include <algorithm>

#include "rules/rule.h"
#include "rules/sig/signature_facts.h"

namespace drvsec {
namespace {

class TestSigned final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "sig-test-signed",
        .title = "Signed with a test certificate",
        .severity = Severity::warning,
        .confidence = Confidence::high,
        .levels = "note with medium confidence when the file also carries a signature that is not a test signature",
        .checklist = {"CL-16", "CL-15"},
        .cwe = {"CWE-347"},
        .applies_to = "signed PE images and catalogs, every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const sig::SignatureInfo* s = sig_rules::facts(file);
    if (!s) return;
    const bool production_signature_too = std::any_of(s->signatures.begin(), s->signatures.end(), [](const sig::Signature& g) {
      return g.kind != sig::SignerKind::test && g.kind != sig::SignerKind::unknown;
    });
    for (const sig::Signature& g : s->signatures) {
      if (g.kind != sig::SignerKind::test) continue;
      Finding f = make_finding(file, fmt::format("{} uses a test certificate; the file loads only on machines with "
                                                 "test signing enabled",
                                                 sig_rules::signature_label(*s, g)));
      f.evidence.push_back(sig_rules::signer_evidence(g));
      if (!g.chain.empty() && g.chain.front().self_issued) f.evidence.push_back("the signer certificate is self-issued");
      if (production_signature_too) {
        // Another signature is not a test one: the file loads through it; the test signature is an extra.
        f.severity = Severity::note;
        f.confidence = Confidence::medium;
        f.evidence.push_back("the file also carries a signature that is not a test signature");
      }
      out.push_back(std::move(f));
    }
  }
};

DRVSEC_REGISTER_RULE(TestSigned);

}  // namespace
}  // namespace drvsec
