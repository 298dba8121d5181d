// The Driver Security Guidance items drvsec knows (ids as in shared/guidance/requirements.md):
// checklist (CL), memory integrity (HV), best practices (BP) and security model (SM). Findings
// cite these ids; reports use the catalogue to show what was checked and what a person must check.
#pragma once

#include <span>
#include <string_view>

namespace drvsec {

// How far the item can be decided from artifacts at all (not what this version implements:
// the rules that cite an item say that).
enum class CheckKind {
  automatic,  // decidable from the driver's files (exact checks)
  partial,    // heuristics, or only some inputs can show it
  manual,     // needs a person or a runtime tool
};
std::string_view to_string(CheckKind k);

struct ChecklistItem {
  std::string_view id;     // "CL-5.17", "HV-5", "BP-1", "SM-4"
  std::string_view title;  // paraphrased requirement
  CheckKind kind;
};

std::span<const ChecklistItem> checklist_catalog();
const ChecklistItem* find_checklist_item(std::string_view id);

}  // namespace drvsec
