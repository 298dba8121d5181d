#include "model/fact_ids.h"

#include <map>

#include <fmt/format.h>

namespace drvsec {

namespace {

// Hands out ids, numbering repeats of a subject: "ioctl/0x10", "ioctl/0x10#2".
class IdMaker {
 public:
  std::string operator()(std::string id) {
    const unsigned n = ++seen_[id];
    return n == 1 ? id : fmt::format("{}#{}", id, n);
  }

 private:
  std::map<std::string, unsigned> seen_;
};

std::string hex(uint64_t v) { return fmt::format("0x{:X}", v); }

}  // namespace

std::string ioctl_id(uint32_t code) { return "ioctl/" + hex(code); }

std::string primitive_id(const PrimitiveUse& u) { return "primitive/" + hex(u.rva); }

void assign_fact_ids(DriverModel& m) {
  IdMaker make;
  for (Capability& c : m.capabilities)
    c.id = make("capability/" + (c.module.empty() ? c.api : c.module + "!" + c.api));
  for (Device& d : m.devices) d.id = make("device/" + (d.name.empty() ? std::string("unnamed") : d.name));
  for (SymbolicLink& l : m.links) l.id = make("link/" + l.name);
  for (DeviceInterface& i : m.interfaces)
    i.id = make("interface/" + (i.class_guid.empty() ? std::string("unknown") : i.class_guid));
  for (DispatchRoutine& d : m.dispatch) d.id = make("dispatch/" + irp_major_name(d.major));
  for (PrimitiveUse& u : m.primitives) u.id = make(primitive_id(u));
  for (MemoryIntegrityCall& c : m.memory_integrity_calls) c.id = make("memory-integrity/" + hex(c.rva));
  for (PartialIoctlDispatch& d : m.partial_ioctl_dispatch)
    d.id = make("partial-ioctl-dispatch/" + hex(d.provenance.at.rva.value_or(d.function_rva)));
  if (m.kmdf)
    for (KmdfQueueCallback& q : m.kmdf->queue_callbacks) q.id = make("queue-callback/" + q.callback);
  for (Ioctl& io : m.ioctls) io.id = make(ioctl_id(io.code));
}

}  // namespace drvsec
