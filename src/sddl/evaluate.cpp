#include "sddl/evaluate.h"

#include <fmt/format.h>

#include <algorithm>

namespace drvsec::sddl {
namespace {

// The default group memberships of each kind of token, as the SID descriptions of "SDDL for Device
// Objects" and "Well-known SIDs" give them (LocalService and NetworkService "also belong to
// Authenticated and World"; Authenticated Users and Interactive are members of the built-in Users
// group, so every token holding one of them holds Users; World covers authenticated users and the
// Builtin Guest, not anonymous logons and not restricted code).
const std::vector<Principal>& principal_table() {
  static const std::vector<Principal> table{
      {"system", "SYSTEM", 0, {"SY", "BA", "BU", "AU", "WD"}, {}, false},
      {"administrators", "Administrators (elevated)", 1, {"BA", "BU", "AU", "IU", "WD"}, {}, false},
      {"local-service", "LocalService", 2, {"LS", "SU", "AU", "BU", "WD"}, {}, false},
      {"network-service", "NetworkService", 3, {"NS", "SU", "AU", "BU", "WD"}, {}, false},
      {"umdf-host", "UMDF driver host (LocalService with UD)", 4, {"UD", "LS", "SU", "AU", "BU", "WD"}, {}, false},
      {"user", "Users (standard interactive user)", 5, {"BU", "AU", "IU", "WD"}, {}, true},
      {"network-user", "Authenticated network user", 6, {"BU", "AU", "NU", "WD"}, {}, true},
      {"guest", "Guest (interactive)", 7, {"BG", "BU", "IU", "WD"}, {}, true},
      {"anonymous", "Anonymous logon", 8, {"AN", "NU"}, {}, true},
      {"restricted-code", "Restricted code", 9, {"BU", "AU", "IU", "WD"}, {"RC"}, true},
      {"app-container", "AppContainer", 10, {"BU", "AU", "IU", "WD"}, {"AC"}, true},
  };
  return table;
}

enum class Effect { none, allow, deny };

// Whether the ACE takes part in the access check of the object it is on, and how.
Effect effect_of(const Ace& a) {
  if (a.flags & kInheritOnlyAce) return Effect::none;  // only for children
  switch (a.type) {
    case AceType::access_allowed:
    case AceType::callback_access_allowed:
      return Effect::allow;
    case AceType::access_denied:
    case AceType::callback_access_denied:
      return Effect::deny;
    // An object ACE with an object type applies only to checks against an object type list, which
    // opening a device does not use; without one it is an ordinary ACE.
    case AceType::object_access_allowed:
    case AceType::callback_object_access_allowed:
      return a.object_guid ? Effect::none : Effect::allow;
    case AceType::object_access_denied:
      return a.object_guid ? Effect::none : Effect::deny;
    default:
      return Effect::none;
  }
}

bool conditional(const Ace& a) {
  return a.type == AceType::callback_access_allowed || a.type == AceType::callback_access_denied ||
         a.type == AceType::callback_object_access_allowed;
}

// One pass of the ordered check for a caller holding `sids`, with every right requested
// (MAXIMUM_ALLOWED): an allow grants what no earlier ACE denied, a deny denies what no earlier ACE granted.
uint32_t check(const Acl& dacl, const std::vector<std::string_view>& sids, bool favour_caller,
               std::vector<size_t>* granting, std::vector<size_t>* denying) {
  uint32_t granted = 0, denied = 0;
  for (size_t i = 0; i < dacl.aces.size(); ++i) {
    const Ace& a = dacl.aces[i];
    Effect e = effect_of(a);
    if (e == Effect::none || !holds(sids, a.sid)) continue;
    if (conditional(a) && (e == Effect::allow) != favour_caller) continue;
    const uint32_t m = map_generic_file(a.mask);
    const uint32_t fresh = m & ~granted & ~denied;
    if (e == Effect::allow) {
      granted |= fresh;
      if (fresh && granting && std::find(granting->begin(), granting->end(), i) == granting->end()) granting->push_back(i);
    } else {
      denied |= fresh;
      if (fresh && denying && std::find(denying->begin(), denying->end(), i) == denying->end()) denying->push_back(i);
    }
  }
  return granted;
}

std::string sid_words(const Sid& s) {
  if (!s.alias.empty() && s.text == s.alias) return fmt::format("{} ({})", s.name, s.alias);
  if (!s.alias.empty()) return fmt::format("{} ({}, {})", s.name, s.alias, s.text);
  return s.name == s.canonical ? s.text : fmt::format("{} ({})", s.name, s.text);
}

std::string ace_text(const Ace& a) {
  std::string t = fmt::format("({};", a.type_code);
  for (const auto& f : a.flag_codes) t += f;
  t += fmt::format(";{};{};{};{}", a.rights_text, a.object_guid.value_or(""), a.inherit_object_guid.value_or(""), a.sid.text);
  if (a.condition) t += fmt::format(";({})", *a.condition);
  if (a.resource_attribute) t += fmt::format(";({})", *a.resource_attribute);
  return t + ")";
}

}  // namespace

uint32_t map_generic_file(uint32_t mask) {
  uint32_t m = mask & ~(kGenericRead | kGenericWrite | kGenericExecute | kGenericAll | kMaximumAllowed);
  if (mask & kGenericRead) m |= kFileGenericRead;
  if (mask & kGenericWrite) m |= kFileGenericWrite;
  if (mask & kGenericExecute) m |= kFileGenericExecute;
  if (mask & kGenericAll) m |= kFileAllAccess;
  return m;
}

std::string rights_constants(uint32_t m) {
  if (m == 0) return "none";
  std::vector<std::string> parts;
  uint32_t rest = m;
  if ((rest & kFileAllAccess) == kFileAllAccess) {
    parts.emplace_back("FILE_ALL_ACCESS");
    rest &= ~kFileAllAccess;
  } else {
    for (auto [bits, name] : {std::pair{kFileGenericRead, "FILE_GENERIC_READ"}, {kFileGenericWrite, "FILE_GENERIC_WRITE"},
                              {kFileGenericExecute, "FILE_GENERIC_EXECUTE"}})
      if ((m & bits) == bits) {
        parts.emplace_back(name);
        rest &= ~bits;
      }
  }
  static constexpr std::pair<uint32_t, const char*> kBits[] = {
      {kFileReadData, "FILE_READ_DATA"},       {kFileWriteData, "FILE_WRITE_DATA"},
      {kFileAppendData, "FILE_APPEND_DATA"},   {kFileReadEa, "FILE_READ_EA"},
      {kFileWriteEa, "FILE_WRITE_EA"},         {kFileExecute, "FILE_EXECUTE"},
      {kFileDeleteChild, "FILE_DELETE_CHILD"}, {kFileReadAttributes, "FILE_READ_ATTRIBUTES"},
      {kFileWriteAttributes, "FILE_WRITE_ATTRIBUTES"}, {kDelete, "DELETE"},
      {kReadControl, "READ_CONTROL"},          {kWriteDac, "WRITE_DAC"},
      {kWriteOwner, "WRITE_OWNER"},            {kSynchronize, "SYNCHRONIZE"},
      {kAccessSystemSecurity, "ACCESS_SYSTEM_SECURITY"}};
  for (auto [bit, name] : kBits)
    if (rest & bit) {
      parts.emplace_back(name);
      rest &= ~bit;
    }
  if (rest) parts.push_back(fmt::format("0x{:X}", rest));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " | ") + p;
  return out;
}

