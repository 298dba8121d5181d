#include "binary/api_catalog.h"

#include <algorithm>
#include <array>
#include <vector>

namespace drvsec {

namespace {
using C = CapabilityCategory;

// Grouped by category for reading; find_in_catalog searches a by-name index built at first use.
constexpr std::array kEntries = std::to_array<CatalogEntry>({
    // Physical memory (BP-5, BP-6, CL-16)
    {"MmMapIoSpace", C::physical_memory, "maps a physical address range into kernel space"},
    {"MmMapIoSpaceEx", C::physical_memory, "maps a physical address range with a page protection"},
    {"MmGetPhysicalAddress", C::physical_memory, "reveals the physical address behind a virtual one"},
    {"MmGetVirtualForPhysical", C::physical_memory, "turns a physical address into the kernel virtual address mapping it"},
    {"MmCopyMemory", C::physical_memory, "copies from a physical or virtual address given by the caller"},
    {"MmAllocateContiguousMemorySpecifyCache", C::physical_memory, "allocates physically contiguous memory"},
    {"MmUnmapIoSpace", C::physical_memory, "unmaps an I/O space mapping (paired with MmMapIoSpace)"},
    {"ZwOpenSection", C::physical_memory, "opens a section object, e.g. \\Device\\PhysicalMemory"},
    {"ZwMapViewOfSection", C::physical_memory, "maps a section view, e.g. of \\Device\\PhysicalMemory"},
    // Mapping memory into a user process (BP-6, HV-4)
    {"MmMapLockedPages", C::user_mapping, "maps MDL pages, into user space when AccessMode is UserMode"},
    {"MmMapLockedPagesSpecifyCache", C::user_mapping, "maps MDL pages, into user space when AccessMode is UserMode"},
    {"MmMapLockedPagesWithReservedMapping", C::user_mapping, "maps MDL pages into a reserved range"},
    {"MmBuildMdlForNonPagedPool", C::user_mapping, "describes non-paged memory by an MDL, a step before mapping it"},
    // Process control and cross-process memory (BP-2, BP-4)
    {"ZwTerminateProcess", C::process_control, "terminates a process, protected processes included if unchecked"},
    {"ZwOpenProcess", C::process_control, "opens any process with a kernel handle"},
    {"PsLookupProcessByProcessId", C::process_control, "turns a caller-chosen PID into a process object"},
    {"ObOpenObjectByPointer", C::process_control, "creates a handle to an object, bypassing access checks in kernel mode"},
    {"KeStackAttachProcess", C::process_control, "switches to another process's address space"},
    {"KeAttachProcess", C::process_control, "switches to another process's address space"},
    {"MmCopyVirtualMemory", C::process_control, "copies memory between processes"},
    {"ZwReadVirtualMemory", C::process_control, "reads another process's memory"},
    {"ZwWriteVirtualMemory", C::process_control, "writes another process's memory"},
    {"PsSetCreateProcessNotifyRoutine", C::process_control, "observes every process creation"},
    // Port and bus access (BP-3, BP-8)
    {"READ_PORT_UCHAR", C::port_io, "reads an I/O port (x86 hal import; inlined to IN on x64)"},
    {"READ_PORT_USHORT", C::port_io, "reads an I/O port"},
    {"READ_PORT_ULONG", C::port_io, "reads an I/O port"},
    {"READ_PORT_BUFFER_UCHAR", C::port_io, "reads an I/O port repeatedly"},
    {"READ_PORT_BUFFER_USHORT", C::port_io, "reads an I/O port repeatedly"},
    {"READ_PORT_BUFFER_ULONG", C::port_io, "reads an I/O port repeatedly"},
    {"WRITE_PORT_UCHAR", C::port_io, "writes an I/O port"},
    {"WRITE_PORT_USHORT", C::port_io, "writes an I/O port"},
    {"WRITE_PORT_ULONG", C::port_io, "writes an I/O port"},
    {"WRITE_PORT_BUFFER_UCHAR", C::port_io, "writes an I/O port repeatedly"},
    {"WRITE_PORT_BUFFER_USHORT", C::port_io, "writes an I/O port repeatedly"},
    {"WRITE_PORT_BUFFER_ULONG", C::port_io, "writes an I/O port repeatedly"},
    {"HalGetBusData", C::port_io, "reads bus configuration space (PCI config)"},
    {"HalGetBusDataByOffset", C::port_io, "reads bus configuration space (PCI config)"},
    {"HalSetBusData", C::port_io, "writes bus configuration space (PCI config)"},
    {"HalSetBusDataByOffset", C::port_io, "writes bus configuration space (PCI config)"},
    // Firmware (BP-8)
    {"ExSetFirmwareEnvironmentVariable", C::firmware, "writes a UEFI variable"},
    {"ExGetFirmwareEnvironmentVariable", C::firmware, "reads a UEFI variable"},
    {"ZwSetSystemEnvironmentValue", C::firmware, "writes a firmware environment value"},
    {"ZwSetSystemEnvironmentValueEx", C::firmware, "writes a UEFI variable"},
    {"HalSetEnvironmentVariable", C::firmware, "writes a firmware environment variable"},
    // Banned string functions (CL-5.17): no bounds, or a bound that does not terminate
    {"strcpy", C::banned_string, "copies without a destination size"},
    {"strcat", C::banned_string, "appends without a destination size"},
    {"strncpy", C::banned_string, "may leave the destination unterminated"},
    {"strncat", C::banned_string, "size argument is easy to get wrong"},
    {"sprintf", C::banned_string, "formats without a destination size"},
    {"vsprintf", C::banned_string, "formats without a destination size"},
    {"_snprintf", C::banned_string, "may leave the destination unterminated"},
    {"_vsnprintf", C::banned_string, "may leave the destination unterminated"},
    {"wcscpy", C::banned_string, "copies without a destination size"},
    {"wcscat", C::banned_string, "appends without a destination size"},
    {"wcsncpy", C::banned_string, "may leave the destination unterminated"},
    {"wcsncat", C::banned_string, "size argument is easy to get wrong"},
    {"swprintf", C::banned_string, "formats without a destination size"},
    {"_snwprintf", C::banned_string, "may leave the destination unterminated"},
    {"_vsnwprintf", C::banned_string, "may leave the destination unterminated"},
    // Deprecated pool allocation (HV-13): replaced by ExAllocatePool2/3, which zero memory
    {"ExAllocatePool", C::deprecated_pool, "deprecated: does not zero memory; use ExAllocatePool2"},
    {"ExAllocatePoolWithTag", C::deprecated_pool, "deprecated: does not zero memory; use ExAllocatePool2"},
    {"ExAllocatePoolWithQuota", C::deprecated_pool, "deprecated: use ExAllocatePool2 with POOL_FLAG_USE_QUOTA"},
    {"ExAllocatePoolWithQuotaTag", C::deprecated_pool, "deprecated: use ExAllocatePool2 with POOL_FLAG_USE_QUOTA"},
    {"ExAllocatePoolWithTagPriority", C::deprecated_pool, "deprecated: use ExAllocatePool3"},
});

}  // namespace

std::span<const CatalogEntry> api_catalog() { return kEntries; }

const CatalogEntry* find_in_catalog(std::string_view api) {
  // Every import of every scanned image is looked up here: binary search, not a linear scan.
  static const std::vector<const CatalogEntry*> by_name = [] {
    std::vector<const CatalogEntry*> index;
    for (const CatalogEntry& e : kEntries) index.push_back(&e);
    std::sort(index.begin(), index.end(), [](auto a, auto b) { return a->api < b->api; });
    return index;
  }();
  auto it = std::lower_bound(by_name.begin(), by_name.end(), api, [](auto e, std::string_view name) { return e->api < name; });
  return it != by_name.end() && (*it)->api == api ? *it : nullptr;
}

}  // namespace drvsec
