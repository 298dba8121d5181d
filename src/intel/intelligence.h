// The user's threat-intelligence data for one scan: Microsoft's block policy, the LOLDrivers
// catalogue and YARA rules. Loaded once before the scan (never downloaded), then shared read-only
// by every worker thread; rules under src/rules/intel/ read it through FileAnalysis::intelligence.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "analysis/file_analysis.h"
#include "intel/facts.h"
#include "intel/loldrivers.h"
#include "intel/sipolicy.h"
#include "intel/yara_rules.h"

namespace drvsec::intel {

struct IntelligenceFiles {
  std::string blocklist;   // --blocklist: SiPolicy XML
  std::string loldrivers;  // --loldrivers: LOLDrivers JSON
  std::string yara;        // --yara: YARA rules source
};

class Intelligence {
 public:
  // Loads what is named (empty paths are skipped). Throws LoadError naming the file and the problem.
  static std::shared_ptr<const Intelligence> load(const IntelligenceFiles& files);

  std::optional<SiPolicy> policy;
  std::optional<LolDrivers> loldrivers;
  std::unique_ptr<YaraRules> yara;
};

// The facts of one analyzed file the matchers use.
FileFacts facts_of(const FileAnalysis& file);

}  // namespace drvsec::intel
