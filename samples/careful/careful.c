// careful.sys: a legacy (non-PnP) control-device driver written the way the Driver Security
// Guidance asks. It keeps per-open counters and a threshold that administrators can set.
//  - The device is named only because user mode must open it; its DACL comes from an SDDL string
//    that grants access to SYSTEM and Administrators only (what IoCreateDeviceSecure does), and
//    FILE_DEVICE_SECURE_OPEN makes the ACL apply to every name under the device too.
//  - Every IOCTL is METHOD_BUFFERED with FILE_READ_ACCESS or FILE_WRITE_ACCESS, and checks the
//    input and output lengths before touching SystemBuffer.
//  - Memory comes from ExAllocatePool2 (zeroed, non-executable); nothing is copied to user mode
//    beyond the bytes written, and IoStatus.Information says exactly how many.
#include <wdk_compat.h>

#define CAREFUL_TAG 'fraC'
#define FILE_DEVICE_CAREFUL 0x8001  // a vendor device type (0x8000-0xFFFF)

#define IOCTL_CAREFUL_GET_VERSION CTL_CODE(FILE_DEVICE_CAREFUL, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_CAREFUL_GET_STATS CTL_CODE(FILE_DEVICE_CAREFUL, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_CAREFUL_SET_THRESHOLD CTL_CODE(FILE_DEVICE_CAREFUL, 0x802, METHOD_BUFFERED, FILE_WRITE_ACCESS)

#define CAREFUL_MAX_THRESHOLD 1000

// SYSTEM and built-in Administrators get all access; nobody else gets any (SDDL_DEVOBJ_SYS_ALL_ADM_ALL).
static const WCHAR kDeviceSddl[] = L"D:P(A;;GA;;;SY)(A;;GA;;;BA)";

typedef struct _CAREFUL_VERSION {
  ULONG Major;
  ULONG Minor;
} CAREFUL_VERSION;

typedef struct _CAREFUL_STATS {
  ULONG Requests;
  ULONG Threshold;
} CAREFUL_STATS;

typedef struct _OPEN_CONTEXT {
  ULONG Requests;
} OPEN_CONTEXT;

static volatile LONG g_threshold = 10;

// --- the device's security descriptor, from kDeviceSddl ------------------------------------------

// Builds the SID an SDDL alias names: SY = S-1-5-18, BA = S-1-5-32-544. NULL for other aliases.
static PSID SidForAlias(const WCHAR* alias, UCHAR storage[16]) {
  SID_IDENTIFIER_AUTHORITY nt_authority = {SECURITY_NT_AUTHORITY};
  PSID sid = (PSID)storage;
  if (alias[0] == L'S' && alias[1] == L'Y') {
    RtlInitializeSid(sid, &nt_authority, 1);
    *RtlSubAuthoritySid(sid, 0) = SECURITY_LOCAL_SYSTEM_RID;
    return sid;
  }
  if (alias[0] == L'B' && alias[1] == L'A') {
    RtlInitializeSid(sid, &nt_authority, 2);
    *RtlSubAuthoritySid(sid, 0) = SECURITY_BUILTIN_DOMAIN_RID;
    *RtlSubAuthoritySid(sid, 1) = DOMAIN_ALIAS_RID_ADMINS;
    return sid;
  }
  return NULL;
}

// Applies a protected DACL described by `sddl` to the device. Like wdmsec's IoCreateDeviceSecure it
// understands only what device SDDL strings use; this one accepts "D:P" followed by (A;;GA;;;XX) ACEs.
static NTSTATUS ApplyDeviceSddl(PDEVICE_OBJECT device, const WCHAR* sddl) {
  UCHAR acl_buffer[128];
  PACL acl = (PACL)acl_buffer;
  SECURITY_DESCRIPTOR sd;
  NTSTATUS status;
  if (sddl[0] != L'D' || sddl[1] != L':' || sddl[2] != L'P') return STATUS_INVALID_PARAMETER;
  status = RtlCreateAcl(acl, sizeof(acl_buffer), ACL_REVISION);
  if (!NT_SUCCESS(status)) return status;
  for (const WCHAR* p = sddl + 3; *p == L'(';) {
    // "(A;;GA;;;SY)" is 12 characters: allow, no flags, GENERIC_ALL, no object types, trustee.
    static const WCHAR kAllowAll[] = L"(A;;GA;;;";
    UCHAR sid_storage[16];
    PSID sid;
    for (ULONG i = 0; i < 9; ++i)
      if (p[i] != kAllowAll[i]) return STATUS_INVALID_PARAMETER;
    sid = SidForAlias(p + 9, sid_storage);
    if (!sid || p[11] != L')') return STATUS_INVALID_PARAMETER;
    status = RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, sid);
    if (!NT_SUCCESS(status)) return status;
    p += 12;
  }
  status = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
  if (NT_SUCCESS(status)) status = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE);
  if (NT_SUCCESS(status)) status = ObSetSecurityObjectByPointer(device, DACL_SECURITY_INFORMATION, &sd);
  return status;
}

