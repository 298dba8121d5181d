#include "sig/openssl_util.h"

#include <array>
#include <ctime>

#include <fmt/format.h>

#include "core/hash.h"

namespace drvsec::sig::ossl {

const EVP_MD* md_for(std::string_view algorithm) {
  if (algorithm == "md5") return EVP_md5();
  if (algorithm == "sha1") return EVP_sha1();
  if (algorithm == "sha256") return EVP_sha256();
  if (algorithm == "sha384") return EVP_sha384();
  if (algorithm == "sha512") return EVP_sha512();
  return nullptr;
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
