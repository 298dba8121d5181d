#include "base/hash.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace drvsec {

std::string to_hex(std::span<const uint8_t> data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xF]);
  }
  return out;
}

std::string sha256_hex(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> digest{};
  unsigned int length = 0;
  // Fetched once: OpenSSL 3 otherwise looks SHA-256 up in its provider store for every call.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, sha256, nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return to_hex(std::span(digest.data(), length));
}

std::string sha256_hex(std::string_view text) {
  return sha256_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace drvsec
