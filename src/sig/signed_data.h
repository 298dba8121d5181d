// PKCS#7 SignedData as Authenticode and catalogs use it: the signed content, the signer, the
// certificates it carries, timestamp countersignatures and nested signatures. Cryptographic checks
// use only what the blob carries: the chain is never verified against a trust store.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sig/signature.h"

namespace drvsec::sig {

namespace oid {
inline constexpr std::string_view spc_indirect_data = "1.3.6.1.4.1.311.2.1.4";
inline constexpr std::string_view certificate_trust_list = "1.3.6.1.4.1.311.10.1";  // szOID_CTL: catalogs
inline constexpr std::string_view nested_signature = "1.3.6.1.4.1.311.2.4.1";
inline constexpr std::string_view rfc3161_timestamp = "1.3.6.1.4.1.311.3.3.1";
inline constexpr std::string_view spc_sp_opus_info = "1.3.6.1.4.1.311.2.1.12";
inline constexpr std::string_view page_hashes_v1 = "1.3.6.1.4.1.311.2.3.1";  // SHA-1 page hashes
inline constexpr std::string_view page_hashes_v2 = "1.3.6.1.4.1.311.2.3.2";  // SHA-256 page hashes
}  // namespace oid

// A signed page-hash table as the signature carries it: entries of a 32-bit little-endian file
// offset and a digest, the last entry (offset = end of the hashed data) with a zero digest.
struct PageHashTable {
  std::string algorithm;           // "sha1" (V1) or "sha256" (V2)
  std::vector<uint8_t> entries;    // the raw table
};

// One SignedData blob, parsed. `signature.digest_matches` is left for the caller, who knows the file.
struct ParsedSignedData {
  Signature signature;
  std::optional<PageHashTable> page_hashes;  // Authenticode signatures made with page hashes
  std::string content_type;            // dotted OID of the signed content
  std::vector<uint8_t> content;        // the content's value bytes (what the signature covers)
};

// Limits on work per blob.
inline constexpr int kMaxNestingDepth = 2;
inline constexpr size_t kMaxNestedSignatures = 8;

// Parses a DER SignedData ContentInfo. Appends the blob and its nested signatures (flattened,
// nested ones marked) to `out`; anything malformed becomes a line in `problems`.
void parse_signed_data(std::span<const uint8_t> der, std::vector<ParsedSignedData>& out,
                       std::vector<std::string>& problems, int depth = 0);

// The PKCS#7 blobs of a PE certificate table (WIN_CERTIFICATE entries of type PKCS_SIGNED_DATA).
std::vector<std::span<const uint8_t>> certificate_table_entries(std::span<const uint8_t> table,
                                                                 std::vector<std::string>& problems);

// The digest inside an SpcIndirectDataContent (given its value bytes): algorithm name and hex, and
// the page-hash table when SpcPeImageData carries one (file link: SpcSerializedObject).
struct IndirectDigest {
  std::string algorithm;  // "sha256"; the dotted OID when unknown
  std::string digest;     // lower-case hex
  std::optional<PageHashTable> page_hashes;
};
std::optional<IndirectDigest> parse_indirect_data(std::span<const uint8_t> content);

// The programName of an SpcSpOpusInfo (its DER encoding): SEQUENCE { programName [0] EXPLICIT SpcString
// OPTIONAL, moreInfo [1] EXPLICIT SpcLink OPTIONAL }, SpcString ::= CHOICE { unicode [0] IMPLICIT
// BMPString, ascii [1] IMPLICIT IA5String }. UTF-8; nullopt when absent or malformed.
std::optional<std::string> parse_opus_program_name(std::span<const uint8_t> der);

// Signer classification from names and EKUs of the embedded chain (see docs/signatures.md).
SignerKind classify_signer(const Signature& signature);

}  // namespace drvsec::sig
