#include "sig/analyze.h"

#include <algorithm>
#include <array>
#include <map>

#include "base/hash.h"
#include "sig/authenticode.h"
#include "sig/openssl_util.h"
#include "sig/signed_data.h"

namespace drvsec::sig {

namespace {

FileHashes file_hashes(std::span<const uint8_t> bytes, const std::string& sha256, FileHashSet set) {
  if (set == FileHashSet::sha256_only) return {"", "", sha256};
  return {ossl::hex_digest(bytes, ossl::md_for("md5")), ossl::hex_digest(bytes, ossl::md_for("sha1")), sha256};
}

}  // namespace

SignatureInfo analyze_pe_signature(const pe::Image& image, const std::string& file_sha256, const CatalogIndex* catalogs,
                                   FileHashSet hash_set) {
  SignatureInfo info;
  info.file = file_hashes(image.file(), file_sha256, hash_set);

  std::vector<ParsedSignedData> parsed;
  if (image.security_directory)
    for (auto blob : certificate_table_entries(image.security_data(), info.problems))
      parse_signed_data(blob, parsed, info.problems);
  for (const ParsedSignedData& p : parsed)
    if (p.content_type != oid::spc_indirect_data)
      info.problems.push_back("an embedded signature does not sign Authenticode content (SpcIndirectDataContent)");

  const AuthenticodeLayout layout = authenticode_layout(image);
  for (const std::string& p : layout.problems) info.problems.push_back("Authenticode: " + p);
  if (layout.usable) {
    // SHA-1 and SHA-256 always (block rules use them), plus whatever a signature was made with.
    std::vector<DigestAlgorithm> algorithms = {DigestAlgorithm::sha1, DigestAlgorithm::sha256};
    for (const ParsedSignedData& p : parsed)
      for (DigestAlgorithm a : {DigestAlgorithm::md5, DigestAlgorithm::sha384, DigestAlgorithm::sha512})
        if (p.signature.digest_algorithm == to_string(a) &&
            std::find(algorithms.begin(), algorithms.end(), a) == algorithms.end())
          algorithms.push_back(a);
    const std::vector<std::string> digests = authenticode_digests(image, layout, algorithms);
    std::map<std::string, std::string, std::less<>> by_name;
    for (size_t i = 0; i < algorithms.size(); ++i) by_name.emplace(to_string(algorithms[i]), digests[i]);
    AuthenticodeHashes& a = info.authenticode.emplace();
    a.sha1 = by_name["sha1"];
    a.sha256 = by_name["sha256"];
    a.page_sha1 = first_page_hash(image, DigestAlgorithm::sha1);
    a.page_sha256 = first_page_hash(image, DigestAlgorithm::sha256);
    for (ParsedSignedData& p : parsed) {
      auto it = by_name.find(p.signature.digest_algorithm);
      p.signature.digest_matches = it != by_name.end() && !p.signature.signed_digest.empty() &&
                                   it->second == p.signature.signed_digest;
      if (p.page_hashes) p.signature.page_hashes = check_page_hashes(image, *p.page_hashes);
    }
    if (catalogs && !catalogs->empty()) {
      const std::array<std::string, 4> candidates = {a.sha1, a.sha256, info.file.sha1, info.file.sha256};
      info.catalog = catalogs->find(candidates);
    }
  }
  for (ParsedSignedData& p : parsed) info.signatures.push_back(std::move(p.signature));
  return info;
}

SignatureInfo analyze_catalog_signature(const Catalog& catalog, std::span<const uint8_t> bytes,
                                        const std::string& file_sha256, FileHashSet hash_set) {
  SignatureInfo info;
  info.file = file_hashes(bytes, file_sha256, hash_set);
  info.signatures = catalog.signatures;
  info.problems = catalog.problems;
  info.catalog_members = static_cast<uint32_t>(catalog.member_digests.size());
  return info;
}

}  // namespace drvsec::sig
