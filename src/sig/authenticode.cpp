#include "sig/authenticode.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "base/hash.h"
#include "sig/openssl_util.h"

namespace drvsec::sig {

namespace {

constexpr uint64_t kPageSize = 4096;
constexpr uint32_t kChecksumSize = 4;
constexpr uint32_t kDirectoryEntrySize = 8;
// Overlapping sections could make a small file expensive to hash; past this many bytes per byte of
// file the layout is refused.
constexpr uint64_t kMaxHashedPerFileByte = 4;

// The two header fields Authenticode leaves out, as [offset, size) pairs in ascending order.
std::vector<pe::FileRange> excluded_header_fields(const pe::Image& image) {
  std::vector<pe::FileRange> out;
  if (image.checksum_offset) out.push_back({image.checksum_offset, kChecksumSize});
  if (image.security_directory_entry_offset) out.push_back({image.security_directory_entry_offset, kDirectoryEntrySize});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
  return out;
}

// Appends [begin, end) minus the excluded fields to `ranges`.
void add_without(std::vector<pe::FileRange>& ranges, uint64_t begin, uint64_t end,
                 const std::vector<pe::FileRange>& excluded) {
  for (const pe::FileRange& x : excluded) {
    if (x.offset >= end) break;
    if (x.offset + x.size <= begin) continue;
    if (x.offset > begin) ranges.push_back({begin, x.offset - begin});
    begin = std::max(begin, x.offset + x.size);
  }
  if (end > begin) ranges.push_back({begin, end - begin});
}

struct Hashers {
  std::vector<ossl::MdCtx> contexts;
  explicit Hashers(std::span<const DigestAlgorithm> algorithms) {
    for (DigestAlgorithm a : algorithms) {
      const EVP_MD* md = ossl::md_for(to_string(a));
      ossl::MdCtx ctx(EVP_MD_CTX_new());
      if (!md || !ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
        throw std::runtime_error(fmt::format("{} is not available", to_string(a)));
      contexts.push_back(std::move(ctx));
    }
  }
  void update(const void* data, size_t size) {
    for (auto& c : contexts)
      if (EVP_DigestUpdate(c.get(), data, size) != 1) throw std::runtime_error("digest update failed");
  }
  std::vector<std::string> finish() {
    std::vector<std::string> out;
    for (auto& c : contexts) {
      std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
      unsigned int length = 0;
      if (EVP_DigestFinal_ex(c.get(), digest.data(), &length) != 1) throw std::runtime_error("digest failed");
      out.push_back(to_hex(std::span(digest.data(), length)));
    }
    return out;
  }
};

}  // namespace

std::string_view to_string(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::md5: return "md5";
    case DigestAlgorithm::sha1: return "sha1";
    case DigestAlgorithm::sha256: return "sha256";
    case DigestAlgorithm::sha384: return "sha384";
    case DigestAlgorithm::sha512: return "sha512";
  }
  return "unknown";
}

std::optional<DigestAlgorithm> digest_algorithm_from_oid(std::string_view oid) {
  if (oid == "1.2.840.113549.2.5") return DigestAlgorithm::md5;
  if (oid == "1.3.14.3.2.26") return DigestAlgorithm::sha1;
  if (oid == "2.16.840.1.101.3.4.2.1") return DigestAlgorithm::sha256;
  if (oid == "2.16.840.1.101.3.4.2.2") return DigestAlgorithm::sha384;
  if (oid == "2.16.840.1.101.3.4.2.3") return DigestAlgorithm::sha512;
  return std::nullopt;
}

AuthenticodeLayout authenticode_layout(const pe::Image& image) {
  AuthenticodeLayout layout;
  const uint64_t file_size = image.file().size();
  const std::vector<pe::FileRange> excluded = excluded_header_fields(image);

  uint64_t headers_end = image.size_of_headers;
  if (headers_end > file_size) {
    layout.problems.push_back(fmt::format("SizeOfHeaders 0x{:X} is past the end of the file", image.size_of_headers));
    headers_end = file_size;
  }
  add_without(layout.ranges, 0, headers_end, excluded);
  uint64_t sum_of_bytes_hashed = image.size_of_headers;

  std::vector<const pe::Section*> sections;
  for (const pe::Section& s : image.sections)
    if (s.raw_size) sections.push_back(&s);
  std::stable_sort(sections.begin(), sections.end(),
                   [](const pe::Section* a, const pe::Section* b) { return a->raw_offset < b->raw_offset; });
  uint64_t total = headers_end;
  for (const pe::Section* s : sections) {
    const uint64_t begin = s->raw_offset;
    const uint64_t end = std::min<uint64_t>(begin + s->raw_size, file_size);
    if (begin + s->raw_size > file_size)
      layout.problems.push_back(fmt::format("section '{}' raw data is cut off by the end of the file", s->name));
    if (end > begin) layout.ranges.push_back({begin, end - begin});
    total += end > begin ? end - begin : 0;
    sum_of_bytes_hashed += s->raw_size;
  }

  // Data after the last section (debug data, appended files), without the certificate table.
  const uint64_t certificate_size = image.directories[pe::dir::security].size;
  if (image.directories[pe::dir::security].present() && !image.security_directory)
    layout.problems.push_back("the certificate table lies outside the file");
  if (image.security_directory && image.security_directory->offset + image.security_directory->size != file_size)
    layout.problems.push_back("the certificate table is not at the end of the file");
  if (file_size > sum_of_bytes_hashed + certificate_size) {
    const uint64_t extra = file_size - (sum_of_bytes_hashed + certificate_size);
    layout.ranges.push_back({sum_of_bytes_hashed, extra});
    total += extra;
  }
  if (!image.directories[pe::dir::security].present() && file_size % 8)
    layout.zero_padding = static_cast<uint32_t>(8 - file_size % 8);
  if (total > kMaxHashedPerFileByte * std::max<uint64_t>(file_size, kPageSize)) {
    layout.problems.push_back(fmt::format("sections overlap so that {} bytes would be hashed for a {}-byte file", total,
                                          file_size));
    layout.usable = false;
  }
  return layout;
}

FileAndImageDigests file_and_image_digests(std::span<const uint8_t> file, const AuthenticodeLayout* layout,
                                           std::span<const DigestAlgorithm> file_algorithms,
                                           std::span<const DigestAlgorithm> image_algorithms) {
  Hashers whole(file_algorithms);
  Hashers image(layout ? image_algorithms : std::span<const DigestAlgorithm>{});
  if (whole.contexts.empty() && image.contexts.empty()) return {};
  const std::vector<pe::FileRange> no_ranges;
  const std::vector<pe::FileRange>& ranges = layout ? layout->ranges : no_ranges;
  for (const pe::FileRange& r : ranges)
    if (r.offset > file.size() || r.size > file.size() - r.offset) throw std::logic_error("hash range outside the file");
  // The leading ranges that go forward through the file without overlapping: those the walk feeds.
  size_t in_order = 0;
  for (uint64_t end = 0; in_order < ranges.size() && ranges[in_order].offset >= end; ++in_order)
    end = ranges[in_order].offset + ranges[in_order].size;

  size_t next = 0;       // the range the walk feeds next
  uint64_t next_at = 0;  // where in the file that range's unfed part starts
  if (in_order) next_at = ranges[0].offset;
  for (uint64_t at = 0; at < file.size(); at += kDigestStretch) {
    const uint64_t end = std::min<uint64_t>(file.size(), at + kDigestStretch);
    whole.update(file.data() + at, end - at);
    while (next < in_order && next_at < end) {
      const uint64_t range_end = ranges[next].offset + ranges[next].size;
      const uint64_t stop = std::min(range_end, end);
      image.update(file.data() + next_at, stop - next_at);
      if (stop < range_end) {
        next_at = stop;
        break;
      }
      if (++next < in_order) next_at = ranges[next].offset;
    }
  }
  // What the walk did not reach (empty ranges at the end of the file), then the ranges out of order.
  for (; next < ranges.size(); ++next) {
    const uint64_t from = next < in_order ? next_at : ranges[next].offset;
    image.update(file.data() + from, ranges[next].offset + ranges[next].size - from);
    if (next + 1 < in_order) next_at = ranges[next + 1].offset;
  }
  static constexpr std::array<uint8_t, 8> zeros{};
  if (layout) image.update(zeros.data(), std::min<size_t>(layout->zero_padding, zeros.size()));
  return {whole.finish(), image.finish()};
}

std::vector<std::string> authenticode_digests(const pe::Image& image, const AuthenticodeLayout& layout,
                                              std::span<const DigestAlgorithm> algorithms) {
  return file_and_image_digests(image.file(), &layout, {}, algorithms).image;
}

namespace {

// The headers page as page hashes and "Hash Page" rules hash it (see first_page_hashes).
std::array<uint8_t, kPageSize> headers_page(const pe::Image& image) {
  const std::span<const uint8_t> file = image.file();
  std::array<uint8_t, kPageSize> page{};
  const uint64_t headers = std::min<uint64_t>({image.size_of_headers, kPageSize, file.size()});
  std::copy_n(file.begin(), headers, page.begin());
  return page;
}

std::vector<std::string> hash_without_excluded_fields(const pe::Image& image, const std::array<uint8_t, kPageSize>& page,
                                                      std::span<const DigestAlgorithm> algorithms) {
  std::vector<pe::FileRange> ranges;
  add_without(ranges, 0, kPageSize, excluded_header_fields(image));
  Hashers hashers(algorithms);
  for (const pe::FileRange& r : ranges) hashers.update(page.data() + r.offset, r.size);
  return hashers.finish();
}

std::string hash_without_excluded_fields(const pe::Image& image, const std::array<uint8_t, kPageSize>& page,
                                         DigestAlgorithm algorithm) {
  const DigestAlgorithm one[] = {algorithm};
  return hash_without_excluded_fields(image, page, std::span(one)).front();
}

}  // namespace

PageHashCheck check_page_hashes(const pe::Image& image, const PageHashTable& table) {
  PageHashCheck out;
  out.algorithm = table.algorithm;
  const DigestAlgorithm algorithm = table.algorithm == "sha1" ? DigestAlgorithm::sha1 : DigestAlgorithm::sha256;
  const size_t digest_size = algorithm == DigestAlgorithm::sha1 ? 20 : 32;
  const size_t entry_size = 4 + digest_size;
  const std::span<const uint8_t> entries(table.entries);
  if (entries.size() % entry_size)
    out.problems.push_back(fmt::format("page-hash table size {} is not a multiple of {}-byte entries", entries.size(), entry_size));
  const size_t count = entries.size() / entry_size;
  if (count < 2) {
    out.problems.push_back("page-hash table lists no page");
    return out;
  }
  out.pages = static_cast<uint32_t>(count - 1);

  const std::span<const uint8_t> file = image.file();
  const uint64_t budget = kMaxHashedPerFileByte * std::max<uint64_t>(file.size(), kPageSize);
  uint64_t hashed = 0;
  std::unordered_map<uint64_t, std::string> computed;  // page offset -> hex digest
  // The hash of the page at `offset`, or nullopt when no header or section page starts there.
  auto page_hash = [&](uint64_t offset) -> std::optional<std::string> {
    if (auto it = computed.find(offset); it != computed.end()) return it->second;
    std::string digest;
    if (offset == 0) {
      digest = hash_without_excluded_fields(image, headers_page(image), algorithm);
    } else {
      const pe::Section* section = nullptr;
      for (const pe::Section& s : image.sections)
        if (s.raw_size && offset >= s.raw_offset && offset - s.raw_offset < s.raw_size &&
            (offset - s.raw_offset) % kPageSize == 0 && offset < file.size()) {
          section = &s;
          break;
        }
      if (!section) return std::nullopt;
      const uint64_t end = std::min<uint64_t>({offset + kPageSize, uint64_t{section->raw_offset} + section->raw_size, file.size()});
      std::array<uint8_t, kPageSize> page{};
      std::copy(file.begin() + offset, file.begin() + end, page.begin());
      const DigestAlgorithm one[] = {algorithm};
      Hashers hashers(one);
      hashers.update(page.data(), page.size());
      digest = hashers.finish().front();
    }
    hashed += kPageSize;
    return computed.emplace(offset, std::move(digest)).first->second;
  };

  for (size_t i = 0; i + 1 < count; ++i) {
    const uint8_t* e = entries.data() + i * entry_size;
    const uint64_t offset = e[0] | e[1] << 8 | e[2] << 16 | static_cast<uint64_t>(e[3]) << 24;
    if (hashed > budget) {
      out.problems.push_back(fmt::format("page-hash check stopped after {} of {} pages (work limit)", i, out.pages));
      break;
    }
    auto digest = page_hash(offset);
    if (!digest) {
      out.problems.push_back(fmt::format("page-hash entry for file offset 0x{:X} names no page of the image", offset));
      out.mismatched.push_back(offset);
      continue;
    }
    if (*digest != to_hex(std::span(e + 4, digest_size))) out.mismatched.push_back(offset);
  }
  std::sort(out.mismatched.begin(), out.mismatched.end());
  out.mismatched.erase(std::unique(out.mismatched.begin(), out.mismatched.end()), out.mismatched.end());
  return out;
}

std::vector<std::string> first_page_hashes(const pe::Image& image, std::span<const DigestAlgorithm> algorithms) {
  const std::span<const uint8_t> file = image.file();
  std::array<uint8_t, kPageSize> page = headers_page(image);
  for (const pe::Section& s : image.sections) {
    if (s.virtual_address >= kPageSize || s.raw_offset >= file.size()) continue;
    const uint64_t size = std::min<uint64_t>({s.raw_size, s.virtual_size ? s.virtual_size : s.raw_size,
                                              kPageSize - s.virtual_address, file.size() - s.raw_offset});
    std::copy_n(file.begin() + s.raw_offset, size, page.begin() + s.virtual_address);
  }
  return hash_without_excluded_fields(image, page, algorithms);
}

}  // namespace drvsec::sig
