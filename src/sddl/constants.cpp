#include "sddl/constants.h"

namespace drvsec::sddl {
namespace {

constexpr DevobjConstant kConstants[] = {
    {"SDDL_DEVOBJ_KERNEL_ONLY", "D:P", "an empty DACL: no user-mode caller, not even SYSTEM, can open the device"},
    {"SDDL_DEVOBJ_INF_SUPPLIED", "D:P", "the same as SDDL_DEVOBJ_KERNEL_ONLY, for a PDO whose INF supplies the ACL"},
    {"SDDL_DEVOBJ_SYS_ALL", "D:P(A;;GA;;;SY)", "SYSTEM gets all access; nobody else can open the device"},
    {"SDDL_DEVOBJ_SYS_ALL_ADM_ALL", "D:P(A;;GA;;;SY)(A;;GA;;;BA)",
     "SYSTEM and Administrators get all access; nobody else can open the device"},
    {"SDDL_DEVOBJ_SYS_ALL_ADM_RX", "D:P(A;;GA;;;SY)(A;;GRGX;;;BA)",
     "SYSTEM gets all access, Administrators read and execute (traverse)"},
    {"SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R", "D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GR;;;WD)",
     "SYSTEM all, Administrators read/write/execute (not WRITE_DAC), Everyone read; restricted code nothing"},
    {"SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R_RES_R", "D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GR;;;WD)(A;;GR;;;RC)",
     "SYSTEM all, Administrators read/write/execute, Everyone and restricted code read"},
    {"SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R", "D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGW;;;WD)(A;;GR;;;RC)",
     "SYSTEM all, Administrators read/write/execute, Everyone read/write, restricted code read"},
    {"SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX",
     "D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC)",
     "SYSTEM all; Administrators, Everyone and restricted code read/write/execute (the weakest template)"},
};

}  // namespace

std::span<const DevobjConstant> devobj_constants() { return kConstants; }

const DevobjConstant* find_devobj_constant(std::string_view name) {
  for (const auto& c : kConstants)
    if (c.name == name) return &c;
  return nullptr;
}

const DevobjConstant* devobj_constant_for(std::string_view sddl) {
  for (const auto& c : kConstants)
    if (c.sddl == sddl && c.name != "SDDL_DEVOBJ_INF_SUPPLIED") return &c;
  return nullptr;
}

}  // namespace drvsec::sddl
