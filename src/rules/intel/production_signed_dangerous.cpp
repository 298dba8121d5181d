// CL-16: production-signed (vendor Authenticode or Microsoft hardware/WHCP) drivers must not expose
// dangerous primitives: such a driver loads on every machine and is what "bring your own
// vulnerable driver" attacks carry along.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "rules/rule.h"

namespace drvsec {
namespace {

bool dangerous(CapabilityCategory c) {
  switch (c) {
    case CapabilityCategory::physical_memory:
    case CapabilityCategory::user_mapping:
    case CapabilityCategory::process_control:
    case CapabilityCategory::port_io:
    case CapabilityCategory::firmware:
      return true;
    default:
      return false;
  }
}

std::string_view signer_label(sig::SignerKind k) {
  return k == sig::SignerKind::microsoft_hardware ? "Microsoft hardware (WHCP/attestation)" : "vendor production";
}

class ProductionSignedDangerous final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "sig-production-signed-dangerous",
        .title = "Production-signed driver exposes dangerous primitives",
        .severity = Severity::error,
        .confidence = Confidence::medium,
        .levels = "confidence high when code analysis shows a primitive reachable from an IOCTL; low when the "
                  "production signature does not verify",
        .checklist = {"CL-16"},
        .cwe = {"CWE-749"},
        .applies_to = "signed kernel drivers (binaries), every machine",
    };
    return meta;
  }

  void check(const FileAnalysis& file, std::vector<Finding>& out) const override {
    if (!file.signature || !file.model || !file.model->is_kernel_driver) return;
    const sig::Signature* production = nullptr;
    for (const sig::Signature& s : file.signature->signatures)
      if (s.kind == sig::SignerKind::vendor || s.kind == sig::SignerKind::microsoft_hardware) {
        production = &s;
        break;
      }
    if (!production) return;

    std::set<std::string> categories;
    std::vector<std::string> evidence, facts;
    for (const Capability& c : file.model->capabilities) {
      if (!dangerous(c.category)) continue;
      facts.push_back(c.id);
      categories.insert(std::string(to_string(c.category)));
      evidence.push_back(fmt::format("{}: {}{}", to_string(c.category), c.api, c.module.empty() ? "" : " (" + c.module + ")"));
    }
    // Primitives the code analysis proved reachable from an IOCTL handler are stronger evidence than imports.
    std::vector<std::string> reachable;
    for (const Ioctl& io : file.model->ioctls)
      for (const std::string& id : io.reachable_primitives)
        if (const PrimitiveUse* u = file.model->primitive(id)) {
          reachable.push_back(fmt::format("IOCTL 0x{:08X} reaches {}", io.code, describe(*u)));
          facts.push_back(io.id);
          facts.push_back(id);
        }
    if (categories.empty() && reachable.empty()) return;

    const std::string signer = production->chain.empty() ? std::string("unknown signer") : production->chain.front().subject_cn;
    Finding f = make_finding(
        file, fmt::format("{}-signed driver (signer '{}') exposes dangerous primitives: {}", signer_label(production->kind),
                          signer, categories.empty() ? std::string("reachable from IOCTLs") : fmt::format("{}", fmt::join(categories, ", "))));
    // Reachable from an IOCTL: high; imports alone show a capability, not its exposure: medium.
    f.confidence = reachable.empty() ? Confidence::medium : Confidence::high;
    if (!production->digest_matches || !production->signature_valid) {
      f.confidence = Confidence::low;
      f.evidence.push_back("the production signature does not verify (digest mismatch or bad PKCS#7 signature)");
    }
    f.evidence.push_back(fmt::format("signed by '{}'{}", signer,
                                     production->chain.size() > 1 ? " issued by '" + production->chain[1].subject_cn + "'" : ""));
    for (auto& e : reachable) f.evidence.push_back(std::move(e));
    for (auto& e : evidence) f.evidence.push_back(std::move(e));
    std::sort(facts.begin(), facts.end());
    facts.erase(std::unique(facts.begin(), facts.end()), facts.end());
    f.facts = std::move(facts);
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(ProductionSignedDangerous);

}  // namespace
}  // namespace drvsec
