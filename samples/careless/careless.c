// careless.sys: a deliberately careless "hardware tool" driver, the shape of the vulnerable OEM
// utility drivers attackers bring along to get into the kernel. DO NOT SHIP CODE LIKE THIS.
// Everything the Driver Security Guidance warns about is here on purpose, so that drvsec (and the
// code analysis built on it) has something real to find:
//  - a named device and a \DosDevices link, created with IoCreateDevice: no SDDL, no
//    FILE_DEVICE_SECURE_OPEN, so any user can open it (CL-3a, CL-3c);
//  - METHOD_NEITHER + FILE_ANY_ACCESS IOCTLs that use Type3InputBuffer and UserBuffer without a
//    probe (CL-5.4, CL-5.5);
//  - MSR read/write with a caller-chosen index (BP-1), port I/O on a caller-chosen port (BP-3),
//    physical memory mapped at a caller-chosen address into the caller's process (BP-6), process
//    termination of any PID (BP-2);
//  - strcpy into a fixed buffer (CL-5.17), ExAllocatePoolWithTag(NonPagedPool) (HV-2, HV-13);
//  - IoStatus.Information set to the caller's output length (CL-5.2), unknown IOCTLs "succeed" (CL-5.13).
#define __USE_MINGW_ANSI_STDIO 0
#include <wdk_compat.h>
#include <intrin.h>
#include <string.h>

#define CARELESS_TAG 'lraC'

#define IOCTL_HWTOOL_READ_MSR CTL_CODE(FILE_DEVICE_UNKNOWN, 0x820, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_HWTOOL_WRITE_MSR CTL_CODE(FILE_DEVICE_UNKNOWN, 0x821, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_HWTOOL_MAP_PHYSICAL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x822, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_HWTOOL_READ_PORT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x823, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_HWTOOL_WRITE_PORT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x824, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_HWTOOL_KILL_PROCESS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x825, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_HWTOOL_SET_LABEL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x826, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _HWTOOL_MSR {
  ULONG Index;
  ULONG64 Value;
} HWTOOL_MSR;

typedef struct _HWTOOL_PHYSICAL {
  ULONG64 Address;
  ULONG Size;
  PVOID UserAddress;  // out
} HWTOOL_PHYSICAL;

typedef struct _HWTOOL_PORT {
  USHORT Port;
  UCHAR Value;
} HWTOOL_PORT;

static char g_label[32];
static PVOID g_scratch;

static NTSTATUS MapPhysicalToUser(HWTOOL_PHYSICAL* request) {
  PHYSICAL_ADDRESS pa;
  PVOID kernel_va;
  PMDL mdl;
  pa.QuadPart = (LONGLONG)request->Address;
  kernel_va = MmMapIoSpace(pa, request->Size, MmNonCached);  // any address, any size
  if (!kernel_va) return STATUS_UNSUCCESSFUL;
  mdl = IoAllocateMdl(kernel_va, request->Size, FALSE, FALSE, NULL);
  if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
  MmBuildMdlForNonPagedPool(mdl);
  request->UserAddress = MmMapLockedPagesSpecifyCache(mdl, UserMode, MmNonCached, NULL, FALSE, NormalPagePriority);
  return STATUS_SUCCESS;
}

static NTSTATUS KillProcess(ULONG pid) {
  OBJECT_ATTRIBUTES oa;
  CLIENT_ID cid;
  HANDLE process;
  NTSTATUS status;
  cid.UniqueProcess = (HANDLE)(ULONG_PTR)pid;
  cid.UniqueThread = NULL;
  InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
  status = ZwOpenProcess(&process, PROCESS_ALL_ACCESS, &oa, &cid);  // any PID, protected ones too
  if (!NT_SUCCESS(status)) return status;
  status = ZwTerminateProcess(process, STATUS_SUCCESS);
  ZwClose(process);
  return status;
}

static NTSTATUS NTAPI DispatchCreateClose(PDEVICE_OBJECT device, PIRP irp) {
  (void)device;
  irp->IoStatus.Status = STATUS_SUCCESS;
  irp->IoStatus.Information = 0;
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  return STATUS_SUCCESS;
}

static NTSTATUS NTAPI DispatchDeviceControl(PDEVICE_OBJECT device, PIRP irp) {
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  PVOID in = stack->Parameters.DeviceIoControl.Type3InputBuffer;  // METHOD_NEITHER: raw user pointer
  PVOID out = irp->UserBuffer;
  NTSTATUS status = STATUS_SUCCESS;
  (void)device;

  switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_HWTOOL_READ_MSR: {
      HWTOOL_MSR* msr = (HWTOOL_MSR*)in;
      msr->Value = __readmsr(msr->Index);  // e.g. IA32_LSTAR: where the kernel's syscall handler lives
      break;
    }
    case IOCTL_HWTOOL_WRITE_MSR: {
      HWTOOL_MSR* msr = (HWTOOL_MSR*)in;
      __writemsr(msr->Index, msr->Value);
      break;
    }
    case IOCTL_HWTOOL_MAP_PHYSICAL:
      status = MapPhysicalToUser((HWTOOL_PHYSICAL*)in);
      if (NT_SUCCESS(status)) *(HWTOOL_PHYSICAL*)out = *(HWTOOL_PHYSICAL*)in;
      break;
    case IOCTL_HWTOOL_READ_PORT: {
      HWTOOL_PORT* port = (HWTOOL_PORT*)in;
      port->Value = READ_PORT_UCHAR((PUCHAR)(ULONG_PTR)port->Port);
      break;
    }
    case IOCTL_HWTOOL_WRITE_PORT: {
      HWTOOL_PORT* port = (HWTOOL_PORT*)in;
      WRITE_PORT_UCHAR((PUCHAR)(ULONG_PTR)port->Port, port->Value);  // 0xCF8/0xCFC, 0x70, 0xB2 ...
      break;
    }
    case IOCTL_HWTOOL_KILL_PROCESS:
      status = KillProcess(*(ULONG*)irp->AssociatedIrp.SystemBuffer);  // no length check
      break;
    case IOCTL_HWTOOL_SET_LABEL:
      strcpy(g_label, (const char*)irp->AssociatedIrp.SystemBuffer);  // unbounded copy into 32 bytes
      if (g_scratch) RtlCopyMemory(g_scratch, g_label, sizeof(g_label));
      break;
    default:
      break;  // unknown codes "succeed"
  }
  irp->IoStatus.Status = status;
  irp->IoStatus.Information = stack->Parameters.DeviceIoControl.OutputBufferLength;  // whatever was asked
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  return status;
}

static void NTAPI DriverUnload(PDRIVER_OBJECT driver) {
  UNICODE_STRING link;
  RtlInitUnicodeString(&link, L"\\DosDevices\\HwTool");
  IoDeleteSymbolicLink(&link);
  if (g_scratch) ExFreePoolWithTag(g_scratch, CARELESS_TAG);
  IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
  UNICODE_STRING name, link;
  PDEVICE_OBJECT device;
  NTSTATUS status;
  (void)registry_path;
  RtlInitUnicodeString(&name, L"\\Device\\HwTool");
  RtlInitUnicodeString(&link, L"\\DosDevices\\HwTool");
  status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);  // default ACL, no secure open
  if (!NT_SUCCESS(status)) return status;
  status = IoCreateSymbolicLink(&link, &name);
  if (!NT_SUCCESS(status)) {
    IoDeleteDevice(device);
    return status;
  }
  g_scratch = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, CARELESS_TAG);  // executable, not zeroed
  driver->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
  driver->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
  driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
  driver->DriverUnload = DriverUnload;
  return STATUS_SUCCESS;
}
