#include "binary/memory_integrity_calls.h"

#include <algorithm>

#include "binary/call_operands.h"
#include "binary/kernel_platform.h"

namespace drvsec {

namespace {

using namespace disasm;
using ddi::Role;

// Whether the constant argument of `role` makes the memory executable.
bool executable(Role role, uint64_t v, bool x86) {
  switch (role) {
    case Role::pool_type: return pool_type_is_executable(v, x86);
    case Role::pool_flags: return pool_flags_are_executable(v, x86);
    case Role::lookaside_flags: return (v & 0x200) == 0;  // POOL_NX_ALLOCATION not given
    case Role::page_protection: return protection_is_executable(v);
    case Role::mdl_priority: return mdl_priority_is_executable(v);
    default: return false;
  }
}

}  // namespace

std::optional<MemoryIntegrityArgument> memory_integrity_argument(std::string_view api) {
  using I = MemoryIntegrityIssue;
  const ddi::Function* f = ddi::find(api);
  if (!f) return std::nullopt;
  for (const ddi::Parameter& p : f->parameters) {
    switch (p.role) {
      case Role::pool_type: case Role::pool_flags: case Role::lookaside_flags:
        return MemoryIntegrityArgument{f, &p, I::executable_pool};
      case Role::page_protection:
        return MemoryIntegrityArgument{f, &p, I::executable_protection};
      case Role::mdl_priority:
        return MemoryIntegrityArgument{f, &p, I::executable_mdl_mapping};
      default:
        break;
    }
  }
  return std::nullopt;
}

bool pool_type_is_executable(uint64_t pool_type, bool x86) {
  if (pool_type & 0x200) return false;         // POOL_NX_ALLOCATION / NonPagedPoolNx
  const uint64_t base = pool_type & 0x27;      // drop QUOTA_FAIL (8), RAISE (0x10), COLD (0x100), ZERO (0x400)
  const bool non_paged = (base & 1) == 0;      // 0,2,4,6 and the session variants 32..38
  return non_paged || x86;                     // paged pool is executable on x86
}

bool pool_flags_are_executable(uint64_t flags, bool x86) {
  return (flags & 0x80) != 0 || (x86 && (flags & 0x100) != 0);  // NON_PAGED_EXECUTE, or PAGED on x86
}

bool protection_is_executable(uint64_t protection) { return (protection & 0xF0) != 0; }

bool mdl_priority_is_executable(uint64_t priority) { return (priority & 0x40000000) == 0; }

void find_memory_integrity_calls(CodeModel& code, DriverModel& model) {
  const bool x86 = code.arch() == Arch::x86;
  const ddi::Architecture arch = ddi_architecture(code.arch());
  // Only functions that can call a DDI with a memory-integrity argument get the value analysis:
  // those with a resolved call to one, and those with unresolved indirect calls when the image
  // imports one at all (the value tracker may resolve `call rax` to its IAT slot).
  bool imports_any = false;
  for (const auto& m : code.image().imports)
    for (const auto& f : m.functions) imports_any |= memory_integrity_argument(f.name).has_value();
  if (!imports_any) return;
  for (const auto& function_entry : code.functions()) {
    // Plain names, not structured bindings: the lambda below captures them (clang 14 cannot).
    const uint32_t entry = function_entry.first;
    const auto& f = function_entry.second;
    const bool relevant = std::any_of(f->calls.begin(), f->calls.end(), [](const CallSite& c) {
      return c.kind == CallKind::indirect || (c.import && memory_integrity_argument(c.import->name));
    });
    if (!relevant) continue;
    ValueAnalysis va(code, *f, {});
    va.for_each([&](const Instruction& insn, const State& st) {
      if (!insn.is_call() && !insn.is_jmp()) return;
      const CallSite* c = f->call_at(insn.rva);
      if (!c) return;
      const ImportRef* imp = va.import_called(insn, st);
      const auto argument = imp ? memory_integrity_argument(imp->name) : std::nullopt;
      if (!argument) return;
      const ddi::Function& ddi_function = *argument->function;
      const ddi::Parameter& p = *argument->parameter;
      MemoryIntegrityCall call;
      call.issue = argument->issue;
      call.api = imp->name;
      call.rva = insn.rva;
      call.function_rva = entry;
      call.argument_index = ddi::argument_slot(ddi_function, p.index, arch);
      call.value = call_argument_at(st, insn, call.argument_index).as_constant();
      const bool wide = (ddi_function.wide_parameters >> p.index) & 1u;  // POOL_FLAGS; the others are 32-bit
      if (call.value && !wide) *call.value &= 0xFFFFFFFFu;
      call.executable = call.value && executable(p.role, *call.value, x86);
      call.provenance = provenance_at(insn.rva, "call argument");
      model.memory_integrity_calls.push_back(std::move(call));
    });
  }
  std::sort(model.memory_integrity_calls.begin(), model.memory_integrity_calls.end(),
            [](const auto& a, const auto& b) { return a.rva < b.rva; });
}

}  // namespace drvsec
