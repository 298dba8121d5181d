// Fuzzes the reader of `drvsec merge`: a shard's JSON Lines (header, package records, end record).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "report/jsonl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    std::istringstream in(text);
    const ShardFile shard = read_shard(in, "fuzz.jsonl");
    // What merge does next with the records: assemble and render them.
    std::vector<PackageRecord> records = shard.records;
    const Report report = assemble_report(std::move(records), shard.header.depth, 1);
    std::ostringstream out;
    write_json_report(report, out);
    write_sarif_report(report, out);
    write_text_report(report, out, {});
  } catch (const JsonlError&) {
  }
  return 0;
}
