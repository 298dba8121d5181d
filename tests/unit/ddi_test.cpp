// The DDI table (src/ddi/functions.cpp) is consistent with itself, and the structure layouts
// (src/ddi/layouts.cpp) agree with the public headers' declarations: each offset is recomputed
// here from a mirror of the declaration (fixed-width types for each architecture's sizes, natural
// alignment, POINTER_ALIGNMENT on 64-bit only), and checked against offsets known independently
// (the values the guidance's reference tables and a kernel debugger's `dt` give).
#include "ddi/functions.h"
#include "ddi/layouts.h"
#include "ddi/wdf_function_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace drvsec::ddi {
namespace {

// ---------------------------------------------------------------- layouts

// The mirrors are laid out by this compiler; its natural alignment of the fixed-width types is the
// one the WDK headers are compiled with (MSVC aligns LARGE_INTEGER to 8 on x86 too).
static_assert(alignof(uint16_t) == 2 && alignof(uint32_t) == 4 && alignof(uint64_t) == 8);

// Ptr: a pointer of the target; PointerAlignment: what POINTER_ALIGNMENT aligns to (8 on 64-bit
// Windows, nothing on 32-bit). Members the analyses do not read keep their header names so the
// arithmetic can be followed against the declarations.
template <typename Ptr, size_t PointerAlignment>
struct Mirror {
  struct UnicodeString { uint16_t Length, MaximumLength; Ptr Buffer; };
  struct ListEntryT { Ptr Flink, Blink; };

  struct DriverObject {
    int16_t Type, Size;
    Ptr DeviceObject;
    uint32_t Flags;
    Ptr DriverStart;
    uint32_t DriverSize;
    Ptr DriverSection, DriverExtension;
    UnicodeString DriverName;
    Ptr HardwareDatabase, FastIoDispatch, DriverInit, DriverStartIo, DriverUnload;
    Ptr MajorFunction[0x1B + 1];
  };
  struct DriverExtension {
    Ptr DriverObject, AddDevice;
    uint32_t Count;
    UnicodeString ServiceKeyName;
  };

  struct IoStatusBlock {
    union { int32_t Status; Ptr Pointer; };
    Ptr Information;
  };
  struct KDeviceQueueEntry {
    ListEntryT DeviceListEntry;
    uint32_t SortKey;
    uint8_t Inserted;
  };
  struct Irp {
    int16_t Type;
    uint16_t Size;
    Ptr MdlAddress;
    uint32_t Flags;
    union { Ptr MasterIrp; int32_t IrpCount; Ptr SystemBuffer; } AssociatedIrp;
    ListEntryT ThreadListHead;
    IoStatusBlock IoStatus;
    int8_t RequestorMode;
    uint8_t PendingReturned;
    int8_t StackCount, CurrentLocation;
    uint8_t Cancel, CancelIrql;
    int8_t ApcEnvironment;
    uint8_t AllocationFlags;
    union { Ptr UserIosb; Ptr IoRingContext; };
    Ptr UserEvent;
    union {
      struct { Ptr UserApcRoutine, UserApcContext; } AsynchronousParameters;
      int64_t AllocationSize;  // LARGE_INTEGER
    } Overlay;
    Ptr CancelRoutine;
    Ptr UserBuffer;
    union {
      struct {
        union { KDeviceQueueEntry DeviceQueueEntry; Ptr DriverContext[4]; };
        Ptr Thread;
        Ptr AuxiliaryBuffer;
        struct {  // anonymous in the header
          ListEntryT ListEntry;
          union { Ptr CurrentStackLocation; uint32_t PacketType; };
        } s;
        Ptr OriginalFileObject;
      } Overlay;
    } Tail;
  };

  struct IoStackLocation {
    uint8_t MajorFunction, MinorFunction, Flags, Control;
    union {
      struct {
        uint32_t OutputBufferLength;
        alignas(PointerAlignment) uint32_t InputBufferLength;
        alignas(PointerAlignment) uint32_t IoControlCode;
        Ptr Type3InputBuffer;
      } DeviceIoControl;
      struct { Ptr Argument1, Argument2, Argument3, Argument4; } Others;
    } Parameters;
    Ptr DeviceObject;
  };

