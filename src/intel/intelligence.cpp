#include "intel/intelligence.h"

namespace drvsec::intel {

std::shared_ptr<const Intelligence> Intelligence::load(const IntelligenceFiles& files) {
  auto intelligence = std::make_shared<Intelligence>();
  if (!files.blocklist.empty()) intelligence->policy = SiPolicy::load_file(files.blocklist);
  if (!files.loldrivers.empty()) intelligence->loldrivers = LolDrivers::load_file(files.loldrivers);
  if (!files.yara.empty()) intelligence->yara = YaraRules::compile_file(files.yara);
  return intelligence;
}

FileFacts facts_of(const FileAnalysis& file) {
  FileFacts facts;
  facts.sha256 = file.artifact.sha256;
  if (file.signature) facts.signature = &*file.signature;
  if (file.model && file.model->version_info) facts.version = &*file.model->version_info;
  return facts;
}

}  // namespace drvsec::intel
