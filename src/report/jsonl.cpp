#include "report/jsonl.h"

#include <fstream>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/ioctl_code.h"
#include "report/json_writer.h"
#include "report/model_json.h"

namespace drvsec {

namespace {

constexpr int kJsonlSchemaVersion = 2;  // docs/json.md: 2 since the model of schema 2
using Json = nlohmann::ordered_json;

void write_skipped(JsonWriter& w, const SkippedInputs& s) {
  w.key("skipped").begin_object();
  w.member("source_files", s.source_files);
  w.member("inf_files", s.inf_files);
  w.member("other_files", s.other_files);
  w.end_object();
}

// Field access that fails with a reason instead of an exception from the JSON library.
const Json& need(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) throw JsonlError(fmt::format("missing \"{}\"", key));
  return object[key];
}
std::string need_string(const Json& object, const char* key) {
  const Json& v = need(object, key);
  if (!v.is_string()) throw JsonlError(fmt::format("\"{}\" is not a string", key));
  return v.get<std::string>();
}
uint64_t need_unsigned(const Json& object, const char* key) {
  const Json& v = need(object, key);
  if (!v.is_number_unsigned()) throw JsonlError(fmt::format("\"{}\" is not an unsigned number", key));
  return v.get<uint64_t>();
}
uint32_t need_u32(const Json& object, const char* key) {
  const uint64_t v = need_unsigned(object, key);
  if (v > 0xFFFFFFFFull) throw JsonlError(fmt::format("\"{}\" is out of range", key));
  return static_cast<uint32_t>(v);
}
bool need_bool(const Json& object, const char* key) {
  const Json& v = need(object, key);
  if (!v.is_boolean()) throw JsonlError(fmt::format("\"{}\" is not true or false", key));
  return v.get<bool>();
}
const Json& need_array(const Json& object, const char* key) {
  const Json& v = need(object, key);
  if (!v.is_array()) throw JsonlError(fmt::format("\"{}\" is not an array", key));
  return v;
}
std::vector<std::string> need_strings(const Json& object, const char* key) {
  std::vector<std::string> out;
  for (const Json& v : need_array(object, key)) {
    if (!v.is_string()) throw JsonlError(fmt::format("\"{}\" holds a non-string", key));
    out.push_back(v.get<std::string>());
  }
  return out;
}
uint64_t hex64(const std::string& text, const char* what) {
  auto v = parse_number(text);
  if (!v) throw JsonlError(fmt::format("{} '{}' is not a number", what, text));
  return *v;
}
uint32_t hex32(const std::string& text, const char* what) {
  auto v = parse_number(text);
  if (!v || *v > 0xFFFFFFFFull) throw JsonlError(fmt::format("{} '{}' is not a 32-bit number", what, text));
  return static_cast<uint32_t>(*v);
}

template <typename Enum>
Enum need_enum(const Json& object, const char* key, std::initializer_list<Enum> values) {
  const std::string text = need_string(object, key);
  for (Enum e : values)
    if (to_string(e) == text) return e;
  throw JsonlError(fmt::format("\"{}\" has an unknown value '{}'", key, text));
}

// The part of a device's security synthesis the text report shows.
std::optional<CallerRef> parse_caller(const Json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  const Json& c = need(j, key);
  return CallerRef{need_string(c, "id"), need_string(c, "name"), need_bool(c, "broad")};
}
std::optional<DeviceSecurity> parse_device_security(const Json& device) {
  if (!device.contains("security")) return std::nullopt;
  const Json& j = need(device, "security");
  DeviceSecurity s;
  s.source = need_string(j, "source");
  s.sddl = need_string(j, "sddl");
  s.parsed = need_bool(j, "parsed");
  s.user_reachable = need_bool(j, "user_reachable");
  if (j.contains("secure_open")) s.secure_open = need_bool(j, "secure_open");
  s.lowest_open = parse_caller(j, "lowest_open");
  s.lowest_read = parse_caller(j, "lowest_read");
  s.lowest_write = parse_caller(j, "lowest_write");
  s.lowest_all = parse_caller(j, "lowest_all");
  return s;  // the per-IOCTL callers stay in the driver's JSON (driver_json), which the JSON report copies
}

Finding parse_finding(const Json& j) {
  Finding f;
  f.rule_id = need_string(j, "rule_id");
  f.severity = need_enum(j, "severity", {Severity::note, Severity::warning, Severity::error});
  f.confidence = need_enum(j, "confidence", {Confidence::low, Confidence::medium, Confidence::high});
  f.checklist = need_strings(j, "checklist");
  f.cwe = need_strings(j, "cwe");
  f.message = need_string(j, "message");
  const Json& loc = need(j, "location");
  f.location.path = need_string(loc, "path");
  if (loc.contains("rva")) f.location.rva = hex32(need_string(loc, "rva"), "rva");
  if (loc.contains("function_rva")) f.location.function_rva = hex32(need_string(loc, "function_rva"), "function_rva");
  if (loc.contains("function")) f.location.function = need_string(loc, "function");
  if (loc.contains("file_offset")) f.location.file_offset = hex64(need_string(loc, "file_offset"), "file_offset");
  if (loc.contains("section")) f.location.section = need_string(loc, "section");
  if (loc.contains("line")) {
    SourceRange& r = f.location.range.emplace();
    r.line = need_u32(loc, "line");
    if (loc.contains("column")) r.column = need_u32(loc, "column");
    if (loc.contains("end_line")) r.end_line = need_u32(loc, "end_line");
    if (loc.contains("end_column")) r.end_column = need_u32(loc, "end_column");
  }
  f.evidence = need_strings(j, "evidence");
  if (j.contains("ioctl")) f.ioctl = hex32(need_string(j, "ioctl"), "ioctl");
  f.facts = need_strings(j, "facts");
  f.fingerprint = need_string(j, "fingerprint");
  return f;
}

AnalysisDepth parse_depth(const std::string& text) {
  for (AnalysisDepth d : {AnalysisDepth::headers, AnalysisDepth::code})
    if (to_string(d) == text) return d;
  throw JsonlError(fmt::format("unknown analysis depth '{}'", text));
}

ShardHeader parse_header(const Json& j) {
  ShardHeader h;
  h.schema_version = static_cast<int>(need_unsigned(j, "schema_version"));
  if (h.schema_version != kJsonlSchemaVersion)
    throw JsonlError(fmt::format("jsonl schema version {} (this drvsec reads {})", h.schema_version, kJsonlSchemaVersion));
  h.tool_version = need_string(need(j, "tool"), "version");
  h.depth = parse_depth(need_string(j, "analysis_depth"));
  const Json& shard = need(j, "shard");
  const uint64_t index = need_unsigned(shard, "index"), count = need_unsigned(shard, "count");
  if (count == 0 || count > 0xFFFFFFFFull || index == 0 || index > count)
    throw JsonlError(fmt::format("shard {}/{} is not K/N with 1 <= K <= N", index, count));
  h.shard = {static_cast<uint32_t>(index), static_cast<uint32_t>(count)};
  h.all_packages = need_unsigned(j, "all_packages");
  h.packages = need_strings(j, "packages");
  const Json& options = need(j, "options");
  h.only_rules = need_strings(options, "rules");
  h.excluded_rules = need_strings(options, "excluded_rules");
  h.max_file_size = need_unsigned(options, "max_file_size");
  h.intelligence = need_strings(options, "intelligence");
  return h;
}

}  // namespace

