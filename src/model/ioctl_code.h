// CTL_CODE layout: (DeviceType << 16) | (Access << 14) | (Function << 2) | Method.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace drvsec {

struct IoctlFields {
  uint32_t device_type = 0;  // bits 16-31 (bit 31: "common"/vendor)
  uint32_t access = 0;       // bits 14-15
  uint32_t function = 0;     // bits 2-13 (bit 13: "custom"/vendor)
  uint32_t method = 0;       // bits 0-1
};

IoctlFields decode_ioctl(uint32_t code);
// nullopt when a field does not fit its bit width.
std::optional<uint32_t> encode_ioctl(uint32_t device_type, uint32_t function, uint32_t method, uint32_t access);

std::string_view method_name(uint32_t method);  // METHOD_BUFFERED, ...
std::string_view access_name(uint32_t access);  // FILE_ANY_ACCESS, ...
// FILE_DEVICE_* name for the well-known device types, empty otherwise.
std::string_view device_type_name(uint32_t device_type);

// Parse helpers for the CLI: accept a number (dec/hex) or a symbolic name.
std::optional<uint32_t> parse_method(std::string_view text);
std::optional<uint32_t> parse_access(std::string_view text);
std::optional<uint32_t> parse_device_type(std::string_view text);
std::optional<uint64_t> parse_number(std::string_view text);  // 123, 0x7B

// An IOCTL code as users type it or copy it from an advisory or a disassembly (`ioctl decode`):
//   0x222003, 0X22201C   hex                 222003h, 22201Ch   hex (assembler/IDA suffix)
//   22201C               hex (it has a hex letter, so it can only be hex)
//   0n2236419            decimal (WinDbg's prefix)
//   4294967295           decimal (too long for a 32-bit code in hex)
// Text without a prefix or suffix is read in each base in which it is a 32-bit number; when it is
// one in both and the two readings differ ("222003": 0x222003 or 0x363B3), it is ambiguous and
// refused, and `error` names both readings and how to write each. Surrounding blanks are ignored.
struct ParsedIoctlCode {
  std::optional<uint32_t> code;
  std::string error;  // why there is no code: "'222003' is ambiguous: ..."
};
ParsedIoctlCode parse_ioctl_code(std::string_view text);

}  // namespace drvsec
