// Security Descriptor Definition Language (SDDL): a parser for the full string format that Microsoft
// Learn documents ("Security Descriptor String Format", "ACE Strings", "SID Strings", "Security
// Descriptor Definition Language for Conditional ACEs"): owner, group, DACL and SACL with their flags
// (P, AI, AR, NO_ACCESS_CONTROL), every ACE type, ACE flags, rights as two-letter codes or numbers,
// object GUIDs, SIDs as aliases or S-1-... strings, and the parenthesised tail of callback
// (conditional) and resource-attribute ACEs, kept as text with its parentheses and quotes balanced.
//
// Input is hostile: every read is bounds-checked, lengths and counts are limited, and a malformed
// string gives one error with the 1-based column (byte offset + 1) where it goes wrong.
// Evaluation and risks are in sddl/evaluate.h; the wdmsec.h constants in sddl/constants.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drvsec::sddl {

// ACCESS_MASK bits (winnt.h / wdm.h).
inline constexpr uint32_t kGenericRead = 0x80000000, kGenericWrite = 0x40000000, kGenericExecute = 0x20000000,
                          kGenericAll = 0x10000000;
inline constexpr uint32_t kMaximumAllowed = 0x02000000, kAccessSystemSecurity = 0x01000000;
inline constexpr uint32_t kDelete = 0x00010000, kReadControl = 0x00020000, kWriteDac = 0x00040000,
                          kWriteOwner = 0x00080000, kSynchronize = 0x00100000;
// File (and device object) specific rights.
inline constexpr uint32_t kFileReadData = 0x1, kFileWriteData = 0x2, kFileAppendData = 0x4, kFileReadEa = 0x8,
                          kFileWriteEa = 0x10, kFileExecute = 0x20, kFileDeleteChild = 0x40,
                          kFileReadAttributes = 0x80, kFileWriteAttributes = 0x100;
// FILE_GENERIC_READ = STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE
inline constexpr uint32_t kFileGenericRead = 0x00120089;
// FILE_GENERIC_WRITE = STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA |
//                      FILE_APPEND_DATA | SYNCHRONIZE
inline constexpr uint32_t kFileGenericWrite = 0x00120116;
// FILE_GENERIC_EXECUTE = STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE
inline constexpr uint32_t kFileGenericExecute = 0x001200A0;
// FILE_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF
inline constexpr uint32_t kFileAllAccess = 0x001F01FF;

// ACE_HEADER.AceFlags bits.
inline constexpr uint8_t kObjectInheritAce = 0x01, kContainerInheritAce = 0x02, kNoPropagateInheritAce = 0x04,
                         kInheritOnlyAce = 0x08, kInheritedAce = 0x10, kCriticalAce = 0x20,
                         kSuccessfulAccessAce = 0x40, kFailedAccessAce = 0x80, kTrustProtectedFilterAce = 0x40;

enum class AceType : uint8_t {
  access_allowed,                 // "A"
  access_denied,                  // "D"
  object_access_allowed,          // "OA"
  object_access_denied,           // "OD"
  audit,                          // "AU"
  alarm,                          // "AL"
  object_audit,                   // "OU"
  object_alarm,                   // "OL"
  mandatory_label,                // "ML"
  callback_access_allowed,        // "XA" (conditional)
  callback_access_denied,         // "XD" (conditional)
  callback_object_access_allowed, // "ZA" (conditional, object)
  callback_audit,                 // "XU" (conditional)
  resource_attribute,             // "RA"
  scoped_policy_id,               // "SP"
  process_trust_label,            // "TL"
  access_filter,                  // "FL"
};

// One ACE type string of sddl.h: its code, the ACE_HEADER.AceType value and what it is.
struct AceTypeInfo {
  std::string_view code;
  AceType type;
  uint8_t value;         // ACE_HEADER.AceType
  bool object;           // has the object_guid / inherit_object_guid fields filled in meaningfully
  bool callback;         // may carry a conditional expression as a seventh field
  std::string_view name; // plain words
};
const AceTypeInfo& ace_type_info(AceType t);
const AceTypeInfo* find_ace_type(std::string_view code);  // nullptr for an unknown code

struct Sid {
  std::string text;       // as written: "BA" or "S-1-5-32-544"
  std::string alias;      // the two-letter SDDL alias (written, or known for the numeric form); empty if none
  std::string canonical;  // the S-1-... form; empty for aliases relative to a domain or machine (DA, LA, ...)
  std::string name;       // plain words ("Built-in Administrators"), or the S-1-... form when unknown
  // The same principal: equal canonical forms, or the same alias when a canonical form is unknown.
  bool same_as(const Sid& other) const;
};

struct Ace {
  AceType type = AceType::access_allowed;
  std::string type_code;               // "A", "OA", ...
  uint8_t flags = 0;                   // AceFlags bits
  std::vector<std::string> flag_codes; // "CI", "OI", ... in written order
  uint32_t mask = 0;                   // the access mask as written (generic bits not mapped)
  std::string rights_text;             // as written
  std::optional<std::string> object_guid;         // object ACEs only, lower-case 8-4-4-4-12
  std::optional<std::string> inherit_object_guid; // object ACEs only
  Sid sid;
  // Callback ACEs: the conditional expression without its outer parentheses, as written.
  std::optional<std::string> condition;
  // RA ACEs: the attribute, as written between its parentheses.
  std::optional<std::string> resource_attribute;
  size_t column = 0;  // 1-based column of the ACE's '('
  size_t length = 0;  // bytes from '(' to ')' inclusive
};

struct Acl {
  bool present = false;       // the D: (or S:) component is in the string
  bool null_acl = false;      // NO_ACCESS_CONTROL: a NULL ACL (for a DACL: no access control at all)
  bool protected_acl = false; // P: ACEs of the parent are not inherited
  bool auto_inherited = false;        // AI
  bool auto_inherit_requested = false; // AR
  std::vector<std::string> flag_codes; // as written, in order
  std::vector<Ace> aces;
  size_t column = 0;          // 1-based column of the 'D' / 'S'
};

struct SecurityDescriptor {
  std::optional<Sid> owner;  // O:
  std::optional<Sid> group;  // G:
  size_t owner_column = 0, group_column = 0;
  Acl dacl;                  // D:
  Acl sacl;                  // S:
};

struct ParseError {
  size_t column = 0;  // 1-based
  std::string message;
};
// "column N: message"
std::string to_string(const ParseError& e);

struct Limits {
  size_t max_length = 64 << 10;  // bytes of SDDL text (real descriptors are a few hundred)
  size_t max_aces = 1024;        // per ACL
};

struct ParseResult {
  std::optional<SecurityDescriptor> descriptor;  // set when the string is well-formed
  std::optional<ParseError> error;               // set otherwise
  explicit operator bool() const { return descriptor.has_value(); }
};

ParseResult parse(std::string_view text, const Limits& limits = {});

// The well-known SID that an alias or S-1-... string names (the tables of sddl/aliases.cpp).
struct WellKnownSid {
  std::string_view alias;     // two letters
  std::string_view canonical; // S-1-...; empty when relative to a domain or machine
  std::string_view name;
};
const WellKnownSid* find_sid_alias(std::string_view alias);
const WellKnownSid* find_sid_canonical(std::string_view canonical);

// A two-letter access right code ("GA", "FR", "KA", ...) and its mask.
struct RightCode {
  std::string_view code;
  uint32_t mask;
  std::string_view name;  // the constant: GENERIC_ALL, FILE_GENERIC_READ, ...
};
const RightCode* find_right_code(std::string_view code);

}  // namespace drvsec::sddl
