#include "model/driver_model.h"

#include <array>

#include <fmt/format.h>

namespace drvsec {

std::string irp_major_name(uint8_t major) {
  static constexpr std::array<std::string_view, 28> kNames{
      "CREATE", "CREATE_NAMED_PIPE", "CLOSE", "READ", "WRITE", "QUERY_INFORMATION", "SET_INFORMATION", "QUERY_EA",
      "SET_EA", "FLUSH_BUFFERS", "QUERY_VOLUME_INFORMATION", "SET_VOLUME_INFORMATION", "DIRECTORY_CONTROL",
      "FILE_SYSTEM_CONTROL", "DEVICE_CONTROL", "INTERNAL_DEVICE_CONTROL", "SHUTDOWN", "LOCK_CONTROL", "CLEANUP",
      "CREATE_MAILSLOT", "QUERY_SECURITY", "SET_SECURITY", "POWER", "SYSTEM_CONTROL", "DEVICE_CHANGE", "QUERY_QUOTA",
      "SET_QUOTA", "PNP"};
  if (major < kNames.size()) return fmt::format("IRP_MJ_{}", kNames[major]);
  return fmt::format("IRP_MJ_0x{:X}", major);
}

std::string_view to_string(DriverFramework f) {
  switch (f) {
    case DriverFramework::wdm: return "wdm";
    case DriverFramework::kmdf: return "kmdf";
    case DriverFramework::ndis: return "ndis";
    case DriverFramework::storport: return "storport";
    case DriverFramework::minifilter: return "minifilter";
    case DriverFramework::other: return "other";
  }
  return "other";
}

std::string_view to_string(CapabilityCategory c) {
  switch (c) {
    case CapabilityCategory::physical_memory: return "physical_memory";
    case CapabilityCategory::user_mapping: return "user_mapping";
    case CapabilityCategory::process_control: return "process_control";
    case CapabilityCategory::port_io: return "port_io";
    case CapabilityCategory::firmware: return "firmware";
    case CapabilityCategory::banned_string: return "banned_string";
    case CapabilityCategory::deprecated_pool: return "deprecated_pool";
    case CapabilityCategory::tdi: return "tdi";
  }
  return "unknown";
}

std::string_view to_string(PrimitiveKind k) {
  switch (k) {
    case PrimitiveKind::msr_access: return "msr_access";
    case PrimitiveKind::port_io: return "port_io";
    case PrimitiveKind::control_register: return "control_register";
    case PrimitiveKind::physical_memory_map: return "physical_memory_map";
    case PrimitiveKind::kernel_memory_copy: return "kernel_memory_copy";
    case PrimitiveKind::process_handle: return "process_handle";
    case PrimitiveKind::user_mapping: return "user_mapping";
    case PrimitiveKind::firmware: return "firmware";
  }
  return "unknown";
}

std::string_view to_string(MemoryIntegrityIssue i) {
  switch (i) {
    case MemoryIntegrityIssue::executable_pool: return "executable_pool";
    case MemoryIntegrityIssue::executable_protection: return "executable_protection";
    case MemoryIntegrityIssue::executable_mdl_mapping: return "executable_mdl_mapping";
  }
  return "unknown";
}

}  // namespace drvsec

namespace drvsec {

Location DriverModel::code_location(std::optional<uint32_t> rva, std::optional<uint32_t> function_rva) const {
  Location l = at_rva(rva);
  l.function_rva = function_rva;
  if (function_rva)
    if (auto it = function_names.find(*function_rva); it != function_names.end()) l.function = it->second;
  return l;
}

std::string DriverModel::function_label(uint32_t rva) const {
  auto it = function_names.find(rva);
  return it != function_names.end() ? it->second : drvsec::function_label(rva);
}

const PrimitiveUse* DriverModel::primitive(std::string_view id) const {
  for (const PrimitiveUse& u : primitives)
    if (u.id == id) return &u;
  return nullptr;
}

std::string describe(const PrimitiveUse& u) {
  return fmt::format("{} {} @0x{:X}{}", to_string(u.kind), u.what, u.rva, u.controlled() ? " controlled" : "");
}

}  // namespace drvsec
