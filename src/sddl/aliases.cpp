// The fixed vocabulary of SDDL: ACE type strings, access right codes and SID aliases, as Microsoft
// Learn's "ACE Strings" and "SID Strings" pages list them (sddl.h), with the values of winnt.h and the
// well-known SIDs ("Well-known SIDs", [MS-DTYP] 2.4.2.4).
#include <algorithm>


#include "sddl/sddl.h"

namespace drvsec::sddl {
namespace {

constexpr AceTypeInfo kAceTypes[] = {
    {"A", AceType::access_allowed, 0x00, false, false, "allow"},
    {"D", AceType::access_denied, 0x01, false, false, "deny"},
    {"OA", AceType::object_access_allowed, 0x05, true, false, "allow (object ACE)"},
    {"OD", AceType::object_access_denied, 0x06, true, false, "deny (object ACE)"},
    {"AU", AceType::audit, 0x02, false, false, "audit"},
    {"AL", AceType::alarm, 0x03, false, false, "alarm"},
    {"OU", AceType::object_audit, 0x07, true, false, "audit (object ACE)"},
    {"OL", AceType::object_alarm, 0x08, true, false, "alarm (object ACE)"},
    {"ML", AceType::mandatory_label, 0x11, false, false, "mandatory integrity label"},
    {"XA", AceType::callback_access_allowed, 0x09, false, true, "conditional allow"},
    {"XD", AceType::callback_access_denied, 0x0A, false, true, "conditional deny"},
    {"ZA", AceType::callback_object_access_allowed, 0x0B, true, true, "conditional allow (object ACE)"},
    {"XU", AceType::callback_audit, 0x0D, false, true, "conditional audit"},
    {"RA", AceType::resource_attribute, 0x12, false, false, "resource attribute"},
    {"SP", AceType::scoped_policy_id, 0x13, false, false, "central access policy"},
    {"TL", AceType::process_trust_label, 0x14, false, false, "process trust label"},
    {"FL", AceType::access_filter, 0x15, false, false, "access filter"},
};

constexpr RightCode kRights[] = {
    {"GA", kGenericAll, "GENERIC_ALL"},
    {"GR", kGenericRead, "GENERIC_READ"},
    {"GW", kGenericWrite, "GENERIC_WRITE"},
    {"GX", kGenericExecute, "GENERIC_EXECUTE"},
    {"RC", kReadControl, "READ_CONTROL"},
    {"SD", kDelete, "DELETE"},
    {"WD", kWriteDac, "WRITE_DAC"},
    {"WO", kWriteOwner, "WRITE_OWNER"},
    {"RP", 0x10, "ADS_RIGHT_DS_READ_PROP"},
    {"WP", 0x20, "ADS_RIGHT_DS_WRITE_PROP"},
    {"CC", 0x01, "ADS_RIGHT_DS_CREATE_CHILD"},
    {"DC", 0x02, "ADS_RIGHT_DS_DELETE_CHILD"},
    {"LC", 0x04, "ADS_RIGHT_ACTRL_DS_LIST"},
    {"SW", 0x08, "ADS_RIGHT_DS_SELF"},
    {"LO", 0x80, "ADS_RIGHT_DS_LIST_OBJECT"},
    {"DT", 0x40, "ADS_RIGHT_DS_DELETE_TREE"},
    {"CR", 0x100, "ADS_RIGHT_DS_CONTROL_ACCESS"},
    {"FA", kFileAllAccess, "FILE_ALL_ACCESS"},
    {"FR", kFileGenericRead, "FILE_GENERIC_READ"},
    {"FW", kFileGenericWrite, "FILE_GENERIC_WRITE"},
    {"FX", kFileGenericExecute, "FILE_GENERIC_EXECUTE"},
    {"KA", 0x000F003F, "KEY_ALL_ACCESS"},
    {"KR", 0x00020019, "KEY_READ"},
    {"KW", 0x00020006, "KEY_WRITE"},
    {"KX", 0x00020019, "KEY_EXECUTE"},
    {"NR", 0x2, "SYSTEM_MANDATORY_LABEL_NO_READ_UP"},
    {"NW", 0x1, "SYSTEM_MANDATORY_LABEL_NO_WRITE_UP"},
    {"NX", 0x4, "SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP"},
};

// Aliases whose SID is relative to a domain or to the machine have no fixed S-1-... form.
constexpr WellKnownSid kSids[] = {
    {"AA", "S-1-5-32-579", "Access Control Assistance Operators"},
    {"AC", "S-1-15-2-1", "All Application Packages (AppContainer)"},
    {"AN", "S-1-5-7", "Anonymous Logon"},
    {"AO", "S-1-5-32-548", "Account Operators"},
    {"AP", "", "Protected Users (domain)"},
    {"AU", "S-1-5-11", "Authenticated Users"},
    {"BA", "S-1-5-32-544", "Built-in Administrators"},
    {"BG", "S-1-5-32-546", "Built-in Guests"},
    {"BO", "S-1-5-32-551", "Backup Operators"},
    {"BU", "S-1-5-32-545", "Built-in Users"},
    {"CA", "", "Certificate Publishers (domain)"},
    {"CD", "S-1-5-32-574", "Certificate Service DCOM Access"},
    {"CG", "S-1-3-1", "Creator Group"},
    {"CN", "", "Cloneable Domain Controllers (domain)"},
    {"CO", "S-1-3-0", "Creator Owner"},
    {"CY", "S-1-5-32-569", "Cryptographic Operators"},
    {"DA", "", "Domain Admins (domain)"},
    {"DC", "", "Domain Computers (domain)"},
    {"DD", "", "Domain Controllers (domain)"},
    {"DG", "", "Domain Guests (domain)"},
    {"DU", "", "Domain Users (domain)"},
    {"EA", "", "Enterprise Admins (domain)"},
    {"ED", "S-1-5-9", "Enterprise Domain Controllers"},
    {"EK", "", "Enterprise Key Admins (domain)"},
    {"ER", "S-1-5-32-573", "Event Log Readers"},
    {"ES", "S-1-5-32-576", "RDS Endpoint Servers"},
    {"HA", "S-1-5-32-578", "Hyper-V Administrators"},
    {"HI", "S-1-16-12288", "High integrity level"},
    {"IS", "S-1-5-32-568", "IIS Users"},
    {"IU", "S-1-5-4", "Interactive"},
    {"KA", "", "Key Admins (domain)"},
    {"LA", "", "Local Administrator account (machine)"},
    {"LG", "", "Local Guest account (machine)"},
    {"LS", "S-1-5-19", "Local Service"},
    {"LU", "S-1-5-32-559", "Performance Log Users"},
    {"LW", "S-1-16-4096", "Low integrity level"},
    {"ME", "S-1-16-8192", "Medium integrity level"},
    {"MP", "S-1-16-8448", "Medium Plus integrity level"},
    {"MU", "S-1-5-32-558", "Performance Monitor Users"},
    {"NO", "S-1-5-32-556", "Network Configuration Operators"},
    {"NS", "S-1-5-20", "Network Service"},
    {"NU", "S-1-5-2", "Network logon users"},
    {"OW", "S-1-3-4", "Owner Rights"},
    {"PA", "", "Group Policy Creator Owners (domain)"},
    {"PO", "S-1-5-32-550", "Print Operators"},
    {"PS", "S-1-5-10", "Principal Self"},
    {"PU", "S-1-5-32-547", "Power Users"},
    {"RA", "S-1-5-32-575", "RDS Remote Access Servers"},
    {"RC", "S-1-5-12", "Restricted Code"},
    {"RD", "S-1-5-32-555", "Remote Desktop Users"},
    {"RE", "S-1-5-32-552", "Replicator"},
    {"RM", "S-1-5-32-580", "Remote Management Users"},
    {"RO", "", "Enterprise Read-only Domain Controllers (domain)"},
    {"RS", "", "RAS and IAS Servers (domain)"},
    {"RU", "S-1-5-32-554", "Pre-Windows 2000 Compatible Access"},
    {"SA", "", "Schema Admins (domain)"},
    {"SI", "S-1-16-16384", "System integrity level"},
    {"SO", "S-1-5-32-549", "Server Operators"},
    {"SS", "S-1-18-2", "Service asserted identity"},
    {"SU", "S-1-5-6", "Service logon users"},
    {"SY", "S-1-5-18", "Local System"},
    {"UD", "S-1-5-84-0-0-0-0-0", "User-mode drivers (UMDF)"},
    {"WD", "S-1-1-0", "Everyone"},
    {"WR", "S-1-5-33", "Write Restricted Code"},
    // Well-known SIDs without an SDDL alias (named when written as S-1-...).
    {"", "S-1-0-0", "Nobody"},
    {"", "S-1-2-0", "Local (users logged on locally)"},
    {"", "S-1-5-1", "Dialup"},
    {"", "S-1-5-3", "Batch"},
    {"", "S-1-5-8", "Proxy"},
    {"", "S-1-5-13", "Terminal Server users"},
    {"", "S-1-5-14", "Remote Interactive Logon"},
    {"", "S-1-5-15", "This Organization"},
    {"", "S-1-5-80-0", "All Services"},
    {"", "S-1-5-113", "Local account"},
    {"", "S-1-5-114", "Local account and member of Administrators"},
    {"", "S-1-15-2-2", "All Restricted Application Packages"},
    {"", "S-1-16-0", "Untrusted integrity level"},
    {"", "S-1-16-20480", "Protected Process integrity level"},
};

}  // namespace

const AceTypeInfo& ace_type_info(AceType t) {
  for (const auto& i : kAceTypes)
    if (i.type == t) return i;
  return kAceTypes[0];
}

const AceTypeInfo* find_ace_type(std::string_view code) {
  for (const auto& i : kAceTypes)
    if (i.code == code) return &i;
  return nullptr;
}

const RightCode* find_right_code(std::string_view code) {
  if (code.empty()) return nullptr;
  for (const auto& r : kRights)
    if (r.code == code) return &r;
  return nullptr;
}

const WellKnownSid* find_sid_alias(std::string_view alias) {
  if (alias.empty()) return nullptr;
  for (const auto& s : kSids)
    if (s.alias == alias) return &s;
  return nullptr;
}

const WellKnownSid* find_sid_canonical(std::string_view canonical) {
  if (canonical.empty()) return nullptr;
  for (const auto& s : kSids)
    if (s.canonical == canonical) return &s;
  return nullptr;
}

bool Sid::same_as(const Sid& other) const {
  if (!canonical.empty() || !other.canonical.empty()) return canonical == other.canonical;
  return !alias.empty() && alias == other.alias;
}

}  // namespace drvsec::sddl
