#include "ddi/functions.h"

#include <algorithm>
#include <bit>

#include "ddi/wdf_function_table.h"

namespace drvsec::ddi {

namespace {

using C = CapabilityCategory;
using K = PrimitiveKind;
using R = Role;

constexpr std::string_view kNt = "ntoskrnl.exe";
constexpr std::string_view kHal = "hal.dll";
constexpr std::string_view kWdmsec = "wdmsec.lib";  // a static library: drivers link it in (WdmlibIoCreateDeviceSecure)
constexpr std::string_view kWdfLoader = "wdfldr.sys";
constexpr std::string_view kWdf = kWdfFunctionTableModule;  // routines of the KMDF function table

// Prototypes from the WDK documentation; `why` is the line docs/api-catalog.md shows.
const std::vector<Function>& table() {
  static const std::vector<Function> t = {
      // ------------------------------------------------ Physical memory (BP-5, BP-6, CL-16)
      {.name = "MmMapIoSpace", .module = kNt, .arity = 3, .wide_parameters = wide({0}),
       .parameters = {{0, R::physical_address, "physical address"}, {1, R::size, "size"}},
       .capability = C::physical_memory, .why = "maps a physical address range into kernel space",
       .primitive = K::physical_memory_map, .irql = Irql::dispatch, .properties = maps},
      {.name = "MmMapIoSpaceEx", .module = kNt, .arity = 3, .wide_parameters = wide({0}),
       .parameters = {{0, R::physical_address, "physical address"}, {1, R::size, "size"},
                      {2, R::page_protection, "page protection"}},
       .capability = C::physical_memory, .why = "maps a physical address range with a page protection",
       .primitive = K::physical_memory_map, .irql = Irql::dispatch, .properties = maps},
      {.name = "MmGetPhysicalAddress", .module = kNt, .arity = 1,
       .parameters = {{0, R::virtual_address, "virtual address"}},
       .capability = C::physical_memory, .why = "reveals the physical address behind a virtual one",
       .primitive = K::physical_memory_map, .irql = Irql::any},
      {.name = "MmGetVirtualForPhysical", .module = kNt, .arity = 1, .wide_parameters = wide({0}),
       .capability = C::physical_memory, .why = "turns a physical address into the kernel virtual address mapping it"},
      {.name = "MmCopyMemory", .module = kNt, .arity = 5, .wide_parameters = wide({1}),
       .parameters = {{0, R::destination_address, "target address"}, {1, R::copy_address, "source address"},
                      {2, R::size, "size"}},
       .capability = C::physical_memory, .why = "copies from a physical or virtual address given by the caller",
       .primitive = K::physical_memory_map, .irql = Irql::apc},
      {.name = "MmAllocateContiguousMemorySpecifyCache", .module = kNt, .arity = 5, .wide_parameters = wide({1, 2, 3}),
       .capability = C::physical_memory, .why = "allocates physically contiguous memory", .irql = Irql::dispatch},
      {.name = "MmUnmapIoSpace", .module = kNt, .arity = 2,
       .capability = C::physical_memory, .why = "unmaps an I/O space mapping (paired with MmMapIoSpace)",
       .irql = Irql::dispatch},
      {.name = "ZwOpenSection", .module = kNt, .arity = 3,
       .capability = C::physical_memory, .why = "opens a section object, e.g. \\Device\\PhysicalMemory",
       .irql = Irql::passive},
      {.name = "ZwMapViewOfSection", .module = kNt, .arity = 10,
       .parameters = {{5, R::physical_address, "section offset (physical address)", true},
                      {6, R::size, "view size", true},
                      {9, R::page_protection, "page protection"}},
       .capability = C::physical_memory, .why = "maps a section view, e.g. of \\Device\\PhysicalMemory",
       .primitive = K::physical_memory_map, .irql = Irql::passive, .properties = maps},
      {.name = "MmAllocateContiguousNodeMemory", .module = kNt, .arity = 6, .wide_parameters = wide({1, 2, 3}),
       .parameters = {{4, R::page_protection, "page protection"}}, .irql = Irql::dispatch},

      // ------------------------------------------------ Mapping memory into a user process (BP-6, HV-4)
      {.name = "MmMapLockedPages", .module = kNt, .arity = 2,
       .parameters = {{1, R::access_mode, "access mode"}},
       .capability = C::user_mapping, .why = "maps MDL pages, into user space when AccessMode is UserMode",
       .primitive = K::user_mapping, .properties = maps},
      {.name = "MmMapLockedPagesSpecifyCache", .module = kNt, .arity = 6,
       .parameters = {{1, R::access_mode, "access mode"}, {5, R::mdl_priority, "priority"}},
       .capability = C::user_mapping, .why = "maps MDL pages, into user space when AccessMode is UserMode",
       .primitive = K::user_mapping, .properties = maps},
      {.name = "MmMapLockedPagesWithReservedMapping", .module = kNt, .arity = 4,
       .capability = C::user_mapping, .why = "maps MDL pages into a reserved range", .properties = maps},
      {.name = "MmBuildMdlForNonPagedPool", .module = kNt, .arity = 1,
       .capability = C::user_mapping, .why = "describes non-paged memory by an MDL, a step before mapping it",
       .irql = Irql::dispatch},
      {.name = "MmProtectMdlSystemAddress", .module = kNt, .arity = 2,
       .parameters = {{1, R::page_protection, "page protection"}}, .irql = Irql::dispatch},

      // ------------------------------------------------ Process control, cross-process memory, handles (BP-2, BP-4, CL-5.11)
      {.name = "ZwTerminateProcess", .module = kNt, .arity = 2,
       .parameters = {{0, R::handle, "process handle"}},
       .capability = C::process_control, .why = "terminates a process, protected processes included if unchecked",
       .primitive = K::process_handle, .irql = Irql::passive},
      {.name = "ZwOpenProcess", .module = kNt, .arity = 4,
       .parameters = {{3, R::process_id, "process id", true}},
       .capability = C::process_control, .why = "opens any process with a kernel handle",
       .primitive = K::process_handle, .irql = Irql::passive},
      {.name = "PsLookupProcessByProcessId", .module = kNt, .arity = 2,
       .parameters = {{0, R::process_id, "process id"}},
       .capability = C::process_control, .why = "turns a caller-chosen PID into a process object",
       .primitive = K::process_handle, .irql = Irql::apc},
      {.name = "ObOpenObjectByPointer", .module = kNt, .arity = 7,
       .parameters = {{0, R::object, "object"}},
       .capability = C::process_control, .why = "creates a handle to an object, bypassing access checks in kernel mode",
       .primitive = K::process_handle, .irql = Irql::passive},
      {.name = "KeStackAttachProcess", .module = kNt, .arity = 2,
       .parameters = {{0, R::process, "process"}},
       .capability = C::process_control, .why = "switches to another process's address space",
       .primitive = K::process_handle, .irql = Irql::apc},
      {.name = "KeAttachProcess", .module = kNt, .arity = 1,
       .parameters = {{0, R::process, "process"}},
       .capability = C::process_control, .why = "switches to another process's address space",
       .primitive = K::process_handle},
      {.name = "MmCopyVirtualMemory", .module = kNt, .arity = 7,
       .parameters = {{1, R::source_address, "source address"}, {3, R::destination_address, "destination address"},
                      {4, R::size, "size"}},
       .capability = C::process_control, .why = "copies memory between processes",
       .primitive = K::kernel_memory_copy},
      {.name = "ZwReadVirtualMemory", .module = kNt, .arity = 5,
       .capability = C::process_control, .why = "reads another process's memory"},
      {.name = "ZwWriteVirtualMemory", .module = kNt, .arity = 5,
       .capability = C::process_control, .why = "writes another process's memory"},
      {.name = "PsSetCreateProcessNotifyRoutine", .module = kNt, .arity = 2,
       .capability = C::process_control, .why = "observes every process creation", .irql = Irql::passive},
      {.name = "ObReferenceObjectByHandle", .module = kNt, .arity = 6,
       .parameters = {{0, R::handle, "handle"}, {3, R::access_mode, "access mode"}},
       .primitive = K::process_handle, .irql = Irql::passive},
      {.name = "ObReferenceObjectByHandleWithTag", .module = kNt, .arity = 7,
       .parameters = {{0, R::handle, "handle"}, {3, R::access_mode, "access mode"}},
       .primitive = K::process_handle, .irql = Irql::passive},

      // ------------------------------------------------ Kernel memory copies (BP-4)
      {.name = "memcpy", .module = kNt, .arity = 3,
       .parameters = {{0, R::destination_address, "destination address"}, {1, R::source_address, "source address"},
                      {2, R::size, "size"}},
       .primitive = K::kernel_memory_copy},
      {.name = "memmove", .module = kNt, .arity = 3,
       .parameters = {{0, R::destination_address, "destination address"}, {1, R::source_address, "source address"},
                      {2, R::size, "size"}},
       .primitive = K::kernel_memory_copy},
      {.name = "RtlCopyMemory", .module = kNt, .arity = 3,
       .parameters = {{0, R::destination_address, "destination address"}, {1, R::source_address, "source address"},
                      {2, R::size, "size"}},
       .primitive = K::kernel_memory_copy, .irql = Irql::any},
      {.name = "RtlMoveMemory", .module = kNt, .arity = 3,
       .parameters = {{0, R::destination_address, "destination address"}, {1, R::source_address, "source address"},
                      {2, R::size, "size"}},
       .primitive = K::kernel_memory_copy, .irql = Irql::any},

      // ------------------------------------------------ Port and bus access (BP-3, BP-8)
      {.name = "READ_PORT_UCHAR", .module = kHal, .arity = 1, .parameters = {{0, R::port, "port"}},
       .capability = C::port_io, .why = "reads an I/O port (x86 hal import; inlined to IN on x64)",
       .primitive = K::port_io, .irql = Irql::any},
      {.name = "READ_PORT_USHORT", .module = kHal, .arity = 1, .parameters = {{0, R::port, "port"}},
       .capability = C::port_io, .why = "reads an I/O port", .primitive = K::port_io, .irql = Irql::any},
      {.name = "READ_PORT_ULONG", .module = kHal, .arity = 1, .parameters = {{0, R::port, "port"}},
       .capability = C::port_io, .why = "reads an I/O port", .primitive = K::port_io, .irql = Irql::any},
      {.name = "READ_PORT_BUFFER_UCHAR", .module = kHal, .arity = 3, .parameters = {{0, R::port, "port"}},
       .capability = C::port_io, .why = "reads an I/O port repeatedly", .primitive = K::port_io, .irql = Irql::any},
      {.name = "READ_PORT_BUFFER_USHORT", .module = kHal, .arity = 3, .parameters = {{0, R::port, "port"}},
       .capability = C::port_io, .why = "reads an I/O port repeatedly", .primitive = K::port_io, .irql = Irql::any},
      {.name = "READ_PORT_BUFFER_ULONG", .module = kHal, .arity = 3, .parameters = {{0, R::port, "port"}},
       .capability = C::port_io, .why = "reads an I/O port repeatedly", .primitive = K::port_io, .irql = Irql::any},
      {.name = "WRITE_PORT_UCHAR", .module = kHal, .arity = 2,
       .parameters = {{0, R::port, "port"}, {1, R::port_value, "value"}},
       .capability = C::port_io, .why = "writes an I/O port", .primitive = K::port_io, .irql = Irql::any,
       .properties = writes},
      {.name = "WRITE_PORT_USHORT", .module = kHal, .arity = 2,
       .parameters = {{0, R::port, "port"}, {1, R::port_value, "value"}},
       .capability = C::port_io, .why = "writes an I/O port", .primitive = K::port_io, .irql = Irql::any,
       .properties = writes},
      {.name = "WRITE_PORT_ULONG", .module = kHal, .arity = 2,
       .parameters = {{0, R::port, "port"}, {1, R::port_value, "value"}},
       .capability = C::port_io, .why = "writes an I/O port", .primitive = K::port_io, .irql = Irql::any,
       .properties = writes},
      {.name = "WRITE_PORT_BUFFER_UCHAR", .module = kHal, .arity = 3,
       .parameters = {{0, R::port, "port"}, {1, R::port_value, "value"}},
       .capability = C::port_io, .why = "writes an I/O port repeatedly", .primitive = K::port_io, .irql = Irql::any,
       .properties = writes},
      {.name = "WRITE_PORT_BUFFER_USHORT", .module = kHal, .arity = 3,
       .parameters = {{0, R::port, "port"}, {1, R::port_value, "value"}},
       .capability = C::port_io, .why = "writes an I/O port repeatedly", .primitive = K::port_io, .irql = Irql::any,
       .properties = writes},
      {.name = "WRITE_PORT_BUFFER_ULONG", .module = kHal, .arity = 3,
       .parameters = {{0, R::port, "port"}, {1, R::port_value, "value"}},
       .capability = C::port_io, .why = "writes an I/O port repeatedly", .primitive = K::port_io, .irql = Irql::any,
       .properties = writes},
      {.name = "HalGetBusData", .module = kHal, .arity = 5, .parameters = {{2, R::bus_slot, "slot"}},
       .capability = C::port_io, .why = "reads bus configuration space (PCI config)", .primitive = K::port_io},
      {.name = "HalGetBusDataByOffset", .module = kHal, .arity = 6,
       .parameters = {{2, R::bus_slot, "slot"}, {4, R::bus_offset, "offset"}},
       .capability = C::port_io, .why = "reads bus configuration space (PCI config)", .primitive = K::port_io},
      {.name = "HalSetBusData", .module = kHal, .arity = 5, .parameters = {{2, R::bus_slot, "slot"}},
       .capability = C::port_io, .why = "writes bus configuration space (PCI config)", .primitive = K::port_io,
       .properties = writes},
      {.name = "HalSetBusDataByOffset", .module = kHal, .arity = 6,
       .parameters = {{2, R::bus_slot, "slot"}, {4, R::bus_offset, "offset"}},
       .capability = C::port_io, .why = "writes bus configuration space (PCI config)", .primitive = K::port_io,
       .properties = writes},

      // ------------------------------------------------ Firmware (BP-8)
      {.name = "ExSetFirmwareEnvironmentVariable", .module = kNt, .arity = 5,
       .parameters = {{0, R::firmware_variable, "variable name"}},
       .capability = C::firmware, .why = "writes a UEFI variable", .primitive = K::firmware, .irql = Irql::passive,
       .properties = writes},
      {.name = "ExGetFirmwareEnvironmentVariable", .module = kNt, .arity = 5,
       .capability = C::firmware, .why = "reads a UEFI variable", .irql = Irql::passive},
      {.name = "ZwSetSystemEnvironmentValue", .module = kNt, .arity = 2,
       .parameters = {{0, R::firmware_variable, "variable name"}},
       .capability = C::firmware, .why = "writes a firmware environment value", .primitive = K::firmware,
       .properties = writes},
      {.name = "ZwSetSystemEnvironmentValueEx", .module = kNt, .arity = 5,
       .parameters = {{0, R::firmware_variable, "variable name"}},
       .capability = C::firmware, .why = "writes a UEFI variable", .primitive = K::firmware, .properties = writes},
      {.name = "HalSetEnvironmentVariable", .module = kHal, .arity = 2,
       .parameters = {{0, R::firmware_variable, "variable name"}},
       .capability = C::firmware, .why = "writes a firmware environment variable", .primitive = K::firmware,
       .properties = writes},

      // ------------------------------------------------ Banned string functions (CL-5.17)
      {.name = "strcpy", .module = kNt, .arity = 2,
       .capability = C::banned_string, .why = "copies without a destination size"},
      {.name = "strcat", .module = kNt, .arity = 2,
       .capability = C::banned_string, .why = "appends without a destination size"},
      {.name = "strncpy", .module = kNt, .arity = 3,
       .capability = C::banned_string, .why = "may leave the destination unterminated"},
      {.name = "strncat", .module = kNt, .arity = 3,
       .capability = C::banned_string, .why = "size argument is easy to get wrong"},
      {.name = "sprintf", .module = kNt, .arity = 2, .variadic = true,
       .capability = C::banned_string, .why = "formats without a destination size"},
      {.name = "vsprintf", .module = kNt, .arity = 3,
       .capability = C::banned_string, .why = "formats without a destination size"},
      {.name = "_snprintf", .module = kNt, .arity = 3, .variadic = true,
       .capability = C::banned_string, .why = "may leave the destination unterminated"},
      {.name = "_vsnprintf", .module = kNt, .arity = 4,
       .capability = C::banned_string, .why = "may leave the destination unterminated"},
      {.name = "wcscpy", .module = kNt, .arity = 2,
       .capability = C::banned_string, .why = "copies without a destination size"},
      {.name = "wcscat", .module = kNt, .arity = 2,
       .capability = C::banned_string, .why = "appends without a destination size"},
      {.name = "wcsncpy", .module = kNt, .arity = 3,
       .capability = C::banned_string, .why = "may leave the destination unterminated"},
      {.name = "wcsncat", .module = kNt, .arity = 3,
       .capability = C::banned_string, .why = "size argument is easy to get wrong"},
      {.name = "swprintf", .module = kNt, .arity = 2, .variadic = true,
       .capability = C::banned_string, .why = "formats without a destination size"},
      {.name = "_snwprintf", .module = kNt, .arity = 3, .variadic = true,
       .capability = C::banned_string, .why = "may leave the destination unterminated"},
      {.name = "_vsnwprintf", .module = kNt, .arity = 4,
       .capability = C::banned_string, .why = "may leave the destination unterminated"},

      // ------------------------------------------------ Pool allocation (HV-13) and executable memory (HV-2, HV-3)
      {.name = "ExAllocatePool", .module = kNt, .arity = 2, .parameters = {{0, R::pool_type, "pool type"}},
       .capability = C::deprecated_pool, .why = "deprecated: does not zero memory; use ExAllocatePool2",
       .irql = Irql::dispatch},
      {.name = "ExAllocatePoolWithTag", .module = kNt, .arity = 3, .parameters = {{0, R::pool_type, "pool type"}},
       .capability = C::deprecated_pool, .why = "deprecated: does not zero memory; use ExAllocatePool2",
       .irql = Irql::dispatch},
      {.name = "ExAllocatePoolWithQuota", .module = kNt, .arity = 2, .parameters = {{0, R::pool_type, "pool type"}},
       .capability = C::deprecated_pool, .why = "deprecated: use ExAllocatePool2 with POOL_FLAG_USE_QUOTA"},
      {.name = "ExAllocatePoolWithQuotaTag", .module = kNt, .arity = 3, .parameters = {{0, R::pool_type, "pool type"}},
       .capability = C::deprecated_pool, .why = "deprecated: use ExAllocatePool2 with POOL_FLAG_USE_QUOTA",
       .irql = Irql::apc},
      {.name = "ExAllocatePoolWithTagPriority", .module = kNt, .arity = 4, .parameters = {{0, R::pool_type, "pool type"}},
       .capability = C::deprecated_pool, .why = "deprecated: use ExAllocatePool3", .irql = Irql::dispatch},
      {.name = "ExAllocatePool2", .module = kNt, .arity = 3, .wide_parameters = wide({0}),
       .parameters = {{0, R::pool_flags, "pool flags"}}, .irql = Irql::dispatch},
      {.name = "ExAllocatePool3", .module = kNt, .arity = 5, .wide_parameters = wide({0}),
       .parameters = {{0, R::pool_flags, "pool flags"}}, .irql = Irql::dispatch},
      {.name = "ExInitializeNPagedLookasideList", .module = kNt, .arity = 7,
       .parameters = {{3, R::lookaside_flags, "flags"}}, .irql = Irql::dispatch},
      {.name = "ExInitializeLookasideListEx", .module = kNt, .arity = 8,
       .parameters = {{3, R::pool_type, "pool type"}}, .irql = Irql::dispatch},
      {.name = "ZwAllocateVirtualMemory", .module = kNt, .arity = 6,
       .parameters = {{5, R::page_protection, "page protection"}}, .irql = Irql::passive},
      {.name = "ZwProtectVirtualMemory", .module = kNt, .arity = 5,
       .parameters = {{3, R::page_protection, "page protection"}}},
      {.name = "ZwCreateSection", .module = kNt, .arity = 7,
       .parameters = {{4, R::page_protection, "page protection"}}, .irql = Irql::passive},

      // ------------------------------------------------ Devices, links, interfaces, strings
      {.name = "IoCreateDevice", .module = kNt, .arity = 7,
       .parameters = {{2, R::device_name, "device name"}, {3, R::device_type, "device type"},
                      {4, R::device_characteristics, "device characteristics"}, {5, R::exclusive, "exclusive"}},
       .irql = Irql::passive},
      {.name = "IoCreateDeviceSecure", .module = kWdmsec, .arity = 9,
       .parameters = {{2, R::device_name, "device name"}, {3, R::device_type, "device type"},
                      {4, R::device_characteristics, "device characteristics"}, {5, R::exclusive, "exclusive"},
                      {6, R::sddl, "default SDDL string"}},
       .irql = Irql::passive},
      {.name = "IoCreateSymbolicLink", .module = kNt, .arity = 2,
       .parameters = {{0, R::symbolic_link_name, "symbolic link name"}, {1, R::device_name, "device name"}},
       .irql = Irql::passive},
      {.name = "IoRegisterDeviceInterface", .module = kNt, .arity = 4,
       .parameters = {{1, R::interface_class_guid, "interface class GUID"}}, .irql = Irql::passive},
      {.name = "RtlInitUnicodeString", .module = kNt, .arity = 2,
       .parameters = {{0, R::counted_string, "destination string"}, {1, R::string_source, "source string"}},
       .irql = Irql::dispatch},

      // ------------------------------------------------ Routines that do not return
      {.name = "KeBugCheckEx", .module = kNt, .arity = 5, .irql = Irql::any, .properties = no_return},
      {.name = "KeBugCheck", .module = kNt, .arity = 1, .irql = Irql::any, .properties = no_return},
      {.name = "ExRaiseStatus", .module = kNt, .arity = 1, .properties = no_return},
      {.name = "RtlRaiseStatus", .module = kNt, .arity = 1, .properties = no_return},
      {.name = "ExRaiseAccessViolation", .module = kNt, .arity = 0, .properties = no_return},
      {.name = "ExRaiseDatatypeMisalignment", .module = kNt, .arity = 0, .properties = no_return},

      // ------------------------------------------------ Registrations that need /INTEGRITYCHECK (CL-15)
      {.name = "ObRegisterCallbacks", .module = kNt, .arity = 2, .properties = needs_force_integrity},
      {.name = "PsSetCreateProcessNotifyRoutineEx", .module = kNt, .arity = 2, .irql = Irql::passive,
       .properties = needs_force_integrity},
      {.name = "PsSetCreateProcessNotifyRoutineEx2", .module = kNt, .arity = 3, .irql = Irql::passive,
       .properties = needs_force_integrity},

      // ------------------------------------------------ KMDF (wdfldr.sys, and the WDF function table)
      {.name = "WdfVersionBind", .module = kWdfLoader, .arity = 4, .parameters = {{2, R::bind_info, "bind info"}}},
      {.name = "WdfDriverCreate", .module = kWdf, .arity = 6, .parameters = {{4, R::driver_config, "driver config"}},
       .irql = Irql::passive},
      {.name = "WdfControlDeviceInitAllocate", .module = kWdf, .arity = 3, .parameters = {{2, R::sddl, "SDDL string"}},
       .irql = Irql::passive},
      {.name = "WdfDeviceInitAssignName", .module = kWdf, .arity = 3, .parameters = {{2, R::device_name, "device name"}},
       .irql = Irql::passive},
      {.name = "WdfDeviceInitAssignSDDLString", .module = kWdf, .arity = 3, .parameters = {{2, R::sddl, "SDDL string"}},
       .irql = Irql::passive},
      {.name = "WdfDeviceInitSetDeviceType", .module = kWdf, .arity = 3,
       .parameters = {{2, R::device_type, "device type"}}, .irql = Irql::passive},
      {.name = "WdfDeviceInitSetCharacteristics", .module = kWdf, .arity = 4,
       .parameters = {{2, R::device_characteristics, "device characteristics"}}, .irql = Irql::passive},
      {.name = "WdfDeviceCreate", .module = kWdf, .arity = 4, .irql = Irql::passive},
      {.name = "WdfDeviceCreateSymbolicLink", .module = kWdf, .arity = 3,
       .parameters = {{2, R::symbolic_link_name, "symbolic link name"}}, .irql = Irql::passive},
      {.name = "WdfDeviceCreateDeviceInterface", .module = kWdf, .arity = 4,
       .parameters = {{2, R::interface_class_guid, "interface class GUID"}}, .irql = Irql::passive},
      {.name = "WdfIoQueueCreate", .module = kWdf, .arity = 5, .parameters = {{2, R::queue_config, "queue config"}},
       .irql = Irql::dispatch},
      {.name = "WdfRequestRetrieveInputBuffer", .module = kWdf, .arity = 5,
       .parameters = {{3, R::input_buffer_out, "buffer"}, {4, R::input_length_out, "length"}}, .irql = Irql::dispatch},
      {.name = "WdfRequestRetrieveOutputBuffer", .module = kWdf, .arity = 5,
       .parameters = {{3, R::output_buffer_out, "buffer"}, {4, R::output_length_out, "length"}}, .irql = Irql::dispatch},
      {.name = "WdfRequestRetrieveUnsafeUserInputBuffer", .module = kWdf, .arity = 5,
       .parameters = {{3, R::user_input_buffer_out, "input buffer"}, {4, R::input_length_out, "length"}},
       .irql = Irql::passive},
      {.name = "WdfRequestRetrieveUnsafeUserOutputBuffer", .module = kWdf, .arity = 5,
       .parameters = {{3, R::user_output_buffer_out, "output buffer"}, {4, R::output_length_out, "length"}},
       .irql = Irql::passive},
  };
  return t;
}

const std::vector<Callback>& callback_table() {
  static const std::vector<Callback> t = {
      // DRIVER_INITIALIZE DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
      {.name = "DriverEntry", .arity = 2, .parameters = {{0, R::driver_object, "driver object"}}},
      // DRIVER_DISPATCH (PDEVICE_OBJECT DeviceObject, PIRP Irp): every MajorFunction[] routine
      {.name = "DRIVER_DISPATCH", .arity = 2,
       .parameters = {{0, R::device_object, "device object"}, {1, R::irp, "IRP"}}},
      // EVT_WDF_DRIVER_DEVICE_ADD (WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
      {.name = "EvtDriverDeviceAdd", .arity = 2},
      // EVT_WDF_IO_QUEUE_IO_DEFAULT (WDFQUEUE Queue, WDFREQUEST Request)
      {.name = "EvtIoDefault", .arity = 2,
       .majors = {kIrpMjRead, kIrpMjWrite, kIrpMjDeviceControl, kIrpMjInternalDeviceControl},
       .queue_config_field = &WdfIoQueueConfigLayout::evt_io_default},
      // EVT_WDF_IO_QUEUE_IO_READ (Queue, Request, size_t Length): what the caller asks to read
      {.name = "EvtIoRead", .arity = 3, .parameters = {{2, R::output_buffer_length, "length"}}, .majors = {kIrpMjRead},
       .queue_config_field = &WdfIoQueueConfigLayout::evt_io_read},
      // EVT_WDF_IO_QUEUE_IO_WRITE (Queue, Request, size_t Length)
      {.name = "EvtIoWrite", .arity = 3, .parameters = {{2, R::input_buffer_length, "length"}}, .majors = {kIrpMjWrite},
       .queue_config_field = &WdfIoQueueConfigLayout::evt_io_write},
      // EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL (Queue, Request, OutputBufferLength, InputBufferLength, IoControlCode)
      {.name = "EvtIoDeviceControl", .arity = 5,
       .parameters = {{2, R::output_buffer_length, "output buffer length"},
                      {3, R::input_buffer_length, "input buffer length"},
                      {4, R::io_control_code, "IOCTL code"}},
       .majors = {kIrpMjDeviceControl},
       .queue_config_field = &WdfIoQueueConfigLayout::evt_io_device_control},
      // EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL: the same parameters
      {.name = "EvtIoInternalDeviceControl", .arity = 5,
       .parameters = {{2, R::output_buffer_length, "output buffer length"},
                      {3, R::input_buffer_length, "input buffer length"},
                      {4, R::io_control_code, "IOCTL code"}},
       .majors = {kIrpMjInternalDeviceControl},
       .queue_config_field = &WdfIoQueueConfigLayout::evt_io_internal_device_control},
  };
  return t;
}

}  // namespace

bool is_virtual_address(Role role) {
  switch (role) {
    case Role::virtual_address: case Role::destination_address: case Role::source_address: case Role::object:
    case Role::process: case Role::firmware_variable:
      return true;
    default:
      return false;
  }
}

bool is_operand(Role role) {
  switch (role) {
    case Role::physical_address: case Role::copy_address: case Role::virtual_address: case Role::destination_address:
    case Role::source_address: case Role::size: case Role::handle: case Role::process_id: case Role::object:
    case Role::process: case Role::port: case Role::port_value: case Role::bus_slot: case Role::bus_offset:
    case Role::firmware_variable:
      return true;
    default:
      return false;
  }
}

const Parameter* Function::parameter(Role role) const {
  for (const Parameter& p : parameters)
    if (p.role == role) return &p;
  return nullptr;
}

std::span<const Function> functions() { return table(); }

const Function* find(std::string_view name) {
  // Every import of every scanned image is looked up here: binary search, not a linear scan.
  static const std::vector<const Function*> by_name = [] {
    std::vector<const Function*> index;
    for (const Function& f : table()) index.push_back(&f);
    std::sort(index.begin(), index.end(), [](auto a, auto b) { return a->name < b->name; });
    return index;
  }();
  auto it = std::lower_bound(by_name.begin(), by_name.end(), name, [](auto f, std::string_view n) { return f->name < n; });
  return it != by_name.end() && (*it)->name == name ? *it : nullptr;
}

uint32_t argument_slot(const Function& f, uint32_t index, Architecture arch) {
  if (arch != Architecture::x86) return index;
  const uint32_t before = index >= 32 ? f.wide_parameters : f.wide_parameters & ((1u << index) - 1);
  return index + static_cast<uint32_t>(std::popcount(before));
}

std::span<const Callback> callbacks() { return callback_table(); }

const Callback* find_callback(std::string_view name) {
  for (const Callback& c : callback_table())
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace drvsec::ddi
