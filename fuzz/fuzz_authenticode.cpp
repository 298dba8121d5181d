// Fuzzes the signature parsers on arbitrary bytes: the PE certificate table (WIN_CERTIFICATE
// entries), PKCS#7 SignedData with its nested signatures and timestamps, SpcIndirectDataContent,
// catalogs (certificate trust lists), and the Authenticode/page hashing of a parsed image. When the
// input is a PE image (the signed fixtures seed the corpus), its certificate table is what gets parsed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pe/image.h"
#include "sig/analyze.h"
#include "sig/catalog.h"
#include "sig/signed_data.h"

namespace {

void parse_table(std::span<const uint8_t> table) {
  std::vector<std::string> problems;
  std::vector<drvsec::sig::ParsedSignedData> parsed;
  for (auto blob : drvsec::sig::certificate_table_entries(table, problems)) drvsec::sig::parse_signed_data(blob, parsed, problems);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  if (size >= 2 && data[0] == 'M' && data[1] == 'Z') {
    try {
      const drvsec::pe::Image image = drvsec::pe::Image::parse(bytes);
      (void)drvsec::sig::analyze_pe_signature(image);
    } catch (const std::exception&) {
    }
    return 0;
  }
  parse_table(bytes);
  std::vector<std::string> problems;
  std::vector<drvsec::sig::ParsedSignedData> parsed;
  drvsec::sig::parse_signed_data(bytes, parsed, problems);
  (void)drvsec::sig::parse_indirect_data(bytes);
  if (drvsec::sig::looks_like_catalog(bytes)) (void)drvsec::sig::parse_catalog("fuzz.cat", bytes);
  return 0;
}
