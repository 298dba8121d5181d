// Stable ids of the driver model's facts, so findings and the views built on them (HTML report,
// threat model, checklist) can link evidence to facts instead of re-reading evidence strings.
//
// An id is "<kind>/<subject>", made from what the fact is about, never from its position:
//   capability/<module>!<api>  (a string: capability/<text>)   device/<name> (unnamed: device/unnamed)
//   link/<name>   interface/<class GUID> (not a constant: interface/unknown)
//   dispatch/<IRP_MJ_...>   ioctl/<code>   primitive/<rva>   memory-integrity/<rva>
//   partial-ioctl-dispatch/<rva of the jump or first compare>   queue-callback/<EvtIo...>
// Numbers are hexadecimal ("0x222003"). When two facts of a model have the same subject, the
// second gets "#2", the third "#3", in the model's order (which is deterministic). Ids are unique
// within one driver model: across a report, a fact is named by the finding's path and its id.
#pragma once

#include "model/driver_model.h"

namespace drvsec {

// Sets the id of every fact of the model; run once its producers are done (ids depend on content).
void assign_fact_ids(DriverModel& model);
// "primitive/<rva>": the model has one PrimitiveUse per site, so the id needs no numbering and its
// producer sets it (Ioctl::reachable_primitives refers to it).
std::string primitive_id(const PrimitiveUse& u);
// "ioctl/<code>" (hexadecimal, the reports' spelling): the id of the Ioctl fact of a code.
std::string ioctl_id(uint32_t code);

}  // namespace drvsec