std::string rights_words(uint32_t m) {
  std::vector<std::string_view> w;
  if (has_all(m)) w.push_back("all access");
  else {
    if (m & kFileReadData) w.push_back("read");
    if (m & (kFileWriteData | kFileAppendData)) w.push_back(m & kFileWriteData ? "write" : "append");
    if (m & kFileExecute) w.push_back("execute (traverse)");
    if (m & kDelete) w.push_back("delete");
    if (m & kWriteDac) w.push_back("change the ACL");
    if (m & kWriteOwner) w.push_back("take ownership");
    if (w.empty() && (m & (kReadControl | kFileReadAttributes | kFileReadEa))) w.push_back("read attributes or the ACL only");
    if (w.empty() && m) w.push_back("other rights only");
  }
  if (w.empty()) return "no access";
  std::string out;
  for (auto s : w) out += std::string(out.empty() ? "" : ", ") + std::string(s);
  return out;
}

bool can_read(uint32_t m) { return m & kFileReadData; }
bool can_write(uint32_t m) { return m & kFileWriteData; }
bool has_all(uint32_t m) { return (m & kFileAllAccess) == kFileAllAccess; }
bool can_take_control(uint32_t m) { return m & (kWriteDac | kWriteOwner); }

std::span<const Principal> principals() { return principal_table(); }

