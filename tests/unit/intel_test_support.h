// Helpers for the intel tests: real fixture bytes and their real hashes, and the shared data.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "base/hash.h"
#include "sig/signature.h"
#include "test_support.h"

namespace drvsec::testing {

using drvsec::test::fixture;

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  const std::string text = drvsec::test::read_file(path);
  return {text.begin(), text.end()};
}

inline std::string digest_hex(const EVP_MD* md, const std::vector<uint8_t>& bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &length, md, nullptr);
  return to_hex(std::span<const uint8_t>(out, length));
}

// The file hashes of `bytes`, computed here (independently of src/sig).
inline sig::FileHashes file_hashes(const std::vector<uint8_t>& bytes) {
  return {digest_hex(EVP_md5(), bytes), digest_hex(EVP_sha1(), bytes), digest_hex(EVP_sha256(), bytes)};
}

// ../shared/intel next to the project, or $DRVSEC_SHARED_DIR/intel (a worktree elsewhere).
inline std::string shared_intel(const std::string& name) {
  if (const char* dir = std::getenv("DRVSEC_SHARED_DIR")) return std::string(dir) + "/intel/" + name;
  return drvsec::test::shared_path("intel/" + name);
}
inline bool exists(const std::string& path) { return std::filesystem::exists(path); }

}  // namespace drvsec::testing
