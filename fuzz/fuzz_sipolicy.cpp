// Fuzzes the SiPolicy (App Control XML) loader and the evaluation of a fixed set of file facts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/sipolicy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace drvsec;
  static const sig::SignatureInfo signature = [] {
    sig::SignatureInfo s;
    s.authenticode = sig::AuthenticodeHashes{std::string(40, 'a'), std::string(64, 'b'), std::string(40, 'c'), ""};
    sig::Signature sg;
    sig::Certificate leaf;
    leaf.subject_cn = "Contoso";
    leaf.tbs_sha1 = std::string(40, '1');
    sg.chain = {leaf};
    s.signatures = {sg};
    return s;
  }();
  static const pe::VersionInfo version{{{"OriginalFilename", "a.sys"}, {"ProductName", "p"}}, intel::FileVersion{1, 2, 3, 4}, {}};
  try {
    intel::SiPolicy policy = intel::SiPolicy::parse(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)policy.evaluate({"", &signature, &version});
  } catch (const intel::LoadError&) {
  }
  return 0;
}
