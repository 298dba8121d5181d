// Finds how a KMDF driver binds to the framework: the WdfVersionBind call (imported from
// WDFLDR.SYS) and the WDF_BIND_INFO it passes: the KMDF version, the number of function-table
// entries the driver was built against, and FuncTable, where the table goes (up to KMDF 1.13 the
// driver's WdfFunctions array, which WdfVersionBind fills; from 1.15 on the WdfFunctions_<version>
// pointer variable, which receives the address of the framework's own table). The structure's
// layout and WdfVersionBind's prototype are the DDI module's (ddi/layouts.h, ddi/functions.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "disasm/values.h"

namespace drvsec {

struct WdfBinding {
  uint32_t call_rva = 0;           // the WdfVersionBind call
  uint32_t bind_info_rva = 0;
  uint32_t major = 0, minor = 0, build = 0;
  uint32_t function_count = 0;     // WDF_BIND_INFO.FuncCount
  uint32_t func_table_rva = 0;     // FuncTable: the WdfFunctions_<version> pointer (1.15+) or WdfFunctions array
};

struct WdfBindingResult {
  std::optional<WdfBinding> binding;
  std::string failure;                  // why there is no binding
  std::optional<uint32_t> failure_rva;  // where it failed, when known
};

// Looks for the WdfVersionBind call in the image's code and reads its WDF_BIND_INFO
// (bounds-checked; a FuncCount above kMaxWdfFunctionCount is rejected as implausible).
constexpr uint32_t kMaxWdfFunctionCount = 4096;
WdfBindingResult find_wdf_binding(disasm::CodeModel& code);

}  // namespace drvsec
