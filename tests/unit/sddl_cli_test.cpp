// `drvsec sddl`: exit 0 with the explanation, access table, lowest callers and risks for a string
// that parses (an SDDL_DEVOBJ_* name included); exit 2 with the column for one that does not.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace drvsec::test {
namespace {

// Standard error too: the parse error goes there.
CommandResult run_drvsec_all(const std::string& args) {
  return run_command(std::string("'") + DRVSEC_EXE + "' " + args + " 2>&1");
}

TEST(SddlCli, ExplainsTheWeakestTemplateByName) {
  CommandResult r = run_drvsec("sddl SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* part : {"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC)",
                           "constant  SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX", "context   device",
                           "ACE 3 at column 32: allow Everyone (WD)", "for write  Restricted code",
                           "for all    SYSTEM", "error    broad-write (column 32)"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
}

TEST(SddlCli, StrictStringHasNoRisks) {
  CommandResult r = run_drvsec("sddl 'D:P(A;;GA;;;SY)(A;;GA;;;BA)'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("constant  SDDL_DEVOBJ_SYS_ALL_ADM_ALL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Risks\n  none\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("for read   Administrators (elevated)"), std::string::npos) << r.out;
}

TEST(SddlCli, MalformedStringIsExit2WithTheColumn) {
  CommandResult r = run_drvsec_all("sddl 'D:P(A;;GA;;;SY)(A;;GZ;;;BA)'");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("column 20: unknown access right 'GZ'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n                     ^"), std::string::npos) << r.out;  // the caret under column 20
  r = run_drvsec_all("sddl 'D:P(A;;GA;;;SY'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("column 4:"), std::string::npos) << r.out;
  r = run_drvsec_all("sddl SDDL_DEVOBJ_NOT_A_CONSTANT");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("SDDL_DEVOBJ_SYS_ALL_ADM_RX"), std::string::npos) << r.out;  // lists the real ones
}

TEST(SddlCli, JsonOutput) {
  CommandResult r = run_drvsec("sddl --format json --context inf 'O:BAD:(A;;GA;;;SY)(A;;GRGW;;;BU)S:(ML;;NW;;;LW)'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["context"], "inf");
  EXPECT_EQ(j["owner"]["canonical"], "S-1-5-32-544");
  EXPECT_EQ(j["dacl"]["aces"].size(), 2u);
  EXPECT_EQ(j["dacl"]["aces"][1]["mapped"], "0x0012019F");
  EXPECT_EQ(j["sacl"]["aces"][0]["type"], "ML");
  EXPECT_EQ(j["lowest"]["write"], "guest");  // an interactive guest is in Users too
  std::vector<std::string> ids;
  for (const auto& risk : j["risks"]) ids.push_back(risk["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"broad-write", "not-protected"}));
}

TEST(SddlCli, ConditionalAceAndHexRights) {
  CommandResult r = run_drvsec("sddl 'D:P(A;;0x1200a9;;;WD)(XA;;FX;;;S-1-1-0;(@User.Title==\"PM\"))'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("only when (@User.Title==\"PM\") holds"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0x1200a9 = FILE_GENERIC_READ | FILE_GENERIC_EXECUTE"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace drvsec::test
