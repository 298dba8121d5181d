// Security catalogs (.cat): a PKCS#7 SignedData whose content is a certificate trust list (szOID_CTL,
// 1.3.6.1.4.1.311.10.1) of member hashes. A driver listed in a signed catalog is signed by it.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sig/signature.h"

namespace drvsec::sig {

struct Catalog {
  std::string path;
  std::vector<Signature> signatures;        // the catalog's own signature (then nested ones)
  std::vector<std::string> member_digests;  // lower-case hex, sorted, unique
  std::vector<std::string> problems;
};

// Content sniffing on the first bytes: a DER SignedData whose content type is szOID_CTL.
bool looks_like_catalog(std::span<const uint8_t> head);

Catalog parse_catalog(std::string path, std::span<const uint8_t> bytes);

// Member digests of every catalog of a scan, for membership look-ups.
class CatalogIndex {
 public:
  void add(const Catalog& catalog);
  bool empty() const { return by_digest_.empty(); }
  // The catalog (smallest path when several) listing any of `digests` (lower-case hex).
  std::optional<std::string> find(std::span<const std::string> digests) const;

 private:
  std::map<std::string, std::string, std::less<>> by_digest_;
};

}  // namespace drvsec::sig
