#include "sig/openssl_util.h"

#include <array>
#include <ctime>

#include <fmt/format.h>

#include "base/hash.h"

namespace drvsec::sig::ossl {

namespace {

// OpenSSL 3 looks an algorithm up in its provider store (under a lock) each time a digest starts with
// EVP_sha256() and its kind; a digest fetched once is used directly.
const EVP_MD* fetched(const char* name) {
  return EVP_MD_fetch(nullptr, name, nullptr);  // kept for the process's lifetime
}

}  // namespace

const EVP_MD* md_for(std::string_view algorithm) {
  static const EVP_MD* const md5 = fetched("MD5");
  static const EVP_MD* const sha1 = fetched("SHA1");
  static const EVP_MD* const sha256 = fetched("SHA256");
  static const EVP_MD* const sha384 = fetched("SHA384");
  static const EVP_MD* const sha512 = fetched("SHA512");
  if (algorithm == "md5") return md5;
  if (algorithm == "sha1") return sha1;
  if (algorithm == "sha256") return sha256;
  if (algorithm == "sha384") return sha384;
  if (algorithm == "sha512") return sha512;
  return nullptr;
}

const EVP_MD* md_for(const ASN1_OBJECT* algorithm) {
  if (!algorithm) return nullptr;
  const int nid = OBJ_obj2nid(algorithm);
  if (const EVP_MD* known = md_for(nid == NID_md5      ? "md5"
                                   : nid == NID_sha1   ? "sha1"
                                   : nid == NID_sha256 ? "sha256"
                                   : nid == NID_sha384 ? "sha384"
                                   : nid == NID_sha512 ? "sha512"
                                                       : ""))
    return known;
  return EVP_get_digestbyobj(algorithm);
}

std::string hex_digest(std::span<const uint8_t> data, const EVP_MD* md) {
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!md || EVP_Digest(data.data(), data.size(), digest.data(), &length, md, nullptr) != 1) return {};
  return to_hex(std::span(digest.data(), length));
}

std::optional<std::string> iso8601(const ASN1_TIME* time) {
  std::tm tm{};
  if (!time || ASN1_TIME_to_tm(time, &tm) != 1) return std::nullopt;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string dotted(const ASN1_OBJECT* object) {
  char buffer[128];
  const int n = OBJ_obj2txt(buffer, sizeof buffer, object, 1);
  if (n <= 0 || n >= static_cast<int>(sizeof buffer)) return {};
  return std::string(buffer, static_cast<size_t>(n));
}

}  // namespace drvsec::sig::ossl
