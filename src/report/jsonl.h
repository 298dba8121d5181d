// --format jsonl (docs/json.md "JSON Lines"): a header record, one record per package as it
// completes, and an end record that says the run finished. `drvsec merge` reads these files back
// into records and builds exactly the report an unsharded scan gives.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.h"

namespace drvsec {

// What a shard's run was: merged shards must agree on everything but the shard index.
struct ShardHeader {
  int schema_version = 0;
  std::string tool_version;
  AnalysisDepth depth = AnalysisDepth::code;
  ShardSpec shard;
  size_t all_packages = 0;            // packages of the whole scan, every shard together
  std::vector<std::string> packages;  // this shard's package keys, in key order
  std::vector<std::string> only_rules, excluded_rules;
  uint64_t max_file_size = 0;
  std::vector<std::string> intelligence;  // the --blocklist/--loldrivers/--yara files given, by kind:path
};

int jsonl_schema_version();
void write_header_record(const ShardHeader& header, std::ostream& out);
std::string package_record_line(const PackageRecord& record);  // one line, '\n' included
void write_end_record(size_t packages, std::ostream& out);

// A jsonl file that is not what drvsec writes: "<path>:<line>: why".
struct JsonlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ShardFile {
  std::string path;
  ShardHeader header;
  std::vector<PackageRecord> records;
  bool complete = false;  // the end record was read: the run finished
};
// Reads one shard file; throws JsonlError when it is unreadable, has no header, or a line is not a
// valid record. A file cut short (no end record) is returned with complete = false.
ShardFile read_shard(const std::string& path);
ShardFile read_shard(std::istream& in, const std::string& path);  // `path` names it in errors
// One package record's line (the "record":"package" object), parsed; throws JsonlError(why).
PackageRecord parse_package_record(std::string_view line);

}  // namespace drvsec
