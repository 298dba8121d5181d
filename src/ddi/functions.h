// The kernel DDIs drvsec knows, in one table: for each routine its module, its prototype's arity,
// the parameters an analysis reads (by prototype index, with their role), the capability its
// import shows (docs/api-catalog.md), the primitive a call of it is (guidance BP-1…BP-8), the
// maximum IRQL its documentation gives, and a few documented properties. Every analysis looks
// routines up here: capabilities (binary/recover.cpp), primitives, memory-integrity arguments,
// code recovery (devices, links, KMDF), and the value tracker's view of calls
// (binary/kernel_platform.cpp gives the disassembly layer what it needs as data).
//
// Names are matched exactly, as PE import tables spell them. Parameter indexes are positions in
// the documented prototype (0-based). KMDF routines (module wdf01000.sys) are the function-table
// routines the WdfXxx macros call: their parameter 0 is WdfDriverGlobals, so WdfDriverCreate's
// DriverConfig is parameter 4. A parameter is listed when an analysis reads it: the parameters of
// a primitive whose role is an operand role (is_operand) are the operands a finding describes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ddi/layouts.h"
#include "model/driver_model.h"

namespace drvsec::ddi {

// What a parameter is to drvsec's analyses.
enum class Role : uint8_t {
  // Addresses and sizes
  physical_address,     // PHYSICAL_ADDRESS (by value, or through a PLARGE_INTEGER)
  copy_address,         // MM_COPY_ADDRESS: a physical or a virtual address, by value
  virtual_address,      // a virtual address the routine resolves
  destination_address,  // where a copy writes
  source_address,       // where a copy reads
  size,                 // a byte count
  // Objects
  handle,               // a handle the routine resolves
  process_id,           // a process id (HANDLE ProcessId, CLIENT_ID.UniqueProcess)
  object,               // a pointer to an object
  process,              // PEPROCESS / PRKPROCESS
  access_mode,          // KPROCESSOR_MODE: KernelMode skips the caller's access checks, UserMode maps into the caller
  // Memory integrity (guidance §2): the argument that decides whether memory is executable
  pool_type,            // POOL_TYPE
  pool_flags,           // POOL_FLAGS (ExAllocatePool2/3)
  lookaside_flags,      // ULONG Flags of a lookaside list (POOL_NX_ALLOCATION)
  page_protection,      // PAGE_* (Win32Protect, Protect, NewProtect, ...)
  mdl_priority,         // MM_PAGE_PRIORITY ORed with MdlMapping* flags
  // Hardware and firmware
  port,                 // an I/O port address
  port_value,           // the value (or the buffer of values) written to a port
  bus_slot,             // SlotNumber of HalGet/SetBusData*
  bus_offset,           // Offset into bus configuration space
  firmware_variable,    // the name of a firmware environment variable
  // Devices
  device_name,          // PUNICODE_STRING DeviceName
  device_type,          // DEVICE_TYPE (FILE_DEVICE_*)
  device_characteristics,  // ULONG DeviceCharacteristics (FILE_DEVICE_SECURE_OPEN, ...)
  exclusive,            // BOOLEAN Exclusive
  sddl,                 // PCUNICODE_STRING SDDL string
  symbolic_link_name,   // PUNICODE_STRING SymbolicLinkName
  interface_class_guid, // CONST GUID* InterfaceClassGuid
  // Strings
  counted_string,       // PUNICODE_STRING the routine initializes (Length, MaximumLength, Buffer)
  string_source,        // PCWSTR the counted string is initialized from
  // KMDF
  bind_info,            // PWDF_BIND_INFO
  driver_config,        // PWDF_DRIVER_CONFIG
  queue_config,         // PWDF_IO_QUEUE_CONFIG
  input_buffer_out,     // PVOID* receiving the I/O manager's copy of the input buffer
  output_buffer_out,    // PVOID* receiving the output buffer (the I/O manager's, or the locked MDL's)
  user_input_buffer_out,   // PVOID* receiving the caller's raw input address (METHOD_NEITHER)
  user_output_buffer_out,  // PVOID* receiving the caller's raw output address (METHOD_NEITHER)
  input_length_out,     // size_t* receiving the input buffer's length
  output_length_out,    // size_t* receiving the output buffer's length
  // What the system passes the driver's routines (callbacks)
  driver_object,        // PDRIVER_OBJECT
  device_object,        // PDEVICE_OBJECT
  irp,                  // PIRP
  output_buffer_length, // the request's output buffer length (a value)
  input_buffer_length,  // the request's input buffer length (a value)
  io_control_code,      // the request's IOCTL code (a value)
};

// The virtual-address roles: an operand the caller steers only by writing the pointer itself.
// The other operand roles are numbers (a physical address, a size, a handle, a port).
bool is_virtual_address(Role role);
// Roles that are operands of a primitive (what a finding describes the provenance of).
bool is_operand(Role role);

// Maximum IRQL at which the routine may be called, as its documentation gives it.
enum class Irql : uint8_t { passive, apc, dispatch, any };

struct Parameter {
  uint8_t index = 0;             // position in the prototype, 0-based
  Role role{};
  std::string_view label;        // how findings and the model name it ("physical address")
  bool by_reference = false;     // the argument points to the value (PLARGE_INTEGER, PSIZE_T, PCLIENT_ID)
};

// Documented properties of a routine.
enum Property : uint8_t {
  no_return = 1 << 0,              // never returns (bug checks, raised exceptions)
  writes = 1 << 1,                 // writes device or firmware state (ports, bus configuration space, firmware variables)
  maps = 1 << 2,                   // returns a virtual address mapping the memory it is given
  needs_force_integrity = 1 << 3,  // fails (STATUS_ACCESS_DENIED) unless the caller's image is linked /INTEGRITYCHECK
};

// Bit i set: parameter i is a 64-bit value (PHYSICAL_ADDRESS, LARGE_INTEGER, MM_COPY_ADDRESS,
// POOL_FLAGS), which takes two argument slots on x86.
constexpr uint32_t wide(std::initializer_list<uint32_t> indexes) {
  uint32_t mask = 0;
  for (uint32_t i : indexes) mask |= 1u << i;
  return mask;
}

struct Function {
  std::string_view name;
  std::string_view module;          // lower case ("ntoskrnl.exe", "hal.dll", "wdfldr.sys", "wdf01000.sys")
  uint8_t arity = 0;                // parameters of the prototype (the fixed ones when variadic)
  bool variadic = false;
  uint32_t wide_parameters = 0;     // see wide()
  std::vector<Parameter> parameters;  // sorted by index
  std::optional<CapabilityCategory> capability;  // an import of it is a capability (docs/api-catalog.md)
  std::string_view why;             // with a capability: what the routine lets a caller do
  std::optional<PrimitiveKind> primitive;        // a call of it is a primitive
  std::optional<Irql> irql;
  uint8_t properties = 0;           // Property bits

