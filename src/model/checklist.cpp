#include "model/checklist.h"

#include <array>

namespace drvsec {

namespace {
using K = CheckKind;

constexpr std::array kItems = std::to_array<ChecklistItem>({
    // Driver security checklist
    {"CL-1", "Confirm that a kernel driver is really needed", K::manual},
    {"CL-2", "Use a driver framework (KMDF/UMDF) rather than raw WDM", K::automatic},
    {"CL-3a", "Name device objects only when needed; prefer device interfaces", K::automatic},
    {"CL-3b", "Secure the PDO with an SDDL in the INF", K::automatic},
    {"CL-3c", "WDM named device: IoCreateDeviceSecure with an SDDL and a unique class GUID", K::partial},
    {"CL-3d", "Least privilege in the SIDs and rights granted", K::automatic},
    {"CL-3e", "IoValidateDeviceIoControlAccess for per-IOCTL access control", K::partial},
    {"CL-4", "Tie a software-only driver to its hardware (PnP ID or SMBIOS check)", K::partial},
    {"CL-5.1", "Check input and output buffer sizes", K::partial},
    {"CL-5.2", "Zero output buffers; return only the bytes written", K::partial},
    {"CL-5.3", "Validate variable-length buffers without integer overflow", K::partial},
    {"CL-5.4", "Prefer METHOD_BUFFERED; avoid METHOD_NEITHER", K::automatic},
    {"CL-5.5", "Probe user addresses (METHOD_NEITHER) inside try/except", K::partial},
    {"CL-5.6", "Probe pointers embedded in buffered requests", K::partial},
    {"CL-5.7", "Direct I/O: handle zero-length buffers and NULL MDL mappings", K::partial},
    {"CL-5.8", "Avoid TOCTOU / double fetches of user memory", K::partial},
    {"CL-5.9", "All pool allocations non-executable", K::automatic},
    {"CL-5.10", "MSR access only on a constrained index or range", K::partial},
    {"CL-5.11", "Validate handles from user mode (type, access, mode)", K::partial},
    {"CL-5.12", "Check which device object a request targets", K::partial},
    {"CL-5.13", "Do not complete unhandled IRPs with STATUS_SUCCESS", K::partial},
    {"CL-5.14", "IoMarkIrpPending before queuing an IRP", K::partial},
    {"CL-5.15", "Handle cancellation correctly; prefer cancel-safe queues", K::partial},
    {"CL-5.16", "Handle IRP_MJ_CLEANUP versus IRP_MJ_CLOSE correctly", K::manual},
    {"CL-5.17", "Use safe string, integer and conversion functions", K::automatic},
    {"CL-5.18", "Synchronize shared data (locks or interlocked operations)", K::partial},
    {"CL-5.19", "No TDI filters or LSPs; use WFP", K::automatic},
    {"CL-6", "Memory-integrity (HVCI) compatible code", K::automatic},
    {"CL-7", "Secure installation (classes, services, files, registry, WMI)", K::partial},
    {"CL-8", "Follow technology-specific guidance", K::manual},
    {"CL-9", "Add SAL 2.0 annotations", K::partial},
    {"CL-10", "Peer code review", K::manual},
    {"CL-11", "Create or adapt a threat model", K::manual},
    {"CL-12", "Run CodeQL (WHCP must-fix suite)", K::manual},
    {"CL-13", "Run Driver Verifier", K::manual},
    {"CL-14", "Run the HLK security tests", K::manual},
    {"CL-15", "Check release binaries with BinSkim and SignTool", K::automatic},
    {"CL-16", "Never production-sign code with dangerous test behaviour", K::partial},
    {"CL-17", "Certify through Partner Center; ship through Windows Update", K::partial},
    {"CL-18", "Know the vulnerable driver block rules", K::automatic},
    {"CL-19", "Use secure-coding resources", K::manual},
    {"CL-X1", "Handle user-mode and kernel-to-kernel requests correctly", K::manual},
    {"CL-X2", "Inspect security with WinDbg (!acl, !token, !sd)", K::manual},
    // Memory integrity
    {"HV-1", "Opt in to non-executable pool by default (NX)", K::automatic},
    {"HV-2", "Use NX pool types and flags for allocations", K::automatic},
    {"HV-3", "No executable page protections", K::automatic},
    {"HV-4", "MDL mappings carry MdlMappingNoExecute", K::automatic},
    {"HV-5", "No section both writable and executable", K::automatic},
    {"HV-6", "Section alignment a multiple of 0x1000", K::automatic},
    {"HV-7", "The IAT is not in an executable section", K::automatic},
    {"HV-8", "Never modify executable system memory", K::partial},
    {"HV-9", "No dynamic code in the kernel", K::partial},
    {"HV-10", "Do not load data files as executable", K::partial},
    {"HV-11", "Relocations do not straddle a 4 KB page", K::automatic},
    {"HV-12", "Validate with Driver Verifier, HLK and hvciscan", K::manual},
    {"HV-13", "Replace deprecated ExAllocatePool* with ExAllocatePool2/3", K::automatic},
    // Best practices for high-privileged behaviour
    {"BP-1", "MSR read/write only on a fixed index or allowed range", K::partial},
    {"BP-2", "Never terminate arbitrary or protected processes", K::partial},
    {"BP-3", "Port I/O only on fixed ports or an allowed range", K::partial},
    {"BP-4", "No arbitrary kernel-memory read/write", K::partial},
    {"BP-5", "Physical memory through \\Device\\PhysicalMemory restricted to expected addresses", K::partial},
    {"BP-6", "Physical or device memory mapped to user mode only after validation", K::partial},
    {"BP-7", "No storage access that bypasses access control", K::partial},
    {"BP-8", "Do not modify hardware or firmware the driver does not manage", K::partial},
    // Windows security model
    {"SM-1", "A strong default SDDL for IoCreateDeviceSecure", K::automatic},
    {"SM-2", "An ACL for every device in the INF", K::automatic},
    {"SM-3", "FILE_DEVICE_SECURE_OPEN so the ACL covers the namespace", K::partial},
    {"SM-4", "No FILE_ANY_ACCESS IOCTLs unless misuse is impossible", K::automatic},
    {"SM-5", "IoValidateDeviceIoControlAccess to tighten FILE_ANY_ACCESS IOCTLs", K::partial},
    {"SM-6", "Compare the whole 32-bit IOCTL code in dispatch", K::partial},
    {"SM-7", "Separate public and internal IOCTL paths; do not trust RequestorMode", K::partial},
    {"SM-8", "Filters copy the lower device's characteristics", K::partial},
    {"SM-9", "Deny ACEs before allow ACEs", K::automatic},
    {"SM-10", "IoCreateDeviceSecure SDDL uses the supported subset", K::automatic},
    {"SM-11", "Validate all data crossing trust boundaries", K::manual},
    {"SM-12", "Check namespace opens when FILE_DEVICE_SECURE_OPEN is absent", K::partial},
});

}  // namespace

std::string_view to_string(CheckKind k) {
  switch (k) {
    case CheckKind::automatic: return "automatic";
    case CheckKind::partial: return "partial";
    case CheckKind::manual: return "manual";
  }
  return "manual";
}

std::span<const ChecklistItem> checklist_catalog() { return kItems; }

const ChecklistItem* find_checklist_item(std::string_view id) {
  for (const ChecklistItem& item : kItems)
    if (item.id == id) return &item;
  return nullptr;
}

}  // namespace drvsec
