// Finding the catalog (.cat) files that sign a driver package: the .cat files in a driver's folder
// and the catalogs its INF files name ([Version] CatalogFile, CatalogFile.NT*). Used by the scan to
// match drivers named on the command line against catalogs that are not among the inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drvsec::inf {

// The catalogs the INF at `inf_path` names, resolved relative to the INF's folder: '\' is a path
// separator and file names compare case-insensitively, as on Windows. Names that resolve to no
// regular file are left out; an INF larger than `max_size` or unreadable names none. Normalized
// paths, sorted, unique.
std::vector<std::string> resolve_catalog_files(const std::string& inf_path, uint64_t max_size);

// The .cat files of `folder` and the catalogs its .inf files name (not recursive). Sorted, unique.
std::vector<std::string> catalogs_in_folder(const std::string& folder, uint64_t max_inf_size);

}  // namespace drvsec::inf
