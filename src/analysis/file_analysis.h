// Everything known about one input file while rules run over it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/driver_model.h"
#include "pe/image.h"
#include "sig/signature.h"

namespace drvsec {

namespace intel {
class Intelligence;  // src/intel/intelligence.h
}

enum class InputKind { pe, inf, source, catalog, unknown };  // catalog: a signed .cat

// How deep a scan looks into each driver binary. `headers`: PE structure, imports, strings,
// signature and intelligence (the fast triage of a whole driver inventory); `code`: also the
// machine code (dispatch routines, IOCTLs, primitives, memory-integrity call arguments).
enum class AnalysisDepth { headers, code };
std::string_view to_string(AnalysisDepth d);
std::string_view to_string(InputKind k);

struct Artifact {
  std::string path;
  InputKind kind = InputKind::unknown;
  uint64_t size = 0;
  std::string sha256;
  std::vector<std::string> errors;  // why this input could not be analyzed
  // Parts of an analyzed input the analysis could not cover: a malformed PE structure skipped,
  // machine code of an architecture not decoded. Said in every report and in the exit code.
  std::vector<std::string> gaps;
};

// Image-level facts kept for the reports after the PE image (a view into the file) is released.
// The machine is the driver model's (DriverModel::machine), not repeated here.
struct PeSummary {
  bool pe32_plus = false;
  uint16_t subsystem = 0;
  uint32_t time_date_stamp = 0;
  uint64_t image_base = 0;
  uint32_t entry_point_rva = 0;
  uint32_t size_of_image = 0;
  uint32_t section_alignment = 0;
  uint32_t file_alignment = 0;
  uint16_t dll_characteristics = 0;
  std::optional<uint32_t> extended_dll_characteristics;
  uint32_t checksum = 0;
  uint32_t computed_checksum = 0;
  struct Section {
    std::string name;
    uint32_t rva = 0, virtual_size = 0, raw_size = 0, characteristics = 0;
  };
  std::vector<Section> sections;
  std::optional<std::string> pdb_path;
  std::optional<std::string> pdb_guid;
  bool has_certificate_table = false;
  uint64_t overlay_size = 0;
};
PeSummary summarize(const pe::Image& image);

// Facts produced for one file. Producers fill what they can; rules read what they need and
// return early when their input is absent.
struct FileAnalysis {
  Artifact artifact;
  std::optional<pe::Image> image;    // kind == pe and the headers parsed
  std::optional<PeSummary> pe;       // kept after `image` is released
  std::optional<DriverModel> model;  // recovered attack surface
  std::optional<sig::SignatureInfo> signature;  // PE images and catalogs: hashes, signatures, catalog membership
  // The scan's block lists, LOLDrivers catalogue and YARA rules (null: none given); shared, read-only.
  std::shared_ptr<const intel::Intelligence> intelligence;
};

}  // namespace drvsec
