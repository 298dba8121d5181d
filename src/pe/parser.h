// Internal: the parser steps, one file per data directory (imports.cpp, resources.cpp, ...).
#pragma once

#include "pe/image.h"
#include "pe/reader.h"

namespace drvsec::pe {

class Parser {
 public:
  Parser(Image& image, std::span<const uint8_t> file, const Limits& limits)
      : img_(image), file_(file), reader_(file), limits_(limits) {}

  void parse_headers();     // DOS, NT, optional header, data directories, section table (throws FormatError)
  void parse_rich();        // rich.cpp
  void compute_checksum();  // checksum.cpp
  void parse_imports();     // imports.cpp (regular + delay-load)
  void parse_exports();     // exports.cpp
  void parse_relocations(); // relocations.cpp
  void parse_load_config(); // load_config.cpp
  void parse_debug();       // debug.cpp
  void parse_exceptions();  // exceptions.cpp (.pdata)
  void parse_resources();   // resources.cpp (VERSIONINFO)
  void locate_security_and_overlay();
  void check_section_layout();  // parser.cpp: long names, overlaps


 private:
  void warn(std::string message) { img_.warnings.push_back(std::move(message)); }
  const DataDirectory& directory(int index) const { return img_.directories[index]; }
  // The mapped bytes of data directory `index` (empty when absent). A directory that is not
  // (fully) backed by file data gets a warning naming `what`; the readable prefix is returned.
  std::span<const uint8_t> directory_bytes(int index, const char* what);

  Image& img_;
  std::span<const uint8_t> file_;
  ByteReader reader_;
  const Limits& limits_;
};

}  // namespace drvsec::pe
