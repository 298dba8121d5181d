// The part of the KMDF headers a fixture driver needs, written from the public documentation:
// the loader's bind structure, the configuration structures with their real layouts, and the
// function-table indices (WDFFUNCENUM order) of the routines the fixtures call. A driver built
// with it calls the framework exactly as a WDK-built KMDF driver does: through the table that
// WdfVersionBind stores into WdfFunctions_01015 (or, with DRVSEC_KMDF_ARRAY_TABLE, the KMDF 1.9
// form: the WdfFunctions array it fills).
#pragma once

#include <ntddk.h>

typedef struct WDF_OPAQUE_HANDLE* WDFOBJECT;
typedef WDFOBJECT WDFDRIVER, WDFDEVICE, WDFQUEUE, WDFREQUEST, WDFMEMORY;
typedef struct WDFDEVICE_INIT* PWDFDEVICE_INIT;
typedef struct WDF_OBJECT_ATTRIBUTES* PWDF_OBJECT_ATTRIBUTES;
typedef struct WDF_DRIVER_GLOBALS* PWDF_DRIVER_GLOBALS;
#define WDF_NO_OBJECT_ATTRIBUTES ((PWDF_OBJECT_ATTRIBUTES)NULL)
#define WDF_NO_HANDLE NULL

// ---- loader (fxldr.h)
typedef void (*WDFFUNC)(void);
typedef struct _WDF_VERSION {
  ULONG Major, Minor, Build;
} WDF_VERSION;
typedef struct _WDF_BIND_INFO {
  ULONG Size;
  PWCHAR Component;
  WDF_VERSION Version;
  ULONG FuncCount;
  WDFFUNC* FuncTable;  // the address of WdfFunctions_01015: the loader stores the table there
  PVOID Module;
} WDF_BIND_INFO, *PWDF_BIND_INFO;
DECLSPEC_IMPORT NTSTATUS NTAPI WdfVersionBind(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                                              PWDF_BIND_INFO BindInfo, PWDF_DRIVER_GLOBALS* ComponentGlobals);
DECLSPEC_IMPORT NTSTATUS NTAPI WdfVersionUnbind(PUNICODE_STRING RegistryPath, PWDF_BIND_INFO BindInfo,
                                                PWDF_DRIVER_GLOBALS ComponentGlobals);

// ---- function-table indices (wdffuncenum.h, WDFFUNCENUM)
enum {
  WdfControlDeviceInitAllocateTableIndex = 25,
  WdfControlFinishInitializingTableIndex = 27,
  WdfDeviceInitSetDeviceTypeTableIndex = 66,
  WdfDeviceInitAssignNameTableIndex = 67,
  WdfDeviceInitAssignSDDLStringTableIndex = 68,
  WdfDeviceInitSetCharacteristicsTableIndex = 70,
  WdfDeviceCreateTableIndex = 75,
  WdfDeviceCreateDeviceInterfaceTableIndex = 77,
  WdfDeviceCreateSymbolicLinkTableIndex = 80,
  WdfDriverCreateTableIndex = 116,
  WdfIoQueueCreateTableIndex = 152,
  WdfRequestCompleteTableIndex = 263,
  WdfRequestCompleteWithInformationTableIndex = 265,
  WdfRequestRetrieveInputBufferTableIndex = 269,
  WdfRequestRetrieveOutputBufferTableIndex = 270,
  WdfRequestRetrieveUnsafeUserInputBufferTableIndex = 273,
  WdfFunctionTableNumEntries_1_15 = 444,  // KMDF 1.15
};

// Defined by the driver's stub (the WDK's WdfDriverEntry.lib), filled by WdfVersionBind.
extern PWDF_DRIVER_GLOBALS WdfDriverGlobals;
#ifdef DRVSEC_KMDF_ARRAY_TABLE
// KMDF up to 1.13: the loader copies the routines into the driver's own array.
enum { WdfFunctionTableNumEntries_1_9 = 396 };
extern WDFFUNC WdfFunctions[WdfFunctionTableNumEntries_1_9];
#define WDF_FUNCTION(type, name) ((type)WdfFunctions[name##TableIndex])
#else
// KMDF 1.15 and later: the loader stores the address of its table into this pointer.
extern WDFFUNC* WdfFunctions_01015;
#define WDF_FUNCTION(type, name) ((type)WdfFunctions_01015[name##TableIndex])
#endif

// ---- configuration structures (wdfdriver.h, wdfio.h)
typedef NTSTATUS(NTAPI* PFN_WDF_DRIVER_DEVICE_ADD)(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit);
typedef void(NTAPI* PFN_WDF_DRIVER_UNLOAD)(WDFDRIVER Driver);
typedef struct _WDF_DRIVER_CONFIG {
  ULONG Size;
  PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
  PFN_WDF_DRIVER_UNLOAD EvtDriverUnload;
  ULONG DriverInitFlags;
  ULONG DriverPoolTag;
} WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;

