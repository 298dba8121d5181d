// Everything known about one input file while rules run over it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/driver_model.h"
#include "pe/image.h"
#include "sig/signature.h"

namespace drvsec {

namespace intel {
class Intelligence;  // src/intel/intelligence.h
}

enum class InputKind { pe, inf, source, unknown };
std::string_view to_string(InputKind k);

struct Artifact {
  std::string path;
  InputKind kind = InputKind::unknown;
  uint64_t size = 0;
  std::string sha256;
  std::vector<std::string> errors;  // why (part of) this input could not be analyzed
};

// Facts produced for one file. Producers fill what they can; rules read what they need and
// return early when their input is absent.
struct FileAnalysis {
  Artifact artifact;
  std::optional<pe::Image> image;    // kind == pe and the headers parsed
  std::optional<DriverModel> model;  // recovered attack surface
  std::optional<sig::SignatureInfo> signature;  // hashes, Authenticode digests, signers (src/sig)
  // The scan's block lists, LOLDrivers catalogue and YARA rules (null: none given); shared, read-only.
  std::shared_ptr<const intel::Intelligence> intelligence;
};

}  // namespace drvsec
