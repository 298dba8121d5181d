// Memory-integrity (HVCI) checks from call arguments, the three categories Driver Verifier and
// the HLK only see at run time, made static (guidance §2):
//  - HV-2 executable pool: the POOL_TYPE of ExAllocatePool*/lookaside initialization, the
//    POOL_FLAGS of ExAllocatePool2/3 (POOL_FLAG_NON_PAGED_EXECUTE);
//  - HV-3 executable protection: PAGE_EXECUTE* to MmMapIoSpaceEx, ZwAllocateVirtualMemory,
//    ZwProtectVirtualMemory, MmProtectMdlSystemAddress, ZwCreateSection, ZwMapViewOfSection,
//    MmAllocateContiguousNodeMemory;
//  - HV-4 executable MDL mapping: the priority of MmMapLockedPagesSpecifyCache (what
//    MmGetSystemAddressForMdlSafe expands to) without MdlMappingNoExecute.
// Every call is recorded with its argument when it is a constant; an argument that could not be
// determined is recorded as unknown (value empty), not dropped.
#pragma once

#include "model/driver_model.h"
#include "disasm/code_model.h"

namespace drvsec {

// Fills model.memory_integrity_calls from every analyzed function (call after analyze_all).
void find_memory_integrity_calls(disasm::CodeModel& code, DriverModel& model);

// Decisions on constant arguments (guidance §0), exposed for tests.
bool pool_type_is_executable(uint64_t pool_type, bool x86);
bool pool_flags_are_executable(uint64_t flags, bool x86);
bool protection_is_executable(uint64_t protection);
bool mdl_priority_is_executable(uint64_t priority);

}  // namespace drvsec