typedef enum { WdfIoQueueDispatchSequential = 1, WdfIoQueueDispatchParallel, WdfIoQueueDispatchManual } WDF_IO_QUEUE_DISPATCH_TYPE;
typedef enum { WdfFalse = 0, WdfTrue = 1, WdfUseDefault = 2 } WDF_TRI_STATE;
typedef void(NTAPI* PFN_WDF_IO_QUEUE_IO_DEFAULT)(WDFQUEUE Queue, WDFREQUEST Request);
typedef void(NTAPI* PFN_WDF_IO_QUEUE_IO_READ)(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);
typedef void(NTAPI* PFN_WDF_IO_QUEUE_IO_WRITE)(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);
typedef void(NTAPI* PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL)(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                                                        size_t InputBufferLength, ULONG IoControlCode);
typedef PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL;
typedef void(NTAPI* PFN_WDF_IO_QUEUE_IO_STOP)(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags);
typedef void(NTAPI* PFN_WDF_IO_QUEUE_IO_RESUME)(WDFQUEUE Queue, WDFREQUEST Request);
typedef void(NTAPI* PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE)(WDFQUEUE Queue, WDFREQUEST Request);
typedef struct _WDF_IO_QUEUE_CONFIG {
  ULONG Size;
  WDF_IO_QUEUE_DISPATCH_TYPE DispatchType;
  WDF_TRI_STATE PowerManaged;
  BOOLEAN AllowZeroLengthRequests;
  BOOLEAN DefaultQueue;
  PFN_WDF_IO_QUEUE_IO_DEFAULT EvtIoDefault;
  PFN_WDF_IO_QUEUE_IO_READ EvtIoRead;
  PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite;
  PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL EvtIoDeviceControl;
  PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL EvtIoInternalDeviceControl;
  PFN_WDF_IO_QUEUE_IO_STOP EvtIoStop;
  PFN_WDF_IO_QUEUE_IO_RESUME EvtIoResume;
  PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE EvtIoCanceledOnQueue;
  union {
    struct {
      ULONG NumberOfPresentedRequests;
    } Parallel;
  } Settings;
  WDFDRIVER Driver;
} WDF_IO_QUEUE_CONFIG, *PWDF_IO_QUEUE_CONFIG;

static inline void WDF_DRIVER_CONFIG_INIT(PWDF_DRIVER_CONFIG Config, PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd) {
  RtlZeroMemory(Config, sizeof(WDF_DRIVER_CONFIG));
  Config->Size = sizeof(WDF_DRIVER_CONFIG);
  Config->EvtDriverDeviceAdd = EvtDriverDeviceAdd;
}
static inline void WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(PWDF_IO_QUEUE_CONFIG Config, WDF_IO_QUEUE_DISPATCH_TYPE DispatchType) {
  RtlZeroMemory(Config, sizeof(WDF_IO_QUEUE_CONFIG));
  Config->Size = sizeof(WDF_IO_QUEUE_CONFIG);
  Config->PowerManaged = WdfUseDefault;
  Config->DispatchType = DispatchType;
  if (DispatchType == WdfIoQueueDispatchParallel) Config->Settings.Parallel.NumberOfPresentedRequests = (ULONG)-1;
  Config->DefaultQueue = TRUE;
}

// ---- the routines, called through the table like the WDK's inline wrappers
typedef NTSTATUS(NTAPI* PFN_WDFDRIVERCREATE)(PWDF_DRIVER_GLOBALS, PDRIVER_OBJECT, PCUNICODE_STRING, PWDF_OBJECT_ATTRIBUTES,
                                             PWDF_DRIVER_CONFIG, WDFDRIVER*);
typedef PWDFDEVICE_INIT(NTAPI* PFN_WDFCONTROLDEVICEINITALLOCATE)(PWDF_DRIVER_GLOBALS, WDFDRIVER, const UNICODE_STRING*);
typedef void(NTAPI* PFN_WDFCONTROLFINISHINITIALIZING)(PWDF_DRIVER_GLOBALS, WDFDEVICE);
typedef void(NTAPI* PFN_WDFDEVICEINITSETDEVICETYPE)(PWDF_DRIVER_GLOBALS, PWDFDEVICE_INIT, DEVICE_TYPE);
typedef NTSTATUS(NTAPI* PFN_WDFDEVICEINITASSIGNNAME)(PWDF_DRIVER_GLOBALS, PWDFDEVICE_INIT, PCUNICODE_STRING);
typedef NTSTATUS(NTAPI* PFN_WDFDEVICEINITASSIGNSDDLSTRING)(PWDF_DRIVER_GLOBALS, PWDFDEVICE_INIT, PCUNICODE_STRING);
typedef void(NTAPI* PFN_WDFDEVICEINITSETCHARACTERISTICS)(PWDF_DRIVER_GLOBALS, PWDFDEVICE_INIT, ULONG, BOOLEAN);
typedef NTSTATUS(NTAPI* PFN_WDFDEVICECREATE)(PWDF_DRIVER_GLOBALS, PWDFDEVICE_INIT*, PWDF_OBJECT_ATTRIBUTES, WDFDEVICE*);
typedef NTSTATUS(NTAPI* PFN_WDFDEVICECREATESYMBOLICLINK)(PWDF_DRIVER_GLOBALS, WDFDEVICE, PCUNICODE_STRING);
typedef NTSTATUS(NTAPI* PFN_WDFDEVICECREATEDEVICEINTERFACE)(PWDF_DRIVER_GLOBALS, WDFDEVICE, const GUID*, PCUNICODE_STRING);
typedef NTSTATUS(NTAPI* PFN_WDFIOQUEUECREATE)(PWDF_DRIVER_GLOBALS, WDFDEVICE, PWDF_IO_QUEUE_CONFIG, PWDF_OBJECT_ATTRIBUTES,
                                              WDFQUEUE*);