int jsonl_schema_version() { return kJsonlSchemaVersion; }

void write_header_record(const ShardHeader& h, std::ostream& out) {
  std::string text;
  JsonWriter w = JsonWriter::compact(text);
  w.begin_object();
  w.member("record", "header");
  w.member("schema_version", kJsonlSchemaVersion);
  w.key("tool").begin_object().member("name", "drvsec").member("version", h.tool_version).end_object();
  w.member("analysis_depth", to_string(h.depth));
  w.key("shard").begin_object().member("index", h.shard.index).member("count", h.shard.count).end_object();
  w.key("options").begin_object();
  w.member("rules", h.only_rules);
  w.member("excluded_rules", h.excluded_rules);
  w.member("max_file_size", h.max_file_size);
  w.member("intelligence", h.intelligence);
  w.end_object();
  w.member("all_packages", h.all_packages);
  w.member("packages", h.packages);
  w.end_object();
  out << text << '\n';
}

std::string package_record_line(const PackageRecord& r) {
  std::string text;
  JsonWriter w = JsonWriter::compact(text);
  w.begin_object();
  w.member("record", "package");
  w.member("key", r.key);
  write_package_files(w, r.files);
  w.key("artifacts").begin_array();
  for (const ReportArtifact& a : r.artifacts) w.raw_value(a.artifact_json);
  w.end_array();
  w.key("drivers").begin_array();
  for (const ReportArtifact& a : r.artifacts)
    if (!a.driver_json.empty()) w.raw_value(a.driver_json);
  w.end_array();
  w.key("findings").begin_array();
  for (const Finding& f : r.findings) write_finding(w, f);
  w.end_array();
  write_skipped(w, r.skipped);
  w.end_object();
  text += '\n';
  return text;
}

