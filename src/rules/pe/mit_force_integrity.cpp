// BinSkim BA2029: IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY (/INTEGRITYCHECK) makes the loader
// verify the image's signature even where signing is not otherwise enforced. Some kernel
// callback registrations refuse images without it (they return STATUS_ACCESS_DENIED), so a
// driver importing one of them is a warning; otherwise the missing flag is a note.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "ddi/functions.h"
#include "rules/pe/pe_rule_support.h"
#include "rules/rule.h"

namespace drvsec {
namespace {

class ForceIntegrity final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "mit-force-integrity",
        .title = "Image is not linked with /INTEGRITYCHECK",
        .severity = Severity::note,
        .confidence = Confidence::high,
        .levels = "warning when the driver imports a callback registration that fails without the flag "
                  "(ObRegisterCallbacks, PsSetCreateProcessNotifyRoutineEx(2))",
        .checklist = {"CL-15"},
        .cwe = {"CWE-693"},
        .applies_to = "kernel drivers, every machine",
        .related = {"BinSkim BA2029"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    if ((image.dll_characteristics & pe::dllchar::force_integrity)) return;

    // Registrations documented (or known) to fail without FORCE_INTEGRITY in the caller's image:
    // the DDI table's needs_force_integrity.
    std::vector<std::string> needing;  // sorted, unique: imports iterate in file order
    for (const pe::ImportedModule& m : image.imports)
      for (const pe::ImportedFunction& fn : m.functions)
        if (const ddi::Function* f = ddi::find(fn.name); f && f->has(ddi::needs_force_integrity))
          needing.push_back(fmt::format("{}!{}", m.dll, fn.name));
    std::sort(needing.begin(), needing.end());
    needing.erase(std::unique(needing.begin(), needing.end()), needing.end());

    Finding f = make_finding(
        file, needing.empty() ? "image is not linked with /INTEGRITYCHECK (FORCE_INTEGRITY)"
                              : "image imports callback registrations that fail without /INTEGRITYCHECK (FORCE_INTEGRITY)");
    if (!needing.empty()) f.severity = Severity::warning;
    f.evidence.push_back(pe_rules::dll_characteristics_evidence(image, "IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY",
                                                                pe::dllchar::force_integrity));
    for (const std::string& api : needing)
      f.evidence.push_back(fmt::format("imports {}, which returns STATUS_ACCESS_DENIED for images without FORCE_INTEGRITY", api));
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(ForceIntegrity);

}  // namespace
}  // namespace drvsec
