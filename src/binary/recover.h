// Recovers the DriverModel from a parsed PE image: kind, framework, machine, imports of
// interest, device and link names, version strings. Code-level recovery (dispatch routines,
// IOCTLs) builds on this.
#pragma once

#include "core/analysis.h"

namespace drvsec {

DriverModel recover_model_from_image(const pe::Image& image);

// Lower-cased module name as the kernel loader compares it ("NTOSKRNL.EXE" -> "ntoskrnl.exe").
std::string lowercase(std::string_view text);

}  // namespace drvsec
