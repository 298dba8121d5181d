// Finds dangerous primitives in a driver's code (guidance BP-1…BP-8, CL-5.10, CL-5.11) and
// attributes them to the IRP major functions and IOCTL codes that reach them:
//  - privileged instructions: rdmsr/wrmsr, in/out/ins/outs, mov to/from CRn/DRn, wbinvd/invd,
//    lgdt/lidt/ltr, xsetbv, cli/hlt (the last two only when a dispatch routine reaches them);
//  - calls of the APIs of the capability catalogue, memcpy-like copies, handle and PID uses,
//    MmMapLockedPages* into user mode, ZwMapViewOfSection when \Device\PhysicalMemory is named.
//
// Reachability: a walk over direct calls from every dispatch routine and KMDF I/O queue callback, with the value tracker's
// view of the arguments (so a SystemBuffer pointer passed to a helper stays one). In the
// functions that dispatch on IoControlCode, the blocks reachable from an IOCTL's handler block
// (without entering another IOCTL's handler or a compare on the code) belong to that IOCTL, and
// so does everything called from them.
//
// Operand provenance: the tracked value of each key operand at the site. "Range checked"
// (documented in docs/rules/prim-msr-access.md): a comparison of a value of the same request
// kind (buffer contents, or the same buffer length) against a constant ends a block that
// dominates the site, in its function or in a caller on the call path. It is deliberately
// coarse: any such dominating compare counts.
#pragma once

#include "model/driver_model.h"
#include "disasm/code_model.h"

namespace drvsec {

struct PrimitiveLimits {
  uint32_t max_call_depth = 6;      // helpers followed from a dispatch routine
  uint32_t max_contexts = 600;      // function analyses in the reachability walk
  uint32_t max_unreached_scans = 400;  // functions outside the walk analyzed for capability-only sites
};

// Fills model.primitives and Ioctl::reachable_primitives. Expects recover_from_code to have run
// on the same CodeModel (dispatch routines and IOCTL handler blocks).
void find_primitives(disasm::CodeModel& code, DriverModel& model, const PrimitiveLimits& limits = {});

}  // namespace drvsec
