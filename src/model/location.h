// Where a fact or a finding is: one shape for every input. A binary names an address (and the
// function around it); a source file or an INF names a range of lines and columns. Either way the
// location names its file (the artifact).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace drvsec {

// A range in a text file: 1-based lines and columns; a column of 0 is "not known".
struct SourceRange {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;    // 0: the range is on `line`
  uint32_t end_column = 0;
  bool operator==(const SourceRange&) const = default;
  auto operator<=>(const SourceRange&) const = default;
};

struct Location {
  std::string path;                      // the file; in a fact's provenance, empty means the driver's own file
  std::optional<uint32_t> rva;           // binaries: the instruction, call, string or structure
  std::optional<uint32_t> function_rva;  // binaries: the function around it
  std::string function;                  // the function's name when one is known (export, symbol, source)
  std::optional<SourceRange> range;      // sources and INF files
  // Findings on a binary: where `rva` lies in the file and in which section (filled by the engine
  // while the image is open, so the reports can point a viewer at the bytes).
  std::optional<uint64_t> file_offset;
  std::string section;
  bool operator==(const Location&) const = default;
};

// A location at an address of the driver's own image.
inline Location at_rva(std::optional<uint32_t> rva) {
  Location l;
  l.rva = rva;
  return l;
}
// A location at a line of a text file.
inline Location at_line(std::string path, uint32_t line) {
  Location l;
  l.path = std::move(path);
  l.range = SourceRange{line};
  return l;
}

// How a function is named to a person: its name when known, else "sub_<RVA>" (hexadecimal, the
// disassemblers' spelling). The one rendering of an unnamed function (reports, messages, evidence).
std::string function_label(uint32_t function_rva);
// The function of a location as a person reads it; empty when the location names none.
std::string function_label(const Location& l);

}  // namespace drvsec
