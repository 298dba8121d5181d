// Device security synthesis (issue #16 §3, binary part) and device-caller-reaches-primitive: who can
// open each device and send which IOCTL, checked on fixture drivers whose sources say the truth
// (tests/fixtures/primitives.c: IoCreateDevice without SDDL; kmdf_driver.c's control device:
// SDDL_DEVOBJ_SYS_ALL_ADM_ALL) and on hand-made models.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/device_security.h"
#include "model/ioctl_code.h"
#include "test_support.h"

namespace drvsec::test {
namespace {

using nlohmann::json;

json scan(const std::string& driver, const std::string& extra = "") {
  const auto r = run_drvsec("scan '" + fixture(driver) + "' --format json --fail-on none " + extra);
  EXPECT_EQ(r.exit_code, 0) << driver;
  return json::parse(r.out);
}

TEST(DeviceSecurity, WhoCanSendWhichIoctl) {
  DriverModel m;
  Device d;
  d.name = "\\Device\\Hand";
  d.sddl = "D:P(A;;GA;;;SY)(A;;GR;;;BU)";  // SYSTEM all; Users read
  d.id = "device/\\Device\\Hand";
  m.devices.push_back(d);
  for (uint32_t access : {0u, 1u, 2u}) {
    Ioctl io;
    io.code = *encode_ioctl(0x22, 0x800 + access, 0, access);
    io.id = "ioctl/" + std::to_string(io.code);
    m.ioctls.push_back(io);
  }
  synthesize_device_security(m);
  ASSERT_TRUE(m.devices[0].security);
  const DeviceSecurity& s = *m.devices[0].security;
  EXPECT_EQ(s.source, "code");
  EXPECT_TRUE(s.user_reachable);
  ASSERT_TRUE(s.lowest_read && s.lowest_write && s.lowest_all);
  EXPECT_TRUE(s.lowest_read->broad) << s.lowest_read->id;
  EXPECT_EQ(s.lowest_write->id, "system");
  EXPECT_EQ(s.lowest_all->id, "system");
  ASSERT_EQ(s.ioctls.size(), 3u);
  EXPECT_EQ(s.ioctls[0].required, "any access");
  EXPECT_EQ(s.ioctls[1].required, "read");
  EXPECT_EQ(s.ioctls[2].required, "write");
  ASSERT_TRUE(s.ioctls[0].lowest && s.ioctls[1].lowest && s.ioctls[2].lowest);
  EXPECT_EQ(s.ioctls[1].lowest->id, s.lowest_read->id);
  EXPECT_TRUE(s.ioctls[0].lowest->broad);
  EXPECT_EQ(s.ioctls[2].lowest->id, "system") << "only SYSTEM may write";

  // No SDDL: the I/O manager's default (everyone read/write/execute); an unnamed device without an
  // interface cannot be opened from user mode; an SDDL that does not parse is said so.
  DriverModel other;
  other.devices.resize(2);
  other.devices[1].name = "\\Device\\Bad";
  other.devices[1].sddl = "D:P(A;;GA;;;SY";
  synthesize_device_security(other);
  EXPECT_EQ(other.devices[0].security->source, "default");
  EXPECT_EQ(other.devices[0].security->sddl, kDefaultDeviceSddl);
  EXPECT_FALSE(other.devices[0].security->user_reachable);
  EXPECT_TRUE(other.devices[0].security->lowest_write && other.devices[0].security->lowest_write->broad);
  EXPECT_FALSE(other.devices[1].security->parsed);
}

TEST(DeviceSecurity, DefaultDescriptorLetsEveryoneReachThePrimitives) {
  for (const char* tc : {"mingw-x64", "mingw-x86", "clang-x64", "clang-x86"}) {
    SCOPED_TRACE(tc);
    const json doc = scan(std::string("primitives_") + tc + ".sys");
    const json& device = doc["drivers"][0]["devices"][0];
    EXPECT_EQ(device["name"], "\\Device\\PrimDev");
    EXPECT_EQ(device["security"]["source"], "default");
    EXPECT_TRUE(device["security"]["lowest_write"]["broad"].get<bool>());
    std::vector<json> findings;
    for (const json& f : doc["findings"])
      if (f["rule_id"] == "device-caller-reaches-primitive") findings.push_back(f);
    ASSERT_EQ(findings.size(), 1u);
    const json& f = findings[0];
    EXPECT_EQ(f["severity"], "error");
    EXPECT_EQ(f["confidence"], "medium");
    const std::vector<std::string> facts = f["facts"];
    EXPECT_EQ(facts[0], "device/\\Device\\PrimDev");
    // The IOCTLs whose handler reaches a primitive (primitives.c): 0x800-0x805, 0x807, 0x809-0x80D,
    // 0x80F; not 0x808 (memcpy of a constant table), nor on x64 0x80E (a kernel-mode MDL mapping; the
    // x86 builds share one MmMapLockedPagesSpecifyCache call between 0x80E and 0x80F, whose access
    // mode is then not a constant: the merged-site limit documented in docs/rules/prim-user-mapping.md).
    for (const char* code : {"ioctl/0x222000", "ioctl/0x222014", "ioctl/0x226034", "ioctl/0x22203C"})
      EXPECT_TRUE(std::count(facts.begin(), facts.end(), code)) << code;
    EXPECT_FALSE(std::count(facts.begin(), facts.end(), "ioctl/0x222020"));
    if (std::string(tc).ends_with("x64")) { EXPECT_FALSE(std::count(facts.begin(), facts.end(), "ioctl/0x222038")); }
    bool read_required = false;
    for (const json& e : f["evidence"]) read_required |= e.get<std::string>().starts_with("IOCTL 0x226034 (read required) -> prim-msr-access `rdmsr`");
    EXPECT_TRUE(read_required) << f["evidence"];
  }
}

TEST(DeviceSecurity, AdministratorsOnlyDeviceIsNotReported) {
  const json doc = scan("kmdf_control_device_mingw-x64.sys");
  const json& device = doc["drivers"][0]["devices"][0];
  EXPECT_EQ(device["security"]["source"], "code");
  EXPECT_EQ(device["security"]["lowest_open"]["id"], "administrators");
  EXPECT_FALSE(doc["drivers"][0]["primitives"].empty()) << "the test needs primitives to withhold";
  for (const json& f : doc["findings"]) EXPECT_NE(f["rule_id"], "device-caller-reaches-primitive");
  // The text report shows the synthesis per device.
  const auto text = run_drvsec("scan '" + fixture("kmdf_control_device_mingw-x64.sys") + "' --color never --fail-on none");
  EXPECT_NE(text.out.find("\\Device\\DrvsecKmdf  (code's descriptor: open Administrators (elevated)"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace drvsec::test