typedef void(NTAPI* PFN_WDFREQUESTCOMPLETE)(PWDF_DRIVER_GLOBALS, WDFREQUEST, NTSTATUS);
typedef void(NTAPI* PFN_WDFREQUESTCOMPLETEWITHINFORMATION)(PWDF_DRIVER_GLOBALS, WDFREQUEST, NTSTATUS, ULONG_PTR);
typedef NTSTATUS(NTAPI* PFN_WDFREQUESTRETRIEVEBUFFER)(PWDF_DRIVER_GLOBALS, WDFREQUEST, size_t, PVOID*, size_t*);

#define WdfDriverCreate(...) WDF_FUNCTION(PFN_WDFDRIVERCREATE, WdfDriverCreate)(WdfDriverGlobals, __VA_ARGS__)
#define WdfControlDeviceInitAllocate(...) \
  WDF_FUNCTION(PFN_WDFCONTROLDEVICEINITALLOCATE, WdfControlDeviceInitAllocate)(WdfDriverGlobals, __VA_ARGS__)
#define WdfControlFinishInitializing(...) \
  WDF_FUNCTION(PFN_WDFCONTROLFINISHINITIALIZING, WdfControlFinishInitializing)(WdfDriverGlobals, __VA_ARGS__)
#define WdfDeviceInitSetDeviceType(...) \
  WDF_FUNCTION(PFN_WDFDEVICEINITSETDEVICETYPE, WdfDeviceInitSetDeviceType)(WdfDriverGlobals, __VA_ARGS__)
#define WdfDeviceInitAssignName(...) WDF_FUNCTION(PFN_WDFDEVICEINITASSIGNNAME, WdfDeviceInitAssignName)(WdfDriverGlobals, __VA_ARGS__)
#define WdfDeviceInitAssignSDDLString(...) \
  WDF_FUNCTION(PFN_WDFDEVICEINITASSIGNSDDLSTRING, WdfDeviceInitAssignSDDLString)(WdfDriverGlobals, __VA_ARGS__)
#define WdfDeviceInitSetCharacteristics(...) \
  WDF_FUNCTION(PFN_WDFDEVICEINITSETCHARACTERISTICS, WdfDeviceInitSetCharacteristics)(WdfDriverGlobals, __VA_ARGS__)
#define WdfDeviceCreate(...) WDF_FUNCTION(PFN_WDFDEVICECREATE, WdfDeviceCreate)(WdfDriverGlobals, __VA_ARGS__)
#define WdfDeviceCreateSymbolicLink(...) \
  WDF_FUNCTION(PFN_WDFDEVICECREATESYMBOLICLINK, WdfDeviceCreateSymbolicLink)(WdfDriverGlobals, __VA_ARGS__)
#define WdfDeviceCreateDeviceInterface(...) \
  WDF_FUNCTION(PFN_WDFDEVICECREATEDEVICEINTERFACE, WdfDeviceCreateDeviceInterface)(WdfDriverGlobals, __VA_ARGS__)
#define WdfIoQueueCreate(...) WDF_FUNCTION(PFN_WDFIOQUEUECREATE, WdfIoQueueCreate)(WdfDriverGlobals, __VA_ARGS__)
#define WdfRequestComplete(...) WDF_FUNCTION(PFN_WDFREQUESTCOMPLETE, WdfRequestComplete)(WdfDriverGlobals, __VA_ARGS__)
#define WdfRequestCompleteWithInformation(...) \
  WDF_FUNCTION(PFN_WDFREQUESTCOMPLETEWITHINFORMATION, WdfRequestCompleteWithInformation)(WdfDriverGlobals, __VA_ARGS__)
#define WdfRequestRetrieveInputBuffer(...) \
  WDF_FUNCTION(PFN_WDFREQUESTRETRIEVEBUFFER, WdfRequestRetrieveInputBuffer)(WdfDriverGlobals, __VA_ARGS__)
#define WdfRequestRetrieveOutputBuffer(...) \
  WDF_FUNCTION(PFN_WDFREQUESTRETRIEVEBUFFER, WdfRequestRetrieveOutputBuffer)(WdfDriverGlobals, __VA_ARGS__)
#define WdfRequestRetrieveUnsafeUserInputBuffer(...) \
  WDF_FUNCTION(PFN_WDFREQUESTRETRIEVEBUFFER, WdfRequestRetrieveUnsafeUserInputBuffer)(WdfDriverGlobals, __VA_ARGS__)
