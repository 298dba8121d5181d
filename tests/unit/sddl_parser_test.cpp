// The SDDL parser on real strings: every SDDL_DEVOBJ_* constant, the examples of Microsoft Learn's
// SDDL pages, object, conditional and mandatory-label ACEs, numeric SIDs and rights, and malformed
// strings with the column the error must point at.
#include <gtest/gtest.h>

#include "sddl/constants.h"
#include "sddl/sddl.h"

namespace drvsec::sddl {
namespace {

SecurityDescriptor parsed(std::string_view text) {
  ParseResult r = parse(text);
  EXPECT_TRUE(r) << text << ": " << (r.error ? to_string(*r.error) : "");
  return r ? *r.descriptor : SecurityDescriptor{};
}

ParseError error_of(std::string_view text) {
  ParseResult r = parse(text);
  EXPECT_FALSE(r) << text << " parsed";
  return r.error.value_or(ParseError{});
}

TEST(SddlParser, EveryDevobjConstantParsesToAProtectedDaclOfAllowAces) {
  ASSERT_EQ(devobj_constants().size(), 9u);
  for (const DevobjConstant& c : devobj_constants()) {
    SCOPED_TRACE(std::string(c.name));
    SecurityDescriptor sd = parsed(c.sddl);
    EXPECT_TRUE(sd.dacl.present);
    EXPECT_TRUE(sd.dacl.protected_acl);
    EXPECT_FALSE(sd.sacl.present);
    EXPECT_FALSE(sd.owner || sd.group);
    for (const Ace& a : sd.dacl.aces) EXPECT_EQ(a.type, AceType::access_allowed);
  }
}

TEST(SddlParser, WeakestDevobjTemplateInDetail) {
  const DevobjConstant* c = find_devobj_constant("SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->sddl, "D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC)");
  SecurityDescriptor sd = parsed(c->sddl);
  ASSERT_EQ(sd.dacl.aces.size(), 4u);
  EXPECT_EQ(sd.dacl.aces[0].mask, kGenericAll);
  EXPECT_EQ(sd.dacl.aces[0].sid.canonical, "S-1-5-18");
  EXPECT_EQ(sd.dacl.aces[1].mask, kGenericRead | kGenericWrite | kGenericExecute);
  EXPECT_EQ(sd.dacl.aces[1].sid.canonical, "S-1-5-32-544");
  EXPECT_EQ(sd.dacl.aces[2].sid.canonical, "S-1-1-0");
  EXPECT_EQ(sd.dacl.aces[3].sid.canonical, "S-1-5-12");
  EXPECT_EQ(sd.dacl.aces[3].column, 48u);  // the fourth '(' is the 48th character
  EXPECT_EQ(find_devobj_constant("SDDL_DEVOBJ_INF_SUPPLIED")->sddl, "D:P");
  EXPECT_EQ(devobj_constant_for("D:P")->name, "SDDL_DEVOBJ_KERNEL_ONLY");
  EXPECT_EQ(find_devobj_constant("SDDL_DEVOBJ_NO_SUCH"), nullptr);
}

TEST(SddlParser, KernelOnlyIsAnEmptyProtectedDacl) {
  SecurityDescriptor sd = parsed("D:P");
  EXPECT_TRUE(sd.dacl.present);
  EXPECT_TRUE(sd.dacl.aces.empty());
  EXPECT_FALSE(sd.dacl.null_acl);
}

// Microsoft Learn, "Security Descriptor String Format", its examples.
TEST(SddlParser, SecurityDescriptorStringFormatExamples) {
  SecurityDescriptor sd = parsed("O:AOG:DAD:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-0-0)");
  ASSERT_TRUE(sd.owner && sd.group);
  EXPECT_EQ(sd.owner->alias, "AO");
  EXPECT_EQ(sd.group->alias, "DA");
  EXPECT_TRUE(sd.group->canonical.empty());  // relative to the domain
  ASSERT_EQ(sd.dacl.aces.size(), 1u);
  EXPECT_EQ(sd.dacl.aces[0].mask, 0x100e003fu);  // the value the "ACE Strings" page gives
  EXPECT_EQ(sd.dacl.aces[0].sid.name, "Nobody");

  sd = parsed("O:DAG:DAD:(A;;RPWPCCDCLCRCWOWDSDSW;;;SY)(A;;RPWPCCDCLCRCWOWDSDSW;;;DA)"
              "(OA;;CCDC;bf967aba-0de6-11d0-a285-00aa003049e2;;AO)(OA;;CCDC;bf967a9c-0de6-11d0-a285-00aa003049e2;;AO)"
              "(OA;;CCDC;6da8a4ff-0e52-11d0-a286-00aa00304900;;AO)(OA;;CCDC;bf967aa8-0de6-11d0-a285-00aa003049e2;;PO)"
              "(A;;RPLCRC;;;AU)S:(AU;SAFA;WDWOSDWPCCDCSW;;;WD)");
  ASSERT_EQ(sd.dacl.aces.size(), 7u);
  EXPECT_EQ(sd.dacl.aces[2].type, AceType::object_access_allowed);
  EXPECT_EQ(sd.dacl.aces[2].object_guid, "bf967aba-0de6-11d0-a285-00aa003049e2");
  EXPECT_FALSE(sd.dacl.aces[2].inherit_object_guid);
  ASSERT_EQ(sd.sacl.aces.size(), 1u);
  EXPECT_EQ(sd.sacl.aces[0].type, AceType::audit);
  EXPECT_EQ(sd.sacl.aces[0].flags, kSuccessfulAccessAce | kFailedAccessAce);
}

TEST(SddlParser, DaclFlagsAndNullDacl) {
  SecurityDescriptor sd = parsed("D:PAIAR(A;OICI;FA;;;BA)");
  EXPECT_TRUE(sd.dacl.protected_acl && sd.dacl.auto_inherited && sd.dacl.auto_inherit_requested);
  EXPECT_EQ(sd.dacl.aces[0].flags, kObjectInheritAce | kContainerInheritAce);
  EXPECT_EQ(sd.dacl.aces[0].mask, kFileAllAccess);
  sd = parsed("D:NO_ACCESS_CONTROL");
  EXPECT_TRUE(sd.dacl.null_acl);
  EXPECT_TRUE(sd.dacl.aces.empty());
  sd = parsed("O:BAG:SY");
  EXPECT_FALSE(sd.dacl.present);
}

TEST(SddlParser, ConditionalAceKeepsItsExpression) {
  SecurityDescriptor sd = parsed("D:(XA;;FX;;;S-1-1-0;(@User.Title==\"PM\"))");
  ASSERT_EQ(sd.dacl.aces.size(), 1u);
  const Ace& a = sd.dacl.aces[0];
  EXPECT_EQ(a.type, AceType::callback_access_allowed);
  EXPECT_EQ(a.mask, kFileGenericExecute);
  EXPECT_EQ(a.sid.alias, "WD");
  EXPECT_EQ(a.condition, "@User.Title==\"PM\"");
  // Parentheses inside strings and nested sub-expressions do not end the condition.
  sd = parsed("D:(XD;;GW;;;AU;((@User.Dept==\"R)&D\") || (Member_of {SID(BA)})))(A;;GA;;;SY)");
  ASSERT_EQ(sd.dacl.aces.size(), 2u);
  EXPECT_EQ(sd.dacl.aces[0].condition, "(@User.Dept==\"R)&D\") || (Member_of {SID(BA)})");
  EXPECT_EQ(sd.dacl.aces[1].sid.alias, "SY");
  // A resource attribute ACE, as on the "ACE Strings" page.
  sd = parsed("S:(RA;CI;;;;S-1-1-0; (\"Secrecy\",TU,0,3))");
  ASSERT_EQ(sd.sacl.aces.size(), 1u);
  EXPECT_EQ(sd.sacl.aces[0].resource_attribute, "\"Secrecy\",TU,0,3");
}

TEST(SddlParser, MandatoryLabelAndHexRights) {
  SecurityDescriptor sd = parsed("S:(ML;;NW;;;LW)");
  ASSERT_EQ(sd.sacl.aces.size(), 1u);
  EXPECT_EQ(sd.sacl.aces[0].type, AceType::mandatory_label);
  EXPECT_EQ(sd.sacl.aces[0].mask, 0x1u);
  EXPECT_EQ(sd.sacl.aces[0].sid.canonical, "S-1-16-4096");
  sd = parsed("D:P(A;;0x1200a9;;;WD)(A;;0X1F01FF;;;BA)(A;;1179785;;;BU)");
  EXPECT_EQ(sd.dacl.aces[0].mask, 0x1200a9u);
  EXPECT_EQ(sd.dacl.aces[1].mask, kFileAllAccess);
  EXPECT_EQ(sd.dacl.aces[2].mask, 0x120089u);
}

TEST(SddlParser, NumericSids) {
  SecurityDescriptor sd = parsed("O:S-1-5-21-3623811015-3361044348-30300820-1013G:S-1-5-32-544D:(A;;GA;;;S-1-5-32-545)");
  EXPECT_EQ(sd.owner->canonical, "S-1-5-21-3623811015-3361044348-30300820-1013");
  EXPECT_TRUE(sd.owner->alias.empty());
  EXPECT_EQ(sd.group->alias, "BA");  // known by its numeric form
  EXPECT_EQ(sd.dacl.aces[0].sid.alias, "BU");
  sd = parsed("D:(A;;GA;;;S-1-0x000000000005-18)");
  EXPECT_EQ(sd.dacl.aces[0].sid.canonical, "S-1-5-18");
  EXPECT_EQ(sd.dacl.aces[0].sid.alias, "SY");
  sd = parsed("D:(A;;GA;;;S-1-5-84-0-0-0-0-0)");
  EXPECT_EQ(sd.dacl.aces[0].sid.alias, "UD");
}

TEST(SddlParser, ObjectAceWithBothGuids) {
  SecurityDescriptor sd = parsed(
      "D:(OD;CI;WP;BF967A86-0DE6-11D0-A285-00AA003049E2;4828cc14-1437-45bc-9b07-ad6f015e5f28;S-1-5-11)");
  const Ace& a = sd.dacl.aces[0];
  EXPECT_EQ(a.type, AceType::object_access_denied);
  EXPECT_EQ(a.object_guid, "bf967a86-0de6-11d0-a285-00aa003049e2");
  EXPECT_EQ(a.inherit_object_guid, "4828cc14-1437-45bc-9b07-ad6f015e5f28");
  EXPECT_EQ(a.sid.alias, "AU");
}

TEST(SddlParser, WhitespaceBetweenComponentsAndAces) {
  SecurityDescriptor sd = parsed("  D:P (A;;GA;;;SY) (A;;GR;;;BA)  S:(ML;;NW;;;ME) ");
  EXPECT_EQ(sd.dacl.aces.size(), 2u);
  EXPECT_EQ(sd.sacl.aces.size(), 1u);
}

struct Malformed {
  const char* text;
  size_t column;
  const char* message_part;
};

class SddlMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(SddlMalformed, ErrorPointsAtTheColumn) {
  const Malformed& m = GetParam();
  ParseError e = error_of(m.text);
  EXPECT_EQ(e.column, m.column) << m.text << ": " << to_string(e);
  EXPECT_NE(e.message.find(m.message_part), std::string::npos) << m.text << ": " << to_string(e);
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, SddlMalformed,
    testing::Values(Malformed{"", 1, "empty"},
                    Malformed{"X:P", 1, "expected a component"},
                    Malformed{"D:P(A;;GA;;;SY", 4, "')' missing"},
                    Malformed{"D:P(A;;GA;;;SY)(Q;;GA;;;BA)", 17, "unknown ACE type 'Q'"},
                    Malformed{"D:P(A;;GZ;;;SY)", 8, "unknown access right 'GZ'"},
                    Malformed{"D:P(A;;GAG;;;SY)", 10, "unknown access right 'G'"},
                    Malformed{"D:P(A;;GA;;;XX)", 13, "unknown SID alias 'XX'"},
                    Malformed{"D:P(A;;GA;;;)", 13, "missing SID"},
                    Malformed{"D:P(A;QQ;GA;;;SY)", 7, "unknown ACE flag 'QQ'"},
                    Malformed{"D:Q(A;;GA;;;SY)", 3, "unknown DACL flag"},
                    Malformed{"D:PP", 4, "flag P given twice"},
                    Malformed{"D:P(A;;GA;;;SY)D:P", 16, "second D: component"},
                    Malformed{"O:BAO:SY", 5, "second O: component"},
                    Malformed{"D:P(A;;0x1FFFFFFFF;;;SY)", 8, "larger than 32 bits"},
                    Malformed{"D:P(A;;0xZZ;;;SY)", 10, "in a hex access mask"},
                    Malformed{"D:P(A;;0x;;;SY)", 8, "hex digits expected"},
                    Malformed{"D:P(A;;GA;abc;;SY)", 11, "only object ACEs"},
                    Malformed{"D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529;;WD)", 11, "GUID"},
                    Malformed{"D:(OA;;CR;ab721a53x1e2f-11d0-9819-00aa0040529b;;WD)", 19, "'-' expected"},
                    Malformed{"D:(A;;GA;;;SY;(x))", 14, "seventh field"},
                    Malformed{"D:(XA;;FX;;;WD;(@User.Title==\"PM\")", 3, "')' missing"},
                    Malformed{"D:(XA;;FX;;;WD;((@User.Title==\"PM\")", 16, "never closed"},
                    Malformed{"D:(XA;;FX;;;WD;(@User.Title==\"PM))", 30, "unterminated string"},
                    Malformed{"D:(XA;;FX;;;WD;@User)", 16, "'(' expected"},
                    Malformed{"D:(A;;GA;;;S-2-5-18)", 14, "SID revision 2"},
                    Malformed{"D:(A;;GA;;;S-1-5-4294967296)", 18, "subauthority out of range"},
                    Malformed{"D:(A;;GA;;;S-1-281474976710656)", 16, "authority out of range"},
                    Malformed{"D:(A;;GA;;;S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16)", 54, "at most 15"},
                    Malformed{"D:(A;;GA;;;S-1)", 15, "identifier authority"},
                    Malformed{"D:(A;;GA;;;BAX)", 14, "after the SID alias"},
                    Malformed{"D:(A;;GA;;;SY)x", 15, "unexpected 'x' after the DACL"},
                    Malformed{"D:(A;;GA", 9, "unterminated ACE"},
                    Malformed{"D:(;;GA;;;SY)", 4, "missing ACE type"},
                    Malformed{"O:", 3, "missing SID"},
                    Malformed{"D:(A;;GA;;;SY)\x01", 15, "byte 0x01"}),
    [](const testing::TestParamInfo<Malformed>& info) { return "vector" + std::to_string(info.index); });

TEST(SddlParser, LimitsAreEnforced) {
  std::string many = "D:";
  for (int i = 0; i < 5; ++i) many += "(A;;GA;;;SY)";
  Limits small;
  small.max_aces = 4;
  ParseResult r = parse(many, small);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error->column, 2u + 4 * 12 + 1);
  small = Limits{};
  small.max_length = 4;
  r = parse("D:P(A;;GA;;;SY)", small);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error->message.find("longer than"), std::string::npos);
}

TEST(SddlParser, ErrorTextNamesTheColumn) {
  EXPECT_EQ(to_string(ParseError{7, "unknown ACE flag 'QQ'"}), "column 7: unknown ACE flag 'QQ'");
}

}  // namespace
}  // namespace drvsec::sddl
