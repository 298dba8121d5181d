// Shared by the prim-* rules: turns the model's PrimitiveUse records of one kind into findings
// with the severity/confidence ladder capability < reachable < reachable with caller-controlled
// operands and no dominating range check. Reads only the DriverModel.
#pragma once

#include <fmt/format.h>

#include "rules/rule.h"

namespace drvsec::primitive_findings {

struct Options {
  PrimitiveKind kind;
  const char* subject;            // "MSR access", "port I/O", ...
  bool only_controlled = false;   // e.g. memcpy: only a copy with caller-chosen operands is a primitive
};

// RuleInfo::levels of the rules whose findings follow the ladder below (the defaults are error, high).
inline constexpr const char* kReachabilityLevels =
    "warning with medium confidence when a request reaches it but no operand is shown to be caller-controlled "
    "without a range check; note with low confidence when no dispatch routine or KMDF queue callback reaches it "
    "(a capability)";

inline std::string hex(uint64_t v) { return fmt::format("0x{:X}", v); }

// A prim-* rule: its metadata and which primitives it reports.
class PrimitiveRule : public Rule {
 public:
  PrimitiveRule(RuleInfo info, Options options) : info_(std::move(info)), opt_(options) {}
  const RuleInfo& info() const override { return info_; }
  void check(const FileAnalysis& file, std::vector<Finding>& out) const override;

 private:
  RuleInfo info_;
  Options opt_;
};

inline void PrimitiveRule::check(const FileAnalysis& file, std::vector<Finding>& out) const {
  const Options& opt = opt_;
  if (!file.model) return;
  for (const PrimitiveUse& u : file.model->primitives) {
    if (u.kind != opt.kind) continue;
    const bool controlled = u.controlled();
    if (opt.only_controlled && !controlled) continue;
    std::vector<std::string> evidence;
    if (!u.call_path.empty()) {
      std::string path;
      for (uint32_t f : u.call_path) path += (path.empty() ? "" : " -> ") + file.model->function_label(f);
      evidence.push_back("call path: " + path);
    }
    std::string majors;
    for (uint8_t m : u.majors) majors += (majors.empty() ? "" : ", ") + irp_major_name(m);
    if (!majors.empty()) evidence.push_back("reached from " + majors);
    for (const PrimitiveOperand& o : u.operands)
      evidence.push_back(fmt::format("{}: {}{}", o.role, o.source,
                                     o.controlled ? (o.range_checked ? " (caller-controlled, range-checked)" : " (caller-controlled, no range check)")
                                                  : ""));
    if (!u.note.empty()) evidence.push_back(u.note);
    Severity sev = Severity::note;
    Confidence conf = Confidence::low;
    std::string state = "present in code not reached from a dispatch routine or KMDF queue callback (capability)";
    if (u.reachable()) {
      sev = controlled ? Severity::error : Severity::warning;
      conf = controlled ? Confidence::high : Confidence::medium;
      state = controlled ? "reachable from a request with caller-controlled operands and no range check"
                         : "reachable from a request; operands not shown to be caller-controlled";
    }
    auto emit = [&](std::optional<uint32_t> ioctl) {
      std::string where = ioctl ? fmt::format(" (IOCTL {})", hex(*ioctl)) : "";
      Finding f = make_finding(file, fmt::format("{} `{}` at {}{}: {}", opt.subject, u.what, hex(u.rva), where, state));
      f.severity = sev;
      f.confidence = conf;
      at_code(f, *file.model, u.rva, u.function_rva);
      f.evidence = evidence;
      f.ioctl = ioctl;
      f.facts.push_back(u.id);
      if (ioctl)
        for (const Ioctl& io : file.model->ioctls)
          if (io.code == *ioctl) f.facts.push_back(io.id);
      out.push_back(std::move(f));
    };
    if (u.ioctls.empty()) emit(std::nullopt);
    for (uint32_t code : u.ioctls) emit(code);
  }
}

}  // namespace drvsec::primitive_findings