// --- dispatch ------------------------------------------------------------------------------------

static NTSTATUS CompleteRequest(PIRP irp, NTSTATUS status, ULONG_PTR information) {
  irp->IoStatus.Status = status;
  irp->IoStatus.Information = information;
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  return status;
}

static NTSTATUS NTAPI DispatchCreate(PDEVICE_OBJECT device, PIRP irp) {
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  OPEN_CONTEXT* context;
  (void)device;
  context = (OPEN_CONTEXT*)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(OPEN_CONTEXT), CAREFUL_TAG);
  if (!context) return CompleteRequest(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
  stack->FileObject->FsContext = context;
  return CompleteRequest(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI DispatchClose(PDEVICE_OBJECT device, PIRP irp) {
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  (void)device;
  if (stack->FileObject->FsContext) ExFreePoolWithTag(stack->FileObject->FsContext, CAREFUL_TAG);
  return CompleteRequest(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI DispatchDeviceControl(PDEVICE_OBJECT device, PIRP irp) {
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  OPEN_CONTEXT* context = (OPEN_CONTEXT*)stack->FileObject->FsContext;
  const ULONG in_len = stack->Parameters.DeviceIoControl.InputBufferLength;
  const ULONG out_len = stack->Parameters.DeviceIoControl.OutputBufferLength;
  PVOID buffer = irp->AssociatedIrp.SystemBuffer;
  (void)device;
  if (!context) return CompleteRequest(irp, STATUS_INVALID_DEVICE_STATE, 0);
  InterlockedIncrement((volatile LONG*)&context->Requests);

  switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_CAREFUL_GET_VERSION: {
      CAREFUL_VERSION* version = (CAREFUL_VERSION*)buffer;
      if (out_len < sizeof(CAREFUL_VERSION)) return CompleteRequest(irp, STATUS_BUFFER_TOO_SMALL, 0);
      RtlZeroMemory(version, sizeof(*version));
      version->Major = 1;
      version->Minor = 2;
      return CompleteRequest(irp, STATUS_SUCCESS, sizeof(CAREFUL_VERSION));
    }
    case IOCTL_CAREFUL_GET_STATS: {
      CAREFUL_STATS* stats = (CAREFUL_STATS*)buffer;
      if (out_len < sizeof(CAREFUL_STATS)) return CompleteRequest(irp, STATUS_BUFFER_TOO_SMALL, 0);
      RtlZeroMemory(stats, sizeof(*stats));
      stats->Requests = context->Requests;
      stats->Threshold = (ULONG)g_threshold;
      return CompleteRequest(irp, STATUS_SUCCESS, sizeof(CAREFUL_STATS));
    }
    case IOCTL_CAREFUL_SET_THRESHOLD: {
      ULONG threshold;
      if (in_len < sizeof(ULONG)) return CompleteRequest(irp, STATUS_BUFFER_TOO_SMALL, 0);
      threshold = *(ULONG*)buffer;  // captured once, then validated
      if (threshold == 0 || threshold > CAREFUL_MAX_THRESHOLD) return CompleteRequest(irp, STATUS_INVALID_PARAMETER, 0);
      InterlockedExchange(&g_threshold, (LONG)threshold);
      return CompleteRequest(irp, STATUS_SUCCESS, 0);
    }
    default:
      return CompleteRequest(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
  }
}

// --- load and unload -----------------------------------------------------------------------------

static void NTAPI DriverUnload(PDRIVER_OBJECT driver) {
  UNICODE_STRING link;
  RtlInitUnicodeString(&link, L"\\DosDevices\\DrvsecCareful");
  IoDeleteSymbolicLink(&link);
  IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
  UNICODE_STRING name, link;
  PDEVICE_OBJECT device;
  NTSTATUS status;
  (void)registry_path;
  RtlInitUnicodeString(&name, L"\\Device\\DrvsecCareful");
  RtlInitUnicodeString(&link, L"\\DosDevices\\DrvsecCareful");
  status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_CAREFUL, FILE_DEVICE_SECURE_OPEN, TRUE, &device);
  if (!NT_SUCCESS(status)) return status;
  status = ApplyDeviceSddl(device, kDeviceSddl);
  if (NT_SUCCESS(status)) status = IoCreateSymbolicLink(&link, &name);
  if (!NT_SUCCESS(status)) {
    IoDeleteDevice(device);
    return status;
  }
  driver->MajorFunction[IRP_MJ_CREATE] = DispatchCreate;
  driver->MajorFunction[IRP_MJ_CLOSE] = DispatchClose;
  driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
  driver->DriverUnload = DriverUnload;
  device->Flags |= DO_BUFFERED_IO;
  device->Flags &= ~DO_DEVICE_INITIALIZING;
  return STATUS_SUCCESS;
}
