// The LOLDrivers catalogue (loldrivers.io), as its JSON export: one record per driver family
// with a category ("vulnerable driver" / "malicious"), CVEs and known samples identified by file
// hashes (MD5, SHA-1, SHA-256) and Authenticode hashes ("Authentihash").
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "intel/facts.h"
#include "intel/sipolicy.h"  // LoadError

namespace drvsec::intel {

enum class LolCategory { vulnerable, malicious, other };

struct LolEntry {
  std::string id;              // UUID
  LolCategory category = LolCategory::other;
  std::string category_text;   // as written
  std::vector<std::string> cves;
  std::vector<std::string> tags;  // usually the driver's file names
  bool verified = false;
};

struct LolSample {
  size_t entry = 0;            // index into LolDrivers::entries()
  std::string file_name;       // OriginalFilename, else Filename
  std::string file_version;
};

enum class LolHashKind { file_md5, file_sha1, file_sha256, authentihash_sha1, authentihash_sha256 };
std::string_view to_string(LolHashKind k);

struct LolMatch {
  const LolEntry* entry = nullptr;
  const LolSample* sample = nullptr;
  LolHashKind kind;
  std::string hash;
};

class LolDrivers {
 public:
  // Throws LoadError (unreadable, not JSON, not an array of records).
  static LolDrivers load_file(const std::string& path);
  static LolDrivers parse(std::string_view json);

  // Every entry whose sample has one of the file's hashes; one match per (entry, hash kind),
  // sorted by entry id then kind. O(1) per hash the file has.
  std::vector<LolMatch> match(const FileFacts& file) const;

  const std::vector<LolEntry>& entries() const { return entries_; }
  size_t sample_count() const { return samples_.size(); }

 private:
  class Reader;  // the catalogue's JSON reader (loldrivers.cpp)
  struct Key {
    size_t sample;
    LolHashKind kind;
  };
  std::vector<LolEntry> entries_;
  std::vector<LolSample> samples_;
  std::unordered_map<std::string, std::vector<Key>> by_hash_;  // lower-case hex -> samples
};

}  // namespace drvsec::intel
