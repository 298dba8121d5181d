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

// The whole-file digests a hash set asks for (SHA-256 too, unless the caller has it).
std::vector<DigestAlgorithm> file_algorithms(FileHashSet set, bool with_sha256) {
  std::vector<DigestAlgorithm> out;
  if (with_sha256) out.push_back(DigestAlgorithm::sha256);
  if (set == FileHashSet::with_md5_sha1) out.insert(out.end(), {DigestAlgorithm::md5, DigestAlgorithm::sha1});
  return out;
}

// The whole-file hashes from the digests of `algorithms`, one each, in their order.
FileHashes file_hashes(std::span<const DigestAlgorithm> algorithms, std::vector<std::string> digests) {
  FileHashes out;
  for (size_t i = 0; i < algorithms.size(); ++i) {
    const DigestAlgorithm a = algorithms[i];
    std::string& slot = a == DigestAlgorithm::md5 ? out.md5 : a == DigestAlgorithm::sha1 ? out.sha1 : out.sha256;
    slot = std::move(digests.at(i));
  }
  return out;
}

}  // namespace

SignatureInfo analyze_pe_signature(const pe::Image& image, const CatalogIndex* catalogs, FileHashSet hash_set) {
  SignatureInfo info;
  std::vector<ParsedSignedData> parsed;
  if (image.security_directory)
    for (auto blob : certificate_table_entries(image.security_data(), info.problems))
      parse_signed_data(blob, parsed, info.problems);
  for (const ParsedSignedData& p : parsed)
    if (p.content_type != oid::spc_indirect_data)
      info.problems.push_back("an embedded signature does not sign Authenticode content (SpcIndirectDataContent)");

  const AuthenticodeLayout layout = authenticode_layout(image);
  for (const std::string& p : layout.problems) info.problems.push_back("Authenticode: " + p);
  // SHA-1 and SHA-256 of the image always (block rules use them), plus whatever a signature was made with.
  std::vector<DigestAlgorithm> algorithms = {DigestAlgorithm::sha1, DigestAlgorithm::sha256};
  for (const ParsedSignedData& p : parsed)
    for (DigestAlgorithm a : {DigestAlgorithm::md5, DigestAlgorithm::sha384, DigestAlgorithm::sha512})
      if (p.signature.digest_algorithm == to_string(a) &&
          std::find(algorithms.begin(), algorithms.end(), a) == algorithms.end())
        algorithms.push_back(a);
  // The file's own digests and the image's, in one pass over the file.
  const std::vector<DigestAlgorithm> whole = file_algorithms(hash_set, true);
  FileAndImageDigests digests =
      file_and_image_digests(image.file(), layout.usable ? &layout : nullptr, whole, algorithms);
  info.file = file_hashes(whole, std::move(digests.file));
  if (layout.usable) {
    std::map<std::string, std::string, std::less<>> by_name;
    for (size_t i = 0; i < algorithms.size(); ++i) by_name.emplace(to_string(algorithms[i]), digests.image[i]);
    AuthenticodeHashes& a = info.authenticode.emplace();
    a.sha1 = by_name["sha1"];
    a.sha256 = by_name["sha256"];
    constexpr DigestAlgorithm page_algorithms[] = {DigestAlgorithm::sha1, DigestAlgorithm::sha256};
    std::vector<std::string> page = first_page_hashes(image, page_algorithms);
    a.page_sha1 = std::move(page[0]);
    a.page_sha256 = std::move(page[1]);
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
  const std::vector<DigestAlgorithm> whole = file_algorithms(hash_set, false);
  info.file = file_hashes(whole, file_and_image_digests(bytes, nullptr, whole, {}).file);
  info.file.sha256 = file_sha256;
  info.signatures = catalog.signatures;
  info.problems = catalog.problems;
  info.catalog_members = static_cast<uint32_t>(catalog.member_digests.size());
  return info;
}

}  // namespace drvsec::sig
