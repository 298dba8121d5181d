// `drvsec ioctl list`: the IOCTL interface recovered for each driver, as a table or JSON.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "model/driver_model.h"

namespace drvsec {

struct IoctlListEntry {
  std::string path;
  DriverModel model;
};

// One block per driver: where IRP_MJ_DEVICE_CONTROL is handled, then a row per IOCTL (code,
// device type, function, method, access, handler address), then what could not be recovered.
void write_ioctl_table(const std::vector<IoctlListEntry>& drivers, std::ostream& out);
// {"drivers": [{"path", "machine", "framework", "device_control_rva", "ioctls": [...], "recovery_notes": [...]}]}
// with ioctls[] as in the scan report's drivers[].ioctls[].
void write_ioctl_json(const std::vector<IoctlListEntry>& drivers, std::ostream& out);

}  // namespace drvsec
