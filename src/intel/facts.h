// What the intelligence matchers know about one file: its hashes, signatures and version resource.
// The pointers view facts owned by the file's FileAnalysis; absent facts are null.
#pragma once

#include <string>

#include "pe/image.h"
#include "sig/signature.h"

namespace drvsec::intel {

struct FileFacts {
  std::string sha256;                               // file SHA-256, lower-case hex (always known)
  const sig::SignatureInfo* signature = nullptr;    // hashes, Authenticode digests, signers
  const pe::VersionInfo* version = nullptr;         // VERSIONINFO resource
};

// Lower-cases ASCII letters (hashes and names are compared case-insensitively).
std::string ascii_lower(std::string_view text);

}  // namespace drvsec::intel
