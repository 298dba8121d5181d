// CL-15: a signature that does not match the image (modified after signing) or does not verify
// cryptographically protects nothing; Windows refuses to load such a driver.
#include "rules/rule.h"
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
        add_page_evidence(file, g, f);
        out.push_back(std::move(f));
      } else if (is_pe && g.page_hashes && !g.page_hashes->mismatched.empty()) {
        // The digest covers the file, yet the signed page hashes disagree: Windows checks pages as it
        // maps them, so such an image fails to load page by page.
        Finding f = make_finding(file, fmt::format("{}: the signed page hashes do not match {} page(s) of the image", label,
                                                   g.page_hashes->mismatched.size()));
        add_page_evidence(file, g, f);
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

 private:
  // One line per page the signed page-hash table disagrees with, naming its file offset and section.
  static void add_page_evidence(const FileAnalysis& file, const sig::Signature& g, Finding& f) {
    if (!g.page_hashes) return;
    constexpr size_t kMaxListedPages = 16;
    const sig::PageHashCheck& check = *g.page_hashes;
    for (size_t i = 0; i < check.mismatched.size() && i < kMaxListedPages; ++i) {
      const uint64_t offset = check.mismatched[i];
      std::string where = offset == 0 ? "headers" : "outside any section";
      if (offset != 0 && file.image)
        for (const pe::Section& s : file.image->sections)
          if (offset >= s.raw_offset && offset - s.raw_offset < s.raw_size) {
            where = fmt::format("section '{}'", s.name);
            break;
          }
      f.evidence.push_back(fmt::format("tampered page: file offset 0x{:X} ({}): its {} page hash differs from the signed one",
                                       offset, where, check.algorithm));
    }
    if (check.mismatched.size() > kMaxListedPages)
      f.evidence.push_back(fmt::format("... and {} more tampered pages", check.mismatched.size() - kMaxListedPages));
    if (check.mismatched.empty())
      f.evidence.push_back(fmt::format("all {} signed {} page hashes match: the change is outside the hashed pages",
                                       check.pages, check.algorithm));
    for (const std::string& p : check.problems) f.evidence.push_back(p);
  }
};

DRVSEC_REGISTER_RULE(InvalidSignature);

}  // namespace
}  // namespace drvsec
