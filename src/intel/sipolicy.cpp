#include "intel/sipolicy.h"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "base/mapped_file.h"
#include "sig/der.h"

namespace drvsec::intel {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<FileVersion> parse_file_version(std::string_view text) {
  FileVersion v{};
  size_t part = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (true) {
    if (part == v.size()) return std::nullopt;
    unsigned value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc() || next == p || value > 0xFFFF) return std::nullopt;
    v[part++] = static_cast<uint16_t>(value);
    if (next == end) break;
    if (*next != '.') return std::nullopt;
    p = next + 1;
  }
  return v;  // missing trailing parts are 0, as in "1.2" == 1.2.0.0
}

std::string format_file_version(const FileVersion& v) { return fmt::format("{}.{}.{}.{}", v[0], v[1], v[2], v[3]); }

std::string_view to_string(PolicyMatchKind k) {
  switch (k) {
    case PolicyMatchKind::authenticode_sha1: return "Authenticode SHA-1 hash";
    case PolicyMatchKind::authenticode_sha256: return "Authenticode SHA-256 hash";
    case PolicyMatchKind::page_hash_sha1: return "page hash SHA-1";
    case PolicyMatchKind::page_hash_sha256: return "page hash SHA-256";
    case PolicyMatchKind::file_attributes: return "file name and version";
    case PolicyMatchKind::signer: return "signer";
    case PolicyMatchKind::signer_file_attributes: return "signer and file attributes";
  }
  return "unknown";
}

std::string_view to_string(PolicyDecision d) {
  switch (d) {
    case PolicyDecision::denied: return "denied";
    case PolicyDecision::not_allowed: return "not allowed";
    case PolicyDecision::allowed: return "allowed";
    case PolicyDecision::no_scenario: return "no kernel-mode scenario";
  }
  return "unknown";
}

namespace {

using Field = SiPolicy::Field;

constexpr std::pair<const char*, Field> kNameAttributes[] = {
    {"FileName", Field::original_filename},   // FileName means OriginalFilename (policy default)
    {"InternalName", Field::internal_name},
    {"ProductName", Field::product_name},
    {"FileDescription", Field::file_description},
};

std::string name_key(Field field, std::string_view lowered_value) {
  return fmt::format("{}:{}", static_cast<int>(field), lowered_value);
}

std::optional<std::string> version_string(const pe::VersionInfo& v, Field field) {
  const char* key = field == Field::original_filename ? "OriginalFilename"
                    : field == Field::internal_name  ? "InternalName"
                    : field == Field::product_name   ? "ProductName"
                                                     : "FileDescription";
  auto it = v.strings.find(key);
  if (it == v.strings.end()) return std::nullopt;
  return it->second;
}

bool is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::optional<FileVersion> version_attribute(const pugi::xml_node& node, const char* name, std::string_view id) {
  pugi::xml_attribute a = node.attribute(name);
  if (!a) return std::nullopt;
  auto v = parse_file_version(a.value());
  if (!v) throw LoadError(fmt::format("rule {}: {} '{}' is not a version a.b.c.d", id, name, a.value()));
  return v;
}

SiPolicy::FileRule parse_file_rule(const pugi::xml_node& node) {
  SiPolicy::FileRule rule;
  const std::string_view tag = node.name();
  rule.type = tag == "Allow" ? SiPolicy::FileRule::Type::allow
              : tag == "Deny" ? SiPolicy::FileRule::Type::deny
                              : SiPolicy::FileRule::Type::file_attrib;
  rule.id = node.attribute("ID").value();
  if (rule.id.empty()) throw LoadError(fmt::format("a FileRules <{}> has no ID", tag));
  rule.friendly_name = node.attribute("FriendlyName").value();
  if (pugi::xml_attribute hash = node.attribute("Hash")) {
    if (!is_hex(hash.value())) throw LoadError(fmt::format("rule {}: Hash '{}' is not hexadecimal", rule.id, hash.value()));
    rule.hash = ascii_lower(hash.value());
  }
  for (auto [attribute, field] : kNameAttributes) {
    pugi::xml_attribute a = node.attribute(attribute);
    if (!a) continue;
    if (field == Field::original_filename && std::string_view(a.value()) == "*") rule.any_file = true;
    else rule.names.emplace_back(field, ascii_lower(a.value()));
  }
  rule.minimum = version_attribute(node, "MinimumFileVersion", rule.id);
  rule.maximum = version_attribute(node, "MaximumFileVersion", rule.id);
  return rule;
}

std::vector<std::string> attribute_list(const pugi::xml_node& parent, const char* child, const char* attribute) {
  std::vector<std::string> out;
  for (pugi::xml_node n : parent.children(child)) out.emplace_back(n.attribute(attribute).value());
  return out;
}

// The dotted OID of an <EKU Value>: hex of 01 <length> <OID body>; a bare OID body is accepted too.
std::optional<std::string> eku_oid(std::string_view hex) {
  if (!is_hex(hex) || hex.size() % 2) return std::nullopt;
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < hex.size(); i += 2) bytes.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  std::span<const uint8_t> body(bytes);
  if (bytes.size() >= 2 && bytes[0] == 0x01 && bytes[1] == bytes.size() - 2) body = body.subspan(2);
  std::string dotted = sig::der::oid_to_string(body);
  if (dotted.empty()) return std::nullopt;
  return dotted;
}