bool holds(const std::vector<std::string_view>& aliases, const Sid& sid) {
  for (std::string_view a : aliases) {
    if (sid.alias == a) return true;
    const WellKnownSid* known = find_sid_alias(a);
    if (known && !known->canonical.empty() && known->canonical == sid.canonical) return true;
  }
  return false;
}

Evaluation evaluate(const SecurityDescriptor& sd) {
  Evaluation ev;
  ev.no_dacl = !sd.dacl.present;
  ev.null_dacl = sd.dacl.present && sd.dacl.null_acl;
  for (const Principal& p : principal_table()) {
    PrincipalAccess pa;
    pa.principal = &p;
    if (ev.no_dacl || ev.null_dacl) {
      pa.granted = pa.granted_at_most = kFileAllAccess;
    } else {
      for (bool favour : {false, true}) {
        std::vector<size_t>* granting = favour ? &pa.granting_aces : nullptr;
        std::vector<size_t>* denying = favour ? nullptr : &pa.denying_aces;
        uint32_t g = check(sd.dacl, p.sids, favour, granting, denying);
        if (!p.restricting.empty()) g &= check(sd.dacl, p.restricting, favour, granting, denying);
        (favour ? pa.granted_at_most : pa.granted) = g;
      }
      std::sort(pa.granting_aces.begin(), pa.granting_aces.end());
      std::sort(pa.denying_aces.begin(), pa.denying_aces.end());
      if (pa.granted_at_most == 0) pa.granting_aces.clear();
    }
    ev.access.push_back(std::move(pa));
  }
  for (const PrincipalAccess& pa : ev.access) {  // most privileged first: the last match is the lowest
    if (can_read(pa.granted_at_most)) ev.lowest_read = pa.principal;
    if (can_write(pa.granted_at_most)) ev.lowest_write = pa.principal;
    if (has_all(pa.granted_at_most)) ev.lowest_all = pa.principal;
  }
  return ev;
}

std::string explain_ace(const Ace& a, size_t index) {
  const AceTypeInfo& info = ace_type_info(a.type);
  std::string line = fmt::format("ACE {} at column {}: {} {}", index + 1, a.column, info.name, sid_words(a.sid));
  const uint32_t mapped = map_generic_file(a.mask);
  switch (a.type) {
    case AceType::mandatory_label: {
      std::vector<std::string_view> policy;
      if (a.mask & 0x1) policy.push_back("write (NW, no write up)");
      if (a.mask & 0x2) policy.push_back("read (NR, no read up)");
      if (a.mask & 0x4) policy.push_back("execute (NX, no execute up)");
      std::string p;
      for (auto s : policy) p += std::string(p.empty() ? "" : ", ") + std::string(s);
      line += p.empty() ? std::string(": no policy bits") : fmt::format(": callers below this integrity level cannot {}", p);
      break;
    }
    case AceType::resource_attribute:
    case AceType::scoped_policy_id:
    case AceType::process_trust_label:
    case AceType::access_filter:
      line += a.rights_text.empty() ? "" : fmt::format(", rights {} ({})", a.rights_text, rights_constants(mapped));
      break;
    default:
      line += fmt::format(": {} = {}", a.rights_text.empty() ? "no rights" : a.rights_text, rights_constants(mapped));
      line += fmt::format(" ({})", rights_words(mapped));
  }
  if (a.object_guid) line += fmt::format("; only for object type {} (not used when a device is opened)", *a.object_guid);
  if (a.inherit_object_guid) line += fmt::format("; inherited only by objects of type {}", *a.inherit_object_guid);
  if (a.condition) line += fmt::format("; only when ({}) holds", *a.condition);
  if (a.resource_attribute) line += fmt::format("; attribute ({})", *a.resource_attribute);
  std::vector<std::string_view> flags;
  if (a.flags & kObjectInheritAce) flags.push_back("inherited by child objects (OI)");
  if (a.flags & kContainerInheritAce) flags.push_back("inherited by child containers (CI)");
  if (a.flags & kNoPropagateInheritAce) flags.push_back("not propagated further (NP)");
  if (a.flags & kInheritOnlyAce) flags.push_back("inherit only: it does not apply to this object (IO)");
  if (a.flags & kInheritedAce) flags.push_back("inherited from the parent (ID)");
  if (a.flags & kCriticalAce) flags.push_back("critical (CR)");
  if (a.type == AceType::audit || a.type == AceType::object_audit || a.type == AceType::callback_audit ||
      a.type == AceType::alarm || a.type == AceType::object_alarm) {
    if (a.flags & kSuccessfulAccessAce) flags.push_back("on success (SA)");
    if (a.flags & kFailedAccessAce) flags.push_back("on failure (FA)");
  } else if (a.flags & kTrustProtectedFilterAce) {
    flags.push_back("trust-protected filter (TP)");
  }
  for (auto f : flags) line += fmt::format("; {}", f);
  return line;
}

