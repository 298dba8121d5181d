// Fuzzes the signature parsers on arbitrary bytes: the PE certificate table (WIN_CERTIFICATE
// entries), PKCS#7 SignedData with its nested signatures and timestamps, SpcIndirectDataContent,
// and catalogs (certificate trust lists). PE files reach the Authenticode hash through fuzz_pe.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sig/catalog.h"
#include "sig/signed_data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  std::vector<std::string> problems;
  std::vector<drvsec::sig::ParsedSignedData> parsed;
  for (auto blob : drvsec::sig::certificate_table_entries(bytes, problems))
    drvsec::sig::parse_signed_data(blob, parsed, problems);
  drvsec::sig::parse_signed_data(bytes, parsed, problems);
  (void)drvsec::sig::parse_indirect_data(bytes);
  if (drvsec::sig::looks_like_catalog(bytes)) (void)drvsec::sig::parse_catalog("fuzz.cat", bytes);
  return 0;
}
