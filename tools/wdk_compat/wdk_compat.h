// Declarations of kernel exports that the mingw-w64 DDK headers predate. The import libraries
// for them are generated from ntoskrnl_extra.def / tdi.def (see cmake/KernelImportLibs.cmake),
// so drivers built here import these functions exactly as WDK-built drivers do.
#pragma once

#include <ntifs.h>

#ifndef POOL_FLAG_NON_PAGED
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
#endif

#ifndef MdlMappingNoExecute
#define MdlMappingNoExecute 0x40000000  // MM_PAGE_PRIORITY flag: map the MDL non-executable (HV-4)
#endif

#ifndef MM_COPY_MEMORY_PHYSICAL
typedef struct _MM_COPY_ADDRESS {
  union {
    PVOID VirtualAddress;
    PHYSICAL_ADDRESS PhysicalAddress;
  };
} MM_COPY_ADDRESS, *PMM_COPY_ADDRESS;
#define MM_COPY_MEMORY_PHYSICAL 0x1
#define MM_COPY_MEMORY_VIRTUAL 0x2
#endif

DECLSPEC_IMPORT PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
DECLSPEC_IMPORT NTSTATUS NTAPI MmCopyMemory(PVOID TargetAddress, MM_COPY_ADDRESS SourceAddress, SIZE_T NumberOfBytes,
                                            ULONG Flags, PSIZE_T NumberOfBytesTransferred);
DECLSPEC_IMPORT PVOID NTAPI MmMapIoSpaceEx(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, ULONG Protect);
DECLSPEC_IMPORT BOOLEAN NTAPI PsIsProtectedProcess(PEPROCESS Process);
DECLSPEC_IMPORT BOOLEAN NTAPI PsIsProtectedProcessLight(PEPROCESS Process);
DECLSPEC_IMPORT NTSTATUS NTAPI ExSetFirmwareEnvironmentVariable(PUNICODE_STRING VariableName, LPGUID VendorGuid,
                                                                PVOID Value, ULONG ValueLength, ULONG Attributes);
DECLSPEC_IMPORT NTSTATUS NTAPI ExGetFirmwareEnvironmentVariable(PUNICODE_STRING VariableName, LPGUID VendorGuid,
                                                                PVOID Value, PULONG ValueLength, PULONG Attributes);
DECLSPEC_IMPORT NTSTATUS NTAPI MmCopyVirtualMemory(PEPROCESS FromProcess, PVOID FromAddress, PEPROCESS ToProcess,
                                                   PVOID ToAddress, SIZE_T BufferSize, KPROCESSOR_MODE PreviousMode,
                                                   PSIZE_T NumberOfBytesCopied);
// TDI.SYS (legacy transport interface, CL-5.19)
DECLSPEC_IMPORT NTSTATUS NTAPI TdiCopyBufferToMdl(PVOID SourceBuffer, ULONG SourceOffset, ULONG SourceBytesToCopy,
                                                  PMDL DestinationMdl, ULONG DestinationOffset, PULONG BytesCopied);
DECLSPEC_IMPORT NTSTATUS NTAPI TdiMapUserRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_STACK_LOCATION IrpSp);

DECLSPEC_IMPORT NTSTATUS NTAPI ObSetSecurityObjectByPointer(PVOID Object, SECURITY_INFORMATION SecurityInformation,
                                                            PSECURITY_DESCRIPTOR SecurityDescriptor);