std::vector<std::string> explain(const SecurityDescriptor& sd) {
  std::vector<std::string> lines;
  if (sd.owner) lines.push_back(fmt::format("owner: {}", sid_words(*sd.owner)));
  if (sd.group) lines.push_back(fmt::format("primary group: {}", sid_words(*sd.group)));
  auto acl_lines = [&](const Acl& acl, const char* what) {
    if (!acl.present) return;
    std::vector<std::string_view> f;
    if (acl.null_acl) f.push_back("NULL (NO_ACCESS_CONTROL)");
    if (acl.protected_acl) f.push_back("protected (P): the parent's inheritable ACEs do not apply");
    if (acl.auto_inherited) f.push_back("auto-inherited (AI)");
    if (acl.auto_inherit_requested) f.push_back("auto-inherit requested (AR)");
    std::string flags;
    for (auto s : f) flags += std::string(flags.empty() ? "" : "; ") + std::string(s);
    lines.push_back(fmt::format("{}: {} ACE(s){}{}", what, acl.aces.size(), flags.empty() ? "" : "; ", flags));
    for (size_t i = 0; i < acl.aces.size(); ++i) lines.push_back("  " + explain_ace(acl.aces[i], i));
  };
  if (!sd.dacl.present) lines.push_back("DACL: none (no D: component): there is no access control, everyone gets all access");
  else if (sd.dacl.null_acl) lines.push_back("DACL: NULL (NO_ACCESS_CONTROL): there is no access control, everyone gets all access");
  else if (sd.dacl.aces.empty())
    lines.push_back("DACL: empty: no user-mode caller can open the object (only kernel-mode code)");
  acl_lines(sd.dacl, "DACL");
  acl_lines(sd.sacl, "SACL");
  return lines;
}

std::vector<std::string> summary(const Evaluation& ev) {
  std::vector<std::string> out;
  if (ev.no_dacl || ev.null_dacl) {
    out.push_back("Anyone, including anonymous and sandboxed callers, can open it for all access.");
    return out;
  }
  auto who = [](const Principal* p) { return std::string(p->name); };
  if (!ev.lowest_read && !ev.lowest_write)
    out.push_back("No user-mode caller can open it for read or write.");
  if (ev.lowest_read) out.push_back(fmt::format("The least trusted caller that can open it for read: {}.", who(ev.lowest_read)));
  if (ev.lowest_write) out.push_back(fmt::format("For write: {}.", who(ev.lowest_write)));
  else if (ev.lowest_read) out.push_back("No user-mode caller can open it for write.");
  if (ev.lowest_all) out.push_back(fmt::format("For all access: {}.", who(ev.lowest_all)));
  return out;
}

