// Finds dangerous primitives in a driver's code (guidance BP-1…BP-8, CL-5.10, CL-5.11) and
// attributes them to the IRP major functions and IOCTL codes that reach them:
//  - privileged instructions: rdmsr/wrmsr, in/out/ins/outs, mov to/from CRn/DRn, wbinvd/invd,
//    lgdt/lidt/ltr, xsetbv, cli/hlt (the last two only when a dispatch routine reaches them);
//  - calls of the DDIs the DDI table marks as a primitive (src/ddi/functions.cpp): physical
//    memory maps, memcpy-like copies, handle and PID uses, port and bus access, firmware
//    variables, MmMapLockedPages* into user mode (by its AccessMode), ZwMapViewOfSection when
//    \Device\PhysicalMemory is named; and Zw* routines given a handle from the request.
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

#include <string_view>
#include <vector>

#include "ddi/functions.h"
#include "disasm/code_model.h"
#include "model/driver_model.h"

namespace drvsec {

struct PrimitiveLimits {
  uint32_t max_call_depth = 6;      // helpers followed from a dispatch routine
  uint32_t max_contexts = 600;      // function analyses in the reachability walk
  uint32_t max_unreached_scans = 400;  // functions outside the walk analyzed for capability-only sites
};

// The operands a call of the primitive DDI `f` is described by: its parameters with an operand
// role (ddi::is_operand), in prototype order, read from their argument slots on `arch`. Exposed
// for tests.
struct PrimitiveCallOperand {
  std::string_view label;  // the parameter's label in the DDI table ("physical address")
  uint32_t slot = 0;       // the argument slot (ddi::argument_slot)
  bool address = false;    // a virtual address: caller-chosen only when the caller wrote the pointer itself
  bool by_reference = false;  // the argument points to the value
};
std::vector<PrimitiveCallOperand> primitive_call_operands(const ddi::Function& f, ddi::Architecture arch);

// Fills model.primitives and Ioctl::reachable_primitives. Expects recover_from_code to have run
// on the same CodeModel (dispatch routines and IOCTL handler blocks).
void find_primitives(disasm::CodeModel& code, DriverModel& model, const PrimitiveLimits& limits = {});

}  // namespace drvsec
