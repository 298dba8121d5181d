// Device security synthesis (issue #16 §3, the part a binary alone can tell): for each device object
// of a driver, where its security descriptor comes from (the SDDL the code gives IoCreateDeviceSecure
// or WDF, else the I/O manager's default for most device types), who can open it for read, write and
// all access, whether user mode can reach it at all, and the least trusted caller that can send each
// of the driver's IOCTLs through it (the IOCTL code's RequiredAccess against the granted rights).
//
// The default descriptor: for most device types and characteristics the I/O manager gives
// administrators GENERIC_ALL and everyone GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE (Microsoft
// Learn, "Controlling Device Access"; SYSTEM has all access too): "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGWGX;;;WD)".
// An INF (device or class Security) may replace it; the package step does not read INF security yet,
// so a default is reported as such, with less confidence.
#pragma once

#include <string_view>

#include "model/driver_model.h"

namespace drvsec {

inline constexpr std::string_view kDefaultDeviceSddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGWGX;;;WD)";

// Fills Device::security for every device of the model.
void synthesize_device_security(DriverModel& model);

}  // namespace drvsec