void sort_matches(std::vector<PolicyMatch>& v) {
  std::sort(v.begin(), v.end(), [](const PolicyMatch& a, const PolicyMatch& b) {
    return std::tie(a.rule_id, a.kind, a.file_attrib_id) < std::tie(b.rule_id, b.kind, b.file_attrib_id);
  });
  v.erase(std::unique(v.begin(), v.end(),
                      [](const PolicyMatch& a, const PolicyMatch& b) {
                        return a.rule_id == b.rule_id && a.kind == b.kind && a.file_attrib_id == b.file_attrib_id;
                      }),
          v.end());
}

}  // namespace

SiPolicy SiPolicy::load_file(const std::string& path) {
  return load_intel_file(path, [](std::string_view text) { return parse(text); });
}

SiPolicy SiPolicy::parse(std::string_view xml) {
  pugi::xml_document doc;
  // parse_default without entity/PI extras; pugixml never fetches external entities.
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed) throw LoadError(fmt::format("not well-formed XML: {} at offset {}", parsed.description(), parsed.offset));
  pugi::xml_node root = doc.child("SiPolicy");
  if (!root) throw LoadError("not a SiPolicy document (the root element is not <SiPolicy>)");

  SiPolicy policy;
  policy.version_ = root.child_value("VersionEx");
  for (pugi::xml_node s : root.child("Settings").children("Setting"))
    if (std::string_view(s.attribute("ValueName").value()) == "Name")
      policy.name_ = s.child("Value").child_value("String");

  std::unordered_map<std::string, size_t> rule_index;
  for (pugi::xml_node n : root.child("FileRules").children()) {
    if (n.type() != pugi::node_element) continue;
    const std::string_view tag = n.name();
    if (tag != "Allow" && tag != "Deny" && tag != "FileAttrib") continue;  // FileRule (path rules): not for drivers
    FileRule rule = parse_file_rule(n);
    if (!rule_index.emplace(rule.id, policy.rules_.size()).second)
      throw LoadError(fmt::format("duplicate FileRules ID {}", rule.id));
    policy.rules_.push_back(std::move(rule));
  }

  // <EKUs><EKU ID Value="01 0A 2B0601040182370A0305"/>: a type byte (01), the length of the OID body,
  // then the body of the DER OBJECT IDENTIFIER.
  std::unordered_map<std::string, std::string> ekus;
  for (pugi::xml_node n : root.child("EKUs").children("EKU")) {
    const std::string id = n.attribute("ID").value();
    auto dotted = eku_oid(n.attribute("Value").value());
    if (id.empty() || !dotted) throw LoadError(fmt::format("EKU '{}': Value '{}' is not an encoded OID", id, n.attribute("Value").value()));
    ekus[id] = *dotted;
  }

  std::unordered_map<std::string, size_t> signer_index;
  for (pugi::xml_node n : root.child("Signers").children("Signer")) {
    Signer s;
    s.id = n.attribute("ID").value();
    s.name = n.attribute("Name").value();
    if (s.id.empty()) throw LoadError("a <Signer> has no ID");
    pugi::xml_node root_cert = n.child("CertRoot");
    const std::string_view type = root_cert.attribute("Type").value();
    if (root_cert && type == "Wellknown" && is_hex(root_cert.attribute("Value").value())) {
      // Microsoft's built-in roots by number; Microsoft does not publish which certificate each number
      // is, so these signers are kept (and counted) but never matched.
      s.wellknown_root = root_cert.attribute("Value").value();
    } else if (root_cert && type == "TBS" && is_hex(root_cert.attribute("Value").value())) {
      s.cert_root = ascii_lower(root_cert.attribute("Value").value());
    } else {
      throw LoadError(fmt::format("signer {}: CertRoot must be Type=\"TBS\" or \"Wellknown\" with a hexadecimal Value", s.id));
    }
    for (const std::string& ref : attribute_list(n, "CertEKU", "ID")) {
      auto it = ekus.find(ref);
      if (it == ekus.end()) throw LoadError(fmt::format("signer {}: CertEKU {} names no EKU", s.id, ref));
      s.cert_ekus.push_back(it->second);
    }
    if (pugi::xml_node p = n.child("CertPublisher")) s.cert_publisher = p.attribute("Value").value();
    if (pugi::xml_node o = n.child("CertOemID")) s.cert_oem_id = o.attribute("Value").value();
    if (pugi::xml_node i = n.child("CertIssuer")) s.unevaluated.push_back(fmt::format("CertIssuer '{}'", i.attribute("Value").value()));
    if (pugi::xml_attribute t = n.attribute("SignTimeAfter")) s.unevaluated.push_back(fmt::format("SignTimeAfter {}", t.value()));
    for (const std::string& ref : attribute_list(n, "FileAttribRef", "RuleID")) {
      auto it = rule_index.find(ref);
      if (it == rule_index.end()) throw LoadError(fmt::format("signer {}: FileAttribRef {} names no file rule", s.id, ref));
      s.file_attribs.push_back(it->second);
    }
    if (!signer_index.emplace(s.id, policy.signers_.size()).second)
      throw LoadError(fmt::format("duplicate Signer ID {}", s.id));
    policy.signers_.push_back(std::move(s));
  }

  for (pugi::xml_node scenario : root.child("SigningScenarios").children("SigningScenario")) {
    if (scenario.attribute("Value").as_int() != kKernelScenario) continue;
    policy.has_kernel_scenario_ = true;
    pugi::xml_node product = scenario.child("ProductSigners");
    std::vector<std::string> denied = attribute_list(product.child("DeniedSigners"), "DeniedSigner", "SignerId");
    std::vector<std::string> allowed = attribute_list(product.child("AllowedSigners"), "AllowedSigner", "SignerId");
    std::vector<std::string> refs = attribute_list(product.child("FileRulesRef"), "FileRuleRef", "RuleID");
    for (const auto* list : {&denied, &allowed})
      for (const std::string& id : *list)
        if (!signer_index.count(id)) throw LoadError(fmt::format("signing scenario refers to unknown signer {}", id));
    for (const std::string& id : refs)
      if (!rule_index.count(id)) throw LoadError(fmt::format("signing scenario refers to unknown file rule {}", id));
    // Resolve ids to indexes once; the index keeps positions, not names.
    auto resolve = [](const std::vector<std::string>& ids, const auto& index) {
      std::vector<size_t> out;
      for (const auto& id : ids) out.push_back(index.at(id));
      return out;
    };
    policy.index_scenario(resolve(denied, signer_index), resolve(allowed, signer_index), resolve(refs, rule_index));
  }

  policy.stats_.file_rules = policy.rules_.size();
  policy.stats_.signers = policy.signers_.size();
  return policy;
}

