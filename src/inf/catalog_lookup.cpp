#include "inf/catalog_lookup.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "base/ascii.h"
#include "base/paths.h"
#include "base/mapped_file.h"
#include "inf/inf_file.h"

namespace drvsec::inf {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxFolderEntries = 100'000;  // a folder listing is bounded like everything else

// The regular file (or folder) of `folder` whose name equals `name` ignoring ASCII case; an exact
// match first, else the smallest matching path (deterministic).
std::optional<fs::path> find_in_folder(const fs::path& folder, const std::string& name, bool want_folder) {
  auto is_wanted = [want_folder](const fs::path& p) {
    std::error_code ec;
    return want_folder ? fs::is_directory(p, ec) : fs::is_regular_file(p, ec);
  };
  if (is_wanted(folder / name)) return folder / name;
  const std::string wanted = ascii_lower(name);
  std::optional<fs::path> found;
  std::error_code ec;
  size_t seen = 0;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end && seen < kMaxFolderEntries; it.increment(ec), ++seen)
    if (ascii_lower(it->path().filename().string()) == wanted && is_wanted(it->path()) && (!found || it->path() < *found))
      found = it->path();
  return found;
}

}  // namespace

std::vector<std::string> resolve_catalog_files(const std::string& inf_path, uint64_t max_size) {
  std::set<std::string> out;
  try {
    const MappedFile file(inf_path, max_size);
    const InfFile inf = InfFile::parse(file.bytes());
    for (std::string name : catalog_files(inf)) {
      std::replace(name.begin(), name.end(), '\\', '/');
      if (name.empty() || name.front() == '/' || name.find(':') != std::string::npos) continue;  // relative names only
      // Resolve each component case-insensitively, starting at the INF's folder.
      fs::path at = fs::path(inf_path).parent_path();
      if (at.empty()) at = ".";
      bool resolved = true;
      const fs::path relative(name);
      for (auto part = relative.begin(); part != relative.end() && resolved; ++part) {
        const std::string component = part->string();
        if (component == "." || component.empty()) continue;
        if (component == "..") {
          at /= "..";
          continue;
        }
        auto next = find_in_folder(at, component, std::next(part) != relative.end());
        resolved = next.has_value();
        if (resolved) at = *next;
      }
      if (resolved) out.insert(at.lexically_normal().string());
    }
  } catch (const std::exception&) {
    // Unreadable or too large: it names no catalog. (An INF among the inputs is reported by the scan.)
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> catalogs_in_folder(const std::string& folder, uint64_t max_inf_size) {
  std::set<std::string> out;
  std::error_code ec;
  size_t seen = 0;
  const fs::path base = folder.empty() ? fs::path(".") : fs::path(folder);
  for (fs::directory_iterator it(base, ec), end; !ec && it != end && seen < kMaxFolderEntries; it.increment(ec), ++seen) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    if (has_extension(it->path().string(), {".cat"})) out.insert(it->path().lexically_normal().string());
    else if (has_extension(it->path().string(), {".inf"}))
      for (std::string& c : resolve_catalog_files(it->path().string(), max_inf_size)) out.insert(std::move(c));
  }
  return {out.begin(), out.end()};
}

}  // namespace drvsec::inf
