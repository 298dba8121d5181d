// The catalogue of kernel APIs whose import shows a capability worth a reviewer's attention.
// One table, documented in docs/api-catalog.md: an import shows a capability, not a vulnerability.
#pragma once

#include <span>
#include <string_view>

#include "model/driver_model.h"

namespace drvsec {

struct CatalogEntry {
  std::string_view api;
  CapabilityCategory category;
  std::string_view why;  // one line: what the API lets a caller do
};

std::span<const CatalogEntry> api_catalog();
// Exact-name lookup (names are case-sensitive in PE import tables), nullptr when not listed.
const CatalogEntry* find_in_catalog(std::string_view api);

}  // namespace drvsec
