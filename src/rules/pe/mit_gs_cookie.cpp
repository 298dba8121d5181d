// BinSkim BA2011-BA2014: /GS protects stack frames with a cookie that the loader randomizes.
// The loader finds it through the load configuration's SecurityCookie field, so a driver with a
// load configuration that registers no cookie, or a cookie outside the image, runs
// with a constant (or no) cookie. Images without a load configuration (GNU toolchains) are not
// judged: their stack protector, if any, does not use this mechanism.
#include <fmt/format.h>

#include "rules/rule.h"
#include "rules/pe/pe_rule_support.h"

namespace drvsec {
namespace {

class GsCookie final : public PeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo meta{
        .id = "mit-gs-cookie",
        .title = "Load configuration registers no usable /GS security cookie",
        .severity = Severity::warning,
        .confidence = Confidence::medium,
        .checklist = {"CL-15"},
        .cwe = {"CWE-693", "CWE-121"},
        .applies_to = "kernel drivers with a load configuration directory, every machine",
        .related = {"BinSkim BA2011", "BinSkim BA2012", "BinSkim BA2013", "BinSkim BA2014"},
    };
    return meta;
  }

  void check_image(const FileAnalysis& file, const pe::Image& image, std::vector<Finding>& out) const override {
    if (!image.load_config) return;
    const pe::LoadConfig& lc = *image.load_config;
    const uint64_t cookie_va = lc.security_cookie_va.value_or(0);

    std::string problem;
    if (cookie_va == 0) {
      problem = "the load configuration registers no /GS security cookie";
    } else {
      const std::optional<uint32_t> rva = image.va_to_rva(cookie_va);
      const pe::Section* holder = rva ? image.section_at_rva(*rva) : nullptr;
      if (!holder) problem = "the /GS security cookie address lies outside the image's sections";
    }
    if (problem.empty()) return;

    Finding f = make_finding(file, problem);
    f.evidence.push_back(lc.security_cookie_va
                             ? fmt::format("load configuration SecurityCookie = 0x{:X}", cookie_va)
                             : fmt::format("load configuration Size {} does not reach the SecurityCookie field", lc.size));
    if (lc.guard_flags && (*lc.guard_flags & pe::guard::security_cookie_unused))
      f.evidence.push_back("GuardFlags has IMAGE_GUARD_SECURITY_COOKIE_UNUSED (0x800): the image says it does not use /GS");
    out.push_back(std::move(f));
  }
};

DRVSEC_REGISTER_RULE(GsCookie);

}  // namespace
}  // namespace drvsec
