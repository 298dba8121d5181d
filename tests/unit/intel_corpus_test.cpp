// Closing-note measurements on ../shared/corpus (skipped when absent): how many corpus drivers
// Microsoft's block policy denies (by rule type) and LOLDrivers lists, load times, and the
// matching time per driver. Prints the numbers; asserts only what the data guarantees.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "engine/scan.h"
#include "intel/intelligence.h"
#include "intel_test_support.h"

namespace drvsec::intel {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

TEST(IntelCorpus, PolicyAndLolDriversMatchesAndTimings) {
  const std::string policy_path = drvsec::testing::shared_intel("SiPolicy_Enforced.xml");
  const std::string lol_path = drvsec::testing::shared_intel("loldrivers.json");
  const std::string corpus = std::filesystem::path(policy_path).parent_path().parent_path() / "corpus" / "ioctlance";
  if (!drvsec::testing::exists(policy_path) || !drvsec::testing::exists(lol_path) || !drvsec::testing::exists(corpus))
    GTEST_SKIP() << "../shared/intel or ../shared/corpus not present";

  auto start = Clock::now();
  const SiPolicy policy = SiPolicy::load_file(policy_path);
  const double policy_ms = ms_since(start);
  start = Clock::now();
  const LolDrivers lol = LolDrivers::load_file(lol_path);
  const double lol_ms = ms_since(start);

  // Analyze every corpus driver once (the pipeline's facts), keeping the bytes the images view.
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<FileAnalysis> files;
  for (const auto& input : discover_inputs({corpus})) bytes.push_back(drvsec::testing::read_bytes(input.path));
  const ScanOptions options;
  size_t i = 0;
  for (const auto& input : discover_inputs({corpus})) files.push_back(analyze_bytes(input.path, bytes[i++], options));
  ASSERT_GT(files.size(), 100u);

  size_t denied = 0, listed = 0, with_version = 0, with_signature = 0;
  std::map<std::string, size_t> by_type, by_hash;
  start = Clock::now();
  for (const FileAnalysis& file : files) {
    const FileFacts facts = facts_of(file);
    with_version += facts.version != nullptr;
    with_signature += facts.signature != nullptr;
    const PolicyVerdict verdict = policy.evaluate(facts);
    if (verdict.decision == PolicyDecision::denied) ++denied;
    for (const auto& m : verdict.denies) ++by_type[std::string(to_string(m.kind))];
    const auto matches = lol.match(facts);
    if (!matches.empty()) ++listed;
    for (const auto& m : matches) ++by_hash[std::string(to_string(m.kind))];
  }
  const double match_ms = ms_since(start);

  std::cout << "[ corpus ] " << files.size() << " drivers (" << with_version << " with VERSIONINFO, " << with_signature
            << " with signature facts)\n";
  std::cout << "[ corpus ] Microsoft block policy denies " << denied << "; matched rules by type:";
  for (const auto& [type, n] : by_type) std::cout << " " << type << "=" << n;
  std::cout << "\n[ corpus ] LOLDrivers lists " << listed << "; matches by hash:";
  for (const auto& [type, n] : by_hash) std::cout << " " << type << "=" << n;
  std::cout << "\n[ timing ] load SiPolicy " << policy_ms << " ms + LOLDrivers " << lol_ms << " ms = " << policy_ms + lol_ms
            << " ms; matching " << 1000.0 * match_ms / files.size() << " us per driver\n";

  // Every corpus driver is a publicly known vulnerable driver: most are in LOLDrivers by file hash.
  EXPECT_GT(listed, files.size() / 2);
  EXPECT_GT(denied, 0u);
}

}  // namespace
}  // namespace drvsec::intel
