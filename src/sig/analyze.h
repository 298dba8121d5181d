// Entry points of src/sig: the signature facts of one input file.
#pragma once

#include <span>
#include <string>

#include "pe/image.h"
#include "sig/catalog.h"
#include "sig/signature.h"

namespace drvsec::sig {

// Which whole-file hashes to compute besides SHA-256 (the file's identity, always there).
// MD5 and SHA-1 of the whole file only serve lookups in catalogues that list samples by them
// (LOLDrivers): MD5 is the slowest hash of all, so a scan asks for them only when it has such a list.
enum class FileHashSet { sha256_only, with_md5_sha1 };

// File hashes, Authenticode digests and page hashes, embedded signatures (verified against the file
// and cryptographically, never against a trust store) and membership in one of `catalogs`. The file
// hashes (SHA-256 among them: the file's identity) and the Authenticode digests come from one pass
// over the file (file_and_image_digests).
SignatureInfo analyze_pe_signature(const pe::Image& image, const CatalogIndex* catalogs = nullptr,
                                   FileHashSet file_hashes = FileHashSet::with_md5_sha1);

// The signature facts of a catalog file itself.
SignatureInfo analyze_catalog_signature(const Catalog& catalog, std::span<const uint8_t> bytes,
                                        const std::string& file_sha256,
                                        FileHashSet file_hashes = FileHashSet::with_md5_sha1);

}  // namespace drvsec::sig
