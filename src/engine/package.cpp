#include "engine/package.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "base/ascii.h"
#include "base/hash.h"
#include "base/mapped_file.h"
#include "base/paths.h"
#include "inf/catalog_lookup.h"
#include "inf/inf_file.h"

namespace drvsec {

namespace fs = std::filesystem;

namespace {

// What an INF claims, as lower-cased file names within its folder and normalized catalog paths.
struct InfClaims {
  std::vector<std::string> file_names;
  std::vector<std::string> catalogs;
};

InfClaims read_claims(const std::string& inf_path, uint64_t max_size) {
  InfClaims claims;
  try {
    const MappedFile file(inf_path, max_size);
    claims.file_names = inf::installed_file_names(inf::InfFile::parse(file.bytes()));
  } catch (const std::exception&) {
    // Unreadable or too large: it claims nothing; the scan reports the INF itself.
  }
  claims.catalogs = inf::resolve_catalog_files(inf_path, max_size);
  return claims;
}

}  // namespace

std::vector<Package> form_packages(const std::vector<DiscoveredInput>& inputs, uint64_t max_inf_size) {
  // Inputs by folder and lower-cased file name, and by normalized path (for CatalogFile targets).
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_folder_name;
  std::map<std::string, size_t> by_normal_path;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fs::path p(inputs[i].path);
    by_folder_name[{p.parent_path().lexically_normal().string(), ascii_lower(p.filename().string())}].push_back(i);
    by_normal_path.emplace(p.lexically_normal().string(), i);
  }

  std::vector<int64_t> owner(inputs.size(), -1);  // index of the claiming INF input
  for (size_t i = 0; i < inputs.size(); ++i) {    // path order: the first INF claims first
    const DiscoveredInput& in = inputs[i];
    if (!in.error.empty() || !has_extension(in.path, {".inf"}) || owner[i] >= 0) continue;
    owner[i] = static_cast<int64_t>(i);
    const InfClaims claims = read_claims(in.path, max_inf_size);
    const std::string folder = fs::path(in.path).parent_path().lexically_normal().string();
    auto claim = [&](size_t j) {
      if (owner[j] < 0 && inputs[j].error.empty() && !has_extension(inputs[j].path, {".inf"}))
        owner[j] = static_cast<int64_t>(i);
    };
    for (const std::string& name : claims.file_names)
      if (auto it = by_folder_name.find({folder, name}); it != by_folder_name.end())
        for (size_t j : it->second) claim(j);
    for (const std::string& catalog : claims.catalogs)
      if (auto it = by_normal_path.find(catalog); it != by_normal_path.end()) claim(it->second);
  }

  std::vector<Package> packages;
  std::map<size_t, size_t> package_of_inf;  // INF input index -> package index
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (owner[i] == static_cast<int64_t>(i) || owner[i] < 0) {
      if (owner[i] >= 0) package_of_inf.emplace(i, packages.size());
      packages.push_back({inputs[i].path, {inputs[i]}});
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (owner[i] >= 0 && owner[i] != static_cast<int64_t>(i))
      packages[package_of_inf.at(static_cast<size_t>(owner[i]))].inputs.push_back(inputs[i]);
  for (Package& p : packages)
    std::sort(p.inputs.begin(), p.inputs.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(packages.begin(), packages.end(), [](const Package& a, const Package& b) { return a.key < b.key; });
  return packages;
}

uint32_t shard_of(std::string_view key, uint32_t count) {
  if (count <= 1) return 1;
  const std::string digest = sha256_hex(key);
  const uint64_t h = std::stoull(digest.substr(0, 16), nullptr, 16);
  return static_cast<uint32_t>(h % count) + 1;
}

}  // namespace drvsec
