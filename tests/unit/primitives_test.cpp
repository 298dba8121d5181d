// Primitive attribution and memory-integrity call arguments against tests/fixtures/primitives.c
// (truth in its header comment), for every toolchain; the rules built on them, each with an
// input where it fires and one where it must not.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "binary/memory_integrity_calls.h"
#include "binary/primitives.h"
#include "binary/recover.h"
#include "ddi/functions.h"
#include "rules/rule.h"
#include "unit/loaded_driver.h"

namespace drvsec {
namespace {

using pe_test::kToolchains;
using Loaded = pe_test::LoadedDriver;
const auto load = pe_test::load_driver;

// Primitives of `kind` attributed to IOCTL `code`.
std::vector<const PrimitiveUse*> at(const DriverModel& m, PrimitiveKind kind, uint32_t code) {
  std::vector<const PrimitiveUse*> out;
  for (const PrimitiveUse& u : m.primitives)
    if (u.kind == kind && std::binary_search(u.ioctls.begin(), u.ioctls.end(), code)) out.push_back(&u);
  return out;
}
bool any_controlled(const std::vector<const PrimitiveUse*>& v) {
  return std::any_of(v.begin(), v.end(), [](const PrimitiveUse* u) { return u->controlled(); });
}

const auto run = pe_test::run_rule;

TEST(Primitives, AttributionAndControlEveryToolchain) {
  using K = PrimitiveKind;
  for (const char* tc : kToolchains) {
    SCOPED_TRACE(tc);
    auto l = load(std::string("primitives_") + tc);
    ASSERT_TRUE(l);
    const DriverModel& m = *l->file.model;
    // Every primitive is reachable from the IOCTL that uses it, through DEVICE_CONTROL and the shared INTERNAL slot.
    const std::pair<K, uint32_t> reach[] = {{K::msr_access, 0x222000}, {K::msr_access, 0x222004}, {K::msr_access, 0x222008},
                                            {K::port_io, 0x22200C},    {K::port_io, 0x222010},    {K::physical_memory_map, 0x222014},
                                            {K::kernel_memory_copy, 0x22201C}, {K::process_handle, 0x222024},
                                            {K::control_register, 0x22202C}, {K::msr_access, 0x222033},
                                            {K::msr_access, 0x226034}, {K::user_mapping, 0x22203C}};
    for (auto [kind, code] : reach) {
      auto v = at(m, kind, code);
      ASSERT_FALSE(v.empty()) << to_string(kind) << " 0x" << std::hex << code;
      for (const PrimitiveUse* u : v) {
        EXPECT_TRUE(std::binary_search(u->majors.begin(), u->majors.end(), kIrpMjDeviceControl));
        EXPECT_TRUE(std::binary_search(u->majors.begin(), u->majors.end(), kIrpMjInternalDeviceControl));
        EXPECT_FALSE(u->call_path.empty());
      }
    }
    // Constrained twins are never reported as caller-controlled.
    EXPECT_FALSE(any_controlled(at(m, K::msr_access, 0x222004)));   // constant index
    EXPECT_FALSE(any_controlled(at(m, K::msr_access, 0x222008)));   // index range-checked
    EXPECT_FALSE(any_controlled(at(m, K::port_io, 0x222010)));      // constant port
    EXPECT_FALSE(any_controlled(at(m, K::kernel_memory_copy, 0x222020)));  // SystemBuffer <- global, fixed size
    EXPECT_FALSE(any_controlled(at(m, K::control_register, 0x22202C)));
    // No primitive leaks into an IOCTL that has none.
    EXPECT_TRUE(at(m, K::msr_access, 0x22201C).empty());
    EXPECT_TRUE(at(m, K::port_io, 0x222000).empty());
    // Caller-controlled operands.
    EXPECT_TRUE(any_controlled(at(m, K::port_io, 0x22200C)));
    EXPECT_TRUE(any_controlled(at(m, K::msr_access, 0x222033)));  // Type3InputBuffer contents
    {  // clang-x86 realigns its stack (`and esp, -8`) before these calls
      EXPECT_TRUE(any_controlled(at(m, K::msr_access, 0x222000)));  // index passed to the ReadMsr helper
      EXPECT_TRUE(any_controlled(at(m, K::msr_access, 0x226034)));
      EXPECT_TRUE(any_controlled(at(m, K::physical_memory_map, 0x222014)));
      EXPECT_TRUE(any_controlled(at(m, K::kernel_memory_copy, 0x22201C)));
      EXPECT_TRUE(any_controlled(at(m, K::process_handle, 0x222024)));
      EXPECT_TRUE(any_controlled(at(m, K::process_handle, 0x222028)));
      // The helper's rdmsr is one site reached from two IOCTLs, through a call path of two functions.
      auto helper = at(m, K::msr_access, 0x222000);
      ASSERT_EQ(helper.size(), 1u);
      EXPECT_EQ(helper[0]->call_path.size(), 2u);
    }
    const Ioctl* io = nullptr;
    for (const Ioctl& i : m.ioctls)
      if (i.code == 0x22200C) io = &i;
    ASSERT_TRUE(io);
    ASSERT_FALSE(io->reachable_primitives.empty());
    const PrimitiveUse* u = m.primitive(io->reachable_primitives[0]);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->kind, PrimitiveKind::port_io);
    EXPECT_EQ(u->what, "out");
    EXPECT_EQ(io->reachable_primitives[0], "primitive/" + fmt::format("0x{:X}", u->rva));
  }
}

TEST(MemoryIntegrityCalls, ArgumentValuesEveryToolchain) {
  for (const char* tc : kToolchains) {
    SCOPED_TRACE(tc);
    auto l = load(std::string("primitives_") + tc);
    ASSERT_TRUE(l);
    std::map<std::string, std::vector<std::pair<std::optional<uint64_t>, bool>>> calls;
    for (const auto& c : l->file.model->memory_integrity_calls) calls[c.api].emplace_back(c.value, c.executable);
    using P = std::vector<std::pair<std::optional<uint64_t>, bool>>;
    EXPECT_EQ(calls["ExAllocatePoolWithTag"], (P{{0u, true}, {0x200u, false}}));
    EXPECT_EQ(calls["ZwAllocateVirtualMemory"], (P{{0x40u, true}, {0x4u, false}}));
    const auto& mdl = calls["MmMapLockedPagesSpecifyCache"];
    ASSERT_FALSE(mdl.empty());
    for (const auto& [value, exec] : mdl)
      if (value && (*value & 0x40000000)) { EXPECT_FALSE(exec); }
    if (std::string(tc).find("x64") != std::string::npos) {
      EXPECT_NE(std::find(mdl.begin(), mdl.end(), std::pair(std::optional<uint64_t>(0x10), true)), mdl.end());
    }
  }
  EXPECT_TRUE(pool_type_is_executable(0, false));
  EXPECT_FALSE(pool_type_is_executable(0x200, false));
  EXPECT_FALSE(pool_type_is_executable(1, false));
  EXPECT_TRUE(pool_type_is_executable(1, true));
  EXPECT_TRUE(pool_flags_are_executable(0x80, false));
  EXPECT_FALSE(pool_flags_are_executable(0x40, false));
  EXPECT_TRUE(protection_is_executable(0x40));
  EXPECT_FALSE(protection_is_executable(0x04));
  EXPECT_FALSE(mdl_priority_is_executable(0x40000010));
}

// The primitive DDIs and the operands a call of each is described by come from the DDI table
// (`primitive`, the parameters with an operand role, their labels, argument slots and
// by_reference); these are the routines, labels and slots the analysis had in a table of its own
// before, from the documented prototypes.
TEST(Primitives, CallOperandsComeFromTheDdiTable) {
  using K = PrimitiveKind;
  struct Operand {
    std::string_view label;
    uint32_t x64, x86;
    bool address, by_reference;
    bool operator==(const Operand&) const = default;
  };
  constexpr bool A = true, S = false, ref = true;
  const Operand port{"port", 0, 0, S, false}, value{"value", 1, 1, S, false}, slot{"slot", 2, 2, S, false},
      offset{"offset", 4, 4, S, false}, variable{"variable name", 0, 0, A, false};
  const std::vector<Operand> copy = {{"destination address", 0, 0, A, false}, {"source address", 1, 1, A, false},
                                     {"size", 2, 2, S, false}};
  const std::map<std::string_view, std::pair<K, std::vector<Operand>>> expected = {
      // PHYSICAL_ADDRESS is 64-bit: on x86 the size that follows it is in slot 2
      {"MmMapIoSpace", {K::physical_memory_map, {{"physical address", 0, 0, S, false}, {"size", 1, 2, S, false}}}},
      {"MmMapIoSpaceEx", {K::physical_memory_map, {{"physical address", 0, 0, S, false}, {"size", 1, 2, S, false}}}},
      {"MmGetPhysicalAddress", {K::physical_memory_map, {{"virtual address", 0, 0, A, false}}}},
      // MM_COPY_ADDRESS is 64-bit
      {"MmCopyMemory", {K::physical_memory_map, {{"target address", 0, 0, A, false}, {"source address", 1, 1, S, false},
                                                 {"size", 2, 3, S, false}}}},
      {"ZwMapViewOfSection", {K::physical_memory_map, {{"section offset (physical address)", 5, 5, S, ref},
                                                       {"view size", 6, 6, S, ref}}}},
      {"memcpy", {K::kernel_memory_copy, copy}},
      {"memmove", {K::kernel_memory_copy, copy}},
      {"RtlCopyMemory", {K::kernel_memory_copy, copy}},
      {"RtlMoveMemory", {K::kernel_memory_copy, copy}},
      {"MmCopyVirtualMemory", {K::kernel_memory_copy, {{"source address", 1, 1, A, false},
                                                       {"destination address", 3, 3, A, false}, {"size", 4, 4, S, false}}}},
      {"ZwTerminateProcess", {K::process_handle, {{"process handle", 0, 0, S, false}}}},
      {"ZwOpenProcess", {K::process_handle, {{"process id", 3, 3, S, ref}}}},
      {"PsLookupProcessByProcessId", {K::process_handle, {{"process id", 0, 0, S, false}}}},
      {"ObOpenObjectByPointer", {K::process_handle, {{"object", 0, 0, A, false}}}},
      {"KeStackAttachProcess", {K::process_handle, {{"process", 0, 0, A, false}}}},
      {"KeAttachProcess", {K::process_handle, {{"process", 0, 0, A, false}}}},
      {"ObReferenceObjectByHandle", {K::process_handle, {{"handle", 0, 0, S, false}}}},
      {"ObReferenceObjectByHandleWithTag", {K::process_handle, {{"handle", 0, 0, S, false}}}},
      {"MmMapLockedPages", {K::user_mapping, {}}},  // judged by AccessMode
      {"MmMapLockedPagesSpecifyCache", {K::user_mapping, {}}},
      {"HalSetBusData", {K::port_io, {slot}}},
      {"HalSetBusDataByOffset", {K::port_io, {slot, offset}}},
      {"HalGetBusData", {K::port_io, {slot}}},
      {"HalGetBusDataByOffset", {K::port_io, {slot, offset}}},
      {"ExSetFirmwareEnvironmentVariable", {K::firmware, {variable}}},
      {"ZwSetSystemEnvironmentValue", {K::firmware, {variable}}},
      {"ZwSetSystemEnvironmentValueEx", {K::firmware, {variable}}},
      {"HalSetEnvironmentVariable", {K::firmware, {variable}}},
      {"READ_PORT_UCHAR", {K::port_io, {port}}},
      {"READ_PORT_USHORT", {K::port_io, {port}}},
      {"READ_PORT_ULONG", {K::port_io, {port}}},
      {"READ_PORT_BUFFER_UCHAR", {K::port_io, {port}}},
      {"READ_PORT_BUFFER_USHORT", {K::port_io, {port}}},
      {"READ_PORT_BUFFER_ULONG", {K::port_io, {port}}},
      {"WRITE_PORT_UCHAR", {K::port_io, {port, value}}},
      {"WRITE_PORT_USHORT", {K::port_io, {port, value}}},
      {"WRITE_PORT_ULONG", {K::port_io, {port, value}}},
      {"WRITE_PORT_BUFFER_UCHAR", {K::port_io, {port, value}}},
      {"WRITE_PORT_BUFFER_USHORT", {K::port_io, {port, value}}},
      {"WRITE_PORT_BUFFER_ULONG", {K::port_io, {port, value}}},
  };
  size_t primitives = 0;
  for (const ddi::Function& f : ddi::functions()) {
    SCOPED_TRACE(std::string(f.name));
    auto it = expected.find(f.name);
    ASSERT_EQ(f.primitive.has_value(), it != expected.end());
    if (!f.primitive) continue;
    ++primitives;
    EXPECT_EQ(*f.primitive, it->second.first);
    const auto x64 = primitive_call_operands(f, ddi::Architecture::x64);
    const auto x86 = primitive_call_operands(f, ddi::Architecture::x86);
    ASSERT_EQ(x64.size(), x86.size());
    std::vector<Operand> got;
    for (size_t i = 0; i < x64.size(); ++i) {
      EXPECT_EQ(x64[i].label, x86[i].label);
      got.push_back({x64[i].label, x64[i].slot, x86[i].slot, x64[i].address, x64[i].by_reference});
    }
    EXPECT_EQ(got, it->second.second);
  }
  EXPECT_EQ(primitives, expected.size());
}

// The memory-integrity argument of each routine comes from the DDI table (the parameter with a
// memory-integrity role, at its argument slot); these are the routines, issues and slots the
// analysis had in a table of its own before, from the documented prototypes.
TEST(MemoryIntegrityCalls, ArgumentsComeFromTheDdiTable) {
  using I = MemoryIntegrityIssue;
  struct Expected {
    I issue;
    uint32_t x64, x86;
  };
  const std::map<std::string_view, Expected> expected = {
      {"ExAllocatePool", {I::executable_pool, 0, 0}},
      {"ExAllocatePoolWithTag", {I::executable_pool, 0, 0}},
      {"ExAllocatePoolWithQuota", {I::executable_pool, 0, 0}},
      {"ExAllocatePoolWithQuotaTag", {I::executable_pool, 0, 0}},
      {"ExAllocatePoolWithTagPriority", {I::executable_pool, 0, 0}},
      {"ExAllocatePool2", {I::executable_pool, 0, 0}},  // POOL_FLAGS: 64-bit, first, so slot 0 on x86 too
      {"ExAllocatePool3", {I::executable_pool, 0, 0}},
      {"ExInitializeNPagedLookasideList", {I::executable_pool, 3, 3}},
      {"ExInitializeLookasideListEx", {I::executable_pool, 3, 3}},
      {"MmMapIoSpaceEx", {I::executable_protection, 2, 3}},  // after a PHYSICAL_ADDRESS
      {"ZwAllocateVirtualMemory", {I::executable_protection, 5, 5}},
      {"ZwProtectVirtualMemory", {I::executable_protection, 3, 3}},
      {"MmProtectMdlSystemAddress", {I::executable_protection, 1, 1}},
      {"ZwCreateSection", {I::executable_protection, 4, 4}},
      {"ZwMapViewOfSection", {I::executable_protection, 9, 9}},  // PLARGE_INTEGER SectionOffset: a pointer
      {"MmAllocateContiguousNodeMemory", {I::executable_protection, 4, 7}},  // after three PHYSICAL_ADDRESSes
      {"MmMapLockedPagesSpecifyCache", {I::executable_mdl_mapping, 5, 5}},
  };
  size_t found = 0;
  for (const ddi::Function& f : ddi::functions()) {
    SCOPED_TRACE(std::string(f.name));
    const auto a = memory_integrity_argument(f.name);
    auto it = expected.find(f.name);
    ASSERT_EQ(a.has_value(), it != expected.end());
    if (!a) continue;
    ++found;
    EXPECT_EQ(a->function, &f);
    EXPECT_EQ(a->issue, it->second.issue);
    EXPECT_EQ(ddi::argument_slot(f, a->parameter->index, ddi::Architecture::x64), it->second.x64);
    EXPECT_EQ(ddi::argument_slot(f, a->parameter->index, ddi::Architecture::x86), it->second.x86);
  }
  EXPECT_EQ(found, expected.size());
  EXPECT_FALSE(memory_integrity_argument("MmMapIoSpace"));  // no protection parameter
  EXPECT_FALSE(memory_integrity_argument("NotARoutine"));
}

TEST(PrimitiveRules, FireOnPrimitivesAndNotOnCleanDriver) {
  auto bad = load("primitives_mingw-x64");
  auto clean = load("dispatch_switch_mingw-x64");
  ASSERT_TRUE(bad && clean);
  for (const char* id : {"prim-msr-access", "prim-port-io", "prim-control-register", "prim-physical-memory-map",
                         "prim-kernel-memory-copy", "prim-process-handle", "prim-user-mapping", "hv-executable-pool",
                         "hv-executable-protection", "hv-mdl-mapping-executable", "sm-shared-internal-device-control",
                         "device-open-without-secure-open", "ioctl-any-access-reaches-primitive"}) {
    SCOPED_TRACE(id);
    EXPECT_FALSE(run(id, bad->file).empty());
    EXPECT_TRUE(run(id, clean->file).empty());
  }
  // One finding per site, naming every IOCTL that reaches it. The severity ladder: a controlled MSR
  // index is an error, the constant one a warning.
  std::set<uint32_t> msr_ioctls;
  size_t shared_site = 0;
  for (const Finding& f : run("prim-msr-access", bad->file)) {
    std::vector<uint32_t> codes;
    for (const std::string& fact : f.facts)
      if (fact.rfind("ioctl/", 0) == 0) codes.push_back(static_cast<uint32_t>(std::stoul(fact.substr(6), nullptr, 16)));
    ASSERT_FALSE(codes.empty());
    for (uint32_t c : codes) EXPECT_TRUE(msr_ioctls.insert(c).second) << "IOCTL 0x" << std::hex << c << " on two findings of one site";
    if (codes.size() == 1) {
      ASSERT_TRUE(f.ioctl);
      EXPECT_EQ(*f.ioctl, codes[0]);
    } else {
      EXPECT_FALSE(f.ioctl) << "a site reached by several IOCTLs belongs to none alone";
      ++shared_site;
      // ReadMsr's rdmsr: reached by 0x222000 and 0x226034 (tests/fixtures/primitives.c), named in the message.
      EXPECT_EQ(codes, (std::vector<uint32_t>{0x222000, 0x226034}));
      EXPECT_NE(f.message.find("(IOCTLs 0x222000, 0x226034)"), std::string::npos) << f.message;
    }
    const bool controlled_index = std::count(codes.begin(), codes.end(), 0x222000u) || std::count(codes.begin(), codes.end(), 0x222033u);
    const bool constant_index = std::count(codes.begin(), codes.end(), 0x222004u) || std::count(codes.begin(), codes.end(), 0x222008u);
    if (controlled_index) { EXPECT_EQ(f.severity, Severity::error); }
    if (constant_index && !controlled_index) { EXPECT_EQ(f.severity, Severity::warning); }
    EXPECT_TRUE(f.location.rva && f.location.function_rva);
    // mingw exports the fixture's functions: the location names them (tests/fixtures/primitives.c)
    EXPECT_TRUE(f.location.function == "ReadMsr" || f.location.function == "DeviceControl") << f.location.function;
    // The finding names its primitive first, then its IOCTLs, by the model's fact ids.
    EXPECT_EQ(f.facts.size(), 1 + codes.size());
    EXPECT_EQ(f.facts[0].rfind("primitive/", 0), 0u);
  }
  EXPECT_EQ(shared_site, 1u);
  for (uint32_t c : {0x222000u, 0x222004u, 0x222008u, 0x222033u, 0x226034u}) EXPECT_TRUE(msr_ioctls.count(c)) << std::hex << c;
  // FILE_ANY_ACCESS IOCTLs only: 0x226034 (FILE_READ_ACCESS) reaches the same rdmsr and is not reported.
  std::set<uint32_t> any_access;
  for (const Finding& f : run("ioctl-any-access-reaches-primitive", bad->file)) any_access.insert(*f.ioctl);
  EXPECT_TRUE(any_access.count(0x222000));
  EXPECT_FALSE(any_access.count(0x226034));
  // The NX allocations are not reported.
  for (const Finding& f : run("hv-executable-pool", bad->file)) EXPECT_EQ(f.evidence[0].find("0x200"), std::string::npos);
  for (const Finding& f : run("hv-executable-protection", bad->file)) EXPECT_NE(f.evidence[0].find("0x40"), std::string::npos);
  // METHOD_NEITHER: 0x222033 in the primitives fixture; the if-chain fixture has none.
  std::set<uint32_t> neither;
  for (const Finding& f : run("ioctl-method-neither", bad->file)) neither.insert(*f.ioctl);
  EXPECT_EQ(neither, std::set<uint32_t>{0x222033});
}

}  // namespace
}  // namespace drvsec
