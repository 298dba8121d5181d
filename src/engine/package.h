// The package step: joins the inputs of a scan into driver packages, the unit the engine analyses,
// reports and shards. Rules (docs/README.md "Packages"):
//  1. An input whose name ends in .inf starts a package. It claims the inputs in its own folder whose
//     file names (compared case-insensitively) it installs: ServiceBinary and CopyFiles
//     (inf::installed_file_names), and the catalogs its CatalogFile lines name.
//  2. A file two INFs claim belongs to the first INF in path order.
//  3. Every other input is a package of one file (a lone .sys is a package of one).
// A package's key is its INF's path, or its one file's path; packages are in key order. The step
// reads only the INF files, so every shard of a scan forms the same packages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/discover.h"

namespace drvsec {

struct Package {
  std::string key;
  std::vector<DiscoveredInput> inputs;  // sorted by path; the INF, if any, among them
};

std::vector<Package> form_packages(const std::vector<DiscoveredInput>& inputs, uint64_t max_inf_size);

// --shard K/N: the shard (1..count) a package belongs to: the first 8 bytes of SHA-256(key), read
// big-endian, modulo count, plus one. The same on every machine and for every run over the same list.
uint32_t shard_of(std::string_view key, uint32_t count);

}  // namespace drvsec
