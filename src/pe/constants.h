// PE/COFF constants from the PE format specification (winnt.h names in comments).
#pragma once

#include <cstdint>

namespace drvsec::pe {

namespace machine {
inline constexpr uint16_t i386 = 0x14C;   // IMAGE_FILE_MACHINE_I386
inline constexpr uint16_t amd64 = 0x8664; // IMAGE_FILE_MACHINE_AMD64
inline constexpr uint16_t armnt = 0x1C4;  // IMAGE_FILE_MACHINE_ARMNT
inline constexpr uint16_t arm64 = 0xAA64; // IMAGE_FILE_MACHINE_ARM64
}  // namespace machine

namespace subsystem {
inline constexpr uint16_t native = 1;
inline constexpr uint16_t windows_gui = 2;
inline constexpr uint16_t windows_cui = 3;
}  // namespace subsystem

namespace file_flag {  // COFF Characteristics
inline constexpr uint16_t executable_image = 0x0002;
inline constexpr uint16_t dll = 0x2000;
inline constexpr uint16_t system = 0x1000;
}  // namespace file_flag

namespace dllchar {  // OptionalHeader.DllCharacteristics
inline constexpr uint16_t high_entropy_va = 0x0020;
inline constexpr uint16_t dynamic_base = 0x0040;
inline constexpr uint16_t force_integrity = 0x0080;
inline constexpr uint16_t nx_compat = 0x0100;
inline constexpr uint16_t no_seh = 0x0400;
inline constexpr uint16_t wdm_driver = 0x2000;
inline constexpr uint16_t guard_cf = 0x4000;
}  // namespace dllchar

namespace dllchar_ex {  // IMAGE_DEBUG_TYPE_EX_DLLCHARACTERISTICS
inline constexpr uint32_t cet_compat = 0x01;
}  // namespace dllchar_ex

namespace scn {  // IMAGE_SCN_*
inline constexpr uint32_t cnt_code = 0x00000020;
inline constexpr uint32_t cnt_initialized_data = 0x00000040;
inline constexpr uint32_t mem_discardable = 0x02000000;
inline constexpr uint32_t mem_not_paged = 0x08000000;
inline constexpr uint32_t mem_shared = 0x10000000;
inline constexpr uint32_t mem_execute = 0x20000000;
inline constexpr uint32_t mem_read = 0x40000000;
inline constexpr uint32_t mem_write = 0x80000000;
}  // namespace scn

namespace dir {  // data directory indexes
inline constexpr int export_ = 0;
inline constexpr int import = 1;
inline constexpr int resource = 2;
inline constexpr int exception = 3;
inline constexpr int security = 4;
inline constexpr int basereloc = 5;
inline constexpr int debug = 6;
inline constexpr int load_config = 10;
inline constexpr int iat = 12;
inline constexpr int delay_import = 13;
inline constexpr int clr = 14;
}  // namespace dir

namespace reloc {  // IMAGE_REL_BASED_*
inline constexpr uint8_t absolute = 0;
inline constexpr uint8_t highlow = 3;
inline constexpr uint8_t dir64 = 10;
}  // namespace reloc

namespace guard {  // IMAGE_GUARD_* in LoadConfig.GuardFlags
inline constexpr uint32_t cf_instrumented = 0x00000100;
inline constexpr uint32_t cfw_instrumented = 0x00000200;
inline constexpr uint32_t cf_function_table_present = 0x00000400;
inline constexpr uint32_t security_cookie_unused = 0x00000800;
inline constexpr uint32_t retpoline_present = 0x00100000;
inline constexpr uint32_t xfg_enabled = 0x00800000;
}  // namespace guard

namespace debug_type {
inline constexpr uint32_t codeview = 2;
inline constexpr uint32_t pogo = 13;
inline constexpr uint32_t repro = 16;
inline constexpr uint32_t ex_dllcharacteristics = 20;
}  // namespace debug_type

}  // namespace drvsec::pe
