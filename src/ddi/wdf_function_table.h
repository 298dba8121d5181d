// The KMDF function table: WdfVersionBind fills the driver's WdfFunctions_<version> variable with
// the address of an array of routine pointers, and every WDF API call in a KMDF driver is an
// indirect call through one entry of it ("call [table + index * pointer size]").
//
// The order of the entries is the WDFFUNCENUM enumeration of the public KMDF headers
// (wdffuncenum.h). It is append-only across KMDF versions (1.15 is a prefix of 1.33), so one
// ordered list serves every version; a driver's WDF_BIND_INFO.FuncCount says how many entries
// its table has.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace drvsec::ddi {

// The module the routines of the table are named after: calls through it resolve to
// ImportRef{"wdf01000.sys", "WdfDriverCreate", ...}, and the DDI table lists them in it.
inline constexpr std::string_view kWdfFunctionTableModule = "wdf01000.sys";

// Entries in our list (WdfFunctionTableNumEntries of KMDF 1.33).
uint32_t wdf_function_table_size();
// Name of the routine at `index` ("WdfDriverCreate"), empty past the end of the list.
std::string_view wdf_function_name(uint32_t index);
// Index of a routine by name.
std::optional<uint32_t> wdf_function_index(std::string_view name);

}  // namespace drvsec::ddi
