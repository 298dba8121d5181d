// Entry points of src/sig: the signature facts of one input file.
#pragma once

#include <span>
#include <string>

#include "pe/image.h"
#include "sig/catalog.h"
#include "sig/signature.h"

namespace drvsec::sig {

// File hashes, Authenticode digests and page hashes, embedded signatures (verified against the file
// and cryptographically, never against a trust store) and membership in one of `catalogs`.
SignatureInfo analyze_pe_signature(const pe::Image& image, const std::string& file_sha256,
                                   const CatalogIndex* catalogs = nullptr);

// The signature facts of a catalog file itself.
SignatureInfo analyze_catalog_signature(const Catalog& catalog, std::span<const uint8_t> bytes,
                                        const std::string& file_sha256);

}  // namespace drvsec::sig