  struct WdfBindInfo {
    uint32_t Size;
    Ptr Component;
    struct { uint32_t Major, Minor, Build; } Version;
    uint32_t FuncCount;
    Ptr FuncTable;
    Ptr Module;
  };
  struct WdfDriverConfig {
    uint32_t Size;
    Ptr EvtDriverDeviceAdd, EvtDriverUnload;
    uint32_t DriverInitFlags, DriverPoolTag;
  };
  struct WdfIoQueueConfig {
    uint32_t Size;
    int32_t DispatchType, PowerManaged;  // enums
    uint8_t AllowZeroLengthRequests, DefaultQueue;
    Ptr EvtIoDefault, EvtIoRead, EvtIoWrite, EvtIoDeviceControl, EvtIoInternalDeviceControl;
  };
};

template <typename M>
void expect_layouts_follow_declarations(const Layouts& l, uint32_t pointer_size) {
  EXPECT_EQ(l.pointer_size, pointer_size);
  using US = typename M::UnicodeString;
  EXPECT_EQ(l.unicode_string.length, offsetof(US, Length));
  EXPECT_EQ(l.unicode_string.maximum_length, offsetof(US, MaximumLength));
  EXPECT_EQ(l.unicode_string.buffer, offsetof(US, Buffer));
  using DO = typename M::DriverObject;
  EXPECT_EQ(l.driver_object.driver_extension, offsetof(DO, DriverExtension));
  EXPECT_EQ(l.driver_object.driver_unload, offsetof(DO, DriverUnload));
  EXPECT_EQ(l.driver_object.major_function, offsetof(DO, MajorFunction));
  EXPECT_EQ(l.driver_extension.add_device, offsetof(typename M::DriverExtension, AddDevice));
  using Irp = typename M::Irp;
  EXPECT_EQ(l.irp.system_buffer, offsetof(Irp, AssociatedIrp.SystemBuffer));
  EXPECT_EQ(l.irp.user_buffer, offsetof(Irp, UserBuffer));
  EXPECT_EQ(l.irp.current_stack_location, offsetof(Irp, Tail.Overlay.s.CurrentStackLocation));
  using Io = typename M::IoStackLocation;
  EXPECT_EQ(l.io_stack_location.output_buffer_length, offsetof(Io, Parameters.DeviceIoControl.OutputBufferLength));
  EXPECT_EQ(l.io_stack_location.input_buffer_length, offsetof(Io, Parameters.DeviceIoControl.InputBufferLength));
  EXPECT_EQ(l.io_stack_location.io_control_code, offsetof(Io, Parameters.DeviceIoControl.IoControlCode));
  EXPECT_EQ(l.io_stack_location.type3_input_buffer, offsetof(Io, Parameters.DeviceIoControl.Type3InputBuffer));
  using Bind = typename M::WdfBindInfo;
  EXPECT_EQ(l.wdf_bind_info.component, offsetof(Bind, Component));
  EXPECT_EQ(l.wdf_bind_info.major, offsetof(Bind, Version.Major));
  EXPECT_EQ(l.wdf_bind_info.minor, offsetof(Bind, Version.Minor));
  EXPECT_EQ(l.wdf_bind_info.build, offsetof(Bind, Version.Build));
  EXPECT_EQ(l.wdf_bind_info.func_count, offsetof(Bind, FuncCount));
  EXPECT_EQ(l.wdf_bind_info.func_table, offsetof(Bind, FuncTable));
  EXPECT_EQ(l.wdf_bind_info.size, sizeof(Bind));
  using Cfg = typename M::WdfDriverConfig;
  EXPECT_EQ(l.wdf_driver_config.evt_driver_device_add, offsetof(Cfg, EvtDriverDeviceAdd));
  EXPECT_EQ(l.wdf_driver_config.evt_driver_unload, offsetof(Cfg, EvtDriverUnload));
  using Q = typename M::WdfIoQueueConfig;
  EXPECT_EQ(l.wdf_io_queue_config.evt_io_default, offsetof(Q, EvtIoDefault));
  EXPECT_EQ(l.wdf_io_queue_config.evt_io_read, offsetof(Q, EvtIoRead));
  EXPECT_EQ(l.wdf_io_queue_config.evt_io_write, offsetof(Q, EvtIoWrite));
  EXPECT_EQ(l.wdf_io_queue_config.evt_io_device_control, offsetof(Q, EvtIoDeviceControl));
  EXPECT_EQ(l.wdf_io_queue_config.evt_io_internal_device_control, offsetof(Q, EvtIoInternalDeviceControl));
}

TEST(DdiLayouts, X64FollowsTheDeclarations) {
  expect_layouts_follow_declarations<Mirror<uint64_t, 8>>(layouts(Architecture::x64), 8);
}

TEST(DdiLayouts, X86FollowsTheDeclarations) {
  expect_layouts_follow_declarations<Mirror<uint32_t, 4>>(layouts(Architecture::x86), 4);
}

TEST(DdiLayouts, Arm64IsTheX64Layout) {
  EXPECT_EQ(&layouts(Architecture::arm64), &layouts(Architecture::x64));
}

// Offsets as a kernel debugger shows them (dt nt!_IRP, nt!_IO_STACK_LOCATION, nt!_DRIVER_OBJECT).
TEST(DdiLayouts, KnownOffsets) {
  const Layouts& x64 = layouts(Architecture::x64);
  const Layouts& x86 = layouts(Architecture::x86);
  EXPECT_EQ(x64.irp.current_stack_location, 0xB8u);
  EXPECT_EQ(x86.irp.current_stack_location, 0x60u);
  EXPECT_EQ(x64.irp.system_buffer, 0x18u);
  EXPECT_EQ(x86.irp.system_buffer, 0x0Cu);
  EXPECT_EQ(x64.irp.user_buffer, 0x70u);
  EXPECT_EQ(x86.irp.user_buffer, 0x3Cu);
  EXPECT_EQ(x64.driver_object.major_function, 0x70u);
  EXPECT_EQ(x86.driver_object.major_function, 0x38u);
  EXPECT_EQ(x64.driver_object.driver_unload, 0x68u);
  EXPECT_EQ(x86.driver_object.driver_unload, 0x34u);
  EXPECT_EQ(x64.io_stack_location.io_control_code, 0x18u);
  EXPECT_EQ(x86.io_stack_location.io_control_code, 0x0Cu);
  EXPECT_EQ(x64.io_stack_location.type3_input_buffer, 0x20u);
  EXPECT_EQ(x86.io_stack_location.type3_input_buffer, 0x10u);
  EXPECT_EQ(x64.driver_extension.add_device, 0x08u);
  EXPECT_EQ(x86.driver_extension.add_device, 0x04u);
  // The KMDF structures (the values code recovery had in tables of its own)
  EXPECT_EQ(x64.wdf_bind_info.func_count, 0x1Cu);
  EXPECT_EQ(x86.wdf_bind_info.func_count, 0x14u);
  EXPECT_EQ(x64.wdf_bind_info.func_table, 0x20u);
  EXPECT_EQ(x86.wdf_bind_info.func_table, 0x18u);
  EXPECT_EQ(x64.wdf_driver_config.evt_driver_unload, 0x10u);
  EXPECT_EQ(x86.wdf_driver_config.evt_driver_unload, 0x08u);
}

// ---------------------------------------------------------------- the DDI table

bool is_memory_integrity(Role r) {
  return r == Role::pool_type || r == Role::pool_flags || r == Role::lookaside_flags || r == Role::page_protection ||
         r == Role::mdl_priority;
}

TEST(DdiTable, NamesAreUniqueAndFound) {
  std::set<std::string_view> names;
  for (const Function& f : functions()) {
    EXPECT_FALSE(f.name.empty());
    EXPECT_TRUE(names.insert(f.name).second) << "listed twice: " << f.name;
    EXPECT_EQ(find(f.name), &f) << f.name;
  }
  EXPECT_EQ(find("mmmapiospace"), nullptr);  // import names are case-sensitive
  EXPECT_EQ(find("MmMapIoSpac"), nullptr);
  EXPECT_EQ(find(""), nullptr);
}

TEST(DdiTable, ParametersFitThePrototype) {
  for (const Function& f : functions()) {
    EXPECT_FALSE(f.module.empty()) << f.name;
    for (char c : f.module) EXPECT_FALSE(c >= 'A' && c <= 'Z') << f.name << ": module names are lower case";
    EXPECT_LT(f.arity, 32) << f.name;
    EXPECT_EQ(f.wide_parameters >> f.arity, 0u) << f.name << ": a 64-bit parameter past the prototype's arity";
    int last = -1;
    int memory_integrity = 0;
    for (const Parameter& p : f.parameters) {
      EXPECT_LT(p.index, f.arity) << f.name << " parameter " << int{p.index} << " (" << p.label << ")";
      EXPECT_GT(int{p.index}, last) << f.name << ": parameters must be sorted by index, each once";
      last = p.index;
      EXPECT_FALSE(p.label.empty()) << f.name;
      memory_integrity += is_memory_integrity(p.role);
    }
    EXPECT_LE(memory_integrity, 1) << f.name << ": one argument decides executable memory";
  }
}

TEST(DdiTable, CapabilitiesAndPrimitivesAreComplete) {
  for (const Function& f : functions()) {
    EXPECT_EQ(f.capability.has_value(), !f.why.empty()) << f.name << ": a capability says why, and only a capability";
    if (!f.primitive) continue;
    const auto operands = std::count_if(f.parameters.begin(), f.parameters.end(), [](const Parameter& p) {
      return is_operand(p.role);
    });
    // A user mapping is judged by its AccessMode; every other primitive API names its key operands.
    if (*f.primitive == PrimitiveKind::user_mapping) {
      EXPECT_TRUE(f.parameter(Role::access_mode)) << f.name;
    } else {
      EXPECT_GT(operands, 0) << f.name;
    }
  }
  // The primitive APIs of guidance BP-2…BP-8 and CL-5.11, each present once (names are unique).
  const std::map<std::string_view, PrimitiveKind> expected = {
      {"MmMapIoSpace", PrimitiveKind::physical_memory_map}, {"MmMapIoSpaceEx", PrimitiveKind::physical_memory_map},
      {"MmGetPhysicalAddress", PrimitiveKind::physical_memory_map}, {"MmCopyMemory", PrimitiveKind::physical_memory_map},
      {"ZwMapViewOfSection", PrimitiveKind::physical_memory_map}, {"memcpy", PrimitiveKind::kernel_memory_copy},
      {"memmove", PrimitiveKind::kernel_memory_copy}, {"RtlCopyMemory", PrimitiveKind::kernel_memory_copy},
      {"RtlMoveMemory", PrimitiveKind::kernel_memory_copy}, {"MmCopyVirtualMemory", PrimitiveKind::kernel_memory_copy},
      {"ZwTerminateProcess", PrimitiveKind::process_handle}, {"ZwOpenProcess", PrimitiveKind::process_handle},
      {"PsLookupProcessByProcessId", PrimitiveKind::process_handle}, {"ObOpenObjectByPointer", PrimitiveKind::process_handle},
      {"KeStackAttachProcess", PrimitiveKind::process_handle}, {"KeAttachProcess", PrimitiveKind::process_handle},
      {"ObReferenceObjectByHandle", PrimitiveKind::process_handle},
      {"ObReferenceObjectByHandleWithTag", PrimitiveKind::process_handle},
      {"MmMapLockedPages", PrimitiveKind::user_mapping}, {"MmMapLockedPagesSpecifyCache", PrimitiveKind::user_mapping},
      {"HalSetBusData", PrimitiveKind::port_io}, {"HalSetBusDataByOffset", PrimitiveKind::port_io},
      {"HalGetBusData", PrimitiveKind::port_io}, {"HalGetBusDataByOffset", PrimitiveKind::port_io},
      {"READ_PORT_UCHAR", PrimitiveKind::port_io}, {"WRITE_PORT_BUFFER_ULONG", PrimitiveKind::port_io},
      {"ExSetFirmwareEnvironmentVariable", PrimitiveKind::firmware}, {"ZwSetSystemEnvironmentValue", PrimitiveKind::firmware},
      {"ZwSetSystemEnvironmentValueEx", PrimitiveKind::firmware}, {"HalSetEnvironmentVariable", PrimitiveKind::firmware},
  };
  for (const auto& [name, kind] : expected) {
    const Function* f = find(name);
    ASSERT_TRUE(f) << name;
    ASSERT_TRUE(f->primitive) << name;
    EXPECT_EQ(*f->primitive, kind) << name;
  }
}

// Prototype positions against the WDK documentation, and the x86 stack slots they give.
TEST(DdiTable, ArgumentSlots) {
  auto slot = [](std::string_view name, Role role, Architecture arch) {
    const Function* f = find(name);
    EXPECT_TRUE(f) << name;
    const Parameter* p = f ? f->parameter(role) : nullptr;
    EXPECT_TRUE(p) << name;
    return f && p ? argument_slot(*f, p->index, arch) : ~0u;
  };
  // MmMapIoSpaceEx(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, ULONG Protect)
  EXPECT_EQ(slot("MmMapIoSpaceEx", Role::page_protection, Architecture::x64), 2u);
  EXPECT_EQ(slot("MmMapIoSpaceEx", Role::page_protection, Architecture::x86), 3u);
  EXPECT_EQ(slot("MmMapIoSpaceEx", Role::page_protection, Architecture::arm64), 2u);
  EXPECT_EQ(slot("MmMapIoSpace", Role::size, Architecture::x86), 2u);
  // MmAllocateContiguousNodeMemory(SIZE_T, PHYSICAL_ADDRESS x3, ULONG Protect, NODE_REQUIREMENT)
  EXPECT_EQ(slot("MmAllocateContiguousNodeMemory", Role::page_protection, Architecture::x64), 4u);
  EXPECT_EQ(slot("MmAllocateContiguousNodeMemory", Role::page_protection, Architecture::x86), 7u);
  // MmCopyMemory(PVOID TargetAddress, MM_COPY_ADDRESS SourceAddress, SIZE_T NumberOfBytes, ...)
  EXPECT_EQ(slot("MmCopyMemory", Role::copy_address, Architecture::x86), 1u);
  EXPECT_EQ(slot("MmCopyMemory", Role::size, Architecture::x86), 3u);
  // ExAllocatePool2(POOL_FLAGS Flags, ...): the 64-bit flags come first
  EXPECT_EQ(slot("ExAllocatePool2", Role::pool_flags, Architecture::x86), 0u);
  // ZwMapViewOfSection(..., PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize, SECTION_INHERIT, ULONG AllocationType, ULONG Win32Protect)
  EXPECT_EQ(slot("ZwMapViewOfSection", Role::physical_address, Architecture::x86), 5u);
  EXPECT_EQ(slot("ZwMapViewOfSection", Role::page_protection, Architecture::x86), 9u);
  // MmMapLockedPagesSpecifyCache(Mdl, AccessMode, CacheType, RequestedAddress, BugCheckOnFailure, Priority)
  EXPECT_EQ(slot("MmMapLockedPagesSpecifyCache", Role::access_mode, Architecture::x64), 1u);
  EXPECT_EQ(slot("MmMapLockedPagesSpecifyCache", Role::mdl_priority, Architecture::x64), 5u);
  // IoCreateDeviceSecure(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics, Exclusive, DefaultSDDLString, ...)
  EXPECT_EQ(slot("IoCreateDeviceSecure", Role::sddl, Architecture::x86), 6u);
  // WdfDriverCreate through the function table: WdfDriverGlobals, DriverObject, RegistryPath, DriverAttributes, DriverConfig
  EXPECT_EQ(slot("WdfDriverCreate", Role::driver_config, Architecture::x64), 4u);
}

// The properties the import rules read (cap-port-io and cap-firmware: writes; cap-user-mapping:
// the user-mapping routines that map; mit-force-integrity: needs_force_integrity), each the set
// those rules listed by name before.
TEST(DdiTable, PropertiesTheRulesRead) {
  auto with = [](Property p, std::optional<CapabilityCategory> category = std::nullopt) {
    std::set<std::string_view> out;
    for (const Function& f : functions())
      if (f.has(p) && (!category || f.capability == category)) out.insert(f.name);
    return out;
  };
  EXPECT_EQ(with(writes, CapabilityCategory::port_io),
            (std::set<std::string_view>{"WRITE_PORT_UCHAR", "WRITE_PORT_USHORT", "WRITE_PORT_ULONG",
                                        "WRITE_PORT_BUFFER_UCHAR", "WRITE_PORT_BUFFER_USHORT", "WRITE_PORT_BUFFER_ULONG",
                                        "HalSetBusData", "HalSetBusDataByOffset"}));
  EXPECT_EQ(with(writes, CapabilityCategory::firmware),
            (std::set<std::string_view>{"ExSetFirmwareEnvironmentVariable", "ZwSetSystemEnvironmentValue",
                                        "ZwSetSystemEnvironmentValueEx", "HalSetEnvironmentVariable"}));
  EXPECT_EQ(with(maps, CapabilityCategory::user_mapping),
            (std::set<std::string_view>{"MmMapLockedPages", "MmMapLockedPagesSpecifyCache",
                                        "MmMapLockedPagesWithReservedMapping"}));
  EXPECT_EQ(with(needs_force_integrity), (std::set<std::string_view>{"ObRegisterCallbacks", "PsSetCreateProcessNotifyRoutineEx",
                                                                     "PsSetCreateProcessNotifyRoutineEx2"}));
}

// The parameters code recovery reads (binary/code_recovery.cpp, binary/kmdf_binding.cpp), at the
// positions it read them from before it asked the DDI table: the same on x86 and x64 (none of
// these routines has a 64-bit parameter before them).
TEST(DdiTable, ParametersCodeRecoveryReads) {
  const std::vector<std::tuple<std::string_view, Role, uint32_t>> expected = {
      {"IoCreateDevice", Role::device_name, 2}, {"IoCreateDevice", Role::device_type, 3},
      {"IoCreateDevice", Role::device_characteristics, 4}, {"IoCreateDevice", Role::exclusive, 5},
      {"IoCreateDeviceSecure", Role::device_name, 2}, {"IoCreateDeviceSecure", Role::device_type, 3},
      {"IoCreateDeviceSecure", Role::device_characteristics, 4}, {"IoCreateDeviceSecure", Role::exclusive, 5},
      {"IoCreateDeviceSecure", Role::sddl, 6},
      {"IoCreateSymbolicLink", Role::symbolic_link_name, 0}, {"IoCreateSymbolicLink", Role::device_name, 1},
      {"IoRegisterDeviceInterface", Role::interface_class_guid, 1},
      {"WdfVersionBind", Role::bind_info, 2},
      {"WdfDriverCreate", Role::driver_config, 4},
      {"WdfControlDeviceInitAllocate", Role::sddl, 2},
      {"WdfDeviceInitAssignName", Role::device_name, 2},
      {"WdfDeviceInitAssignSDDLString", Role::sddl, 2},
      {"WdfDeviceInitSetDeviceType", Role::device_type, 2},
      {"WdfDeviceInitSetCharacteristics", Role::device_characteristics, 2},
      {"WdfDeviceCreateSymbolicLink", Role::symbolic_link_name, 2},
      {"WdfDeviceCreateDeviceInterface", Role::interface_class_guid, 2},
      {"WdfIoQueueCreate", Role::queue_config, 2},
  };
  for (const auto& [name, role, slot] : expected) {
    SCOPED_TRACE(std::string(name));
    const Function* f = find(name);
    ASSERT_TRUE(f);
    const Parameter* p = f->parameter(role);
    ASSERT_TRUE(p);
    EXPECT_EQ(argument_slot(*f, p->index, Architecture::x64), slot);
    EXPECT_EQ(argument_slot(*f, p->index, Architecture::x86), slot);
  }
  EXPECT_FALSE(find("IoCreateDevice")->parameter(Role::sddl));  // only the secure variant has an SDDL string
}

TEST(DdiTable, KmdfRoutinesAreInTheFunctionTable) {
  for (const Function& f : functions()) {
    if (f.module != "wdf01000.sys") continue;
    EXPECT_TRUE(wdf_function_index(f.name)) << f.name << " is not a WDFFUNCENUM entry";
  }
}

TEST(DdiCallbacks, ParametersFitThePrototype) {
  std::set<std::string_view> names;
  for (const Callback& c : callbacks()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_EQ(find_callback(c.name), &c);
    int last = -1;
    for (const Parameter& p : c.parameters) {
      EXPECT_LT(p.index, c.arity) << c.name;
      EXPECT_GT(int{p.index}, last) << c.name;
      last = p.index;
    }
    if (c.name.starts_with("EvtIo")) {
      EXPECT_FALSE(c.majors.empty()) << c.name;
    }
  }
  const Callback* dc = find_callback("EvtIoDeviceControl");
  ASSERT_TRUE(dc);
  ASSERT_TRUE(dc->parameters.size() == 3);
  EXPECT_EQ(dc->parameters[2].role, Role::io_control_code);
  EXPECT_EQ(dc->parameters[2].index, 4);
  EXPECT_EQ(find_callback("EvtIoStop"), nullptr);
}

// The KMDF I/O queue callbacks, the WDF_IO_QUEUE_CONFIG fields they are stored in, and the
// requests they receive.
TEST(DdiCallbacks, QueueCallbacksAndTheirConfigFields) {
  const std::map<std::string_view, std::pair<uint32_t, uint32_t>> offsets = {  // x64, x86
      {"EvtIoDefault", {0x10, 0x10}}, {"EvtIoRead", {0x18, 0x14}}, {"EvtIoWrite", {0x20, 0x18}},
      {"EvtIoDeviceControl", {0x28, 0x1C}}, {"EvtIoInternalDeviceControl", {0x30, 0x20}},
  };
  size_t queue_callbacks = 0;
  for (const Callback& c : callbacks()) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_EQ(c.queue_config_field != nullptr, !c.majors.empty()) << "a queue callback has a config field and majors";
    if (!c.queue_config_field) continue;
    ++queue_callbacks;
    auto it = offsets.find(c.name);
    ASSERT_NE(it, offsets.end());
    EXPECT_EQ(layouts(Architecture::x64).wdf_io_queue_config.*c.queue_config_field, it->second.first);
    EXPECT_EQ(layouts(Architecture::x86).wdf_io_queue_config.*c.queue_config_field, it->second.second);
  }
  EXPECT_EQ(queue_callbacks, offsets.size());
  EXPECT_EQ(find_callback("EvtIoDefault")->majors.size(), 4u);
  EXPECT_EQ(find_callback("EvtIoRead")->majors, std::vector<uint8_t>{kIrpMjRead});
}

// The disassembly layer gets the platform as data (disasm/platform.h, built by
// binary/kernel_platform.cpp): none of its files includes the DDI module or names a DDI.
TEST(DdiTable, DisassemblyLayerNamesNoDdi) {
  const std::filesystem::path dir = DRVSEC_SOURCE_DIR "/src/disasm";
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    ++files;
    EXPECT_EQ(source.find("#include \"ddi/"), std::string::npos) << entry.path();
    EXPECT_EQ(source.find("#include \"binary/"), std::string::npos) << entry.path();
    for (const Function& f : functions())
      EXPECT_EQ(source.find("\"" + std::string(f.name) + "\""), std::string::npos) << entry.path() << " names " << f.name;
    for (const Callback& c : callbacks())
      EXPECT_EQ(source.find("\"" + std::string(c.name) + "\""), std::string::npos) << entry.path() << " names " << c.name;
  }
  EXPECT_GE(files, 5u);
}

}  // namespace
}  // namespace drvsec::ddi
