// The SDDL strings that wdmsec.h declares for device objects (SDDL_DEVOBJ_*), by name. This is the
// one table of them in drvsec: whatever needs to recognise one asks here.
//
// Sources: Microsoft Learn, "SDDL for Device Objects"
// (https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/sddl-for-device-objects), which
// gives KERNEL_ONLY, SYS_ALL, SYS_ALL_ADM_ALL, SYS_ALL_ADM_RWX_WORLD_R and ..._WORLD_R_RES_R; the
// other three (SYS_ALL_ADM_RX, ..._WORLD_RW_RES_R, ..._WORLD_RWX_RES_RWX) are given by the comments of
// the WDK's wdmsec.h, where each declaration is preceded by its DECLARE_CONST_UNICODE_STRING.
// SDDL_DEVOBJ_INF_SUPPLIED is a #define of SDDL_DEVOBJ_KERNEL_ONLY in that header.
#pragma once

#include <span>
#include <string_view>

namespace drvsec::sddl {

struct DevobjConstant {
  std::string_view name;     // "SDDL_DEVOBJ_SYS_ALL"
  std::string_view sddl;     // "D:P(A;;GA;;;SY)"
  std::string_view meaning;  // plain words
};

// Every SDDL_DEVOBJ_* constant, SDDL_DEVOBJ_INF_SUPPLIED included, in wdmsec.h order.
std::span<const DevobjConstant> devobj_constants();
// The constant called `name` (exact, upper case), or nullptr.
const DevobjConstant* find_devobj_constant(std::string_view name);
// The first constant whose string is exactly `sddl`, or nullptr (INF_SUPPLIED is never returned:
// it is KERNEL_ONLY under another name).
const DevobjConstant* devobj_constant_for(std::string_view sddl);

}  // namespace drvsec::sddl