  // The first parameter with `role`, or nullptr.
  const Parameter* parameter(Role role) const;
  bool has(Property p) const { return (properties & p) != 0; }
};

// Every DDI, in the table's order (grouped by subject).
std::span<const Function> functions();
// Exact-name lookup, nullptr when the routine is not in the table.
const Function* find(std::string_view name);

// The pointer-sized argument slot parameter `index` is passed in on `arch`: the index itself on
// x64 and ARM64; on x86 (stdcall and cdecl stack arguments) the index plus one for each 64-bit
// parameter before it.
uint32_t argument_slot(const Function& f, uint32_t index, Architecture arch);

// Routines the driver implements and the system or the framework calls: the parameters they
// receive, and for KMDF I/O queue callbacks the IRP major functions whose requests they get and
// the WDF_IO_QUEUE_CONFIG field that holds them.
struct Callback {
  std::string_view name;            // "DriverEntry", "DRIVER_DISPATCH", "EvtIoDeviceControl", ...
  uint8_t arity = 0;
  std::vector<Parameter> parameters;  // sorted by index
  std::vector<uint8_t> majors;      // KMDF queue callbacks: IRP_MJ_* of the requests they receive
  // KMDF queue callbacks: the WDF_IO_QUEUE_CONFIG field the driver stores the routine in.
  uint32_t WdfIoQueueConfigLayout::*queue_config_field = nullptr;
};
std::span<const Callback> callbacks();
const Callback* find_callback(std::string_view name);

}  // namespace drvsec::ddi
