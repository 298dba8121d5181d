// Recovers a WDM driver's attack surface from its machine code into the DriverModel:
//  - from DriverEntry (and helpers it passes the DriverObject to): the stores into
//    DriverObject->MajorFunction[] (direct, vector, or a loop filling every slot), DriverUnload,
//    DriverExtension->AddDevice;
//  - devices: IoCreateDevice / IoCreateDeviceSecure arguments (name, type, characteristics,
//    exclusive, SDDL), a statically linked WdmlibIoCreateDeviceSecure (recognized by its SDDL
//    argument), IoCreateSymbolicLink names tied to their device, IoRegisterDeviceInterface;
//  - IOCTL codes in the IRP_MJ_DEVICE_CONTROL routine and the functions it passes the IRP to:
//    compare chains, subtract chains, binary-search trees and jump tables on IoControlCode.
// What could not be recovered is said in DriverModel::recovery_notes.
#pragma once

#include "model/driver_model.h"
#include "disasm/code_model.h"

namespace drvsec {

struct CodeRecoveryLimits {
  disasm::CodeLimits code;
  uint32_t max_call_depth = 4;        // helpers followed from DriverEntry / the dispatch routine
  uint32_t max_followed_calls = 256;  // function analyses per walk
};

// Fills the code-level fields of `model` (code_analyzed, driver_entry_rva, dispatch, ...).
void recover_from_code(const pe::Image& image, DriverModel& model, const CodeRecoveryLimits& limits = {});

// The same over a CodeModel the caller keeps (to reuse its functions for further analyses).
void recover_from_code(disasm::CodeModel& code, DriverModel& model, const CodeRecoveryLimits& limits = {});

}  // namespace drvsec
