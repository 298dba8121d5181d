// JSON views of model pieces, shared by the JSON and SARIF writers.
#pragma once

#include <nlohmann/json.hpp>

#include "core/driver_model.h"
#include "core/finding.h"

namespace drvsec {

nlohmann::ordered_json finding_to_json(const Finding& f);
nlohmann::ordered_json ioctl_to_json(const Ioctl& io);
nlohmann::ordered_json model_to_json(const std::string& path, const DriverModel& m);

}  // namespace drvsec
