// device-sddl-risk on fixture drivers: the weakest wdmsec.h SDDL given to IoCreateDeviceSecure reports
// broad write access; SDDL_DEVOBJ_SYS_ALL_ADM_ALL (dispatch_sparse and both KMDF fixtures) reports
// nothing. The SDDL strings are the fixtures' own (tests/fixtures/dispatch_sparse.c, kmdf_driver.c).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rules/rule.h"
#include "test_support.h"

namespace drvsec::test {
namespace {

const char* const kToolchains[] = {"mingw-x64", "mingw-x86", "clang-x64", "clang-x86"};

nlohmann::json scan_rule(const std::string& driver) {
  CommandResult r = run_drvsec("scan " + fixture(driver) + " --format json --fail-on none --rule device-sddl-risk");
  EXPECT_EQ(r.exit_code, 0) << driver;
  return nlohmann::json::parse(r.out, nullptr, false);
}

TEST(DeviceSddlRisk, WorldWritableSddlReports) {
  for (const char* tc : kToolchains) {
    const nlohmann::json doc = scan_rule(std::string("dispatch_sparse_weak_sddl_") + tc + ".sys");
    ASSERT_TRUE(doc.is_object()) << tc;
    ASSERT_EQ(doc["findings"].size(), 1u) << tc << ": " << doc["findings"].dump();
    const auto& f = doc["findings"][0];
    EXPECT_EQ(f["rule_id"], "device-sddl-risk") << tc;
    EXPECT_EQ(f["severity"], "error") << tc;
    const std::string message = f["message"];
    EXPECT_EQ(message.rfind("\\Device\\SparseDev: write access", 0), 0u) << message;
    EXPECT_NE(message.find("Restricted code through ACE 3 (A;;GRGWGX;;;WD), ACE 4 (A;;GRGWGX;;;RC)"), std::string::npos)
        << message;
    ASSERT_GE(f["evidence"].size(), 3u) << tc;
    EXPECT_EQ(f["evidence"][0],
              "SDDL D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC) "
              "(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX)");
    EXPECT_EQ(f["evidence"][1], "risk broad-write at column 32");
    EXPECT_EQ(f["evidence"][2], "lowest caller that can open it: read Restricted code, write Restricted code, all SYSTEM");
  }
}

TEST(DeviceSddlRisk, AdministratorsOnlySddlDoesNot) {
  for (const char* tc : kToolchains)
    for (const std::string stem : {"dispatch_sparse_", "kmdf_driver_", "kmdf_control_device_"}) {
      const std::string driver = stem + tc + ".sys";
      const nlohmann::json doc = scan_rule(driver);
      ASSERT_TRUE(doc.is_object()) << driver;
      ASSERT_EQ(doc["drivers"].size(), 1u) << driver;
      // The SDDL was recovered, so the rule had something to judge: SDDL_DEVOBJ_SYS_ALL_ADM_ALL.
      bool judged = false;
      for (const auto& d : doc["drivers"][0]["devices"])
        judged |= d.value("sddl", "") == "D:P(A;;GA;;;SY)(A;;GA;;;BA)";
      EXPECT_TRUE(judged) << driver << ": " << doc["drivers"][0]["devices"].dump();
      EXPECT_TRUE(doc["findings"].empty()) << driver << ": " << doc["findings"].dump();
    }
}

// The rule on models made by hand: the branches the fixtures do not reach.
std::vector<Finding> run_on_devices(const std::vector<std::pair<std::string, std::string>>& devices) {
  FileAnalysis file;
  file.artifact.path = "model.sys";
  file.model = DriverModel{};
  for (const auto& [name, sddl] : devices) {
    Device d;
    d.name = name;
    d.created_by = "IoCreateDeviceSecure";
    d.sddl = sddl;
    d.id = "device/" + name;
    file.model->devices.push_back(d);
  }
  file.model->devices.push_back(Device{.name = "\\Device\\NoSddl", .created_by = "IoCreateDevice"});
  std::vector<Finding> out;
  const Rule* rule = RuleRegistry::instance().find("device-sddl-risk");
  EXPECT_NE(rule, nullptr);
  if (rule) rule->check(file, out);
  return out;
}

TEST(DeviceSddlRisk, UnparsableNullAndSubsetProblems) {
  std::vector<Finding> f = run_on_devices({{"\\Device\\Bad", "D:P(A;;GA;;;SY)(A;;GZ;;;BA)"},
                                           {"\\Device\\Open", "D:NO_ACCESS_CONTROL"},
                                           {"\\Device\\Loose", "D:(A;;GA;;;SY)(A;;GR;;;RC)"}});
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].message, "\\Device\\Bad: the SDDL string given to IoCreateDeviceSecure is not valid SDDL "
                          "(column 20: unknown access right 'GZ')");
  EXPECT_EQ(f[0].severity, Severity::warning);
  EXPECT_EQ(f[0].evidence[1], "parse error at column 20");
  EXPECT_EQ(f[0].facts, std::vector<std::string>{"device/\\Device\\Bad"});
  // NO_ACCESS_CONTROL: no access control (error), and outside the IoCreateDeviceSecure subset.
  EXPECT_EQ(f[1].message.rfind("\\Device\\Open: NULL DACL", 0), 0u) << f[1].message;
  EXPECT_EQ(f[1].severity, Severity::error);
  EXPECT_EQ(f[2].evidence[1], "risk outside-iocreatedevicesecure-subset at column 1");
  EXPECT_EQ(f[2].severity, Severity::warning);
  std::vector<std::string> loose;
  for (size_t i = 3; i < f.size(); ++i) {
    EXPECT_EQ(f[i].severity, Severity::warning);
    loose.push_back(f[i].evidence[1]);
  }
  EXPECT_EQ(loose, (std::vector<std::string>{"risk outside-iocreatedevicesecure-subset at column 1",
                                             "risk not-protected at column 1", "risk rc-without-wd at column 15"}));
}

}  // namespace
}  // namespace drvsec::test
