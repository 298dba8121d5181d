// Helpers shared by the signature rules (src/rules/sig/).
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "analysis/file_analysis.h"

namespace drvsec::sig_rules {

// Signature facts of a PE image or a catalog, or nullptr when there are none.
inline const sig::SignatureInfo* facts(const FileAnalysis& file) {
  return file.signature ? &*file.signature : nullptr;
}

// "primary signature" / "nested signature 2", for messages.
inline std::string signature_label(const sig::SignatureInfo& info, const sig::Signature& s) {
  if (!s.nested) return "primary signature";
  size_t index = 0;
  for (const sig::Signature& other : info.signatures) {
    if (other.nested) ++index;
    if (&other == &s) break;
  }
  return fmt::format("nested signature {}", index);
}

// One-line description of a signer for evidence.
inline std::string signer_evidence(const sig::Signature& s) {
  if (s.chain.empty()) return "signer certificate not found in the signature";
  const sig::Certificate& leaf = s.chain.front();
  return fmt::format("signer '{}' issued by '{}' (serial {}; chain not verified against a trust store)", leaf.subject,
                     leaf.issuer, leaf.serial);
}

}  // namespace drvsec::sig_rules