void SiPolicy::index_scenario(const std::vector<size_t>& denied_signers, const std::vector<size_t>& allowed_signers,
                              const std::vector<size_t>& file_rule_refs) {
  for (size_t i : file_rule_refs) {
    const FileRule& rule = rules_[i];
    if (rule.type == FileRule::Type::file_attrib) continue;  // only meaningful through a signer
    Index& index = rule.type == FileRule::Type::deny ? deny_ : allow_;
    ++index.size;
    if (!rule.hash.empty()) index.by_hash[rule.hash].push_back(i);
    else if (!rule.names.empty()) index.by_name[name_key(rule.names[0].first, rule.names[0].second)].push_back(i);
    else index.nameless.push_back(i);
    ++(rule.type == FileRule::Type::deny ? stats_.kernel_deny_rules : stats_.kernel_allow_rules);
  }
  for (size_t i : denied_signers) {
    if (!signers_[i].wellknown_root.empty()) ++stats_.kernel_wellknown_signers;
    else deny_.signers[signers_[i].cert_root].push_back(i);
    ++deny_.size;
    ++stats_.kernel_denied_signers;
  }
  for (size_t i : allowed_signers) {
    if (!signers_[i].wellknown_root.empty()) ++stats_.kernel_wellknown_signers;
    else allow_.signers[signers_[i].cert_root].push_back(i);
    ++allow_.size;
    ++stats_.kernel_allowed_signers;
  }
}

