// The model's shared shapes: locations (an address or a source range, with the file), fact ids,
// and findings that link to facts by id. Checked on synthetic models for the id rules and on every
// fixture driver for the links; the writers and the jsonl reader for locations that only source
// and INF analysis will produce (no binary finding has a range).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/fact_ids.h"
#include "report/jsonl.h"
#include "report/report.h"
#include "unit/loaded_driver.h"

namespace drvsec {
namespace {

TEST(FactIds, MadeFromTheSubjectAndNumberedOnRepeats) {
  DriverModel m;
  m.capabilities.push_back({CapabilityCategory::physical_memory, "MmMapIoSpace", "ntoskrnl.exe", provenance_at(0x2000, "import")});
  m.capabilities.push_back({CapabilityCategory::physical_memory, "\\Device\\PhysicalMemory", "", provenance_at(0x3000, "UTF-16 string")});
  Device named, again, unnamed;
  named.name = again.name = "\\Device\\Foo";
  m.devices = {named, again, unnamed};
  m.links.push_back({"\\DosDevices\\Foo", "\\Device\\Foo", provenance_at(0x3100, "UTF-16 string")});
  m.dispatch.push_back({kIrpMjDeviceControl, 0x1400, false, provenance_at(0x1010, "store")});
  Ioctl io;
  io.code = 0x222003;
  m.ioctls = {io};
  PrimitiveUse u;
  u.rva = 0x1500;
  m.primitives = {u};
  MemoryIntegrityCall c;
  c.rva = 0x1600;
  m.memory_integrity_calls = {c};
  assign_fact_ids(m);
  EXPECT_EQ(m.capabilities[0].id, "capability/ntoskrnl.exe!MmMapIoSpace");
  EXPECT_EQ(m.capabilities[1].id, "capability/\\Device\\PhysicalMemory");
  EXPECT_EQ(m.devices[0].id, "device/\\Device\\Foo");
  EXPECT_EQ(m.devices[1].id, "device/\\Device\\Foo#2");
  EXPECT_EQ(m.devices[2].id, "device/unnamed");
  EXPECT_EQ(m.links[0].id, "link/\\DosDevices\\Foo");
  EXPECT_EQ(m.dispatch[0].id, "dispatch/IRP_MJ_DEVICE_CONTROL");
  EXPECT_EQ(m.ioctls[0].id, "ioctl/0x222003");
  EXPECT_EQ(m.primitives[0].id, "primitive/0x1500");
  EXPECT_EQ(m.memory_integrity_calls[0].id, "memory-integrity/0x1600");
  // Stable: assigning again (as a re-run would) gives the same ids.
  DriverModel again_model = m;
  assign_fact_ids(again_model);
  EXPECT_EQ(again_model.devices[1].id, m.devices[1].id);
}

TEST(Location, FunctionsAreNamedWhenKnownAndRenderedFromTheAddressOtherwise) {
  DriverModel m;
  m.function_names[0x1400] = "DeviceControl";
  const Location named = m.code_location(0x1420, 0x1400), unnamed = m.code_location(0x1520, 0x1500);
  EXPECT_EQ(named.function, "DeviceControl");
  EXPECT_EQ(function_label(named), "DeviceControl");
  EXPECT_TRUE(unnamed.function.empty());
  EXPECT_EQ(function_label(unnamed), "sub_1500");
  EXPECT_EQ(m.function_label(0x1500), "sub_1500");
  EXPECT_EQ(function_label(at_rva(0x10)), "");  // an address outside any known function names none
}

// Every fact id of a model, checked unique.
std::set<std::string> ids_of(const DriverModel& m) {
  std::set<std::string> ids;
  auto add = [&](const std::string& id) {
    EXPECT_FALSE(id.empty());
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
  };
  for (const auto& f : m.capabilities) add(f.id);
  for (const auto& f : m.devices) add(f.id);
  for (const auto& f : m.links) add(f.id);
  for (const auto& f : m.interfaces) add(f.id);
  for (const auto& f : m.dispatch) add(f.id);
  for (const auto& f : m.ioctls) add(f.id);
  for (const auto& f : m.primitives) add(f.id);
  for (const auto& f : m.memory_integrity_calls) add(f.id);
  for (const auto& f : m.partial_ioctl_dispatch) add(f.id);
  if (m.kmdf)
    for (const auto& f : m.kmdf->queue_callbacks) add(f.id);
  return ids;
}

TEST(FactIds, EveryFindingOfEveryFixtureLinksToFactsOfItsModel) {
  size_t drivers = 0, linked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(DRVSEC_FIXTURE_DIR)) {
    if (entry.path().extension() != ".sys") continue;
    auto l = pe_test::load_driver(entry.path().stem().string());
    if (!l || !l->file.model->is_kernel_driver) continue;
    ++drivers;
    const DriverModel& m = *l->file.model;
    const std::set<std::string> ids = ids_of(m);
    for (const Ioctl& io : m.ioctls)
      for (const std::string& id : io.reachable_primitives) EXPECT_TRUE(m.primitive(id)) << id;
    for (const Rule* r : RuleRegistry::instance().rules()) {
      std::vector<Finding> out;
      r->check(l->file, out);
      for (const Finding& f : out) {
        linked += !f.facts.empty();
        for (const std::string& id : f.facts) EXPECT_TRUE(ids.count(id)) << r->info().id << " names " << id << " in " << entry.path();
        if (f.ioctl && r->info().id.starts_with("prim-")) {
          EXPECT_NE(std::find(f.facts.begin(), f.facts.end(), fmt::format("ioctl/0x{:X}", *f.ioctl)), f.facts.end());
        }
      }
    }
  }
  EXPECT_GT(drivers, 10u);
  EXPECT_GT(linked, 50u);  // the code rules and capability rules link their findings
}

Finding source_finding() {
  Finding f;
  f.rule_id = "input-not-analyzed";
  f.message = "a finding at a source range";
  f.location.path = "src/driver.c";
  f.location.range = SourceRange{12, 5, 14, 2};
  f.location.function = "DeviceControl";
  f.facts = {"ioctl/0x222003"};
  return f;
}

TEST(Location, SourceRangesReachJsonSarifAndBackFromJsonl) {
  PackageRecord record;
  record.key = "src/driver.c";
  record.findings = {source_finding()};
  const PackageRecord back = parse_package_record(package_record_line(record));
  ASSERT_EQ(back.findings.size(), 1u);
  EXPECT_EQ(back.findings[0].location, record.findings[0].location);
  EXPECT_EQ(back.findings[0].facts, record.findings[0].facts);

  Report report;
  report.findings = record.findings;
  ReportArtifact source;
  source.path = "src/driver.c";
  source.kind = "source";
  report.artifacts = {source};
  std::ostringstream json, sarif, text;
  write_json_report(report, json);
  write_sarif_report(report, sarif);
  write_text_report(report, text, {});
  const auto j = nlohmann::json::parse(json.str());
  const auto& loc = j["findings"][0]["location"];
  EXPECT_EQ(loc["line"], 12);
  EXPECT_EQ(loc["column"], 5);
  EXPECT_EQ(loc["end_line"], 14);
  EXPECT_EQ(loc["end_column"], 2);
  EXPECT_EQ(loc["function"], "DeviceControl");
  EXPECT_FALSE(loc.contains("rva"));
  EXPECT_EQ(j["findings"][0]["facts"][0], "ioctl/0x222003");
  const auto s = nlohmann::json::parse(sarif.str());
  const auto& result = s["runs"][0]["results"][0]["locations"][0];
  const auto& region = result["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 12);
  EXPECT_EQ(region["startColumn"], 5);
  EXPECT_EQ(region["endLine"], 14);
  EXPECT_EQ(region["endColumn"], 2);
  EXPECT_EQ(result["logicalLocations"][0]["name"], "DeviceControl");
  EXPECT_NE(text.str().find("[DeviceControl]"), std::string::npos);
}

TEST(Location, BinaryFindingsCarryTheFunctionAddressNotARenderedName) {
  Finding f = source_finding();
  f.location = at_rva(0x1420);
  f.location.path = "a.sys";
  f.location.function_rva = 0x1400;
  Report report;
  report.findings = {f};
  std::ostringstream json, sarif;
  write_json_report(report, json);
  write_sarif_report(report, sarif);
  const auto loc = nlohmann::json::parse(json.str())["findings"][0]["location"];
  EXPECT_EQ(loc["rva"], "0x1420");
  EXPECT_EQ(loc["function_rva"], "0x1400");
  EXPECT_FALSE(loc.contains("function"));  // no name is known; SARIF and text render sub_1400
  EXPECT_EQ(nlohmann::json::parse(sarif.str())["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]["name"],
            "sub_1400");
}

}  // namespace
}  // namespace drvsec
