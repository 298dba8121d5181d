// The API catalogue (the DDIs with a capability in src/ddi/functions.cpp) and its documentation
// (docs/api-catalog.md) must list the same entries, in the same categories, with the same reasons.
#include "ddi/functions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace drvsec {
namespace {

// The catalogue entry of `api`: its DDI when that has a capability, else nullptr.
const ddi::Function* find_in_catalog(std::string_view api) {
  const ddi::Function* f = ddi::find(api);
  return f && f->capability ? f : nullptr;
}

struct DocEntry {
  std::string category;
  std::string why;
};

// "## Title (`category`)" opens a category; "| `Api` | why |" is an entry.
std::map<std::string, DocEntry> read_catalog_doc() {
  std::ifstream in(DRVSEC_SOURCE_DIR "/docs/api-catalog.md");
  EXPECT_TRUE(in) << "docs/api-catalog.md";
  std::map<std::string, DocEntry> out;
  std::string line, category;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      auto open = line.rfind("(`"), close = line.rfind("`)");
      category = open != std::string::npos && close > open ? line.substr(open + 2, close - open - 2) : "";
    } else if (line.starts_with("| `")) {
      auto end = line.find("` |", 3);
      if (end == std::string::npos) continue;
      std::string api = line.substr(3, end - 3);
      std::string why = line.substr(end + 3);
      why = why.substr(why.find_first_not_of(' '));
      why = why.substr(0, why.rfind(" |"));
      EXPECT_TRUE(out.emplace(api, DocEntry{category, why}).second) << "listed twice in the doc: " << api;
    }
  }
  return out;
}

TEST(ApiCatalog, EveryEntryIsDocumentedInItsCategory) {
  const auto doc = read_catalog_doc();
  ASSERT_FALSE(doc.empty());
  for (const ddi::Function& e : ddi::functions()) {
    if (!e.capability) continue;
    auto it = doc.find(std::string(e.name));
    ASSERT_NE(it, doc.end()) << e.name << " is in the catalogue but not in docs/api-catalog.md";
    EXPECT_EQ(it->second.category, to_string(*e.capability)) << e.name;
    EXPECT_EQ(it->second.why, e.why) << e.name;
  }
}

TEST(ApiCatalog, EveryDocumentedEntryIsInTheCatalogue) {
  for (const auto& [api, entry] : read_catalog_doc()) {
    const ddi::Function* e = find_in_catalog(api);
    ASSERT_TRUE(e) << api << " is documented but not in the catalogue";
    EXPECT_EQ(to_string(*e->capability), entry.category) << api;
  }
}

TEST(ApiCatalog, LookupIsExactAndEntriesAreUnique) {
  std::set<std::string_view> seen;
  for (const ddi::Function& e : ddi::functions()) {
    if (!e.capability) continue;
    EXPECT_TRUE(seen.insert(e.name).second) << "duplicate " << e.name;
    EXPECT_EQ(find_in_catalog(e.name), &e);
    EXPECT_FALSE(e.why.empty()) << e.name;
  }
  EXPECT_EQ(find_in_catalog("mmmapiospace"), nullptr);  // import names are case-sensitive
  EXPECT_EQ(find_in_catalog("MmMapIoSpac"), nullptr);
  EXPECT_EQ(find_in_catalog(""), nullptr);
  EXPECT_EQ(find_in_catalog("ExAllocatePool2"), nullptr);  // the replacement is not a finding
}

TEST(ApiCatalog, CoversTheIssueList) {
  for (std::string_view api :
       {"MmMapIoSpace", "MmMapIoSpaceEx", "MmGetPhysicalAddress", "MmCopyMemory", "ZwMapViewOfSection",
        "MmMapLockedPages", "MmMapLockedPagesSpecifyCache", "ZwTerminateProcess", "ZwOpenProcess",
        "PsLookupProcessByProcessId", "KeStackAttachProcess", "MmCopyVirtualMemory", "READ_PORT_UCHAR",
        "WRITE_PORT_ULONG", "HalGetBusData", "HalSetBusData", "ExSetFirmwareEnvironmentVariable", "strcpy",
        "sprintf", "wcscpy", "_snwprintf", "ExAllocatePool", "ExAllocatePoolWithTag"})
    EXPECT_TRUE(find_in_catalog(api)) << api;
}

}  // namespace
}  // namespace drvsec
