// Microsoft App Control (WDAC) policies in SiPolicy XML form, e.g. the vulnerable-driver block
// list: which rules of the kernel-mode signing scenario (Value 131) deny or allow a driver.
// Semantics implemented and left out are listed in docs/intel.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "base/mapped_file.h"
#include "intel/facts.h"

namespace drvsec::intel {

class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Intelligence files larger than this are refused (the real ones are 0.5 MB and 20 MB).
constexpr uint64_t kMaxIntelFileSize = 512ull << 20;

// Maps `path` and hands its text to `parse`; every failure becomes a LoadError naming the file.
template <typename Parse>
auto load_intel_file(const std::string& path, Parse parse) {
  try {
    const MappedFile file(path, kMaxIntelFileSize);
    const auto bytes = file.bytes();
    return parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  } catch (const LoadError& e) {
    throw LoadError(fmt::format("{}: {}", path, e.what()));
  } catch (const std::runtime_error& e) {  // MappedFile: missing, unreadable, too large
    throw LoadError(fmt::format("cannot read {}: {}", path, e.what()));
  }
}

// A file version as four 16-bit parts, most significant first ("10.0.19041.1" -> {10,0,19041,1}).
using FileVersion = std::array<uint16_t, 4>;
std::optional<FileVersion> parse_file_version(std::string_view text);
std::string format_file_version(const FileVersion& v);

// How a policy rule matched the file.
enum class PolicyMatchKind {
  authenticode_sha1,      // Hash rule, Authenticode SHA-1
  authenticode_sha256,    // Hash rule, Authenticode SHA-256
  page_hash_sha1,         // Hash rule, "Hash Page Sha1"
  page_hash_sha256,       // Hash rule, "Hash Page Sha256"
  file_attributes,        // Deny/Allow by FileName (OriginalFilename) etc. + version range
  signer,                 // Signer: CertRoot TBS (+ CertPublisher), no file attributes
  signer_file_attributes, // Signer + one of its FileAttribRef
};
std::string_view to_string(PolicyMatchKind k);

struct PolicyMatch {
  PolicyMatchKind kind;
  std::string rule_id;        // FileRules ID, or the Signer ID for signer matches
  std::string friendly_name;  // FriendlyName (rules) or Name (signers)
  std::string file_attrib_id; // the FileAttrib that matched (signer_file_attributes)
  std::string why;            // "Authenticode SHA-256 3BC0... equals the rule's Hash", ...
  // False when part of the rule could not be checked (CertIssuer, SignTimeAfter): a possible match.
  bool certain = true;
};

enum class PolicyDecision {
  denied,        // an explicit Deny rule or DeniedSigner matched
  not_allowed,   // no Deny matched and no Allow either: App Control denies what it does not authorize
  allowed,       // an Allow rule or AllowedSigner matched (or FileName="*")
  no_scenario,   // the policy has no kernel-mode scenario: it says nothing about drivers
};
std::string_view to_string(PolicyDecision d);

struct PolicyVerdict {
  PolicyDecision decision = PolicyDecision::no_scenario;
  std::vector<PolicyMatch> denies;   // sorted by rule id, then kind
  std::vector<PolicyMatch> allows;   // sorted likewise
  // Facts the file lacked, so rule types that need them were not evaluated
  // ("no Authenticode hashes", "no signatures", "no VERSIONINFO").
  std::vector<std::string> unevaluated;
};

class SiPolicy {
 public:
  // Throws LoadError with the reason (file unreadable, not XML, not a SiPolicy, dangling reference).
  static SiPolicy load_file(const std::string& path);
  static SiPolicy parse(std::string_view xml);

  // Evaluates the kernel-mode (driver) signing scenario against one file. O(1) hash look-ups
  // per file fact; no scan over the rule list.
  PolicyVerdict evaluate(const FileFacts& file) const;

  struct Stats {
    size_t file_rules = 0, signers = 0, kernel_deny_rules = 0, kernel_allow_rules = 0, kernel_denied_signers = 0,
           kernel_allowed_signers = 0;
    size_t kernel_wellknown_signers = 0;  // kernel-scenario signers with a well-known root: never matched
  };
  const Stats& stats() const { return stats_; }
  const std::string& name() const { return name_; }       // Settings PolicyInfo Name, or empty
  const std::string& version() const { return version_; } // VersionEx

  // Signing scenario value of kernel-mode code (drivers); 12 is user mode.
  static constexpr int kKernelScenario = 131;

  // --- the parsed policy (public for tests and the loader; read-only after load) ---
  enum class Field { original_filename, internal_name, product_name, file_description };
  struct FileRule {
    enum class Type { allow, deny, file_attrib } type = Type::deny;
    std::string id, friendly_name;
    std::string hash;                                      // lower-case hex, empty if none
    std::vector<std::pair<Field, std::string>> names;      // lower-cased values, all must match
    bool any_file = false;                                 // FileName="*"
    std::optional<FileVersion> minimum, maximum;
  };
  struct Signer {
    std::string id, name;
    std::string cert_root;                        // TBS hash, lower-case hex; empty for a well-known root
    std::string wellknown_root;                   // CertRoot Type="Wellknown" Value (not evaluated)
    std::optional<std::string> cert_publisher;    // leaf certificate CN
    std::optional<std::string> cert_oem_id;       // the signature's SpcSpOpusInfo programName
    std::vector<std::string> cert_ekus;           // dotted OIDs the leaf certificate must all carry
    std::vector<size_t> file_attribs;             // indexes into rules_
    // Conditions of the signer that drvsec does not evaluate ("CertIssuer 'X'"): a match of the
    // rest is only a possible match.
    std::vector<std::string> unevaluated;
  };

 private:
  struct Index {  // one per decision: deny or allow, kernel scenario only
    std::unordered_map<std::string, std::vector<size_t>> by_hash;   // rule hash -> rules
    std::unordered_map<std::string, std::vector<size_t>> by_name;   // first name condition -> rules
    std::vector<size_t> nameless;                                   // version-only / FileName="*" rules
    std::unordered_map<std::string, std::vector<size_t>> signers;   // CertRoot -> signers
    size_t size = 0;
  };
  void index_scenario(const std::vector<size_t>& denied_signers, const std::vector<size_t>& allowed_signers,
                      const std::vector<size_t>& file_rule_refs);
  void match(const Index& index, const FileFacts& file, std::vector<PolicyMatch>& out) const;
  bool attributes_match(const FileRule& rule, const FileFacts& file) const;
  // Whether the signer's conditions besides CertRoot hold for `signature`; appends what was checked to `why`.
  bool signer_conditions_hold(const Signer& s, const sig::Signature& signature, std::string& why, bool& certain) const;

  std::vector<FileRule> rules_;
  std::vector<Signer> signers_;
  Index deny_, allow_;
  bool has_kernel_scenario_ = false;
  Stats stats_;
  std::string name_, version_;
};

}  // namespace drvsec::intel