void write_end_record(size_t packages, std::ostream& out) {
  out << fmt::format("{{\"record\":\"end\",\"packages\":{}}}\n", packages);
}

PackageRecord parse_package_record(std::string_view line) {
  const Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded()) throw JsonlError("not valid JSON");
  if (need_string(j, "record") != "package") throw JsonlError("not a package record");
  PackageRecord r;
  r.key = need_string(j, "key");
  for (const Json& f : need_array(j, "files")) r.files.push_back({need_string(f, "path"), need_string(f, "role")});
  for (const Json& a : need_array(j, "artifacts")) {
    ReportArtifact& art = r.artifacts.emplace_back();
    art.path = need_string(a, "path");
    art.kind = need_string(a, "kind");
    art.sha256 = need_string(a, "sha256");
    art.size = need_unsigned(a, "size");
    art.errors = need_strings(a, "errors");
    art.gaps = need_strings(a, "gaps");
    art.artifact_json = a.dump();
  }
  for (const Json& d : need_array(j, "drivers")) {
    const std::string path = need_string(d, "path");
    auto it = std::find_if(r.artifacts.begin(), r.artifacts.end(), [&](const auto& a) { return a.path == path; });
    if (it == r.artifacts.end() || it->has_model) throw JsonlError(fmt::format("driver '{}' has no artifact of its own", path));
    it->has_model = true;
    it->kernel_driver = need_bool(d, "kernel_driver");
    it->machine = need_string(d, "machine");
    it->framework = need_string(d, "framework");
    for (const Json& dev : need_array(d, "devices")) it->devices.push_back({need_string(dev, "name"), parse_device_security(dev)});
    for (const Json& link : need_array(d, "links")) it->links.push_back(need_string(link, "name"));
    it->driver_json = d.dump();
  }
  for (const Json& f : need_array(j, "findings")) r.findings.push_back(parse_finding(f));
  const Json& s = need(j, "skipped");
  r.skipped = {need_unsigned(s, "source_files"), need_unsigned(s, "inf_files"), need_unsigned(s, "other_files")};
  return r;
}

ShardFile read_shard(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JsonlError(fmt::format("{}: cannot read", path));
  return read_shard(in, path);
}

ShardFile read_shard(std::istream& in, const std::string& path) {
  ShardFile file;
  file.path = path;
  std::string line;
  size_t number = 0;
  bool have_header = false;
  auto fail = [&](const std::string& why) { throw JsonlError(fmt::format("{}:{}: {}", path, number, why)); };
  while (std::getline(in, line)) {
    ++number;
    // A last line without its newline is where a killed run stopped writing: the file is cut short.
    if (in.eof()) break;
    if (line.empty()) continue;
    if (file.complete) fail("a record after the end record");
    try {
      if (!have_header) {
        const Json j = Json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("record") || j["record"] != "header")
          fail("the first record is not a drvsec jsonl header");
        file.header = parse_header(j);
        have_header = true;
        continue;
      }
      if (line.rfind("{\"record\":\"end\"", 0) == 0) {
        const Json j = Json::parse(line, nullptr, false);
        if (j.is_discarded() || need_unsigned(j, "packages") != file.records.size())
          fail("the end record does not count the package records before it");
        file.complete = true;
        continue;
      }
      file.records.push_back(parse_package_record(line));
    } catch (const JsonlError& e) {
      if (std::string_view(e.what()).rfind(path + ":", 0) == 0) throw;
      fail(e.what());
    }
  }
  if (!have_header) throw JsonlError(fmt::format("{}: empty, no drvsec jsonl header", path));
  return file;
}

}  // namespace drvsec
