#include "engine/discover.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>

namespace drvsec {

namespace fs = std::filesystem;

namespace {

// Walks folders recursively. Symbolic links are followed (a corpus often links folders together);
// a folder already being walked higher up the same path is a loop, reported and not entered. Every
// folder that cannot be listed and every entry whose type cannot be read (a dangling link) is
// reported, never skipped: a scan that silently saw less than it was given would look clean.
// Why an entry's type cannot be read: a link whose target is missing says so.
std::string unreadable_entry(const fs::path& entry, const std::error_code& ec) {
  std::error_code lec;
  if (fs::is_symlink(fs::symlink_status(entry, lec))) {
    std::error_code rec;
    const fs::path target = fs::read_symlink(entry, rec);
    return "symbolic link to " + (rec ? std::string("an unreadable target") : target.string()) + ": " + ec.message();
  }
  return ec.message();
}

class Walker {
 public:
  Walker(std::vector<DiscoveredInput>& out, std::set<std::string>& seen) : out_(out), seen_(seen) {}

  void walk(const fs::path& folder) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(folder, ec);
    if (ec) return add({folder.string(), false, ec.message()});
    if (!open_.insert(canonical.string()).second)
      return add({folder.string(), false, "symbolic link loop: " + canonical.string() + " is a folder it is inside"});
    fs::directory_iterator it(folder, ec), end;
    if (ec) {
      add({folder.string(), false, "cannot list folder: " + ec.message()});
    } else {
      std::vector<fs::path> entries;
      for (; it != end; it.increment(ec)) entries.push_back(it->path());  // an error ends the iteration
      if (ec) add({folder.string(), false, "cannot list folder: " + ec.message()});
      std::sort(entries.begin(), entries.end());
      for (const fs::path& entry : entries) {
        std::error_code sec;
        const fs::file_status status = fs::status(entry, sec);  // follows links
        if (sec) add({entry.string(), false, unreadable_entry(entry, sec)});
        else if (fs::is_directory(status)) walk(entry);
        else if (fs::is_regular_file(status)) add({entry.string(), false, {}});
        // sockets, FIFOs and devices are not inputs
      }
    }
    open_.erase(canonical.string());
  }

  void add(DiscoveredInput in) {
    if (seen_.insert(in.path).second) out_.push_back(std::move(in));
  }

 private:
  std::vector<DiscoveredInput>& out_;
  std::set<std::string>& seen_;
  std::set<std::string> open_;  // canonical folders on the current path
};

std::vector<DiscoveredInput> discover(const std::vector<std::string>& paths, bool named) {
  std::vector<DiscoveredInput> out;
  std::set<std::string> seen;
  Walker walker(out, seen);
  for (const std::string& p : paths) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    // A path that is missing or cannot be listed is always reported, however it was given.
    if (ec || !fs::exists(status)) {
      walker.add({p, true, ec ? unreadable_entry(p, ec) : "no such file or directory"});
      continue;
    }
    if (!fs::is_directory(status)) {
      walker.add({p, named, {}});
      continue;
    }
    walker.walk(p);
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
