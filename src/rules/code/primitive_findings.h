// Shared by the prim-* rules: turns the model's PrimitiveUse records of one kind into findings
// with the severity/confidence ladder capability < reachable < reachable with caller-controlled
// operands and no dominating range check. Reads only the DriverModel.
#pragma once

#include <map>
#include <string>

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

// Which prim-* rule reports the primitives of a kind: filled as the rules are registered, so the
// IOCTL-level rules refer to those findings by rule id instead of restating them.
inline std::map<PrimitiveKind, std::string>& rule_ids_by_kind() {
  static std::map<PrimitiveKind, std::string> ids;
  return ids;
}
inline std::string rule_for(PrimitiveKind kind) {
  const auto& ids = rule_ids_by_kind();
  auto it = ids.find(kind);
  return it == ids.end() ? std::string(to_string(kind)) : it->second;
}

// A prim-* rule: its metadata and which primitives it reports.
class PrimitiveRule : public Rule {
 public:
  PrimitiveRule(RuleInfo info, Options options) : info_(std::move(info)), opt_(options) {
    rule_ids_by_kind().emplace(opt_.kind, info_.id);
  }
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
    // One finding per site, naming every IOCTL that reaches it (the per-IOCTL view is the IOCTL rules').
    std::string where;
    if (!u.ioctls.empty()) {
      constexpr size_t kNamed = 4;
      std::string codes;
      for (size_t i = 0; i < u.ioctls.size() && i < kNamed; ++i) codes += (i ? ", " : "") + hex(u.ioctls[i]);
      if (u.ioctls.size() > kNamed) codes += fmt::format(" and {} more", u.ioctls.size() - kNamed);
      where = fmt::format(" ({} {})", u.ioctls.size() == 1 ? "IOCTL" : "IOCTLs", codes);
      if (u.ioctls.size() > 1) {
        std::string all;
        for (uint32_t code : u.ioctls) all += (all.empty() ? "" : ", ") + hex(code);
        evidence.push_back("reached by IOCTLs " + all);
      }
    }
    Finding f = make_finding(file, fmt::format("{} `{}` at {}{}: {}", opt.subject, u.what, hex(u.rva), where, state));
    f.severity = sev;
    f.confidence = conf;
    at_code(f, *file.model, u.rva, u.function_rva);
    f.evidence = std::move(evidence);
    if (u.ioctls.size() == 1) f.ioctl = u.ioctls.front();
    f.facts.push_back(u.id);
    for (uint32_t code : u.ioctls)
      for (const Ioctl& io : file.model->ioctls)
        if (io.code == code) f.facts.push_back(io.id);
    out.push_back(std::move(f));
  }
}

}  // namespace drvsec::primitive_findings

