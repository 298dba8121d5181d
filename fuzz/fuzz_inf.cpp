// Fuzzes the INF reader: parsing, value look-up, %strkey% substitution, the CatalogFile list and
// the installed files (ServiceBinary, CopyFiles) the package step reads.
#include <cstddef>
#include <cstdint>
#include <span>

#include "inf/inf_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec::inf;
  const InfFile inf = InfFile::parse(std::span<const uint8_t>(data, size));
  (void)catalog_files(inf);
  (void)installed_file_names(inf);
  (void)inf.value("Version", "Provider");
  for (const Section& s : inf.sections())
    for (const Line& line : s.lines)
      for (const auto& v : line.values) (void)inf.substitute(v);
  return 0;
}
