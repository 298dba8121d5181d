// The Windows kernel as the disassembly layer sees it (disasm::Platform), built from the DDI table
// and the structure layouts (src/ddi/): the I/O manager's fields the value tracker follows
// (DRIVER_OBJECT.DriverExtension, IRP.AssociatedIrp.SystemBuffer, IRP.UserBuffer,
// IRP.Tail.Overlay.CurrentStackLocation, IO_STACK_LOCATION.Parameters.DeviceIoControl.*) and the
// routines whose calls it models (no-return routines, RtlInitUnicodeString, KMDF's
// WdfRequestRetrieve*Buffer), with their arguments' slots on the architecture.
#pragma once

#include <string_view>
#include <vector>

#include "ddi/functions.h"
#include "disasm/platform.h"

namespace drvsec {

ddi::Architecture ddi_architecture(disasm::Arch arch);
const disasm::Platform& kernel_platform(disasm::Arch arch);
// The platform of the image's machine (x86, else x64: CodeModel refuses other machines).
const disasm::Platform& kernel_platform(const pe::Image& image);

// The value tracker's view of a driver routine's parameters at entry, from its prototype in the
// DDI table (ddi::callbacks(): "DriverEntry", "DRIVER_DISPATCH", "EvtIoDeviceControl", ...): the
// I/O manager's structures and request values by their role, unknown for the others.
std::vector<disasm::Value> callback_arguments(std::string_view callback);

}  // namespace drvsec
