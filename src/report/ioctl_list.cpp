#include "report/ioctl_list.h"

#include <fmt/format.h>

#include "base/terminal_text.h"
#include "model/ioctl_code.h"
#include "report/model_json.h"
#include "report/report.h"

namespace drvsec {

namespace {

// A KMDF driver's (first) EvtIoDeviceControl queue callback.
const KmdfQueueCallback* kmdf_device_control(const DriverModel& m) {
  if (m.kmdf)
    for (const KmdfQueueCallback& q : m.kmdf->queue_callbacks)
      if (q.callback == "EvtIoDeviceControl") return &q;
  return nullptr;
}

}  // namespace

void write_ioctl_table(const std::vector<IoctlListEntry>& drivers, std::ostream& out) {
  for (const auto& d : drivers) {
    const DriverModel& m = d.model;
    const DispatchRoutine* dc = m.dispatch_for(kIrpMjDeviceControl);
    out << fmt::format("{} ({}, {}): {} IOCTL{}", escape_for_terminal(d.path), m.machine, to_string(m.framework), m.ioctls.size(),
                       m.ioctls.size() == 1 ? "" : "s");
    const KmdfQueueCallback* evt = kmdf_device_control(m);
    if (dc) out << fmt::format(", IRP_MJ_DEVICE_CONTROL at 0x{:X}", dc->rva);
    else if (evt) out << fmt::format(", EvtIoDeviceControl at 0x{:X}", evt->rva);
    else out << ", no IRP_MJ_DEVICE_CONTROL routine found";
    out << '\n';
    if (!m.ioctls.empty()) {
      out << fmt::format("  {:<10}  {:<24}  {:<14}  {:<17}  {:<33}  {}\n", "CODE", "DEVICE TYPE", "FUNCTION", "METHOD",
                         "ACCESS", "HANDLER  PRIMITIVES (* = caller-controlled)");
      for (const Ioctl& io : m.ioctls) {
        const IoctlFields f = decode_ioctl(io.code);
        const auto type_name = device_type_name(f.device_type);
        const std::string type = type_name.empty() ? fmt::format("0x{:X}", f.device_type)
                                                   : fmt::format("0x{:X} {}", f.device_type, type_name);
        const std::string function =
            fmt::format("0x{:X}{}", f.function, f.function >= 0x800 ? " (vendor)" : "");
        const std::string handler = io.handler_rva ? fmt::format("0x{:X}", *io.handler_rva) : "?";
        std::string prims;
        for (const std::string& id : io.reachable_primitives)
          if (const PrimitiveUse* u = m.primitive(id))
            prims += (prims.empty() ? "" : ", ") + escape_for_terminal(u->what) + (u->controlled() ? "*" : "");
        out << fmt::format("  0x{:08X}  {:<24}  {:<14}  {:<17}  {:<33}  {:<7}  {}\n", io.code, type, function,
                           method_name(f.method), access_name(f.access), handler, prims);
      }
    }
    for (const RecoveryNote& n : m.recovery_notes)
      out << fmt::format("  note: {}: {}{}\n", escape_for_terminal(n.what), escape_for_terminal(n.why), n.provenance.at.rva ? fmt::format(" (0x{:X})", *n.provenance.at.rva) : "");
    out << '\n';
  }
}

void write_ioctl_json(const std::vector<IoctlListEntry>& drivers, std::ostream& out) {
  std::string text;
  JsonWriter w(text);
  w.begin_object();
  w.key("drivers").begin_array();
  for (const auto& d : drivers) {
    const DriverModel& m = d.model;
    w.begin_object();
    w.member("path", d.path);
    w.member("machine", m.machine);
    w.member("framework", to_string(m.framework));
    if (const DispatchRoutine* dc = m.dispatch_for(kIrpMjDeviceControl)) w.member("device_control_rva", hex(dc->rva));
    if (const KmdfQueueCallback* evt = kmdf_device_control(m)) w.member("evt_io_device_control_rva", hex(evt->rva));
    w.key("ioctls").begin_array();
    for (const Ioctl& io : m.ioctls) write_ioctl(w, io, m);
    w.end_array();
    w.key("recovery_notes").begin_array();
    for (const RecoveryNote& n : m.recovery_notes) {
      w.begin_object();
      w.member("what", n.what).member("why", n.why);
      if (n.provenance.at.rva) w.member("rva", hex(*n.provenance.at.rva));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out << text << '\n';
}

}  // namespace drvsec
