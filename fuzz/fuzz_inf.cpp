// Fuzzes the INF reader and model: parsing (every encoding), diagnostics, value look-up, %strkey%
// substitution, the CatalogFile list and installed files the package step reads, and the facts model
// (Models, install sections per platform, AddReg/DelReg, services, files, interfaces, WMI).
#include <cstddef>
#include <cstdint>
#include <span>

#include "inf/inf_file.h"
#include "inf/inf_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec::inf;
  // The first byte picks the language whose [Strings.<id>] wins, so locale precedence is covered.
  const char* languages[] = {"0409", "0407", ""};
  const char* language = size > 0 ? languages[data[0] % 3] : "0409";
  const InfFile inf = InfFile::parse(std::span<const uint8_t>(data, size), {}, language);
  (void)catalog_files(inf);
  (void)installed_file_names(inf);
  (void)inf.value("Version", "Provider");
  (void)inf.problems();
  for (const Section& s : inf.sections())
    for (const Line& line : s.lines)
      for (const auto& v : line.values) (void)inf.substitute(v);
  const InfModel model = read_model(inf, "fuzz.inf");
  (void)model.has_models();
  (void)model.only_root_enumerated();
  for (const PlatformInstall& p : model.platforms)
    for (const InstallSection& s : p.device_installs)
      for (const FileCopy& f : s.files)
        if (f.dirid) (void)dirid_name(*f.dirid);
  return 0;
}
