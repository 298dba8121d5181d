#include "model/ioctl_code.h"

#include <array>
#include <charconv>

#include <fmt/format.h>
#include <utility>

namespace drvsec {

namespace {

// FILE_DEVICE_* values from the WDK's devioctl.h (same in mingw-w64's ddk headers).
constexpr std::array<std::pair<uint32_t, std::string_view>, 89> kDeviceTypes{{
    {0x00000001, "FILE_DEVICE_BEEP"},
    {0x00000002, "FILE_DEVICE_CD_ROM"},
    {0x00000003, "FILE_DEVICE_CD_ROM_FILE_SYSTEM"},
    {0x00000004, "FILE_DEVICE_CONTROLLER"},
    {0x00000005, "FILE_DEVICE_DATALINK"},
    {0x00000006, "FILE_DEVICE_DFS"},
    {0x00000007, "FILE_DEVICE_DISK"},
    {0x00000008, "FILE_DEVICE_DISK_FILE_SYSTEM"},
    {0x00000009, "FILE_DEVICE_FILE_SYSTEM"},
    {0x0000000a, "FILE_DEVICE_INPORT_PORT"},
    {0x0000000b, "FILE_DEVICE_KEYBOARD"},
    {0x0000000c, "FILE_DEVICE_MAILSLOT"},
    {0x0000000d, "FILE_DEVICE_MIDI_IN"},
    {0x0000000e, "FILE_DEVICE_MIDI_OUT"},
    {0x0000000f, "FILE_DEVICE_MOUSE"},
    {0x00000010, "FILE_DEVICE_MULTI_UNC_PROVIDER"},
    {0x00000011, "FILE_DEVICE_NAMED_PIPE"},
    {0x00000012, "FILE_DEVICE_NETWORK"},
    {0x00000013, "FILE_DEVICE_NETWORK_BROWSER"},
    {0x00000014, "FILE_DEVICE_NETWORK_FILE_SYSTEM"},
    {0x00000015, "FILE_DEVICE_NULL"},
    {0x00000016, "FILE_DEVICE_PARALLEL_PORT"},
    {0x00000017, "FILE_DEVICE_PHYSICAL_NETCARD"},
    {0x00000018, "FILE_DEVICE_PRINTER"},
    {0x00000019, "FILE_DEVICE_SCANNER"},
    {0x0000001a, "FILE_DEVICE_SERIAL_MOUSE_PORT"},
    {0x0000001b, "FILE_DEVICE_SCSI"},
    {0x0000001c, "FILE_DEVICE_SCREEN"},
    {0x0000001d, "FILE_DEVICE_SOUND"},
    {0x0000001e, "FILE_DEVICE_STREAMS"},
    {0x0000001f, "FILE_DEVICE_TAPE"},
    {0x00000020, "FILE_DEVICE_TAPE_FILE_SYSTEM"},
    {0x00000021, "FILE_DEVICE_TRANSPORT"},
    {0x00000022, "FILE_DEVICE_UNKNOWN"},
    {0x00000023, "FILE_DEVICE_VIDEO"},
    {0x00000024, "FILE_DEVICE_VIRTUAL_DISK"},
    {0x00000025, "FILE_DEVICE_WAVE_IN"},
    {0x00000026, "FILE_DEVICE_WAVE_OUT"},
    {0x00000027, "FILE_DEVICE_8042_PORT"},
    {0x00000028, "FILE_DEVICE_NETWORK_REDIRECTOR"},
    {0x00000029, "FILE_DEVICE_BATTERY"},
    {0x0000002a, "FILE_DEVICE_BUS_EXTENDER"},
    {0x0000002b, "FILE_DEVICE_MODEM"},
    {0x0000002c, "FILE_DEVICE_VDM"},
    {0x0000002d, "FILE_DEVICE_MASS_STORAGE"},
    {0x0000002e, "FILE_DEVICE_SMB"},
    {0x0000002f, "FILE_DEVICE_KS"},
    {0x00000030, "FILE_DEVICE_CHANGER"},
    {0x00000031, "FILE_DEVICE_SMARTCARD"},
    {0x00000032, "FILE_DEVICE_ACPI"},
    {0x00000033, "FILE_DEVICE_DVD"},
    {0x00000034, "FILE_DEVICE_FULLSCREEN_VIDEO"},
    {0x00000035, "FILE_DEVICE_DFS_FILE_SYSTEM"},
    {0x00000036, "FILE_DEVICE_DFS_VOLUME"},
    {0x00000037, "FILE_DEVICE_SERENUM"},
    {0x00000038, "FILE_DEVICE_TERMSRV"},
    {0x00000039, "FILE_DEVICE_KSEC"},
    {0x0000003A, "FILE_DEVICE_FIPS"},
    {0x0000003B, "FILE_DEVICE_INFINIBAND"},
    {0x0000003E, "FILE_DEVICE_VMBUS"},
    {0x0000003F, "FILE_DEVICE_CRYPT_PROVIDER"},
    {0x00000040, "FILE_DEVICE_WPD"},
    {0x00000041, "FILE_DEVICE_BLUETOOTH"},
    {0x00000042, "FILE_DEVICE_MT_COMPOSITE"},
    {0x00000043, "FILE_DEVICE_MT_TRANSPORT"},
    {0x00000044, "FILE_DEVICE_BIOMETRIC"},
    {0x00000045, "FILE_DEVICE_PMI"},
    {0x00000046, "FILE_DEVICE_EHSTOR"},
    {0x00000047, "FILE_DEVICE_DEVAPI"},
    {0x00000048, "FILE_DEVICE_GPIO"},
    {0x00000049, "FILE_DEVICE_USBEX"},
    {0x00000050, "FILE_DEVICE_CONSOLE"},
    {0x00000051, "FILE_DEVICE_NFP"},
    {0x00000052, "FILE_DEVICE_SYSENV"},
    {0x00000053, "FILE_DEVICE_VIRTUAL_BLOCK"},
    {0x00000054, "FILE_DEVICE_POINT_OF_SERVICE"},
    {0x00000055, "FILE_DEVICE_STORAGE_REPLICATION"},
    {0x00000056, "FILE_DEVICE_TRUST_ENV"},
    {0x00000057, "FILE_DEVICE_UCM"},
    {0x00000058, "FILE_DEVICE_UCMTCPCI"},
    {0x00000059, "FILE_DEVICE_PERSISTENT_MEMORY"},
    {0x0000005a, "FILE_DEVICE_NVDIMM"},
    {0x0000005b, "FILE_DEVICE_HOLOGRAPHIC"},
    {0x0000005c, "FILE_DEVICE_SDFXHCI"},
    {0x0000005d, "FILE_DEVICE_UCMUCSI"},
    {0x0000005e, "FILE_DEVICE_PRM"},
    {0x0000005f, "FILE_DEVICE_EVENT_COLLECTOR"},
    {0x00000060, "FILE_DEVICE_USB4"},
    {0x00000061, "FILE_DEVICE_SOUNDWIRE"},
}};

constexpr std::array<std::string_view, 4> kMethods{"METHOD_BUFFERED", "METHOD_IN_DIRECT", "METHOD_OUT_DIRECT",
                                                   "METHOD_NEITHER"};
constexpr std::array<std::string_view, 4> kAccess{"FILE_ANY_ACCESS", "FILE_READ_ACCESS", "FILE_WRITE_ACCESS",
                                                  "FILE_READ_ACCESS|FILE_WRITE_ACCESS"};

template <size_t N>
std::optional<uint32_t> parse_name_or_number(std::string_view text, const std::array<std::string_view, N>& names,
                                             uint32_t max) {
  for (size_t i = 0; i < N; ++i)
    if (text == names[i]) return static_cast<uint32_t>(i);
  auto n = parse_number(text);
  if (n && *n <= max) return static_cast<uint32_t>(*n);
  return std::nullopt;
}

}  // namespace

IoctlFields decode_ioctl(uint32_t code) {
  return {code >> 16, (code >> 14) & 3, (code >> 2) & 0xFFF, code & 3};
}

std::optional<uint32_t> encode_ioctl(uint32_t device_type, uint32_t function, uint32_t method, uint32_t access) {
  if (device_type > 0xFFFF || function > 0xFFF || method > 3 || access > 3) return std::nullopt;
  return (device_type << 16) | (access << 14) | (function << 2) | method;
}

std::string_view method_name(uint32_t method) { return kMethods[method & 3]; }
std::string_view access_name(uint32_t access) { return kAccess[access & 3]; }

std::string_view device_type_name(uint32_t device_type) {
  for (const auto& [value, name] : kDeviceTypes)
    if (value == device_type) return name;
  return {};
}

std::optional<uint64_t> parse_number(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint32_t> parse_method(std::string_view text) {
  for (size_t i = 0; i < kMethods.size(); ++i)
    if (text == kMethods[i] || text == kMethods[i].substr(7)) return static_cast<uint32_t>(i);  // "NEITHER"
  return parse_name_or_number(text, kMethods, 3);
}

std::optional<uint32_t> parse_access(std::string_view text) {
  if (text == "FILE_SPECIAL_ACCESS" || text == "ANY") return 0;
  if (text == "READ") return 1;
  if (text == "WRITE") return 2;
  if (text == "READ_WRITE" || text == "FILE_READ_WRITE_ACCESS") return 3;
  return parse_name_or_number(text, kAccess, 3);
}

std::optional<uint32_t> parse_device_type(std::string_view text) {
  for (const auto& [value, name] : kDeviceTypes)
    if (text == name || text == name.substr(12)) return value;  // "UNKNOWN" for FILE_DEVICE_UNKNOWN
  auto n = parse_number(text);
  if (n && *n <= 0xFFFF) return static_cast<uint32_t>(*n);
  return std::nullopt;
}

namespace {

// `digits` read in `base` when they are all digits of it and the value fits 32 bits.
std::optional<uint32_t> read_u32(std::string_view digits, int base) {
  if (digits.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec != std::errc{} || end != digits.data() + digits.size() || value > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<uint32_t>(value);
}

bool all_of_base(std::string_view digits, int base) {
  if (digits.empty()) return false;
  for (char c : digits) {
    const bool dec = c >= '0' && c <= '9';
    const bool hex = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!(dec || (base == 16 && hex))) return false;
  }
  return true;
}

}  // namespace

ParsedIoctlCode parse_ioctl_code(std::string_view text) {
  const std::string_view blanks = " \t\r\n";
  const size_t first = text.find_first_not_of(blanks);
  text = first == std::string_view::npos ? std::string_view{} : text.substr(first, text.find_last_not_of(blanks) - first + 1);
  const std::string shown(text);
  if (text.empty()) return {std::nullopt, "an IOCTL code is needed, e.g. 0x222003"};

  int base = 0;  // 0: no prefix or suffix
  std::string_view digits = text;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'n' || text[1] == 'N')) {
    base = 10;
    digits.remove_prefix(2);
  } else if (text.size() > 1 && (text.back() == 'h' || text.back() == 'H')) {
    base = 16;
    digits.remove_suffix(1);
  }
  if (base != 0) {
    if (!all_of_base(digits, base))
      return {std::nullopt, fmt::format("'{}' is not a {} number", shown, base == 16 ? "hexadecimal" : "decimal")};
    if (auto code = read_u32(digits, base)) return {code, {}};
    return {std::nullopt, fmt::format("'{}' does not fit in 32 bits", shown)};
  }
  if (!all_of_base(digits, 16))
    return {std::nullopt, fmt::format("'{}' is not an IOCTL code (write it as 0x222003, 222003h, 22201C or 0n2236419)", shown)};
  const auto as_hex = read_u32(digits, 16);
  const auto as_dec = all_of_base(digits, 10) ? read_u32(digits, 10) : std::nullopt;
  if (as_hex && as_dec && *as_hex != *as_dec)
    return {std::nullopt,
            fmt::format("'{0}' is ambiguous: hexadecimal 0x{1:08X} or decimal {0} (0x{2:08X}); write 0x{0} or {0}h "
                        "for hexadecimal, 0n{0} for decimal",
                        shown, *as_hex, *as_dec)};
  if (as_hex) return {as_hex, {}};
  if (as_dec) return {as_dec, {}};
  return {std::nullopt, fmt::format("'{}' does not fit in 32 bits", shown)};
}

}  // namespace drvsec
