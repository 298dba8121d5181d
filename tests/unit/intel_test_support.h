// Helpers for the intel tests: real fixture bytes and their real hashes, and paths of shared data.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/hash.h"
#include "sig/signature.h"

namespace drvsec::testing {

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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

inline std::string fixture(const std::string& name) { return std::string(DRVSEC_FIXTURE_DIR) + "/" + name; }
// ../shared next to the project, or $DRVSEC_SHARED_DIR (a worktree elsewhere).
inline std::string shared_intel(const std::string& name) {
  const char* dir = std::getenv("DRVSEC_SHARED_DIR");
  return (dir ? std::string(dir) : std::string(DRVSEC_SOURCE_DIR) + "/../shared") + "/intel/" + name;
}
inline bool exists(const std::string& path) { return std::filesystem::exists(path); }

}  // namespace drvsec::testing