bool SiPolicy::attributes_match(const FileRule& rule, const FileFacts& file) const {
  if (rule.any_file) return true;
  const pe::VersionInfo* v = file.version;
  if (!v) return false;
  for (const auto& [field, wanted] : rule.names) {
    auto value = version_string(*v, field);
    if (!value || ascii_lower(*value) != wanted) return false;
  }
  if (rule.minimum || rule.maximum) {
    // A file without a fixed file version is version 0.0.0.0.
    const FileVersion version = v->file_version.value_or(FileVersion{});
    if (rule.minimum && version < *rule.minimum) return false;
    if (rule.maximum && version > *rule.maximum) return false;
  }
  return true;
}

namespace {

std::string describe_attributes(const SiPolicy::FileRule& rule, const FileFacts& file) {
  if (rule.any_file) return "FileName=\"*\" matches every file";
  std::string text;
  for (const auto& [field, wanted] : rule.names) {
    const char* label = field == Field::original_filename ? "OriginalFilename"
                        : field == Field::internal_name  ? "InternalName"
                        : field == Field::product_name   ? "ProductName"
                                                         : "FileDescription";
    text += fmt::format("{}{} '{}'", text.empty() ? "" : ", ", label, version_string(*file.version, field).value_or(""));
  }
  if (rule.minimum || rule.maximum) {
    const FileVersion version = file.version->file_version.value_or(FileVersion{});
    text += fmt::format("{}file version {} within {}..{}", text.empty() ? "" : ", ", format_file_version(version),
                        format_file_version(rule.minimum.value_or(FileVersion{})),
                        format_file_version(rule.maximum.value_or(FileVersion{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF})));
  }
  return text;
}

}  // namespace

void SiPolicy::match(const Index& index, const FileFacts& file, std::vector<PolicyMatch>& out) const {
  if (file.signature && file.signature->authenticode) {
    const sig::AuthenticodeHashes& a = *file.signature->authenticode;
    const std::pair<const std::string*, PolicyMatchKind> hashes[] = {
        {&a.sha1, PolicyMatchKind::authenticode_sha1},
        {&a.sha256, PolicyMatchKind::authenticode_sha256},
        {&a.page_sha1, PolicyMatchKind::page_hash_sha1},
        {&a.page_sha256, PolicyMatchKind::page_hash_sha256},
    };
    for (auto [hash, kind] : hashes) {
      if (hash->empty()) continue;
      auto it = index.by_hash.find(ascii_lower(*hash));
      if (it == index.by_hash.end()) continue;
      for (size_t i : it->second)
        out.push_back({kind, rules_[i].id, rules_[i].friendly_name, {},
                       fmt::format("the file's {} {} equals the rule's Hash", to_string(kind), *hash)});
    }
  }

  auto try_rule = [&](size_t i) {
    if (attributes_match(rules_[i], file))
      out.push_back({PolicyMatchKind::file_attributes, rules_[i].id, rules_[i].friendly_name, {},
                     describe_attributes(rules_[i], file)});
  };
  if (file.version)
    for (auto [attribute, field] : kNameAttributes) {
      (void)attribute;
      auto value = version_string(*file.version, field);
      if (!value) continue;
      auto it = index.by_name.find(name_key(field, ascii_lower(*value)));
      if (it != index.by_name.end())
        for (size_t i : it->second) try_rule(i);
    }
  for (size_t i : index.nameless) try_rule(i);

  if (!file.signature) return;
  for (const sig::Signature& signature : file.signature->signatures) {
    if (signature.chain.empty()) continue;
    for (const sig::Certificate& cert : signature.chain) {
      for (const std::string* tbs : {&cert.tbs_sha1, &cert.tbs_sha256, &cert.tbs_sha384}) {
        if (tbs->empty()) continue;
        auto it = index.signers.find(ascii_lower(*tbs));
        if (it == index.signers.end()) continue;
        for (size_t si : it->second) {
          const Signer& s = signers_[si];
          std::string why = fmt::format("certificate '{}' has TBS hash {}", cert.subject_cn, *tbs);
          bool certain = true;
          if (!signer_conditions_hold(s, signature, why, certain)) continue;
          if (s.file_attribs.empty()) {
            out.push_back({PolicyMatchKind::signer, s.id, s.name, {}, why, certain});
            continue;
          }
          for (size_t fi : s.file_attribs)
            if (attributes_match(rules_[fi], file))
              out.push_back({PolicyMatchKind::signer_file_attributes, s.id, s.name, rules_[fi].id,
                             fmt::format("{}; FileAttrib {} ({}): {}", why, rules_[fi].id, rules_[fi].friendly_name,
                                         describe_attributes(rules_[fi], file)),
                             certain});
        }
      }
    }
  }
}

