// CL-15/CL-17: 64-bit Windows loads only signed kernel drivers (embedded signature or a signed
// catalog listing the driver's hash). A driver with neither cannot be installed as shipped.
#include "rules/rule.h"
#include "rules/sig/signature_facts.h"

namespace drvsec {
namespace {

class UnsignedDriver final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "sig-unsigned-driver",
        .title = "Kernel driver has no signature",
        .severity = Severity::warning,
        .confidence = Confidence::medium,
        .levels = "note for x86 drivers: 32-bit Windows does not enforce kernel-mode code signing for non-boot "
                  "drivers",
        .checklist = {"CL-15", "CL-17"},
        .cwe = {"CWE-347"},
        .applies_to = "kernel drivers (PE), every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    const sig::SignatureInfo* s = sig_rules::facts(file);
    if (!s || !file.model || !file.model->is_kernel_driver) return;
    if (!s->signatures.empty() || s->catalog) return;
    if (file.image && file.image->security_directory) return;  // a signature is there but broken: sig-invalid-signature
    Finding f = make_finding(file,
                             "kernel driver has no embedded Authenticode signature and no catalog among the scanned "
                             "inputs lists its hash");
    if (file.model->machine == "x86") {
      f.severity = Severity::note;  // 32-bit Windows loads unsigned non-boot drivers
      f.evidence.push_back("x86: 32-bit Windows does not enforce kernel-mode code signing for non-boot drivers");
    }
    f.evidence.push_back("no certificate table (security data directory is empty)");
    if (s->authenticode)
      f.evidence.push_back(fmt::format("Authenticode SHA-256 {} (the hash a catalog would list)", s->authenticode->sha256));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(UnsignedDriver);

}  // namespace
}  // namespace drvsec
