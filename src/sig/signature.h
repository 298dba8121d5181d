// Signature facts about one file: its hashes, its Authenticode digest and page hashes, and the
// embedded PKCS#7 signatures. Filled by src/sig; read by signature rules and by src/intel
// (block-rule and LOLDrivers matching).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drvsec::sig {

struct FileHashes {  // lower-case hex; md5 and sha1 empty when not computed (see FileHashSet)
  std::string md5, sha1, sha256;
};

struct AuthenticodeHashes {  // lower-case hex, computed per the Authenticode specification
  std::string sha1, sha256;
  // "Hash Page" values as App Control / block rules use them: SHA-1 / SHA-256 of the image's first
  // 4 KiB page as an Authenticode page-hash table hashes it (definition in src/sig/authenticode.h).
  std::string page_sha1, page_sha256;
};

struct Certificate {
  std::string subject;          // one-line RFC 2253 form
  std::string subject_cn;       // commonName
  std::string issuer;
  std::string issuer_cn;
  std::string serial;           // hex
  std::string not_before, not_after;  // ISO 8601 UTC
  std::vector<std::string> ekus;      // dotted OIDs
  std::string tbs_sha1, tbs_sha256, tbs_sha384;  // hashes of the TBSCertificate (what block rules match)
  bool self_issued = false;
};

enum class SignerKind { unsigned_, test, vendor, microsoft_hardware, microsoft, unknown };

// A signature's signed page-hash table (SpcPeImagePageHashes V1 SHA-1 / V2 SHA-256) checked against
// the image page by page.
struct PageHashCheck {
  std::string algorithm;                  // "sha1" or "sha256"
  uint32_t pages = 0;                     // pages the table lists (its closing entry not counted)
  std::vector<uint64_t> mismatched;       // file offsets of pages whose hash differs, ascending
  std::vector<std::string> problems;      // malformed table, pages outside the image layout
};

struct Signature {
  std::string digest_algorithm;     // "sha256", "sha1", "md5"
  std::string signed_digest;        // hex digest inside SpcIndirectDataContent
  bool digest_matches = false;      // signed digest == the file's Authenticode digest
  bool signature_valid = false;     // PKCS#7 signature verifies cryptographically (no trust store)
  std::vector<Certificate> chain;   // leaf first, as far as the embedded certificates go
  std::optional<std::string> signing_time;  // from a timestamp countersignature, ISO 8601 UTC
  bool nested = false;              // came from the 1.3.6.1.4.1.311.2.4.1 attribute
  SignerKind kind = SignerKind::unknown;
  // Added after the first contract (additive):
  std::string signer_digest_algorithm;  // SignerInfo digest algorithm ("sha256", ...)
  bool timestamp_verified = false;      // the timestamp token's signature verifies and it covers this signature
  // SpcSpOpusInfo programName (signed attribute 1.3.6.1.4.1.311.2.1.12), UTF-8. For drivers Microsoft
  // signs (WHCP/attestation) it is the vendor name, which App Control calls the OEM ID (CertOemID).
  std::optional<std::string> program_name;
  std::optional<PageHashCheck> page_hashes;  // when the signature carries a page-hash table (signtool /ph)
};

std::string_view to_string(SignerKind k);  // "unsigned", "test", "vendor", "microsoft_hardware", ...

struct SignatureInfo {
  FileHashes file;
  std::optional<AuthenticodeHashes> authenticode;  // PE inputs
  std::vector<Signature> signatures;               // primary first, then nested
  std::vector<std::string> problems;               // malformed certificate table, unparsable PKCS#7, ...
  std::optional<std::string> catalog;              // path of a .cat file that lists this file's hash
  // Added after the first contract (additive): for a catalog file itself, how many members it lists.
  std::optional<uint32_t> catalog_members;
};

}  // namespace drvsec::sig