bool SiPolicy::signer_conditions_hold(const Signer& s, const sig::Signature& signature, std::string& why,
                                      bool& certain) const {
  const sig::Certificate& leaf = signature.chain.front();
  if (s.cert_publisher) {
    if (*s.cert_publisher != leaf.subject_cn) return false;
    why += fmt::format(", leaf CN '{}' equals CertPublisher", leaf.subject_cn);
  }
  for (const std::string& eku : s.cert_ekus) {
    if (!std::binary_search(leaf.ekus.begin(), leaf.ekus.end(), eku)) return false;  // ekus are sorted
    why += fmt::format(", leaf certificate has EKU {}", eku);
  }
  if (s.cert_oem_id) {
    // The OEM id is the signature's SpcSpOpusInfo programName (what App Control tools read for
    // CertOemID); compared exactly.
    if (!signature.program_name || *signature.program_name != *s.cert_oem_id) return false;
    why += fmt::format(", signature's program name (OEM ID) '{}' equals CertOemID", *signature.program_name);
  }
  for (const std::string& condition : s.unevaluated) {
    why += fmt::format(", {} not checked", condition);
    certain = false;
  }
  return true;
}

PolicyVerdict SiPolicy::evaluate(const FileFacts& file) const {
  PolicyVerdict verdict;
  if (!file.signature) verdict.unevaluated.push_back("no signature facts: hash and signer rules not evaluated");
  else {
    if (!file.signature->authenticode) verdict.unevaluated.push_back("no Authenticode hashes: hash rules not evaluated");
    else if (file.signature->authenticode->page_sha1.empty() && file.signature->authenticode->page_sha256.empty())
      verdict.unevaluated.push_back("no page hashes: page-hash rules not evaluated");
  }
  if (!file.version) verdict.unevaluated.push_back("no VERSIONINFO: file-name and file-attribute rules cannot match");
  if (!has_kernel_scenario_) return verdict;
  if (stats_.kernel_wellknown_signers)
    verdict.unevaluated.push_back(fmt::format("{} signer(s) with a well-known root (CertRoot Type=\"Wellknown\") not evaluated",
                                              stats_.kernel_wellknown_signers));

  match(deny_, file, verdict.denies);
  match(allow_, file, verdict.allows);
  sort_matches(verdict.denies);
  sort_matches(verdict.allows);
  // Explicit deny wins over any allow; without an allow, a policy that has allow rules denies implicitly.
  if (!verdict.denies.empty()) verdict.decision = PolicyDecision::denied;
  else if (!verdict.allows.empty()) verdict.decision = PolicyDecision::allowed;
  else verdict.decision = PolicyDecision::not_allowed;
  return verdict;
}

}  // namespace drvsec::intel
