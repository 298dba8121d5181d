// The Authenticode image hash of a PE file and the first-page hash of App Control "Hash Page" rules.
//
// Image hash: Microsoft, "Windows Authenticode Portable Executable Signature Format", section
// "Calculating the PE Image Hash": the headers up to SizeOfHeaders without the CheckSum field and
// the Certificate Table directory entry; then every section's raw data in ascending
// PointerToRawData order; then the data after the last section, excluding the certificate table
// (its length is file size - (certificate table size + bytes hashed so far)). A file without a
// certificate table is hashed as if zero-padded to a multiple of 8 bytes, because signers pad it so
// before appending the table (osslsigncode and signtool do): the digest of an unsigned file is then the
// one a signature or a catalog would list for it, and stays the same once the file is signed.
//
// First-page hash: App Control for Business precomputes four hashes per file for its Hash rules,
// "Hash Sha1", "Hash Sha256", "Hash Page Sha1" and "Hash Page Sha256", the last two being the
// SHA-1/SHA-256 "of the first page" (learn.microsoft.com, "Understand App Control policy rules and
// file rules", section "More information about hashes"); Windows checks them when it validates an
// image page by page. What is hashed: the first 4 KiB page of the image as it is mapped in memory
// (the headers, and the data of any section whose RVA falls in that page, up to its VirtualSize;
// zeros elsewhere), without the CheckSum field and the Certificate Table entry: 4096 - 12 bytes.
// For usual images (SectionAlignment >= 4 KiB) that is the headers zero-padded to a page, as in the
// first entry of an Authenticode page-hash table (signtool /ph, 1.3.6.1.4.1.311.2.3.1/2) and in
// hfiref0x/KDU's block-list hashes; for images with small section alignment (e.g. capcom.sys) the
// first sections are part of that page. Checked against every corpus driver whose Authenticode hash
// Microsoft's block policy lists with page-hash entries (tests/unit/sig_test.cpp).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pe/image.h"
#include "sig/signature.h"
#include "sig/signed_data.h"

namespace drvsec::sig {

enum class DigestAlgorithm { md5, sha1, sha256, sha384, sha512 };

std::string_view to_string(DigestAlgorithm a);  // "md5", "sha1", "sha256", ...
std::optional<DigestAlgorithm> digest_algorithm_from_oid(std::string_view dotted_oid);

// File ranges the image hash covers, in hashing order, with anything odd met on the way.
struct AuthenticodeLayout {
  std::vector<pe::FileRange> ranges;
  uint32_t zero_padding = 0;          // zeros hashed after the ranges (unsigned files: up to 8-byte alignment)
  std::vector<std::string> problems;  // truncated sections, overlapping data, misplaced certificate table
  bool usable = true;                 // false when the layout would make the hash meaningless or too costly
};
AuthenticodeLayout authenticode_layout(const pe::Image& image);

// Lower-case hex digests of the whole file and of its Authenticode image, computed in one pass: the
// file is walked once, a stretch of kDigestStretch bytes at a time, and each stretch is fed to every
// whole-file digest and to the image digests of the layout ranges it holds while it is in cache. The
// ranges are fed in their hashing order: once a range starts before the end of the one before it
// (overlapping or unordered sections), it and the ranges after it are fed after the walk.
struct FileAndImageDigests {
  std::vector<std::string> file;   // one per file algorithm, in their order
  std::vector<std::string> image;  // one per image algorithm; none without a layout
};
inline constexpr size_t kDigestStretch = 16u << 10;
FileAndImageDigests file_and_image_digests(std::span<const uint8_t> file, const AuthenticodeLayout* layout,
                                           std::span<const DigestAlgorithm> file_algorithms,
                                           std::span<const DigestAlgorithm> image_algorithms);

// Lower-case hex digests of the image alone, one per algorithm (file_and_image_digests without file digests).
std::vector<std::string> authenticode_digests(const pe::Image& image, const AuthenticodeLayout& layout,
                                              std::span<const DigestAlgorithm> algorithms);

// Lower-case hex hashes of the first page as App Control's "Hash Page" rules use it, one per algorithm.
std::vector<std::string> first_page_hashes(const pe::Image& image, std::span<const DigestAlgorithm> algorithms);

// Checks a signed page-hash table against the image. Each entry names a 4 KiB page by file offset:
// offset 0 is the headers page (hashed like the first page above: headers without CheckSum and the
// Certificate Table entry, zero-padded); any other offset must start a page of a section's raw data
// (PointerToRawData + k * 4096), hashed up to the end of the section's raw data and zero-padded to
// 4 KiB. The last entry closes the table (zero digest) and is not a page. Work is bounded: each
// distinct page is hashed once, and at most a few times the file size is hashed in all.
PageHashCheck check_page_hashes(const pe::Image& image, const PageHashTable& table);

}  // namespace drvsec::sig
