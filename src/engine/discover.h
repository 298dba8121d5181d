// Input discovery: expands files and folders into candidate files, and reads --files-from lists.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace drvsec {

// Expands files and folders (recursively, following symbolic links; a link back into a folder being
// walked is a loop, reported) into the sorted, de-duplicated list of candidate files. A folder that
// cannot be listed, a dangling link and a loop are inputs with an error, never skipped. Kinds are
// decided later, by content.
struct DiscoveredInput {
  std::string path;
  bool named = false;  // named on the command line: reported even when it is not a known kind
  std::string error;   // set when the path could not be listed or does not exist
};
std::vector<DiscoveredInput> discover_inputs(const std::vector<std::string>& paths);
// The same for the entries of a --files-from list: its files are not `named` (they are handled like
// files found in a folder), but a missing or unlistable entry is still reported.
std::vector<DiscoveredInput> discover_listed_inputs(const std::vector<std::string>& paths);

// The entries of a --files-from list: NUL-separated when the text holds a NUL byte, else one per
// line ("\r\n" or "\n"); empty entries are ignored.
std::vector<std::string> read_file_list(std::istream& in);

}  // namespace drvsec
