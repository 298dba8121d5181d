#include "core/driver_model.h"

namespace drvsec {

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

}  // namespace drvsec
