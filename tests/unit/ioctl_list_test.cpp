// `drvsec ioctl list`: the recovered IOCTL table and its JSON form.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace drvsec::test {
namespace {

TEST(IoctlList, TableListsEveryRecoveredCode) {
  const std::string driver = fixture("dispatch_switch_mingw-x64.sys");
  auto r = run_drvsec("ioctl list " + driver);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("7 IOCTLs, IRP_MJ_DEVICE_CONTROL at 0x"), std::string::npos) << r.out;
  for (const char* row : {"0x80002007  0x8000", "METHOD_NEITHER", "FILE_ANY_ACCESS", "0x80006400", "FILE_READ_ACCESS"})
    EXPECT_NE(r.out.find(row), std::string::npos) << row;
}

TEST(IoctlList, JsonMatchesTheModel) {
  auto r = run_drvsec("ioctl list --format json " + fixture("dispatch_ifchain_clang-x86.sys") + " " +
                      fixture("minimal_wdm_mingw-x86.sys"));
  ASSERT_EQ(r.exit_code, 0);
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["drivers"].size(), 2u);
  const auto& chain = doc["drivers"][0];
  EXPECT_EQ(chain["machine"], "x86");
  ASSERT_EQ(chain["ioctls"].size(), 3u);
  EXPECT_EQ(chain["ioctls"][2]["code"], "0x22A40B");
  EXPECT_EQ(chain["ioctls"][2]["method"], "METHOD_NEITHER");
  EXPECT_EQ(chain["ioctls"][2]["access"], "FILE_WRITE_ACCESS");
  EXPECT_TRUE(chain["ioctls"][2].contains("handler_rva"));
  EXPECT_TRUE(chain["recovery_notes"].empty());
  // The minimal driver's handler compares no code: an empty list with a note saying so.
  EXPECT_TRUE(doc["drivers"][1]["ioctls"].empty());
  EXPECT_EQ(doc["drivers"][1]["recovery_notes"][0]["what"], "IOCTL codes");
}

TEST(IoctlList, BadInputIsReportedAndTheRestListed) {
  const std::string junk = output_path("ioctl_list/junk.sys");
  { std::ofstream(junk) << "not a driver"; }
  auto r = run_drvsec("ioctl list --format json " + junk + " " + fixture("dispatch_sparse_mingw-x64.sys"));
  EXPECT_EQ(r.exit_code, 3);
  auto err = run_command(std::string("'") + DRVSEC_EXE + "' ioctl list " + junk + " 2>&1 >/dev/null");
  EXPECT_NE(err.out.find("junk.sys: not a PE image"), std::string::npos) << err.out;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["drivers"].size(), 1u);
  EXPECT_EQ(doc["drivers"][0]["ioctls"].size(), 10u);
}

}  // namespace
}  // namespace drvsec::test
