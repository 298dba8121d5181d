#include "engine/discover.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>

namespace drvsec {

namespace fs = std::filesystem;

namespace {

std::vector<DiscoveredInput> discover(const std::vector<std::string>& paths, bool named) {
  std::vector<DiscoveredInput> out;
  std::set<std::string> seen;
  auto add = [&](DiscoveredInput in) {
    if (seen.insert(in.path).second) out.push_back(std::move(in));
  };
  for (const std::string& p : paths) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    // A path that is missing or cannot be listed is always reported, however it was given.
    if (ec || !fs::exists(status)) {
      add({p, true, ec ? ec.message() : "no such file or directory"});
      continue;
    }
    if (!fs::is_directory(status)) {
      add({p, named, {}});
      continue;
    }
    // skip_permission_denied: an unreadable subfolder must not abort the whole walk.
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      add({p, true, ec.message()});
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) {
        add({it->path().string(), false, ec.message()});
        ec.clear();
        continue;
      }
      std::error_code fec;
      if (it->is_regular_file(fec)) add({it->path().string(), false, {}});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

}  // namespace

std::vector<DiscoveredInput> discover_inputs(const std::vector<std::string>& paths) { return discover(paths, true); }

std::vector<DiscoveredInput> discover_listed_inputs(const std::vector<std::string>& paths) {
  return discover(paths, false);
}

std::vector<std::string> read_file_list(std::istream& in) {
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const char separator = text.find('\0') != std::string::npos ? '\0' : '\n';
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    std::string entry = text.substr(start, end - start);
    if (separator == '\n' && !entry.empty() && entry.back() == '\r') entry.pop_back();
    if (!entry.empty()) out.push_back(std::move(entry));
    start = end + 1;
  }
  return out;
}

}  // namespace drvsec
