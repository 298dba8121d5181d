// Recovers the DriverModel from a parsed PE image: kind, framework, machine, imports of
// interest, device and link names, version strings. Code-level recovery (dispatch routines,
// IOCTLs) builds on this.
#pragma once

#include "analysis/file_analysis.h"

namespace drvsec {

// `depth` headers: no code-level recovery (the model's code_analyzed stays false).
DriverModel recover_model_from_image(const pe::Image& image, AnalysisDepth depth = AnalysisDepth::code);

// Lower-cased module name as the kernel loader compares it ("NTOSKRNL.EXE" -> "ntoskrnl.exe").
std::string lowercase(std::string_view text);

}  // namespace drvsec
