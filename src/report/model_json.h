// JSON views of model pieces, shared by the JSON report and `drvsec ioctl list --format json`.
#pragma once

#include <string>

#include "analysis/file_analysis.h"
#include "engine/scan.h"
#include "model/driver_model.h"
#include "model/finding.h"
#include "report/json_writer.h"

namespace drvsec {

void write_finding(JsonWriter& w, const Finding& f);
// The members of a finding's object, for objects that add their own (suppressed[] in the JSON report).
void write_finding_members(JsonWriter& w, const Finding& f);
// "files": [{"path", "role"}] of a package.
void write_package_files(JsonWriter& w, const std::vector<PackageFile>& files);
// The members of a location (docs/json.md): path, rva, function_rva, function, line, column, end_line, end_column.
void write_location_members(JsonWriter& w, const Location& l);
void write_ioctl(JsonWriter& w, const Ioctl& io, const DriverModel& model);
void write_model(JsonWriter& w, const std::string& path, const DriverModel& m);
// The artifact's JSON: path, kind, hashes, errors, PE summary and signature.
void write_artifact(JsonWriter& w, const FileAnalysis& f);

}  // namespace drvsec
