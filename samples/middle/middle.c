// middle.sys: a timer "sensor" driver written with some care but not all of it — typical of code
// that works and passes review until someone reads the guidance.
// Done right: FILE_DEVICE_SECURE_OPEN; METHOD_BUFFERED requests check their lengths; the hardware
// mapping is a fixed, known register block (the HPET), never an address from the caller;
// non-executable pool (NonPagedPoolNx); unknown IOCTLs fail.
// Not done: the device has no SDDL (it gets the default descriptor), one IOCTL is FILE_ANY_ACCESS,
// allocations use the deprecated ExAllocatePoolWithTag (not zeroed), and a name is formatted with
// _snwprintf (may leave the buffer unterminated).
#define __USE_MINGW_ANSI_STDIO 0
#include <wdk_compat.h>
#include <stdio.h>

#define SENSOR_TAG 'dsnS'
#define FILE_DEVICE_SENSOR 0x8002

#define IOCTL_SENSOR_GET_COUNTER CTL_CODE(FILE_DEVICE_SENSOR, 0x810, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SENSOR_SET_PERIOD CTL_CODE(FILE_DEVICE_SENSOR, 0x811, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_SENSOR_READ_SAMPLES CTL_CODE(FILE_DEVICE_SENSOR, 0x812, METHOD_OUT_DIRECT, FILE_READ_ACCESS)
#define IOCTL_SENSOR_GET_NAME CTL_CODE(FILE_DEVICE_SENSOR, 0x813, METHOD_BUFFERED, FILE_READ_ACCESS)

#define HPET_BASE 0xFED00000ULL  // the HPET register block this driver reads
#define HPET_MAIN_COUNTER 0xF0
#define SENSOR_SAMPLES 64

typedef struct _SENSOR_STATE {
  volatile UCHAR* hpet;  // mapped HPET registers
  ULONG period_ms;
  ULONG64 samples[SENSOR_SAMPLES];
  WCHAR name[32];
} SENSOR_STATE;

static SENSOR_STATE* g_state;

static NTSTATUS Complete(PIRP irp, NTSTATUS status, ULONG_PTR information) {
  irp->IoStatus.Status = status;
  irp->IoStatus.Information = information;
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  return status;
}

static ULONG64 ReadCounter(void) {
  return g_state->hpet ? *(volatile ULONG64*)(g_state->hpet + HPET_MAIN_COUNTER) : 0;
}

static NTSTATUS NTAPI DispatchCreateClose(PDEVICE_OBJECT device, PIRP irp) {
  (void)device;
  return Complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI DispatchDeviceControl(PDEVICE_OBJECT device, PIRP irp) {
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  const ULONG in_len = stack->Parameters.DeviceIoControl.InputBufferLength;
  const ULONG out_len = stack->Parameters.DeviceIoControl.OutputBufferLength;
  PVOID buffer = irp->AssociatedIrp.SystemBuffer;
  (void)device;

  switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_SENSOR_GET_COUNTER:
      if (out_len < sizeof(ULONG64)) return Complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
      *(ULONG64*)buffer = ReadCounter();
      return Complete(irp, STATUS_SUCCESS, sizeof(ULONG64));
    case IOCTL_SENSOR_SET_PERIOD: {
      ULONG period;
      if (in_len < sizeof(ULONG)) return Complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
      period = *(ULONG*)buffer;
      if (period < 1 || period > 10000) return Complete(irp, STATUS_INVALID_PARAMETER, 0);
      g_state->period_ms = period;
      return Complete(irp, STATUS_SUCCESS, 0);
    }
    case IOCTL_SENSOR_READ_SAMPLES: {
      PVOID out;
      ULONG count = out_len / sizeof(ULONG64);
      if (count == 0 || !irp->MdlAddress) return Complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
      if (count > SENSOR_SAMPLES) count = SENSOR_SAMPLES;
      out = MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
      if (!out) return Complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
      for (ULONG i = 0; i < count; ++i) g_state->samples[i] = ReadCounter();
      RtlCopyMemory(out, g_state->samples, count * sizeof(ULONG64));
      return Complete(irp, STATUS_SUCCESS, count * sizeof(ULONG64));
    }
    case IOCTL_SENSOR_GET_NAME:
      if (out_len < sizeof(g_state->name)) return Complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
      RtlCopyMemory(buffer, g_state->name, sizeof(g_state->name));
      return Complete(irp, STATUS_SUCCESS, sizeof(g_state->name));
    default:
      return Complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
  }
}

static void NTAPI DriverUnload(PDRIVER_OBJECT driver) {
  UNICODE_STRING link;
  RtlInitUnicodeString(&link, L"\\DosDevices\\DrvsecSensor");
  IoDeleteSymbolicLink(&link);
  if (g_state->hpet) MmUnmapIoSpace((PVOID)g_state->hpet, PAGE_SIZE);
  ExFreePoolWithTag(g_state, SENSOR_TAG);
  IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
  UNICODE_STRING name, link;
  PDEVICE_OBJECT device;
  PHYSICAL_ADDRESS hpet;
  NTSTATUS status;
  (void)registry_path;
  g_state = (SENSOR_STATE*)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(SENSOR_STATE), SENSOR_TAG);
  if (!g_state) return STATUS_INSUFFICIENT_RESOURCES;
  RtlZeroMemory(g_state, sizeof(*g_state));
  g_state->period_ms = 100;
  _snwprintf(g_state->name, sizeof(g_state->name) / sizeof(WCHAR), L"HPET@%I64X", HPET_BASE);
  hpet.QuadPart = (LONGLONG)HPET_BASE;
  g_state->hpet = (volatile UCHAR*)MmMapIoSpace(hpet, PAGE_SIZE, MmNonCached);

  RtlInitUnicodeString(&name, L"\\Device\\DrvsecSensor");
  RtlInitUnicodeString(&link, L"\\DosDevices\\DrvsecSensor");
  status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_SENSOR, FILE_DEVICE_SECURE_OPEN, FALSE, &device);
  if (NT_SUCCESS(status)) {
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) IoDeleteDevice(device);
  }
  if (!NT_SUCCESS(status)) {
    if (g_state->hpet) MmUnmapIoSpace((PVOID)g_state->hpet, PAGE_SIZE);
    ExFreePoolWithTag(g_state, SENSOR_TAG);
    return status;
  }
  device->Flags |= DO_DIRECT_IO;
  driver->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
  driver->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
  driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
  driver->DriverUnload = DriverUnload;
  return STATUS_SUCCESS;
}
