#include "ddi/layouts.h"

namespace drvsec::ddi {

namespace {

// How each offset follows from the declarations (x64 / x86):
//
// UNICODE_STRING: USHORT Length, USHORT MaximumLength, PWCH Buffer (pointer-aligned: 8 / 4).
// DRIVER_OBJECT: CSHORT Type, CSHORT Size, PDEVICE_OBJECT DeviceObject (8 / 4), ULONG Flags
//   (0x10 / 0x08), PVOID DriverStart (0x18 / 0x0C), ULONG DriverSize (0x20 / 0x10), PVOID
//   DriverSection (0x28 / 0x14), PDRIVER_EXTENSION DriverExtension (0x30 / 0x18), UNICODE_STRING
//   DriverName (16 / 8 bytes at 0x38 / 0x1C), PUNICODE_STRING HardwareDatabase (0x48 / 0x24),
//   PFAST_IO_DISPATCH FastIoDispatch (0x50 / 0x28), PDRIVER_INITIALIZE DriverInit (0x58 / 0x2C),
//   PDRIVER_STARTIO DriverStartIo (0x60 / 0x30), PDRIVER_UNLOAD DriverUnload (0x68 / 0x34),
//   MajorFunction[] (0x70 / 0x38).
// DRIVER_EXTENSION: struct _DRIVER_OBJECT* DriverObject, PDRIVER_ADD_DEVICE AddDevice (8 / 4).
// IRP: CSHORT Type, USHORT Size, PMDL MdlAddress (8 / 4), ULONG Flags (0x10 / 0x08), the
//   AssociatedIrp union {MasterIrp, IrpCount, SystemBuffer} (0x18 / 0x0C), LIST_ENTRY
//   ThreadListHead (0x20 / 0x10), IO_STATUS_BLOCK IoStatus (16 / 8 bytes at 0x30 / 0x18), eight
//   one-byte fields RequestorMode … AllocationFlags (0x40 / 0x20), the UserIosb union (0x48 / 0x28),
//   PKEVENT UserEvent (0x50 / 0x2C), the Overlay union {AsynchronousParameters: two pointers;
//   LARGE_INTEGER AllocationSize} (16 / 8 bytes at 0x58 / 0x30), PDRIVER_CANCEL CancelRoutine
//   (0x68 / 0x38), PVOID UserBuffer (0x70 / 0x3C), then Tail (0x78 / 0x40), whose Overlay starts
//   with the union {KDEVICE_QUEUE_ENTRY DeviceQueueEntry; PVOID DriverContext[4]} (32 / 16
//   bytes), PETHREAD Thread (0x98 / 0x50), PCHAR AuxiliaryBuffer (0xA0 / 0x54), LIST_ENTRY
//   ListEntry (0xA8 / 0x58) and the union {CurrentStackLocation, PacketType} (0xB8 / 0x60).
// IO_STACK_LOCATION: four UCHARs (MajorFunction, MinorFunction, Flags, Control), the Parameters
//   union (pointer-aligned: 8 / 4), whose DeviceIoControl member is ULONG OutputBufferLength
//   (+0), ULONG POINTER_ALIGNMENT InputBufferLength (+8 / +4), ULONG POINTER_ALIGNMENT
//   IoControlCode (+0x10 / +8), PVOID Type3InputBuffer (+0x18 / +0x0C).
// WDF_BIND_INFO: ULONG Size, PWCHAR Component (8 / 4), WDF_VERSION Version {ULONG Major, Minor,
//   Build} (0x10 / 0x08), ULONG FuncCount (0x1C / 0x14), WDFFUNC* FuncTable (0x20 / 0x18), PVOID
//   Module (0x28 / 0x1C): 0x30 / 0x20 bytes.
// WDF_DRIVER_CONFIG: ULONG Size, PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd (8 / 4),
//   PFN_WDF_DRIVER_UNLOAD EvtDriverUnload (0x10 / 8), ULONG DriverInitFlags, ULONG DriverPoolTag.
// WDF_IO_QUEUE_CONFIG: ULONG Size, WDF_IO_QUEUE_DISPATCH_TYPE DispatchType, WDF_TRI_STATE
//   PowerManaged, BOOLEAN AllowZeroLengthRequests, BOOLEAN DefaultQueue (0x0D), then the callbacks
//   EvtIoDefault (0x10 on both), EvtIoRead, EvtIoWrite, EvtIoDeviceControl,
//   EvtIoInternalDeviceControl one pointer apart.
constexpr Layouts kX64{
    .pointer_size = 8,
    .unicode_string = {.length = 0, .maximum_length = 2, .buffer = 8},
    .driver_object = {.driver_extension = 0x30, .driver_unload = 0x68, .major_function = 0x70},
    .driver_extension = {.add_device = 0x08},
    .irp = {.system_buffer = 0x18, .user_buffer = 0x70, .current_stack_location = 0xB8},
    .io_stack_location = {.output_buffer_length = 0x08, .input_buffer_length = 0x10, .io_control_code = 0x18,
                          .type3_input_buffer = 0x20},
    .wdf_bind_info = {.component = 0x08, .major = 0x10, .minor = 0x14, .build = 0x18, .func_count = 0x1C,
                      .func_table = 0x20, .size = 0x30},
    .wdf_driver_config = {.evt_driver_device_add = 0x08, .evt_driver_unload = 0x10},
    .wdf_io_queue_config = {.evt_io_default = 0x10, .evt_io_read = 0x18, .evt_io_write = 0x20,
                            .evt_io_device_control = 0x28, .evt_io_internal_device_control = 0x30},
};

constexpr Layouts kX86{
    .pointer_size = 4,
    .unicode_string = {.length = 0, .maximum_length = 2, .buffer = 4},
    .driver_object = {.driver_extension = 0x18, .driver_unload = 0x34, .major_function = 0x38},
    .driver_extension = {.add_device = 0x04},
    .irp = {.system_buffer = 0x0C, .user_buffer = 0x3C, .current_stack_location = 0x60},
    .io_stack_location = {.output_buffer_length = 0x04, .input_buffer_length = 0x08, .io_control_code = 0x0C,
                          .type3_input_buffer = 0x10},
    .wdf_bind_info = {.component = 0x04, .major = 0x08, .minor = 0x0C, .build = 0x10, .func_count = 0x14,
                      .func_table = 0x18, .size = 0x20},
    .wdf_driver_config = {.evt_driver_device_add = 0x04, .evt_driver_unload = 0x08},
    .wdf_io_queue_config = {.evt_io_default = 0x10, .evt_io_read = 0x14, .evt_io_write = 0x18,
                            .evt_io_device_control = 0x1C, .evt_io_internal_device_control = 0x20},
};

}  // namespace

const Layouts& layouts(Architecture arch) { return arch == Architecture::x86 ? kX86 : kX64; }

}  // namespace drvsec::ddi
