// DriverModel: one normalized description of a driver's attack surface, whatever it was
// recovered from (binary now; source and INF later). Rules about the attack surface are
// written against this model, not against one input kind.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/location.h"
#include "model/version_info.h"

namespace drvsec {

// How the driver talks to the kernel's driver frameworks, decided from imports.
enum class DriverFramework { wdm, kmdf, ndis, storport, minifilter, other };
std::string_view to_string(DriverFramework f);

// Categories of the dangerous-API catalogue (the DDIs with a capability in src/ddi/functions.h).
enum class CapabilityCategory {
  physical_memory,   // MmMapIoSpace(Ex), MmGetPhysicalAddress, MmCopyMemory, \Device\PhysicalMemory sections
  user_mapping,      // MmMapLockedPages*: mapping memory into a process
  process_control,   // ZwTerminateProcess, ZwOpenProcess, PsLookupProcessByProcessId, KeStackAttachProcess, ...
  port_io,           // READ_PORT_*/WRITE_PORT_* (hal imports), HalGet/SetBusData
  firmware,          // ExSetFirmwareEnvironmentVariable, ZwSetSystemEnvironmentValueEx, ...
  banned_string,     // strcpy, sprintf, ... (CL-5.17)
  deprecated_pool,   // ExAllocatePool, ExAllocatePoolWithTag, ... (HV-13)
  tdi,               // TDI.SYS imports (CL-5.19)
};
std::string_view to_string(CapabilityCategory c);

// Where a model fact came from, so a report can point at it: a location (at.path empty: the
// driver's own file) and how the fact was read there.
struct Provenance {
  Location at;      // binary: address of the string, call or instruction; source / INF: the range
  std::string how;  // "import", "UTF-16 string", "IoCreateDevice argument", ...
};
inline Provenance provenance_at(std::optional<uint32_t> rva, std::string how) { return {at_rva(rva), std::move(how)}; }

// Every fact below that a finding can be about carries an `id`, unique within its driver model and
// stable across runs (made from the fact's subject, not its position: "ioctl/0x222003"); see
// fact_ids.h. Findings name the facts they are about by these ids (Finding::facts).

struct Capability {
  CapabilityCategory category;
  std::string api;     // the API or string that shows the capability
  std::string module;  // importing module ("ntoskrnl.exe"), empty for strings
  Provenance provenance;
  std::string id;
};

// A kind of caller as the device-security synthesis names it (sddl::Principal: id stable for JSON).
struct CallerRef {
  std::string id;    // "everyone", "users", "administrators", ...
  std::string name;  // "Everyone", "Users (standard interactive user)", ...
  bool broad = false;  // an ordinary or untrusted caller (not SYSTEM, administrators or a service)
};

// Which callers can send one IOCTL through a device: the IOCTL code's RequiredAccess checked against
// the device's security descriptor (the I/O manager checks it against the handle's granted access).
struct IoctlCallers {
  uint32_t code = 0;
  std::string required;  // "any access", "read", "write", "read and write"
  std::optional<CallerRef> lowest;  // the least trusted caller that can send it; none: no one listed can
  std::string ioctl_id;  // the Ioctl fact
};

// Where a device's security descriptor comes from and what it lets callers do (issue #16 §3; the
// binary-only part: an INF in the package, or a class Security entry, may replace a default).
struct DeviceSecurity {
  std::string source;  // "code" (IoCreateDeviceSecure / WDF SDDL) or "default" (the I/O manager's, for most device types)
  std::string sddl;    // the descriptor that applies, as SDDL (the default spelled out)
  bool parsed = true;  // false: the code's string is not valid SDDL (nothing below is known)
  bool user_reachable = false;  // a named device or a registered interface: user mode can open it
  std::optional<bool> secure_open;  // FILE_DEVICE_SECURE_OPEN in its characteristics, when known
  std::optional<CallerRef> lowest_open, lowest_read, lowest_write, lowest_all;
  std::vector<IoctlCallers> ioctls;  // the driver's IOCTLs, through this device
};

struct Device {
  std::string name;                          // "\Device\Foo" (empty: an unnamed device object)
  std::string created_by;                    // "IoCreateDevice", "IoCreateDeviceSecure", or empty (name seen as a string only)
  std::optional<uint32_t> device_type;       // FILE_DEVICE_*
  std::optional<uint32_t> characteristics;   // FILE_DEVICE_SECURE_OPEN = 0x100, ...
  std::optional<bool> exclusive;
  std::optional<std::string> sddl;           // IoCreateDeviceSecure / WDF / INF descriptor
  std::optional<DeviceSecurity> security;    // the synthesis (analysis/device_security.h)
  Provenance provenance;
  std::string id;
};

struct SymbolicLink {
  std::string name;    // "\DosDevices\Foo", "\??\Foo", "\GLOBAL??\Foo"
  std::string target;  // the device, when known
  Provenance provenance;
  std::string id;
};

// A device interface registered with IoRegisterDeviceInterface.
struct DeviceInterface {
  std::string class_guid;  // "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" when the GUID is a constant
  Provenance provenance;
  std::string id;
};

// IRP_MJ_* codes (guidance §0); 28 slots, IRP_MJ_PNP = IRP_MJ_MAXIMUM_FUNCTION = 0x1B.
constexpr uint8_t kIrpMjCreate = 0x00, kIrpMjClose = 0x02, kIrpMjRead = 0x03, kIrpMjWrite = 0x04,
                  kIrpMjDeviceControl = 0x0E, kIrpMjInternalDeviceControl = 0x0F, kIrpMjMaximum = 0x1B;
// "IRP_MJ_DEVICE_CONTROL", ... ("IRP_MJ_0x1C" outside the table).
std::string irp_major_name(uint8_t major);

// A routine stored into DriverObject->MajorFunction[major].
struct DispatchRoutine {
  uint8_t major = 0;
  uint32_t rva = 0;            // the routine
  bool from_fill_loop = false; // set by a loop that filled every slot, not by a store to this slot
  Provenance provenance;       // the store
  std::string id;
};

// Something the analysis could not recover, and why (a rule or report says so instead of
// presenting an absent fact as a negative one).
struct RecoveryNote {
  std::string what;  // "IOCTL codes", "dispatch routines", "function 0x1400", ...
  std::string why;
  Provenance provenance;
};

// An IOCTL the driver handles. Fields are decoded from `code` by the CTL_CODE layout.
struct Ioctl {
  uint32_t code = 0;
  std::optional<uint32_t> handler_rva;  // first block that handles the code, when known
  std::optional<uint32_t> handler_function_rva;  // the function whose code dispatches on it
  // Ids of the primitives (DriverModel::primitives) whose code the handler reaches (code analysis),
  // in the order of their descriptions (describe(PrimitiveUse)).
  std::vector<std::string> reachable_primitives;
  Provenance provenance;
  std::string id;
};

// A dangerous primitive used in code (guidance BP-1…BP-8, CL-5.10/5.11): a privileged instruction or
// an API call, where it is reachable from, and where its key operands come from.
enum class PrimitiveKind {
  msr_access,           // rdmsr / wrmsr (BP-1)
  port_io,              // in/out/ins/outs, READ_/WRITE_PORT_*, HalSet/GetBusData (BP-3)
  control_register,     // mov to/from CRn/DRn, wbinvd/invd, lgdt/lidt/ltr, xsetbv, cli/hlt (BP-8, HV-8)
  physical_memory_map,  // MmMapIoSpace(Ex), MmCopyMemory, ZwMapViewOfSection of \Device\PhysicalMemory (BP-5/6)
  kernel_memory_copy,   // memcpy/memmove/RtlCopyMemory/RtlMoveMemory, MmCopyVirtualMemory (BP-4)
  process_handle,       // process lookups/opens/termination, handles from the caller (BP-2, CL-5.11)
  user_mapping,         // MmMapLockedPages* into user mode (BP-6)
  firmware,             // UEFI variables / firmware environment (BP-8)
};
std::string_view to_string(PrimitiveKind k);

// One key operand of a primitive (MSR index, port, address, size, PID, handle, access mode...).
struct PrimitiveOperand {
  std::string role;          // "msr index", "port", "source address", "size", "handle", "access mode", ...
  std::string source;        // "SystemBuffer contents", "Type3InputBuffer", "InputBufferLength", "constant 0x176", "unknown", ...
  bool controlled = false;   // the caller of the request chooses the value
  bool range_checked = false;  // controlled, but a dominating comparison against a constant bounds it
  std::optional<uint64_t> constant;  // when the value is a known constant
};

struct PrimitiveUse {
  PrimitiveKind kind = PrimitiveKind::msr_access;
  std::string what;            // "wrmsr", "MmMapIoSpace", ...
  uint32_t rva = 0;            // the instruction or call
  uint32_t function_rva = 0;   // the function containing it
  std::vector<uint8_t> majors;     // IRP major functions whose dispatch routine reaches it (sorted)
  std::vector<uint32_t> ioctls;    // IOCTL codes whose handler reaches it (sorted)
  std::vector<uint32_t> call_path; // functions from a dispatch routine to function_rva (empty: not reached)
  std::vector<PrimitiveOperand> operands;
  std::string note;            // extra context ("AccessMode is UserMode", ...)
  Provenance provenance;
  std::string id;

