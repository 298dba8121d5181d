// Memory-integrity (HVCI) checks from call arguments, the three categories Driver Verifier and
// the HLK only see at run time, made static (guidance §2):
//  - HV-2 executable pool: the POOL_TYPE of ExAllocatePool*/lookaside initialization, the
//    POOL_FLAGS of ExAllocatePool2/3 (POOL_FLAG_NON_PAGED_EXECUTE);
//  - HV-3 executable protection: PAGE_EXECUTE* to MmMapIoSpaceEx, ZwAllocateVirtualMemory,
//    ZwProtectVirtualMemory, MmProtectMdlSystemAddress, ZwCreateSection, ZwMapViewOfSection,
//    MmAllocateContiguousNodeMemory;
//  - HV-4 executable MDL mapping: the priority of MmMapLockedPagesSpecifyCache (what
//    MmGetSystemAddressForMdlSafe expands to) without MdlMappingNoExecute.
// Which routines these are, and which of their parameters decides, is the DDI table's: the
// parameter with a memory-integrity role (ddi::Role::pool_type, pool_flags, lookaside_flags,
// page_protection, mdl_priority), read from its argument slot on the image's architecture.
// Every call is recorded with its argument when it is a constant; an argument that could not be
// determined is recorded as unknown (value empty), not dropped.
#pragma once

#include <optional>

#include "ddi/functions.h"
#include "disasm/code_model.h"
#include "model/driver_model.h"

namespace drvsec {

// Fills model.memory_integrity_calls from every analyzed function (call after analyze_all).
void find_memory_integrity_calls(disasm::CodeModel& code, DriverModel& model);

// The parameter of a call of `api` that decides whether the memory is executable (at most one
// parameter of a DDI has a memory-integrity role) and the issue it is; nullopt when `api` is not
// in the DDI table or has no such parameter.
struct MemoryIntegrityArgument {
  const ddi::Function* function;
  const ddi::Parameter* parameter;
  MemoryIntegrityIssue issue;
};
std::optional<MemoryIntegrityArgument> memory_integrity_argument(std::string_view api);

// Decisions on constant arguments (guidance §0), exposed for tests.
bool pool_type_is_executable(uint64_t pool_type, bool x86);
bool pool_flags_are_executable(uint64_t flags, bool x86);
bool protection_is_executable(uint64_t protection);
bool mdl_priority_is_executable(uint64_t priority);

}  // namespace drvsec
