#include "binary/memory_integrity_calls.h"

#include <algorithm>

#include "binary/call_operands.h"

namespace drvsec {

namespace {

using namespace disasm;
using I = MemoryIntegrityIssue;

enum class Test { pool_type, pool_flags, lookaside_flags, protection, mdl_priority };

struct CallSpec {
  std::string_view api;
  I issue;
  Test test;
  uint32_t x64_arg, x86_arg;  // x86 slots count 64-bit arguments (PHYSICAL_ADDRESS) twice
};

constexpr CallSpec kCalls[] = {
    {"ExAllocatePool", I::executable_pool, Test::pool_type, 0, 0},
    {"ExAllocatePoolWithTag", I::executable_pool, Test::pool_type, 0, 0},
    {"ExAllocatePoolWithQuota", I::executable_pool, Test::pool_type, 0, 0},
    {"ExAllocatePoolWithQuotaTag", I::executable_pool, Test::pool_type, 0, 0},
    {"ExAllocatePoolWithTagPriority", I::executable_pool, Test::pool_type, 0, 0},
    {"ExAllocatePool2", I::executable_pool, Test::pool_flags, 0, 0},
    {"ExAllocatePool3", I::executable_pool, Test::pool_flags, 0, 0},
    {"ExInitializeNPagedLookasideList", I::executable_pool, Test::lookaside_flags, 3, 3},
    {"ExInitializeLookasideListEx", I::executable_pool, Test::pool_type, 3, 3},
    {"MmMapIoSpaceEx", I::executable_protection, Test::protection, 2, 3},
    {"ZwAllocateVirtualMemory", I::executable_protection, Test::protection, 5, 5},
    {"ZwProtectVirtualMemory", I::executable_protection, Test::protection, 3, 3},
    {"MmProtectMdlSystemAddress", I::executable_protection, Test::protection, 1, 1},
    {"ZwCreateSection", I::executable_protection, Test::protection, 4, 4},
    {"ZwMapViewOfSection", I::executable_protection, Test::protection, 9, 9},
    {"MmAllocateContiguousNodeMemory", I::executable_protection, Test::protection, 4, 7},
    {"MmMapLockedPagesSpecifyCache", I::executable_mdl_mapping, Test::mdl_priority, 5, 5},
};

const CallSpec* find_call(std::string_view api) {
  for (const CallSpec& c : kCalls)
    if (c.api == api) return &c;
  return nullptr;
}

bool executable(Test t, uint64_t v, bool x86) {
  switch (t) {
    case Test::pool_type: return pool_type_is_executable(v, x86);
    case Test::pool_flags: return pool_flags_are_executable(v, x86);
    case Test::lookaside_flags: return (v & 0x200) == 0;  // POOL_NX_ALLOCATION not given
    case Test::protection: return protection_is_executable(v);
    case Test::mdl_priority: return mdl_priority_is_executable(v);
  }
  return false;
}

}  // namespace

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
  // Only functions that can call one of kCalls get the value analysis: those with a resolved call
  // to one, and those with unresolved indirect calls when the image imports one at all (the
  // value tracker may resolve `call rax` to its IAT slot).
  bool imports_any = false;
  for (const auto& m : code.image().imports)
    for (const auto& f : m.functions) imports_any |= find_call(f.name) != nullptr;
  if (!imports_any) return;
  for (const auto& function_entry : code.functions()) {
    // Plain names, not structured bindings: the lambda below captures them (clang 14 cannot).
    const uint32_t entry = function_entry.first;
    const auto& f = function_entry.second;
    const bool relevant = std::any_of(f->calls.begin(), f->calls.end(), [](const CallSite& c) {
      return c.kind == CallKind::indirect || (c.import && find_call(c.import->name));
    });
    if (!relevant) continue;
    ValueAnalysis va(code, *f, {});
    va.for_each([&](const Instruction& insn, const State& st) {
      if (!insn.is_call() && !insn.is_jmp()) return;
      const CallSite* c = f->call_at(insn.rva);
      if (!c) return;
      const ImportRef* imp = va.import_called(insn, st);
      const CallSpec* spec = imp ? find_call(imp->name) : nullptr;
      if (!spec) return;
      MemoryIntegrityCall call;
      call.issue = spec->issue;
      call.api = imp->name;
      call.rva = insn.rva;
      call.function_rva = entry;
      call.argument_index = x86 ? spec->x86_arg : spec->x64_arg;
      call.value = call_argument_at(st, insn, call.argument_index).as_constant();
      if (call.value && spec->test != Test::pool_flags) *call.value &= 0xFFFFFFFFu;  // 32-bit parameters
      call.executable = call.value && executable(spec->test, *call.value, x86);
      call.provenance = provenance_at(insn.rva, "call argument");
      model.memory_integrity_calls.push_back(std::move(call));
    });
  }
  std::sort(model.memory_integrity_calls.begin(), model.memory_integrity_calls.end(),
            [](const auto& a, const auto& b) { return a.rva < b.rva; });
}

}  // namespace drvsec
