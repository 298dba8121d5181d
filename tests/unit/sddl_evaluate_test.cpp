// Evaluation of device-object SDDL: effective rights in ACE order (SM-9), the lowest-privileged caller
// for read, write and all access, and the named risks, on the wdmsec.h templates and hand-made DACLs.
#include <gtest/gtest.h>

#include <algorithm>

#include "sddl/constants.h"
#include "sddl/evaluate.h"

namespace drvsec::sddl {
namespace {

SecurityDescriptor sd_of(std::string_view text) {
  ParseResult r = parse(text);
  EXPECT_TRUE(r) << text << ": " << (r.error ? to_string(*r.error) : "");
  return r ? *r.descriptor : SecurityDescriptor{};
}

SecurityDescriptor sd_of_constant(std::string_view name) {
  const DevobjConstant* c = find_devobj_constant(name);
  EXPECT_NE(c, nullptr) << name;
  return sd_of(c ? c->sddl : "D:P");
}

const PrincipalAccess& access_of(const Evaluation& ev, std::string_view id) {
  for (const PrincipalAccess& pa : ev.access)
    if (pa.principal->id == id) return pa;
  ADD_FAILURE() << "no principal " << id;
  return ev.access.front();
}

std::vector<std::string_view> risk_ids(const std::vector<Risk>& risks) {
  std::vector<std::string_view> ids;
  for (const Risk& r : risks) ids.push_back(r.id);
  return ids;
}

bool has_risk(const std::vector<Risk>& risks, std::string_view id) {
  auto ids = risk_ids(risks);
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string_view id_or_none(const Principal* p) { return p ? p->id : "none"; }

TEST(SddlEvaluate, GenericRightsMapWithTheFileMapping) {
  EXPECT_EQ(map_generic_file(kGenericRead), kFileGenericRead);
  EXPECT_EQ(map_generic_file(kGenericWrite), kFileGenericWrite);
  EXPECT_EQ(map_generic_file(kGenericExecute), kFileGenericExecute);
  EXPECT_EQ(map_generic_file(kGenericAll), kFileAllAccess);
  EXPECT_EQ(map_generic_file(kGenericRead | kWriteDac), kFileGenericRead | kWriteDac);
  EXPECT_EQ(map_generic_file(kMaximumAllowed), 0u);
  EXPECT_EQ(rights_constants(kFileAllAccess), "FILE_ALL_ACCESS");
  EXPECT_EQ(rights_constants(kFileGenericRead | kWriteDac), "FILE_GENERIC_READ | WRITE_DAC");
  EXPECT_EQ(rights_constants(0), "none");
  EXPECT_EQ(rights_words(kFileGenericRead | kFileGenericWrite), "read, write");
}

TEST(SddlEvaluate, KernelOnlyLetsNobodyOpen) {
  Evaluation ev = evaluate(sd_of_constant("SDDL_DEVOBJ_KERNEL_ONLY"));
  for (const PrincipalAccess& pa : ev.access) EXPECT_EQ(pa.granted_at_most, 0u) << pa.principal->id;
  EXPECT_EQ(ev.lowest_read, nullptr);
  EXPECT_TRUE(assess(sd_of("D:P"), ev).empty());
}

TEST(SddlEvaluate, SysAllAdmAllStopsAtAdministrators) {
  SecurityDescriptor sd = sd_of_constant("SDDL_DEVOBJ_SYS_ALL_ADM_ALL");
  Evaluation ev = evaluate(sd);
  EXPECT_EQ(access_of(ev, "system").granted, kFileAllAccess);
  EXPECT_EQ(access_of(ev, "administrators").granted, kFileAllAccess);
  EXPECT_EQ(access_of(ev, "user").granted, 0u);
  EXPECT_EQ(id_or_none(ev.lowest_read), "administrators");
  EXPECT_EQ(id_or_none(ev.lowest_write), "administrators");
  EXPECT_EQ(id_or_none(ev.lowest_all), "administrators");
  EXPECT_TRUE(assess(sd, ev, Context::device_secure).empty());
}

TEST(SddlEvaluate, WorldReadTemplateKeepsRestrictedCodeOut) {
  Evaluation ev = evaluate(sd_of_constant("SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R"));
  EXPECT_EQ(access_of(ev, "user").granted, kFileGenericRead);
  EXPECT_EQ(access_of(ev, "guest").granted, kFileGenericRead);
  EXPECT_EQ(access_of(ev, "anonymous").granted, 0u);         // World does not cover anonymous logons
  EXPECT_EQ(access_of(ev, "restricted-code").granted, 0u);   // nor restricted code
  EXPECT_EQ(access_of(ev, "administrators").granted, kFileGenericRead | kFileGenericWrite | kFileGenericExecute);
  EXPECT_EQ(id_or_none(ev.lowest_read), "guest");
  EXPECT_EQ(id_or_none(ev.lowest_write), "administrators");
  EXPECT_EQ(id_or_none(ev.lowest_all), "system");

  ev = evaluate(sd_of_constant("SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R_RES_R"));
  EXPECT_EQ(access_of(ev, "restricted-code").granted, kFileGenericRead);
  EXPECT_EQ(id_or_none(ev.lowest_read), "restricted-code");
}

TEST(SddlEvaluate, WeakestTemplateGivesEveryoneWrite) {
  SecurityDescriptor sd = sd_of_constant("SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX");
  Evaluation ev = evaluate(sd);
  EXPECT_TRUE(can_write(access_of(ev, "restricted-code").granted));
  EXPECT_EQ(id_or_none(ev.lowest_write), "restricted-code");
  EXPECT_EQ(access_of(ev, "app-container").granted, 0u);  // no ACE for ALL APPLICATION PACKAGES
  std::vector<Risk> risks = assess(sd, ev, Context::device_secure);
  EXPECT_EQ(risk_ids(risks), std::vector<std::string_view>{"broad-write"});
  EXPECT_NE(risks[0].message.find("(A;;GRGWGX;;;WD)"), std::string::npos) << risks[0].message;
  EXPECT_EQ(risks[0].column, 32u);  // the WD ACE
  EXPECT_FALSE(has_risk(assess(sd_of_constant("SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R"),
                               evaluate(sd_of_constant("SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R"))),
                        "broad-all"));
}

TEST(SddlEvaluate, DenyBeforeAllowWins) {
  // Everyone is denied write first, then Users get all: a user gets all but the write bits.
  SecurityDescriptor sd = sd_of("D:P(D;;GW;;;WD)(A;;GA;;;BU)");
  Evaluation ev = evaluate(sd);
  const PrincipalAccess& user = access_of(ev, "user");
  EXPECT_EQ(user.granted, kFileAllAccess & ~kFileGenericWrite);
  EXPECT_FALSE(can_write(user.granted));
  EXPECT_EQ(user.denying_aces, std::vector<size_t>{0});
  EXPECT_FALSE(has_risk(assess(sd, ev), "deny-after-allow"));
  EXPECT_TRUE(has_risk(assess(sd, ev), "broad-all"));  // WRITE_DAC is still granted
}

TEST(SddlEvaluate, AllowBeforeDenyWinsAndIsReported) {
  // An allow before the deny decides every bit first: the deny changes nothing for interactive users.
  SecurityDescriptor sd = sd_of("D:P(A;;GA;;;IU)(D;;GW;;;WD)(A;;GA;;;NU)");
  Evaluation ev = evaluate(sd);
  EXPECT_EQ(access_of(ev, "user").granted, kFileAllAccess);
  // A network user meets the deny first: everything but the write bits.
  EXPECT_EQ(access_of(ev, "network-user").granted, kFileAllAccess & ~kFileGenericWrite);
  std::vector<Risk> risks = assess(sd, ev);
  ASSERT_TRUE(has_risk(risks, "deny-after-allow"));
  for (const Risk& r : risks)
    if (r.id == "deny-after-allow") {
      EXPECT_EQ(r.column, 16u);
    }
}

TEST(SddlEvaluate, DenyAfterAllowForUnrelatedCallersIsNotReported) {
  // Nobody is both SYSTEM and anonymous.
  SecurityDescriptor sd = sd_of("D:P(A;;GA;;;SY)(D;;GA;;;AN)");
  EXPECT_FALSE(has_risk(assess(sd, evaluate(sd)), "deny-after-allow"));
}

TEST(SddlEvaluate, InheritOnlyAndObjectAcesDoNotApplyToTheDevice) {
  SecurityDescriptor sd = sd_of("D:P(A;IO;GA;;;WD)(OA;;GA;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)(OA;;GR;;;WD)");
  Evaluation ev = evaluate(sd);
  EXPECT_EQ(access_of(ev, "user").granted, kFileGenericRead);
}

TEST(SddlEvaluate, ConditionalAcesAreCountedBothWays) {
  SecurityDescriptor sd = sd_of("D:P(A;;GA;;;SY)(XA;;GW;;;WD;(@User.Title==\"PM\"))");
  Evaluation ev = evaluate(sd);
  const PrincipalAccess& user = access_of(ev, "user");
  EXPECT_EQ(user.granted, 0u);
  EXPECT_EQ(user.granted_at_most, kFileGenericWrite);
  EXPECT_TRUE(has_risk(assess(sd, ev), "broad-write"));
  sd = sd_of("D:P(XD;;GW;;;WD;(@User.Title==\"PM\"))(A;;GRGW;;;WD)");
  ev = evaluate(sd);
  EXPECT_EQ(access_of(ev, "user").granted, kFileGenericRead & ~kFileGenericWrite);
  EXPECT_EQ(access_of(ev, "user").granted_at_most, kFileGenericRead | kFileGenericWrite);
}

TEST(SddlEvaluate, NumericSidsMatchTheirAliases) {
  SecurityDescriptor sd = sd_of("D:P(A;;FA;;;S-1-5-18)(A;;0x12019f;;;S-1-1-0)");
  Evaluation ev = evaluate(sd);
  EXPECT_EQ(access_of(ev, "system").granted, kFileAllAccess);
  EXPECT_TRUE(can_write(access_of(ev, "user").granted));
  std::vector<Risk> risks = assess(sd, ev, Context::device_secure);
  EXPECT_TRUE(has_risk(risks, "broad-write"));
  EXPECT_TRUE(has_risk(risks, "outside-iocreatedevicesecure-subset"));  // FA is not a subset right
}

TEST(SddlEvaluate, NullAndMissingDaclsGrantEverything) {
  for (std::string_view text : {"D:NO_ACCESS_CONTROL", "O:BAG:BA"}) {
    SecurityDescriptor sd = sd_of(text);
    Evaluation ev = evaluate(sd);
    EXPECT_EQ(access_of(ev, "anonymous").granted, kFileAllAccess) << text;
    EXPECT_EQ(id_or_none(ev.lowest_all), "app-container") << text;
    std::vector<Risk> risks = assess(sd, ev, Context::inf);
    ASSERT_FALSE(risks.empty()) << text;
    EXPECT_EQ(risks[0].id, "null-dacl") << text;
    EXPECT_EQ(risks[0].severity, Severity::error);
  }
}

TEST(SddlEvaluate, MissingProtectionAndRcWithoutWd) {
  SecurityDescriptor sd = sd_of("D:(A;;GA;;;SY)(A;;GR;;;RC)");
  std::vector<Risk> risks = assess(sd, evaluate(sd), Context::device_secure);
  EXPECT_TRUE(has_risk(risks, "not-protected"));
  EXPECT_TRUE(has_risk(risks, "rc-without-wd"));
  EXPECT_TRUE(has_risk(risks, "outside-iocreatedevicesecure-subset"));  // D: without P
  sd = sd_of("D:P(A;;GA;;;SY)(A;;GR;;;WD)(A;;GR;;;RC)");
  risks = assess(sd, evaluate(sd), Context::device_secure);
  EXPECT_TRUE(risks.empty()) << risks.front().id;
}

TEST(SddlEvaluate, IoCreateDeviceSecureSubset) {
  // Full SDDL that an INF may carry but IoCreateDeviceSecure does not accept.
  SecurityDescriptor sd = sd_of("O:BAG:SYD:P(A;OICI;GA;;;SY)(D;;GA;;;AN)(A;;KR;;;BA)(A;;GA;;;DU)S:(ML;;NW;;;LW)");
  Evaluation ev = evaluate(sd);
  std::vector<Risk> device = assess(sd, ev, Context::device_secure);
  ASSERT_TRUE(has_risk(device, "outside-iocreatedevicesecure-subset"));
  for (const Risk& r : device) {
    if (r.id != "outside-iocreatedevicesecure-subset") continue;
    EXPECT_EQ(r.severity, Severity::error);
    EXPECT_EQ(r.column, 1u);
    for (const char* part : {"an owner", "a group", "a SACL", "ACE 1 (ACE flags)", "ACE 2 (type D", "ACE 3 (right KR)",
                             "ACE 4 (SID alias DU)"})
      EXPECT_NE(r.message.find(part), std::string::npos) << part << " in " << r.message;
  }
  EXPECT_FALSE(has_risk(assess(sd, ev, Context::inf), "outside-iocreatedevicesecure-subset"));
  for (const Risk& r : assess(sd, ev, Context::any))
    if (r.id == "outside-iocreatedevicesecure-subset") {
      EXPECT_EQ(r.severity, Severity::note);
    }
  // Hex rights and S-1-... SIDs are in the subset.
  sd = sd_of("D:P(A;;0x1F01FF;;;SY)(A;;GR;;;S-1-5-84-0-0-0-0-0)");
  EXPECT_FALSE(has_risk(assess(sd, evaluate(sd), Context::device_secure), "outside-iocreatedevicesecure-subset"));
}

TEST(SddlEvaluate, AppContainerNeedsItsOwnAce) {
  SecurityDescriptor sd = sd_of("D:P(A;;GA;;;SY)(A;;GRGW;;;WD)(A;;GRGW;;;AC)");
  Evaluation ev = evaluate(sd);
  EXPECT_TRUE(can_write(access_of(ev, "app-container").granted));
  EXPECT_EQ(id_or_none(ev.lowest_write), "app-container");
  // AC alone: the AppContainer's user check fails, nothing is granted.
  sd = sd_of("D:P(A;;GA;;;SY)(A;;GRGW;;;AC)");
  EXPECT_EQ(access_of(evaluate(sd), "app-container").granted, 0u);
}

TEST(SddlEvaluate, ExplanationHasALinePerAceAndASummary) {
  SecurityDescriptor sd = sd_of_constant("SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R");
  std::vector<std::string> lines = explain(sd);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[0].find("protected (P)"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("ACE 1 at column 4: allow Local System (SY): GA = FILE_ALL_ACCESS (all access)"),
            std::string::npos) << lines[1];
  EXPECT_NE(lines[3].find("Everyone (WD): GR = FILE_GENERIC_READ (read)"), std::string::npos) << lines[3];
  std::vector<std::string> s = summary(evaluate(sd));
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "The least trusted caller that can open it for read: Guest (interactive).");
  EXPECT_NE(explain_ace(sd_of("S:(ML;;NW;;;LW)").sacl.aces[0], 0).find("callers below this integrity level cannot write (NW, no write up)"), std::string::npos);
  EXPECT_NE(explain_ace(sd_of("D:(XA;;FX;;;WD;(@User.Title==\"PM\"))").dacl.aces[0], 0).find("only when (@User.Title==\"PM\")"),
            std::string::npos);
}

}  // namespace
}  // namespace drvsec::sddl
