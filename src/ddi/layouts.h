// Structure layouts drvsec reads in a driver's code and data, for each architecture: the field
// offsets of the I/O manager's structures a driver receives (DRIVER_OBJECT, DRIVER_EXTENSION, IRP,
// IO_STACK_LOCATION) and of the KMDF structures a driver hands to the framework (WDF_BIND_INFO,
// WDF_DRIVER_CONFIG, WDF_IO_QUEUE_CONFIG).
//
// Every offset follows from the structure's declaration in the public WDK headers (wdm.h; KMDF's
// wdfdriver.h, wdfio.h, and WDF_BIND_INFO of the KMDF loader interface) with natural alignment:
// pointers are 4 bytes on x86 and 8 on x64, LARGE_INTEGER is 8-aligned on both, and
// POINTER_ALIGNMENT (IO_STACK_LOCATION's DeviceIoControl lengths) aligns to 8 on 64-bit Windows
// only. ARM64 has the x64 layout (the same pointer size and alignment; none of these structures has
// an architecture-specific field). tests/unit/ddi_test.cpp recomputes each offset from the
// declarations. Only the fields an analysis reads are listed: add one with the struct and field
// name it comes from.
#pragma once

#include <cstdint>

namespace drvsec::ddi {

enum class Architecture : uint8_t { x86, x64, arm64 };

// UNICODE_STRING (ntdef.h)
struct UnicodeStringLayout {
  uint32_t length;          // USHORT Length (bytes, without a terminating NUL)
  uint32_t maximum_length;  // USHORT MaximumLength
  uint32_t buffer;          // PWCH Buffer
};

// DRIVER_OBJECT (wdm.h)
struct DriverObjectLayout {
  uint32_t driver_extension;  // PDRIVER_EXTENSION DriverExtension
  uint32_t driver_unload;     // PDRIVER_UNLOAD DriverUnload
  uint32_t major_function;    // PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1]
};

// DRIVER_EXTENSION (wdm.h)
struct DriverExtensionLayout {
  uint32_t add_device;  // PDRIVER_ADD_DEVICE AddDevice
};

// IRP (wdm.h)
struct IrpLayout {
  uint32_t system_buffer;           // AssociatedIrp.SystemBuffer
  uint32_t user_buffer;             // UserBuffer
  uint32_t current_stack_location;  // Tail.Overlay.CurrentStackLocation
};

// IO_STACK_LOCATION (wdm.h), Parameters.DeviceIoControl
struct IoStackLocationLayout {
  uint32_t output_buffer_length;  // Parameters.DeviceIoControl.OutputBufferLength (ULONG)
  uint32_t input_buffer_length;   // Parameters.DeviceIoControl.InputBufferLength (ULONG)
  uint32_t io_control_code;       // Parameters.DeviceIoControl.IoControlCode (ULONG)
  uint32_t type3_input_buffer;    // Parameters.DeviceIoControl.Type3InputBuffer (PVOID)
};

// WDF_BIND_INFO (the KMDF loader interface WdfVersionBind takes)
struct WdfBindInfoLayout {
  uint32_t component;   // PWCHAR Component
  uint32_t major;       // WDF_VERSION Version.Major
  uint32_t minor;       // Version.Minor
  uint32_t build;       // Version.Build
  uint32_t func_count;  // ULONG FuncCount
  uint32_t func_table;  // WDFFUNC* FuncTable
  uint32_t size;        // sizeof(WDF_BIND_INFO) (after PVOID Module)
};

// WDF_DRIVER_CONFIG (wdfdriver.h)
struct WdfDriverConfigLayout {
  uint32_t evt_driver_device_add;  // PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd
  uint32_t evt_driver_unload;      // PFN_WDF_DRIVER_UNLOAD EvtDriverUnload
};

// WDF_IO_QUEUE_CONFIG (wdfio.h): the request callbacks
struct WdfIoQueueConfigLayout {
  uint32_t evt_io_default;                  // PFN_WDF_IO_QUEUE_IO_DEFAULT EvtIoDefault
  uint32_t evt_io_read;                     // PFN_WDF_IO_QUEUE_IO_READ EvtIoRead
  uint32_t evt_io_write;                    // PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite
  uint32_t evt_io_device_control;           // PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL EvtIoDeviceControl
  uint32_t evt_io_internal_device_control;  // PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL EvtIoInternalDeviceControl
};

struct Layouts {
  uint32_t pointer_size;
  UnicodeStringLayout unicode_string;
  DriverObjectLayout driver_object;
  DriverExtensionLayout driver_extension;
  IrpLayout irp;
  IoStackLocationLayout io_stack_location;
  WdfBindInfoLayout wdf_bind_info;
  WdfDriverConfigLayout wdf_driver_config;
  WdfIoQueueConfigLayout wdf_io_queue_config;
};

// The layouts of `arch` (arm64: the x64 ones).
const Layouts& layouts(Architecture arch);

}  // namespace drvsec::ddi
