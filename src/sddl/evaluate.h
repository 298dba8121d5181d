// What a security descriptor means for a device object: the effective rights of each kind of caller,
// evaluated in ACE order as the access check does (an ACE that denies a bit before an allow ACE grants
// it wins, and an allow before a deny wins: SM-9), the lowest-privileged caller that can open the
// device for read, write and all access, a plain-words explanation, and a short list of named risks.
//
// Generic rights are mapped with the file generic mapping, because device objects are opened as file
// objects: GENERIC_READ -> FILE_GENERIC_READ (0x120089), GENERIC_WRITE -> FILE_GENERIC_WRITE (0x120116),
// GENERIC_EXECUTE -> FILE_GENERIC_EXECUTE (0x1200A0), GENERIC_ALL -> FILE_ALL_ACCESS (0x1F01FF)
// (winnt.h / wdm.h; Microsoft Learn "File Security and Access Rights").
//
// Not modelled: privileges (SeTakeOwnership, SeBackup, ...), the owner's implicit READ_CONTROL and
// WRITE_DAC, integrity levels (a low-integrity caller is also stopped by no-write-up), and the values
// of claims: a callback (conditional) ACE is counted both ways, see PrincipalAccess.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "sddl/sddl.h"

namespace drvsec::sddl {

// GENERIC_* bits replaced by their FILE_GENERIC_* meaning; MAXIMUM_ALLOWED dropped (not a right).
uint32_t map_generic_file(uint32_t mask);
// The rights of a mapped mask by their constants: "FILE_GENERIC_READ | WRITE_DAC", "FILE_ALL_ACCESS",
// "none"; bits without a name as hex.
std::string rights_constants(uint32_t mapped);
// The same in plain words: "read, write, execute, change the ACL", "no access".
std::string rights_words(uint32_t mapped);

// A kind of caller, by the groups its token holds (their default memberships: an interactive user is
// in Users, Authenticated Users, Interactive and Everyone). Sandboxed callers (restricted code,
// AppContainers) pass a second check against `restricting`: they get only what both checks grant.
struct Principal {
  std::string_view id;    // "system", "administrators", ..., stable for JSON
  std::string_view name;  // "SYSTEM"
  int rank;               // 0 is the most privileged; higher is less trusted
  std::vector<std::string_view> sids;         // SDDL aliases of the token's groups
  std::vector<std::string_view> restricting;  // the second check's SIDs (empty: none)
  bool broad;             // an ordinary or untrusted caller: write or all access for it is a risk
};
// Every principal, most privileged first.
std::span<const Principal> principals();
// Whether a caller holding `aliases` is the trustee `sid` (by alias or by canonical S-1-... form).
bool holds(const std::vector<std::string_view>& aliases, const Sid& sid);

struct PrincipalAccess {
  const Principal* principal = nullptr;
  uint32_t granted = 0;          // conditional allows not applied, conditional denies applied (the least)
  uint32_t granted_at_most = 0;  // conditional allows applied, conditional denies not applied (the most)
  std::vector<size_t> granting_aces;  // DACL indexes of the ACEs that granted a bit (at most)
  std::vector<size_t> denying_aces;   // DACL indexes of the ACEs that denied a bit first (at least)
};

// What "can open for" means: read = FILE_READ_DATA (what FILE_READ_ACCESS IOCTLs and reads need),
// write = FILE_WRITE_DATA (FILE_WRITE_ACCESS IOCTLs, writes), all = every bit of FILE_ALL_ACCESS.
bool can_read(uint32_t mapped);
bool can_write(uint32_t mapped);
bool has_all(uint32_t mapped);
// WRITE_DAC or WRITE_OWNER: whoever has one can give itself everything.
bool can_take_control(uint32_t mapped);

struct Evaluation {
  bool no_dacl = false;    // no D: component: no access control at all
  bool null_dacl = false;  // D:NO_ACCESS_CONTROL: no access control at all
  std::vector<PrincipalAccess> access;  // in principals() order
  // The least trusted principal with that access (at most), or nullptr when none has it.
  const Principal* lowest_read = nullptr;
  const Principal* lowest_write = nullptr;
  const Principal* lowest_all = nullptr;
};
Evaluation evaluate(const SecurityDescriptor& sd);

// Where the string is used: IoCreateDeviceSecure / WdfDeviceInitAssignSDDLString /
// WdfControlDeviceInitAllocate accept only a subset of SDDL ("SDDL for Device Objects"); INF files
// accept all of it.
enum class Context { any, device_secure, inf };

struct Risk {
  std::string_view id;  // broad-all, broad-write, null-dacl, not-protected, deny-after-allow,
                        // rc-without-wd, outside-iocreatedevicesecure-subset
  Severity severity = Severity::warning;
  std::string message;
  size_t column = 0;    // 1-based column it is about; 0: the whole string
};
// The risks, most severe first, each id at most once.
std::vector<Risk> assess(const SecurityDescriptor& sd, const Evaluation& ev, Context context = Context::any);

// One line per component flag and per ACE, in plain words.
std::vector<std::string> explain(const SecurityDescriptor& sd);
std::string explain_ace(const Ace& ace, size_t index);
// A summary in two or three sentences: who can open the device for what.
std::vector<std::string> summary(const Evaluation& ev);

}  // namespace drvsec::sddl