std::vector<Risk> assess(const SecurityDescriptor& sd, const Evaluation& ev, Context context) {
  std::vector<Risk> risks;
  const auto& aces = sd.dacl.aces;
  auto granting_text = [&](const std::vector<const PrincipalAccess*>& who, size_t& column) {
    std::string names, through;
    std::vector<size_t> idx;
    for (const PrincipalAccess* pa : who) {
      names += (names.empty() ? "" : ", ") + std::string(pa->principal->name);
      for (size_t i : pa->granting_aces)
        if (std::find(idx.begin(), idx.end(), i) == idx.end()) idx.push_back(i);
    }
    std::sort(idx.begin(), idx.end());
    for (size_t i : idx) {
      through += fmt::format("{}ACE {} {}", through.empty() ? "" : ", ", i + 1, ace_text(aces[i]));
    }
    column = idx.empty() ? 0 : aces[idx.front()].column;
    return through.empty() ? names : names + " through " + through;
  };

  if (ev.no_dacl || ev.null_dacl) {
    risks.push_back({"null-dacl", Severity::error,
                     ev.no_dacl ? "no DACL: without a D: component there is no access control, and every caller, "
                                  "anonymous and sandboxed ones included, gets all access"
                                : "NULL DACL (D:NO_ACCESS_CONTROL): no access control; every caller gets all access",
                     ev.no_dacl ? 0 : sd.dacl.column});
  } else {
    // Broad principals with all access (or the means to take it), then with write access. Only ACEs
    // that grant a broad principal something it gets through its own groups count (an ACE for
    // Administrators grants nothing to a user).
    std::vector<const PrincipalAccess*> all, write;
    for (const PrincipalAccess& pa : ev.access) {
      if (!pa.principal->broad) continue;
      if (has_all(pa.granted_at_most) || can_take_control(pa.granted_at_most)) all.push_back(&pa);
      else if (can_write(pa.granted_at_most)) write.push_back(&pa);
    }
    if (!all.empty()) {
      size_t col = 0;
      std::string text = granting_text(all, col);
      risks.push_back({"broad-all", Severity::error,
                       fmt::format("all access, or WRITE_DAC/WRITE_OWNER (which let the caller give itself all access), "
                                   "for ordinary or untrusted callers: {}", text),
                       col});
    }
    if (!write.empty()) {
      size_t col = 0;
      std::string text = granting_text(write, col);
      risks.push_back({"broad-write", Severity::error,
                       fmt::format("write access (FILE_WRITE_DATA: FILE_WRITE_ACCESS IOCTLs and writes) for ordinary or "
                                   "untrusted callers: {}", text),
                       col});
    }
    if (!sd.dacl.protected_acl)
      risks.push_back({"not-protected", Severity::warning,
                       "the DACL is not protected (no P flag, D:P...): ACEs inherited from a parent can be added to it",
                       sd.dacl.column});
    // SM-9: a deny placed after an allow that already granted the same rights to the same callers.
    for (size_t j = 0; j < aces.size(); ++j) {
      if (effect_of(aces[j]) != Effect::deny) continue;
      const uint32_t denied = map_generic_file(aces[j].mask);
      bool reported = false;
      for (size_t i = 0; i < j && !reported; ++i) {
        if (effect_of(aces[i]) != Effect::allow || !(map_generic_file(aces[i].mask) & denied)) continue;
        bool overlap = aces[i].sid.same_as(aces[j].sid);
        for (const Principal& p : principal_table())
          overlap = overlap || (holds(p.sids, aces[i].sid) && holds(p.sids, aces[j].sid));
        if (!overlap) continue;
        risks.push_back({"deny-after-allow", Severity::warning,
                         fmt::format("ACE {} {} denies rights that ACE {} {} before it already grants to callers in both: "
                                     "the access check stops at the first ACE that decides a right, so the deny has no "
                                     "effect for them (put deny ACEs first, SM-9)",
                                     j + 1, ace_text(aces[j]), i + 1, ace_text(aces[i])),
                         aces[j].column});
        reported = true;
      }
      if (reported) break;
    }
    // SM-10: RC must be paired with WD.
    bool rc = false, wd = false;
    size_t rc_column = 0;
    for (const Ace& a : aces) {
      if (effect_of(a) != Effect::allow) continue;
      if (a.sid.alias == "RC" && !rc) {
        rc = true;
        rc_column = a.column;
      }
      if (a.sid.alias == "WD") wd = true;
    }
    if (rc && !wd)
      risks.push_back({"rc-without-wd", Severity::warning,
                       "an ACE grants Restricted Code (RC) but none grants Everyone (WD): restricted tokens pass only when "
                       "both checks grant the right, so RC alone grants nothing and is a sign of a mistaken ACL; "
                       "IoCreateDeviceSecure strings must pair RC with WD (SM-10)",
                       rc_column});
  }

  // The IoCreateDeviceSecure subset ("SDDL for Device Objects"): D:P then (A;;rights;;;SID), rights
  // as GA GR GW GX RC SD WD WO or hex, SIDs from its list or S-1-... strings.
  if (context != Context::inf) {
    std::vector<std::pair<size_t, std::string>> outside;
    if (sd.owner) outside.emplace_back(sd.owner_column, "an owner (O:)");
    if (sd.group) outside.emplace_back(sd.group_column, "a group (G:)");
    if (sd.sacl.present) outside.emplace_back(sd.sacl.column, "a SACL (S:)");
    if (!sd.dacl.present) outside.emplace_back(0, "no DACL (the subset is D:P followed by ACEs)");
    else if (sd.dacl.flag_codes.size() != 1 || !sd.dacl.protected_acl)
      outside.emplace_back(sd.dacl.column, "DACL flags other than exactly P");
    static constexpr std::string_view kSubsetRights[] = {"GA", "GR", "GW", "GX", "RC", "SD", "WD", "WO"};
    static constexpr std::string_view kSubsetSids[] = {"SY", "LS", "NS", "BA", "BU", "BG", "AU",
                                                       "AN", "IU", "NU", "WD", "RC", "UD"};
    for (size_t i = 0; i < aces.size(); ++i) {
      const Ace& a = aces[i];
      std::vector<std::string> why;
      if (a.type != AceType::access_allowed) why.push_back(fmt::format("type {} (only A)", a.type_code));
      if (!a.flag_codes.empty()) why.push_back("ACE flags");
      if (a.object_guid || a.inherit_object_guid) why.push_back("object GUIDs");
      if (a.condition) why.push_back("a condition");
      const std::string_view r = a.rights_text;
      if (!r.empty() && r[0] >= '0' && r[0] <= '9') {
        if (!(r.size() > 2 && r[0] == '0' && (r[1] == 'x' || r[1] == 'X')))
          why.push_back("a decimal access mask (the subset takes 0x hex)");
      } else {
        for (size_t k = 0; k < r.size(); k += 2) {
          std::string_view code = r.substr(k, 2);
          if (std::find(std::begin(kSubsetRights), std::end(kSubsetRights), code) == std::end(kSubsetRights)) {
            why.push_back(fmt::format("right {}", code));
            break;
          }
        }
      }
      const bool numeric = a.sid.text.starts_with("S-");
      if (!numeric && std::find(std::begin(kSubsetSids), std::end(kSubsetSids), a.sid.text) == std::end(kSubsetSids))
        why.push_back(fmt::format("SID alias {}", a.sid.text));
      if (why.empty()) continue;
      std::string w;
      for (const auto& s : why) w += (w.empty() ? "" : ", ") + s;
      outside.emplace_back(a.column, fmt::format("ACE {} ({})", i + 1, w));
    }
    if (!outside.empty()) {
      std::string what;
      for (const auto& [col, text] : outside) what += (what.empty() ? "" : "; ") + text;
      size_t column = 0;
      for (const auto& [col, text] : outside)
        if (col && (!column || col < column)) column = col;
      risks.push_back({"outside-iocreatedevicesecure-subset",
                       context == Context::device_secure ? Severity::error : Severity::note,
                       fmt::format("outside the subset IoCreateDeviceSecure and WDF accept (D:P followed by "
                                   "(A;;rights;;;SID)){}: {}",
                                   context == Context::device_secure ? "" : "; matters only where the string is passed to "
                                                                             "IoCreateDeviceSecure or WDF, INF files take full SDDL",
                                   what),
                       column});
    }
  }
  std::stable_sort(risks.begin(), risks.end(), [](const Risk& a, const Risk& b) { return a.severity > b.severity; });
  return risks;
}

}  // namespace drvsec::sddl