  bool reachable() const { return !majors.empty(); }
  // Some operand is caller-controlled and not bounded by a range check.
  bool controlled() const {
    for (const auto& o : operands)
      if (o.controlled && !o.range_checked) return true;
    return false;
  }
};

// An argument of a DDI that decides whether memory becomes executable (guidance §2 HV-2/3/4).
enum class MemoryIntegrityIssue { executable_pool, executable_protection, executable_mdl_mapping };
std::string_view to_string(MemoryIntegrityIssue i);

struct MemoryIntegrityCall {
  MemoryIntegrityIssue issue = MemoryIntegrityIssue::executable_pool;
  std::string api;                   // "ExAllocatePoolWithTag", ...
  uint32_t rva = 0;                  // the call
  uint32_t function_rva = 0;
  uint32_t argument_index = 0;       // 0-based argument holding the pool type / flags / protection / priority
  std::optional<uint64_t> value;     // the argument, when it is a constant
  bool executable = false;           // value known and executable (false when unknown: see `value`)
  Provenance provenance;
  std::string id;
};

// An IOCTL dispatch on only some bits of the code (guidance SM-6): a jump table indexed by them,
// or a chain of compares of them against constants, e.g. switch ((code >> 2) & 0xFFF).
struct PartialIoctlDispatch {
  uint32_t function_rva = 0;
  uint32_t code_bits = 0;        // the bits of the IOCTL code it looks at (0x3FFC: the function number)
  std::string form;              // "jump table" or "compare chain"
  std::vector<uint32_t> values;  // compare chain: the values of those bits it tests (sorted)
  Provenance provenance;         // the indirect jump, or the first compare
  std::string id;
};

// A KMDF I/O queue callback registered with WdfIoQueueCreate (WDF_IO_QUEUE_CONFIG).
struct KmdfQueueCallback {
  std::string callback;        // "EvtIoDeviceControl", "EvtIoInternalDeviceControl", "EvtIoRead", "EvtIoWrite", "EvtIoDefault"
  std::vector<uint8_t> majors; // IRP major functions whose requests it receives (sorted)
  uint32_t rva = 0;            // the routine
  Provenance provenance;       // the WdfIoQueueCreate call
  std::string id;
};

// What the binary says about its binding to KMDF (WdfVersionBind's WDF_BIND_INFO).
struct KmdfBinding {
  uint32_t version_major = 0, version_minor = 0, version_build = 0;
  uint32_t function_count = 0;              // WDF function table entries the driver was built against
  std::vector<KmdfQueueCallback> queue_callbacks;  // sorted by (rva, callback)
  Provenance provenance;                    // the WdfVersionBind call
};

struct DriverModel {
  bool is_kernel_driver = false;
  std::string machine;  // "x64", "x86", "arm64", "arm", or "0x....": the one place it is kept
  DriverFramework framework = DriverFramework::wdm;
  std::vector<std::string> framework_evidence;  // e.g. "imports WdfVersionBind from WDFLDR.SYS"
  std::vector<Capability> capabilities;          // imports and strings of interest
  std::vector<Device> devices;
  std::vector<SymbolicLink> links;
  std::vector<Ioctl> ioctls;                     // sorted by code
  std::vector<DeviceInterface> interfaces;
  // Entry points recovered from code (binary) or declarations (source).
  bool code_analyzed = false;                    // code-level recovery ran (else the fields below are absent, not empty)
  std::optional<uint32_t> driver_entry_rva;
  std::vector<DispatchRoutine> dispatch;         // sorted by major
  std::optional<uint32_t> driver_unload_rva;     // KMDF: EvtDriverUnload
  std::optional<uint32_t> add_device_rva;        // DriverObject->DriverExtension->AddDevice (KMDF: EvtDriverDeviceAdd)
  std::optional<KmdfBinding> kmdf;               // KMDF drivers whose WdfVersionBind call was recovered
  std::vector<PartialIoctlDispatch> partial_ioctl_dispatch;  // sorted by (function_rva, provenance rva)
  std::vector<RecoveryNote> recovery_notes;
  std::vector<PrimitiveUse> primitives;          // sorted by rva (code analysis)
  std::vector<MemoryIntegrityCall> memory_integrity_calls;  // sorted by rva (code analysis)

  const DispatchRoutine* dispatch_for(uint8_t major) const {
    for (const auto& d : dispatch)
      if (d.major == major) return &d;
    return nullptr;
  }
  std::optional<VersionInfo> version_info;       // VERSIONINFO (its one copy after recovery; consumers read it here)
  // Names of functions known from the input (exported names; declarations in sources), by RVA.
  // A function without one is unnamed, and reports render it from its address (function_label).
  std::map<uint32_t, std::string> function_names;

  // The location of an address in `function_rva` (named when its name is known).
  Location code_location(std::optional<uint32_t> rva, std::optional<uint32_t> function_rva) const;
  // The function at `rva` as a person reads it: its name, or "sub_<RVA>".
  std::string function_label(uint32_t rva) const;
  // The primitive with this id, or nullptr.
  const PrimitiveUse* primitive(std::string_view id) const;
};

// "<kind> <what> @0x<rva>[ controlled]": a primitive in one line, as evidence names it.
std::string describe(const PrimitiveUse& u);

}  // namespace drvsec
